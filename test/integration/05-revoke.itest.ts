/** Revoke: reason, modal confirmation, DELETE, the result in the tree. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  bearer,
  control,
  delay,
  describeRequest,
  env,
  escape,
  input,
  modal,
  pick,
  readTree,
  resetAll,
  runScripted,
  signInAs,
  view,
  waitForKeysOf,
  waitForRequest,
  type RecordedRequest,
  type Row,
} from './host';

const isDelete = (request: RecordedRequest): boolean => request.method === 'DELETE';

async function keyRow(name: string): Promise<Row> {
  const groups = await readTree(await view());
  const row = groups.flatMap((group) => group.rows).find((candidate) => candidate.label === name);
  assert.ok(row, `a row for “${name}”`);
  return row;
}

/** The command as the tree's context menu runs it: the clicked node and the selection. */
async function revokeFromTree(name: string, steps: Parameters<typeof runScripted>[1]) {
  const row = await keyRow(name);
  return runScripted('factify.revokeKey', steps, { args: [row.node, [row.node]] });
}

async function assertNoDelete(): Promise<void> {
  await delay(500);
  const deletes = (await control.requests()).filter(isDelete);
  assert.deepEqual(deletes.map(describeRequest), [], 'nothing may be revoked');
}

suite('Revoke API Key…', () => {
  suiteSetup(() => signInAs(env.tokens.admin, env.orgs.primary));
  suiteTeardown(resetAll);

  test('Escape at the reason cancels the whole revoke: no request', async () => {
    await control.clearRequests();
    const script = await revokeFromTree('CI deploy', [escape()]);
    assert.match(script.of('input')[0]?.text ?? '', /Revoke “CI deploy”/);
    await assertNoDelete();
  });

  test('Cancel in the modal confirmation: no request', async () => {
    await control.clearRequests();
    await revokeFromTree('CI deploy', [input('rotated'), modal(undefined)]);
    await assertNoDelete();
  });

  test('reason → modal confirmation → DELETE with {"reason": …}; the key shows as revoked', async () => {
    const target = (await control.keys(env.orgs.primary)).find((key) => key.name === 'Data warehouse sync');
    assert.ok(target);
    await control.clearRequests();
    const script = await revokeFromTree(target.name, [input('rotated'), modal('Revoke')]);

    const confirm = script.of('modal')[0];
    assert.ok(confirm, 'a modal confirmation');
    assert.ok(confirm.text.includes(target.name) && confirm.text.includes(target.prefix), `names the key: ${confirm.text}`);
    assert.ok(confirm.detail?.includes(env.orgs.primary), `names the organization: ${confirm.detail}`);
    assert.match(confirm.detail ?? '', /permanent/i);
    assert.match(confirm.detail ?? '', /immediate/i);
    assert.ok(
      confirm.buttons?.some((button) => button.startsWith('Revoke')),
      `buttons: ${JSON.stringify(confirm.buttons)}`,
    );

    const request = await waitForRequest(isDelete, 'the DELETE');
    assert.equal(request.path, `/v1/api-keys/${target.id}`);
    assert.equal(request.headers.authorization, bearer(env.tokens.admin));
    assert.match(request.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(JSON.parse(request.body), { reason: 'rotated' });
    assert.equal((await control.requests()).filter(isDelete).length, 1, 'exactly one DELETE');
    assert.ok(
      script.of('info').some((call) => call.text.includes(`Revoked “${target.name}”`)),
      JSON.stringify(script.calls),
    );

    const revoked = (await control.keys(env.orgs.primary)).find((key) => key.id === target.id);
    assert.equal(revoked?.revoked_comment, 'rotated');
    // Revoked keys are hidden: it leaves the list…
    const groups = await waitForKeysOf(env.orgs.primary, false);
    assert.ok(!groups.flatMap((group) => group.rows).some((row) => row.item.id === target.id));
    // …and shows in the Revoked group once revoked keys are shown.
    await vscode.commands.executeCommand('factify.showRevokedKeys');
    try {
      const all = await waitForKeysOf(env.orgs.primary, true);
      const row = all.find((group) => group.label === 'Revoked')?.rows.find((candidate) => candidate.item.id === target.id);
      assert.ok(row, 'the key is in the Revoked group');
      assert.equal(row.item.contextValue, 'apiKey.revoked');
    } finally {
      await vscode.commands.executeCommand('factify.hideRevokedKeys');
    }
  });

  test('an empty reason sends the DELETE without a body', async () => {
    await control.clearRequests();
    await revokeFromTree('Zapier automation', [input(''), modal('Revoke')]);
    const request = await waitForRequest(isDelete, 'the DELETE');
    assert.equal(request.body, '');
    assert.equal(request.headers['content-type'], undefined);
  });

  test('from the palette it asks which key (quick pick of revocable keys), then revokes it', async () => {
    await waitForKeysOf(env.orgs.primary, false);
    const target = (await control.keys(env.orgs.primary)).find((key) => key.name === 'Analytics export');
    assert.ok(target);
    await control.clearRequests();
    const script = await runScripted('factify.revokeKey', [pick('Analytics export'), input('no longer used'), modal('Revoke')]);
    const offered = script.of('pick')[0]?.items ?? [];
    assert.ok(offered.includes('Analytics export') && offered.includes('Legacy importer'), `offered: ${JSON.stringify(offered)}`);
    assert.ok(!offered.includes('Old CI token'), 'a revoked key is not offered');
    const request = await waitForRequest(isDelete, 'the DELETE');
    assert.equal(request.path, `/v1/api-keys/${target.id}`);
    assert.deepEqual(JSON.parse(request.body), { reason: 'no longer used' });
  });
});
