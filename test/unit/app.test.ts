/** The app as src/app.ts builds it for activate() and the tests alike: what follows what once it is wired. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ApiToken } from '../../src/core/ids';
import { DeferredTask } from '../../src/core/deferredTask';
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

test("a list's organization and the token's key are recorded after the view's turn, not in the list's announcement", async () => {
  const target = app({ token: server.tokens.admin });
  const order: string[] = [];
  target.store.onDidChange(() => {
    // What the view does with a new list: the tree asks for its rows in a later timer.
    if (target.store.snapshot.loaded) setTimeout(() => order.push('rows'), 0);
  });
  const learnt = new Promise<void>((resolve) => {
    const subscription = target.ctx.accounts.onDidChange(() => {
      if (target.ctx.accounts.current()?.orgId === undefined) return;
      subscription.dispose();
      order.push('organization recorded');
      resolve();
    });
  });
  await target.store.refresh();
  await learnt;
  assert.deepEqual(order, ['rows', 'organization recorded']);
  assert.equal(target.ctx.accounts.current()?.orgId, server.orgs.primary);
  assert.equal(target.ctx.accounts.current()?.key?.name, server.tokenKeys.admin);
});

test('a token changed right after its list arrived: the list is not matched against the new token', async () => {
  const target = app({ token: server.tokens.admin });
  const afterTheApp = new DeferredTask();
  const checked = new Promise<void>((resolve) => {
    const subscription = target.store.onDidChange(() => {
      if (!target.store.snapshot.loaded) return;
      subscription.dispose();
      // Behind the app's back, as a reload of the accounts looks before it announces the change.
      target.tokens.token = server.tokens.otherOrgAdmin as ApiToken;
      // Scheduled after the app's own look at the list, in the same turn: once this ran, that one has too.
      afterTheApp.schedule(resolve);
    });
  });
  await target.store.refresh();
  await checked;
  assert.equal(target.ctx.accounts.current()?.orgId, undefined, "the admin's list names no organization for the other token");
  assert.equal(target.ctx.accounts.current()?.key, undefined);
  assert.ok(target.store.snapshot.loaded, 'and nothing reset the list meanwhile');
});

test('a list reset before it was looked at is looked at when the same answer comes back', { timeout: 10_000 }, async () => {
  const target = app({ token: server.tokens.admin });
  const resetOnce = target.store.onDidChange(() => {
    if (!target.store.snapshot.loaded) return;
    resetOnce.dispose();
    // In the turn that announced the list, before the app's look at it: an account or organization switch.
    target.store.reset();
  });
  await target.store.refresh();
  assert.equal(target.store.snapshot.loaded, undefined);
  const learnt = new Promise<void>((resolve) => {
    const subscription = target.ctx.accounts.onDidChange(() => {
      if (target.ctx.accounts.current()?.orgId === undefined) return;
      subscription.dispose();
      resolve();
    });
  });
  // The same answer again: the client gives back the very list it validated before.
  await target.store.refresh();
  await learnt;
  assert.equal(target.ctx.accounts.current()?.orgId, server.orgs.primary);
  assert.equal(target.ctx.accounts.current()?.key?.name, server.tokenKeys.admin);
});
