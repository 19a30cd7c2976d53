/**
 * The account journeys (src/flows/account.ts, switchOrganization.ts, the revoke of the token's own key) with
 * scripted prompts, over the app as src/app.ts builds it and the local Factify server.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_ACCOUNTS, describeAccountKey, renameOrganization, signIn, signOut } from '../../src/flows/account';
import { revokeFoundKey, revokeKeys } from '../../src/flows/revoke';
import { switchOrganization } from '../../src/flows/switchOrganization';
import { describeOrganization } from '../../src/flows/organizationLabel';
import { type OrgId } from '../../src/core/ids';
import { LEGACY_TOKEN_KEY } from '../../src/core/accounts';
import { MemoryAccounts, MemorySecrets } from './helpers/memoryStores';
import { confirm, escapePick, info, input, pick, warn } from './helpers/scriptedPrompts';
import { type TestApp } from './helpers/testApp';
import { ORG_HEADER, app, lists, server, useFlowServer } from './helpers/flowServer';
import { waitFor } from './helpers/waitFor';

useFlowServer();

const bearer = (token: string): string => `Bearer ${token}`;

/** Waits (by event, not by time) until the accounts satisfy the condition. */
function accountsUntil(target: TestApp, condition: () => boolean): Promise<void> {
  if (condition()) return Promise.resolve();
  return new Promise((resolve) => {
    const subscription = target.ctx.accounts.onDidChange(() => {
      if (!condition()) return;
      subscription.dispose();
      resolve();
    });
  });
}

/** Signs in with each token in turn, as Set API Token… does, and waits for each account's list. */
async function signedInWith(target: TestApp, ...tokens: string[]): Promise<void> {
  for (const token of tokens) {
    target.prompts.then(input(token), info());
    assert.equal(await signIn(target.ctx), 'stored');
    await target.store.refresh();
  }
  target.prompts.assertDone();
  server.clearRequests();
}

