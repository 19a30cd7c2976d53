/**
 * Hostile answers as a person sees them in the real extension host: a token echoed back, records that take
 * the tree's own ids, org ids that are not org ids. Every text shown passes the shell's redactor.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  control,
  env,
  input,
  modal,
  pick,
  readTree,
  resetAll,
  runScripted,
  signInAs,
  view,
  waitFor,
  waitForKeysOf,
  type ServerApiKey,
} from './host';

/** What a leak would show: the token, its random tail, or a long run of it. */
function leaksOf(text: string, token: string): string[] {
  return [token, token.slice(9), token.slice(-16)].filter((needle) => text.includes(needle));
}

function tooltipText(tooltip: string | vscode.MarkdownString | undefined): string {
  return tooltip instanceof vscode.MarkdownString ? tooltip.value : (tooltip ?? '');
}

async function liveKeys(): Promise<ServerApiKey[]> {
  return (await control.keys(env.orgs.primary)).filter((key) => key.revoked_at === null);
}

suite('Hostile answers', () => {
  suiteSetup(() => signInAs(env.tokens.admin, env.orgs.primary));
  teardown(() => control.clearFaults());
  suiteTeardown(resetAll);

  test('a token echoed back (JSON-escaped, repeated, cut) never reaches the view message, a row or a dialog', async () => {
    const keysView = await view();
    const token = env.tokens.admin;
    const escaped = token.replace(/_/g, '\\u005f');
    const body = `{"type":"about:blank","title":"Bad ${escaped}","status":400,"detail":"${'x'.repeat(270)} ${escaped} ${token}"}`;
    await control.fault({ fault: { kind: 'status', status: 400, contentType: 'application/problem+json', body }, method: 'GET' });
    await runScripted('factify.refresh', []);
    await waitFor(
      () => /\(400\)/.test(String(keysView.treeView.message ?? '')),
      () => `the 400 in the view message: ${keysView.treeView.message}`,
    );
    const message = String(keysView.treeView.message);
    assert.deepEqual(leaksOf(message, token), [], message);
    assert.doesNotMatch(message, /ffy_(?!\[redacted\])[a-z]+_\w/, `no token-shaped fragment: ${message}`);
    await control.clearFaults();

    // A key whose name carries the token: the row, the revoke dialog and the summary show it masked.
    const [first, ...rest] = await liveKeys();
    assert.ok(first);
    const named = { ...first, name: `Deploy ${token}` };
    await control.fault({ fault: { kind: 'body', json: { api_keys: [named, ...rest] } }, method: 'GET' });
    await runScripted('factify.refresh', []);
    let rows: Awaited<ReturnType<typeof readTree>> = [];
    await waitFor(async () => {
      rows = await readTree(keysView);
      return rows.some((group) => group.rows.some((row) => row.label.startsWith('Deploy ')));
    }, 'the row of the key named after the token');
    const row = rows.flatMap((group) => group.rows).find((candidate) => candidate.label.startsWith('Deploy '));
    assert.ok(row);
    assert.deepEqual(leaksOf(`${row.label} ${row.description} ${JSON.stringify(row.item.accessibilityInformation)}`, token), []);
    const tooltip = tooltipText((await keysView.resolveTreeItem(row.item, row.node)).tooltip);
    assert.match(tooltip, /Deploy/);
    assert.deepEqual(leaksOf(tooltip, token), [], tooltip);
    const script = await runScripted('factify.revokeKey', [input(''), modal(undefined)], { args: [row.node, [row.node]] });
    const shown = script.calls.map((call) => `${call.text} ${call.detail ?? ''}`).join('\n');
    assert.match(shown, /\[redacted\]/, shown);
    assert.deepEqual(leaksOf(shown, token), [], shown);
  });

  test('a key name with link syntax is never a link in a notification, nor $(icon) syntax in the quick pick', async () => {
    const keysView = await view();
    const [first, ...rest] = await liveKeys();
    assert.ok(first);
    const named = { ...first, name: '[Sign out](command:factify.signOut) $(alert)' };
    await control.fault({ fault: { kind: 'body', json: { api_keys: [named, ...rest] } }, method: 'GET' });
    await runScripted('factify.refresh', []);
    await waitFor(
      async () => (await readTree(keysView)).some((group) => group.rows.some((row) => row.label.startsWith('[Sign out]'))),
      'the row of the key with link syntax in its name',
    );
    const script = await runScripted('factify.revokeKey', [pick('Sign out'), input(''), modal('Revoke')]);
    const items = script.of('pick')[0]?.items ?? [];
    assert.ok(items.includes('[Sign out](command:factify.signOut) \\$(alert)'), JSON.stringify(items));
    await waitFor(() => script.of('info').length > 0, 'the revoke summary');
    const summary = script.of('info')[0]?.text ?? '';
    assert.match(summary, /^Revoked “\[Sign out\]/);
    assert.doesNotMatch(summary, /\]\(command:/, `no link in the notification: ${summary}`);
  });

  test("records that take the tree's own ids or repeat an id cannot drop a group; an org_id that is not one is never shown", async () => {
    const keysView = await view();
    const keys = await liveKeys();
    const [first, second] = keys;
    assert.ok(first && second);
    const impostors = [
      'factify.group.active',
      'factify.group.expired',
      'factify.group.inactive',
      'factify.more.active',
      'factify.action.factify.refresh',
    ].map((id, index) => ({ ...first, id, name: `impostor ${index}` }));
    const hostileOrg = { ...second, org_id: '$(alert) org_evil\n[Sign out](command:factify.signOut)' };
    const served = [...impostors, ...keys.map((key) => (key.id === second.id ? hostileOrg : key)), { ...first, name: 'first again' }];
    await control.fault({ fault: { kind: 'body', json: { api_keys: served } }, method: 'GET' });
    await runScripted('factify.refresh', []);
    // Exactly the server's keys, once each, in all their groups: no impostor, no repeated record.
    const groups = await waitForKeysOf(env.orgs.primary, false);
    assert.deepEqual(
      groups.map((group) => group.label),
      ['Active', 'Expired', 'Inactive'],
    );
    const ids = groups.flatMap((group) => [group.item.id, ...group.rows.map((candidate) => candidate.item.id)]);
    assert.equal(new Set(ids).size, ids.length, `ids are unique: ${JSON.stringify(ids)}`);
    assert.ok(!groups.some((group) => group.rows.some((candidate) => candidate.label.startsWith('impostor'))));
    assert.equal(keysView.treeView.description, env.orgs.primary, 'the valid org ids name the organization');
    assert.match(String(keysView.treeView.message ?? ''), /6 records from Factify were not valid/);
    const row = groups.flatMap((group) => group.rows).find((candidate) => candidate.item.id === second.id);
    assert.ok(row);
    const tooltip = tooltipText((await keysView.resolveTreeItem(row.item, row.node)).tooltip);
    assert.match(tooltip, /not a valid organization ID/);
    assert.doesNotMatch(tooltip, /org_evil|command:/);
  });
});
