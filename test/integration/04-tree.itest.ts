/** The tree the provider gives VS Code, its tooltips, and Show/Hide Revoked Keys. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  control,
  env,
  isList,
  resetAll,
  signInAs,
  stateOf,
  view,
  waitFor,
  waitForKeysOf,
  waitForRequest,
  type Group,
  type ServerApiKey,
} from './host';

function byName(keys: readonly ServerApiKey[], name: string): ServerApiKey {
  const key = keys.find((candidate) => candidate.name === name);
  assert.ok(key, `seeded key “${name}”`);
  return key;
}

function rowsOf(groups: readonly Group[]) {
  return groups.flatMap((group) => group.rows.map((row) => ({ group: group.label, ...row })));
}

suite('Tree of API keys', () => {
  suiteSetup(() => signInAs(env.tokens.admin, env.orgs.primary));
  suiteTeardown(resetAll);

  test('groups Active, Expired, Inactive with counts of the seeded keys; no Revoked group while hidden', async () => {
    const keys = await control.keys(env.orgs.primary);
    const groups = await waitForKeysOf(env.orgs.primary, false);
    const count = (state: string) => String(keys.filter((key) => stateOf(key) === state).length);
    assert.deepEqual(
      groups.map((group) => [group.label, group.description]),
      [
        ['Active', count('active')],
        ['Expired', count('expired')],
        ['Inactive', count('inactive')],
      ],
    );
    for (const group of groups) {
      assert.equal(group.item.collapsibleState, vscode.TreeItemCollapsibleState.Expanded, `${group.label} is expanded`);
    }
  });

  test('key rows: label = name, description holds the prefix, TreeItem.id = key id, contextValue apiKey.<state>.revocable', async () => {
    const keys = await control.keys(env.orgs.primary);
    const rows = rowsOf(await waitForKeysOf(env.orgs.primary, false));
    assert.equal(rows.length, keys.filter((key) => !key.revoked_at).length);
    for (const row of rows) {
      const key = byName(keys, row.label);
      const state = stateOf(key);
      assert.equal(row.item.id, key.id, `id of ${key.name}`);
      assert.ok(row.description.includes(key.prefix), `description “${row.description}” holds the prefix ${key.prefix}`);
      assert.equal(row.item.contextValue, `apiKey.${state}.revocable`, `contextValue of ${key.name}`);
      assert.equal(row.group, { active: 'Active', expired: 'Expired', inactive: 'Inactive', revoked: 'Revoked' }[state]);
      assert.equal(row.item.collapsibleState, vscode.TreeItemCollapsibleState.None);
    }
    const soon = rows.find((row) => row.label === 'Support dashboard');
    assert.match(soon?.description ?? '', /expires soon, in [23] days/, 'relative expiry in the description, "soon" in words');
    const expired = rows.find((row) => row.label === 'Staging smoke tests');
    assert.match(expired?.description ?? '', /expired/);
  });

  test('tooltips resolve to an untrusted MarkdownString with every field', async () => {
    const keysView = await view();
    const keys = await control.keys(env.orgs.primary);
    for (const row of rowsOf(await waitForKeysOf(env.orgs.primary, false))) {
      const resolved = await keysView.resolveTreeItem(row.item, row.node);
      const tooltip = resolved.tooltip;
      assert.ok(tooltip instanceof vscode.MarkdownString, `tooltip of ${row.label} is a MarkdownString`);
      assert.equal(tooltip.isTrusted, false, 'isTrusted false');
      assert.ok(!tooltip.supportHtml, 'no HTML');
      assert.doesNotMatch(tooltip.value, /\]\(command:/, 'no command links');
      const key = byName(keys, row.label);
      const escapedId = key.id.replace(/_/g, '\\_');
      assert.ok(tooltip.value.includes(escapedId), `${row.label}: id in ${tooltip.value}`);
      assert.ok(tooltip.value.includes(key.org_id.replace(/_/g, '\\_')), 'organization in the tooltip');
      for (const field of ['State', 'ID', 'Prefix', 'Organization', 'Created', 'Updated', 'Expires']) {
        assert.ok(tooltip.value.includes(`${field}:`), `${row.label}: ${field} in the tooltip`);
      }
    }
  });

  test('the real tree view shows the provider: Focus on API Keys View, reveal and select a key', async () => {
    const keysView = await view();
    await vscode.commands.executeCommand('factify.apiKeys.focus');
    await waitFor(() => keysView.treeView.visible, 'the API Keys view to be visible');
    const row = rowsOf(await waitForKeysOf(env.orgs.primary, false)).find((candidate) => candidate.label === 'CI deploy');
    assert.ok(row);
    await keysView.treeView.reveal(row.node, { select: true, focus: true });
    await waitFor(() => keysView.treeView.selection.some((node) => node.key?.name === 'CI deploy'), 'CI deploy to be selected');
    assert.equal(keysView.getParent(row.node)?.group?.state, 'active');
    assert.match(String(keysView.treeView.description ?? ''), new RegExp(env.orgs.primary), 'the view description names the organization');
  });

  test('Show Revoked Keys requests include_revoked=true and adds a Revoked group; Hide Revoked Keys removes it', async () => {
    await control.clearRequests();
    await vscode.commands.executeCommand('factify.showRevokedKeys');
    assert.equal(vscode.workspace.getConfiguration('factify').get('showRevokedKeys'), true);
    await waitForRequest((r) => isList(r) && r.query.include_revoked === 'true', 'a list with include_revoked=true');
    const keys = await control.keys(env.orgs.primary);
    const groups = await waitForKeysOf(env.orgs.primary, true);
    const revoked = groups.find((group) => group.label === 'Revoked');
    assert.ok(revoked, 'a Revoked group');
    assert.equal(revoked.description, String(keys.filter((key) => key.revoked_at).length));
    assert.equal(groups.at(-1)?.label, 'Revoked', 'Revoked comes last');

    const keysView = await view();
    for (const row of revoked.rows) {
      assert.equal(row.item.contextValue, 'apiKey.revoked', `${row.label} cannot be revoked again`);
      assert.match(row.description, /revoked/);
    }
    // "Partner integration (Acme & Co.)" is revoked with a comment full of Markdown and HTML.
    const partner = revoked.rows.find((row) => row.label === 'Partner integration (Acme & Co.)');
    assert.ok(partner, 'the partner key is listed as revoked');
    const tooltip = (await keysView.resolveTreeItem(partner.item, partner.node)).tooltip as vscode.MarkdownString;
    assert.equal(tooltip.isTrusted, false);
    assert.ok(tooltip.value.includes('\\*offboarding\\*'), `comment escaped: ${tooltip.value}`);
    assert.ok(tooltip.value.includes('\\<see ticket \\#4821\\>'), 'HTML-like text escaped');
    assert.doesNotMatch(tooltip.value, /(^|[^\\])</, 'no unescaped HTML in user data');
    for (const field of ['Revoked:', 'Revoked by:', 'Comment:']) assert.ok(tooltip.value.includes(field), field);

    await control.clearRequests();
    await vscode.commands.executeCommand('factify.hideRevokedKeys');
    assert.equal(vscode.workspace.getConfiguration('factify').get('showRevokedKeys'), false);
    await waitForRequest((r) => isList(r) && r.query.include_revoked === 'false', 'a list with include_revoked=false');
    await waitForKeysOf(env.orgs.primary, false);
  });
});