describe('Set API Token…: one account per organization', () => {
  test('the check learns the organization and the key the token is; the account becomes current', async () => {
    const target = app();
    await signedInWith(target, server.tokens.admin);
    const account = target.ctx.accounts.current();
    assert.equal(account?.orgId, server.orgs.primary);
    assert.equal(account?.env, 'test');
    assert.equal(account?.key?.name, server.tokenKeys.admin);
    assert.match(account?.key?.prefix ?? '', /^ffy_test_\w{8}\.\.\.$/);
    assert.match(target.prompts.messages.at(-1)?.message ?? '', new RegExp(`saved for ${server.orgs.primary} \\(test\\)`));
  });

  test('a second organization adds a second account: its list goes out with its token and no override header', async () => {
    const target = app();
    await signedInWith(target, server.tokens.admin, server.tokens.otherOrgAdmin);
    assert.deepEqual(
      target.ctx.accounts.list().map((account) => account.orgId),
      [server.orgs.primary, server.orgs.secondary],
    );
    assert.equal(target.ctx.accounts.current()?.orgId, server.orgs.secondary);
    assert.ok(target.store.snapshot.loaded?.keys.every((key) => key.orgId === server.orgs.secondary));
    assert.equal(target.tokens.secrets.values.size, 2, 'one secret entry per token');
  });

  test("a token of an organization already signed in replaces that account's token", async () => {
    const target = app();
    await signedInWith(target, server.tokens.admin, server.tokens.otherOrgAdmin);
    target.prompts.then(input(server.tokens.member), info());
    assert.equal(await signIn(target.ctx), 'stored');
    target.prompts.assertDone();
    assert.match(target.prompts.messages.at(-1)?.message ?? '', /replaced/);
    assert.equal(target.ctx.accounts.list().length, 2);
    assert.equal(target.ctx.accounts.currentToken(), server.tokens.member);
    assert.equal(target.ctx.accounts.current()?.key?.name, server.tokenKeys.member);
  });

  test('a new token never inherits an organization override: it starts on its own organization', async () => {
    const target = app({ token: server.tokens.staff, organization: server.orgs.secondary, recent: [server.orgs.secondary] });
    await target.store.refresh();
    assert.equal(lists()[0]?.headers[ORG_HEADER], server.orgs.secondary);
    server.clearRequests();
    target.prompts.then(input(server.tokens.admin), info());
    await signIn(target.ctx);
    await target.store.refresh();
    target.prompts.assertDone();
    assert.equal(target.organizations.current, undefined);
    assert.ok(lists().length >= 2);
    for (const request of lists()) assert.equal(request.headers[ORG_HEADER], undefined, 'neither the check nor the list');
    assert.equal(lists().at(-1)?.headers.authorization, bearer(server.tokens.admin));
    assert.equal(target.store.snapshot.error, undefined);
  });

  test('the same token again while an override is active: the list is reset and reloaded for its own organization', async () => {
    const target = app({ token: server.tokens.staff, organization: server.orgs.secondary, recent: [server.orgs.secondary] });
    await target.store.refresh();
    assert.equal(target.store.snapshot.loaded?.query.organizationId, server.orgs.secondary);
    server.clearRequests();
    target.prompts.then(input(server.tokens.staff), info());
    assert.equal(await signIn(target.ctx), 'stored');
    target.prompts.assertDone();
    assert.equal(target.organizations.current, undefined);
    assert.notEqual(target.store.snapshot.loaded?.query.organizationId, server.orgs.secondary, "the other organization's list is gone");
    // Reloaded without being asked: the view shows the token's own organization again.
    await waitFor(() => target.store.snapshot.loaded !== undefined && !target.store.snapshot.loading, 'the list of the own organization');
    assert.equal(target.store.snapshot.loaded?.query.organizationId, undefined);
    assert.ok(target.store.snapshot.loaded?.keys.every((key) => key.orgId === server.orgs.staffHome));
    assert.equal(lists().at(-1)?.headers[ORG_HEADER], undefined);
    assert.equal(lists().at(-1)?.headers.authorization, bearer(server.tokens.staff));
  });

  test('Factify cannot be reached: stored with a warning, organization unknown until the first list succeeds', async () => {
    server.addFault({ fault: { kind: 'status', status: 503, contentType: 'text/html', body: '<h1>down</h1>' }, method: 'GET', times: 2 });
    const target = app({ script: [input(server.tokens.otherOrgAdmin), warn()] });
    assert.equal(await signIn(target.ctx), 'storedUnverified');
    target.prompts.assertDone();
    assert.equal(target.ctx.accounts.current()?.orgId, undefined);
    await target.store.refresh();
    assert.equal(target.ctx.accounts.current()?.orgId, undefined, 'the list failed as well');
    await target.store.refresh();
    await accountsUntil(target, () => target.ctx.accounts.current()?.orgId !== undefined);
    assert.equal(target.ctx.accounts.current()?.orgId, server.orgs.secondary);
    assert.equal(target.ctx.accounts.current()?.key?.name, server.tokenKeys.otherOrgAdmin);
  });

  test('upgrade: a 0.1.0 token becomes the first account, and the first list names its organization', async () => {
    const secrets = new MemorySecrets();
    secrets.values.set(LEGACY_TOKEN_KEY, server.tokens.admin);
    const target = app({ accounts: new MemoryAccounts(undefined, { secrets }) });
    assert.equal(target.ctx.accounts.loaded, false);
    await Promise.all([target.start(), target.start()]);
    assert.equal(lists().length, 1, 'the first refresh is triggered once');
    assert.equal(lists()[0]?.headers.authorization, bearer(server.tokens.admin));
    await accountsUntil(target, () => target.ctx.accounts.current()?.orgId !== undefined);
    assert.equal(target.ctx.accounts.current()?.orgId, server.orgs.primary);
    assert.equal(target.ctx.accounts.current()?.key?.name, server.tokenKeys.admin);
    assert.equal(secrets.values.has(LEGACY_TOKEN_KEY), false);
  });
});

