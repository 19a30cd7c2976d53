/** The app as src/app.ts builds it for activate() and the tests alike: what follows what once it is wired. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ApiToken } from '../../src/core/ids';
import { app, server, useFlowServer } from './helpers/flowServer';

useFlowServer();

test('the key directory reuses the list the store shows, and is rebuilt when the accounts change', async () => {
  const target = app({ token: server.tokens.admin, includeRevoked: true });
  await target.store.refresh();
  server.clearRequests();
  const first = await target.directory.index();
  assert.ok(first.size > 0);
  assert.equal(server.requests.length, 0, "the store's list (revoked keys included) was reused");

  let changes = 0;
  target.directory.onDidChange(() => changes++);
  await target.ctx.accounts.add(server.tokens.otherOrgAdmin as ApiToken, { orgId: undefined, key: undefined });
  assert.ok(changes > 0, 'a new account makes the directory forget its lists');
  const rebuilt = await target.directory.index();
  assert.notEqual(rebuilt, first);
  assert.ok(rebuilt.size > first.size, "the second account's keys are matched too");
});