describe('Switch Organization…: accounts first', () => {
  test('the accounts are listed first (label, environment, the key the token is, which is current); choosing one switches token', async () => {
    const target = app();
    await signedInWith(target, server.tokens.admin, server.tokens.otherOrgAdmin);
    target.prompts.then(pick(server.orgs.primary));
    await switchOrganization(target.ctx);
    target.prompts.assertDone();

    const items = target.prompts.only('pick').items;
    assert.match(items[0]?.label ?? '', new RegExp(server.orgs.primary));
    assert.match(items[0]?.description ?? '', new RegExp(`^test · key “${server.tokenKeys.admin}” \\(ffy_test_\\w+\\.\\.\\.\\)$`));
    assert.match(items[1]?.label ?? '', new RegExp(server.orgs.secondary));
    assert.match(items[1]?.description ?? '', / \(current\)$/);
    assert.match(items[1]?.detail ?? '', /^Token's own organization/);
    assert.match(items[0]?.detail ?? '', /^Switch to this account's token/);
    assert.ok(items[2]?.separator, 'then, apart, what only Factify staff can use');
    assert.ok(items.some((item) => item.label.includes('Enter organization ID…')));

    assert.equal(lists().length, 1);
    assert.equal(lists()[0]?.headers.authorization, bearer(server.tokens.admin), 'the Authorization header changes');
    assert.equal(lists()[0]?.headers[ORG_HEADER], undefined, 'no override header');
    assert.ok(target.store.snapshot.loaded?.keys.every((key) => key.orgId === server.orgs.primary));
    assert.equal(target.ctx.accounts.current()?.orgId, server.orgs.primary);
  });

  test('switching account drops the override and the old list, cancelling what was in flight', async () => {
    const target = app();
    await signedInWith(target, server.tokens.admin, server.tokens.staff);
    await target.organizations.select(server.orgs.secondary as OrgId);
    target.store.reset();
    server.addFault({ fault: { kind: 'slowHeaders', delayMs: 2_000 }, method: 'GET', times: 1 });
    const slow = target.store.refresh();
    target.prompts.then(pick(server.orgs.primary));
    await switchOrganization(target.ctx);
    await slow;
    target.prompts.assertDone();
    assert.equal(target.organizations.current, undefined);
    const loaded = target.store.snapshot.loaded;
    assert.ok(loaded && loaded.keys.every((key) => key.orgId === server.orgs.primary), 'never the slow answer of the other token');
    assert.equal(lists().at(-1)?.headers.authorization, bearer(server.tokens.admin));
    assert.equal(lists().at(-1)?.headers[ORG_HEADER], undefined);
  });
});

describe('Rename Organization…', () => {
  test('a local name is used in the quick pick and the revoke confirmation; plain text only', async () => {
    const target = app();
    await signedInWith(target, server.tokens.admin, server.tokens.otherOrgAdmin);
    target.prompts.then(pick(server.orgs.secondary), input('Beta Corp', ['two\nlines', 'x'.repeat(70)]), info());
    await renameOrganization(target.ctx);
    target.prompts.assertDone();
    const box = target.prompts.ofKind('input').at(-1);
    assert.ok(box);
    assert.equal(box.validations[0]?.message?.includes('plain text'), true);
    assert.match(box.validations[1]?.message ?? '', /60/);
    assert.equal(target.ctx.accounts.label(server.orgs.secondary as OrgId), 'Beta Corp');
    assert.equal(
      describeOrganization(undefined, target.store.snapshot, target.ctx.accounts),
      `Beta Corp (${server.orgs.secondary}) (the token's own organization)`,
    );

    target.prompts.then(escapePick());
    await switchOrganization(target.ctx);
    assert.ok(
      target.prompts
        .ofKind('pick')
        .at(-1)
        ?.items.some((item) => item.label === '$(account) Beta Corp'),
    );

    target.prompts.then(input(''), confirm(false));
    const key = target.store.snapshot.loaded?.keys.find((candidate) => candidate.name === 'Sandbox');
    assert.ok(key);
    await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    assert.match(target.prompts.only('confirm').detail, /Organization: Beta Corp \(org_/);
  });
});

describe('Sign Out', () => {
  test('with one account: signs out of it, no question', async () => {
    const target = app();
    await signedInWith(target, server.tokens.admin);
    target.prompts.then(info());
    await signOut(target.ctx);
    target.prompts.assertDone();
    assert.equal(target.ctx.accounts.list().length, 0);
    assert.equal(target.tokens.secrets.values.size, 0);
    assert.equal(target.store.snapshot.signedIn, false);
  });

  test('with several: asks which; signing out of the current one moves to the other without its override', async () => {
    const target = app();
    await signedInWith(target, server.tokens.admin, server.tokens.staff);
    await target.organizations.select(server.orgs.secondary as OrgId);
    target.prompts.then(
      pick((item) => (item.description ?? '').endsWith('(current)')),
      info(),
    );
    await signOut(target.ctx);
    await target.store.refresh();
    target.prompts.assertDone();
    const choices = target.prompts.only('pick').items.map((item) => item.label);
    assert.equal(choices.length, 3);
    assert.match(choices[2] ?? '', new RegExp(ALL_ACCOUNTS));
    assert.deepEqual(
      target.ctx.accounts.list().map((account) => account.orgId),
      [server.orgs.primary],
    );
    assert.equal(target.organizations.current, undefined, 'the override went with its account');
    assert.match(target.prompts.messages.at(-1)?.message ?? '', /Now showing/);
    assert.equal(lists().at(-1)?.headers.authorization, bearer(server.tokens.admin));
    assert.equal(lists().at(-1)?.headers[ORG_HEADER], undefined);
  });

  test('with several: all accounts', async () => {
    const target = app();
    await signedInWith(target, server.tokens.admin, server.tokens.otherOrgAdmin);
    target.prompts.then(pick(ALL_ACCOUNTS), info());
    await signOut(target.ctx);
    target.prompts.assertDone();
    assert.equal(target.ctx.accounts.list().length, 0);
    assert.equal(target.tokens.secrets.values.size, 0);
  });
});

describe('Revoking the key the token is', () => {
  test('the confirmation says this editor loses access; after the 204 the account is signed out and the view says why', async () => {
    const target = app();
    await signedInWith(target, server.tokens.otherOrgAdmin, server.tokens.admin);
    const own = target.store.snapshot.loaded?.keys.find((key) => key.name === server.tokenKeys.admin);
    const other = target.store.snapshot.loaded?.keys.find((key) => key.name === 'Zapier automation');
    assert.ok(own && other);
    target.prompts.then(input('leaked'), confirm(true), info(), info());
    await revokeKeys(target.ctx, [own, other]);
    await target.store.refresh();
    target.prompts.assertDone();

    const detail = target.prompts.only('confirm').detail;
    assert.match(detail, new RegExp(`“${server.tokenKeys.admin}” is the key this editor is signed in with`));
    assert.match(detail, /loses access to/);
    const deletes = server.requests.filter((request) => request.method === 'DELETE');
    assert.equal(deletes.length, 2);
    assert.ok(deletes.at(-1)?.path.endsWith(own.id), "the token's own key goes last");
    assert.match(target.prompts.messages.at(-1)?.message ?? '', /was the key this editor was signed in with/);
    assert.deepEqual(
      target.ctx.accounts.list().map((account) => account.orgId),
      [server.orgs.secondary],
      'signed out of that account only',
    );
    assert.equal(lists().at(-1)?.headers.authorization, bearer(server.tokens.otherOrgAdmin));
  });

  test('the last account: the view is signed out and its message says why', async () => {
    const target = app();
    await signedInWith(target, server.tokens.admin);
    const own = target.store.snapshot.loaded?.keys.find((key) => key.name === server.tokenKeys.admin);
    assert.ok(own);
    target.prompts.then(input(''), confirm(true), info(), info());
    await revokeKeys(target.ctx, [own]);
    target.prompts.assertDone();
    assert.equal(target.store.snapshot.signedIn, false);
    assert.equal(
      target.store.snapshot.notice,
      `“${server.tokenKeys.admin}” was the key this editor was signed in with, and it is now revoked. Signed out of ${server.orgs.primary} (test).`,
    );
    assert.equal(target.ctx.accounts.list().length, 0);
  });
});

describe('Revoking a key found in a file', () => {
  test('the organization is checked again when the quick fix runs: another one now means a message and no request', async () => {
    const target = app();
    await signedInWith(target, server.tokens.admin);
    const found = target.store.snapshot.loaded?.keys.find((key) => key.name === 'Zapier automation');
    assert.ok(found);
    target.prompts.then(info());
    assert.equal(await revokeFoundKey(target.ctx, found, 'found in .env', () => false), undefined);
    target.prompts.assertDone();
    assert.match(
      target.prompts.messages.at(-1)?.message ?? '',
      /“Zapier automation” is not a key of the organization Factify works with now/,
    );
    assert.equal(server.requests.length, 0, 'nothing is sent');

    target.prompts.then(input('found in .env'), confirm(true), info());
    const results = await revokeFoundKey(target.ctx, found, 'found in .env', () => true);
    target.prompts.assertDone();
    assert.deepEqual(
      results?.map((result) => result.outcome),
      ['revoked'],
    );
    assert.equal(server.requests.filter((request) => request.method === 'DELETE').length, 1);
  });
});

describe('How a pick describes an account', () => {
  test('the key name and prefix are plain text: $(icon) in them never draws an icon', () => {
    const description = describeAccountKey({
      id: 'a1',
      orgId: undefined,
      env: 'prod',
      key: { id: 'key_1', name: '$(verified) Official', prefix: 'ffy_prod_$(check)...' },
    });
    assert.equal(description, 'prod · key “\\$(verified) Official” (ffy_prod_\\$(check)...)');
    assert.ok(!/(^|[^\\])\$\(/.test(description), description);
    assert.equal(describeAccountKey({ id: 'a2', orgId: undefined, env: 'test', key: undefined }), 'test · key not known yet');
  });
});
