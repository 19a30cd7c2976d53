/**
 * The user journeys (src/flows) with scripted prompts against the local Factify server: what the user saw,
 * and what the server recorded.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { type ApiKey } from '../../src/core/apiKey';
import { signIn, signOut, SET_TOKEN_ACTION } from '../../src/flows/account';
import { revokeKeys } from '../../src/flows/revoke';
import { switchOrganization, SWITCH_BACK_ACTION } from '../../src/flows/switchOrganization';
import { startFactifyServer, type FactifyServer, type RecordedRequest, type ServerApiKey } from '../server/factifyServer';
import { confirm, error, escapeInput, escapePick, info, input, pick, warn, type Step } from './helpers/scriptedPrompts';
import { createTestApp, type TestApp, type TestContextOptions } from './helpers/testApp';
import { deferred, waitFor } from './helpers/waitFor';

const ORG_HEADER = 'x-factify-organization-id';

let server: FactifyServer;
const apps: TestApp[] = [];

before(async () => {
  server = await startFactifyServer();
});

after(async () => {
  await server.close();
});

beforeEach(async () => {
  // Close what the previous test opened before the server data goes back to the seed.
  await Promise.all(apps.splice(0).map((app) => app.close()));
  server.reset();
});

after(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

function app(options: Partial<TestContextOptions> & { script?: readonly Step[] }): TestApp {
  const created = createTestApp({ baseUrl: server.url, ...options });
  apps.push(created);
  return created;
}

/** An app whose store already shows the organization's keys, as the tree does; recorded requests cleared. */
async function loadedApp(token: string, options: Partial<TestContextOptions> = {}): Promise<TestApp> {
  const created = app({ token, ...options });
  await created.store.refresh();
  assert.ok(created.store.snapshot.loaded, `the list should load: ${created.store.snapshot.error?.message}`);
  server.clearRequests();
  return created;
}

function keyNamed(target: TestApp, name: string): ApiKey {
  const key = target.store.snapshot.loaded?.keys.find((candidate) => candidate.name === name);
  assert.ok(key, `no key named ${name} in the list`);
  return key;
}

function serverKey(orgId: string, id: string): ServerApiKey {
  const key = server.keysOf(orgId).find((candidate) => candidate.id === id);
  assert.ok(key, `the server has no key ${id}`);
  return key;
}

const deletes = (): RecordedRequest[] => server.requests.filter((request) => request.method === 'DELETE');
const lists = (): RecordedRequest[] => server.requests.filter((request) => request.method === 'GET');

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function assertNoSecretLeaked(target: TestApp, token: string): void {
  for (const line of target.log.lines) assert.ok(!line.includes(token), `the token appears in the log: ${line}`);
  for (const message of target.prompts.messages)
    assert.ok(!message.message.includes(token), `the token appears in a message: ${message.message}`);
}

// ---------------------------------------------------------------------------------------------------------

describe('signIn', () => {
  test('a value that is not a token: validate says why; nothing stored, no request', async () => {
    const target = app({
      script: [input('sk_live_abc', ['', 'hello', `Bearer ${server.tokens.admin}`, 'ffy_prod_short', server.tokens.admin]), error()],
    });
    assert.equal(await signIn(target.ctx), 'rejected');
    target.prompts.assertDone();

    const box = target.prompts.only('input');
    assert.equal(box.password, true);
    const said = new Map(box.validations.map((validation) => [validation.value, validation.message]));
    assert.match(said.get('') ?? '', /ffy_/);
    assert.match(said.get('hello') ?? '', /start with "ffy_"/);
    assert.match(said.get(`Bearer ${server.tokens.admin}`) ?? '', /without "Bearer"/);
    assert.match(said.get('ffy_prod_short') ?? '', /too short/);
    assert.equal(said.get(server.tokens.admin), undefined, 'a good token is accepted');
    for (const validation of box.validations) {
      if (validation.message)
        assert.ok(!validation.message.includes(validation.value) || validation.value === '', 'reasons never repeat the value');
    }
    assert.match(target.prompts.only('error').message, /ffy_/);
    assert.equal(target.tokens.token, undefined);
    assert.equal(target.tokens.stored.length, 0);
    assert.equal(server.requests.length, 0);
  });

  test('whitespace around a good token is trimmed before it is checked and stored', async () => {
    const target = app({ script: [input(`  ${server.tokens.admin}\n`), info()] });
    assert.equal(await signIn(target.ctx), 'stored');
    target.prompts.assertDone();
    assert.equal(target.tokens.token, server.tokens.admin);
    assert.equal(server.requests[0]?.headers['authorization'], `Bearer ${server.tokens.admin}`);
  });

  test('a token Factify does not know (401): told so, not stored', async () => {
    const target = app({ script: [input(server.tokens.unknown), error()] });
    assert.equal(await signIn(target.ctx), 'rejected');
    target.prompts.assertDone();
    const shown = target.prompts.only('error');
    assert.match(shown.message, /401/);
    assert.match(shown.message, /not saved/);
    assert.equal(target.tokens.stored.length, 0);
    assert.equal(target.tokens.token, undefined);
    assert.equal(lists().length, 1);
    assertNoSecretLeaked(target, server.tokens.unknown);
  });

  test('a good token: verified with one list call without the override header, then stored', async () => {
    // Even with an override remembered, the token itself is checked against its own organization.
    const target = app({ organization: server.orgs.secondary, script: [input(server.tokens.admin), info()] });
    assert.equal(await signIn(target.ctx), 'stored');
    target.prompts.assertDone();
    assert.deepEqual(target.tokens.stored, [server.tokens.admin]);
    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request?.method, 'GET');
    assert.equal(request?.path, '/v1/api-keys');
    assert.equal(request?.headers['authorization'], `Bearer ${server.tokens.admin}`);
    assert.equal(request?.headers[ORG_HEADER], undefined);
    assert.match(target.prompts.only('info').message, /saved/);
    assert.deepEqual(target.prompts.progressTitles, ['Checking the token with Factify…']);
    assertNoSecretLeaked(target, server.tokens.admin);
  });

  test('the server is down (closed port): stored anyway, with a warning', async () => {
    const target = app({ baseUrl: `http://127.0.0.1:${await closedPort()}`, script: [input(server.tokens.admin), warn()] });
    assert.equal(await signIn(target.ctx), 'storedUnverified');
    target.prompts.assertDone();
    assert.deepEqual(target.tokens.stored, [server.tokens.admin]);
    const shown = target.prompts.only('warn');
    assert.match(shown.message, /saved/);
    assert.match(shown.message, /connection refused/);
    assertNoSecretLeaked(target, server.tokens.admin);
  });

  test('the OS keyring refuses: an error says it was not saved; nothing stored', async () => {
    const target = app({ failStore: true, script: [input(server.tokens.admin), error()] });
    assert.equal(await signIn(target.ctx), 'storeFailed');
    target.prompts.assertDone();
    assert.match(target.prompts.only('error').message, /not saved/);
    assert.equal(target.tokens.token, undefined);
    assert.equal(target.tokens.stored.length, 0);
    assertNoSecretLeaked(target, server.tokens.admin);
  });

  test('Escape: nothing shown, stored or sent', async () => {
    const target = app({ script: [escapeInput()] });
    assert.equal(await signIn(target.ctx), 'cancelled');
    target.prompts.assertDone();
    assert.equal(target.prompts.shown.length, 1);
    assert.equal(target.tokens.stored.length, 0);
    assert.equal(server.requests.length, 0);
  });
});

describe('signOut', () => {
  test('removes the token and resets the list', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [info()] });
    await signOut(target.ctx);
    target.prompts.assertDone();
    assert.equal(target.tokens.token, undefined);
    assert.equal(target.tokens.deletions, 1);
    const snapshot = target.store.snapshot;
    assert.equal(snapshot.signedIn, false);
    assert.equal(snapshot.loaded, undefined);
    assert.equal(snapshot.error, undefined);
    assert.match(target.prompts.only('info').message, /Signed out/);
    assert.equal(server.requests.length, 0);
  });

  test('drops the organization override, so the next token never silently acts as another organization', async () => {
    const target = await loadedApp(server.tokens.staff, {
      organization: server.orgs.secondary,
      recent: [server.orgs.secondary],
      script: [info()],
    });
    await signOut(target.ctx);
    target.prompts.assertDone();
    assert.equal(target.organizations.current, undefined);
    assert.deepEqual(target.organizations.recent, [server.orgs.secondary], 'it stays among the recent ones');
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('revoke one key from the tree', () => {
  test('reason typed, confirmed: DELETE with the reason; the modal names key, prefix, organization, permanence', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input('rotated', ['x'.repeat(501), 'fine']), confirm(true), info()] });
    const key = keyNamed(target, 'CI deploy');
    const results = await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    assert.deepEqual(
      results?.map((result) => result.outcome),
      ['revoked'],
    );

    const reason = target.prompts.only('input');
    assert.match(reason.title, /CI deploy/);
    assert.match(reason.validations[0]?.message ?? '', /500/);
    assert.equal(reason.validations[1]?.message, undefined);
    const modal = target.prompts.only('confirm');
    assert.match(modal.message, /CI deploy/);
    assert.ok(modal.message.includes(key.prefix) || modal.detail.includes(key.prefix), 'the prefix is named');
    assert.ok(`${modal.message} ${modal.detail}`.includes(server.orgs.primary), 'the organization is named');
    assert.match(modal.detail, /permanent/);
    assert.match(modal.detail, /immediate/);
    assert.match(modal.confirmLabel, /^Revoke/);
    assert.match(target.prompts.only('info').message, /Revoked “CI deploy”/);

    assert.equal(deletes().length, 1);
    const [request] = deletes();
    assert.equal(request?.path, `/v1/api-keys/${key.id}`);
    assert.deepEqual(JSON.parse(request?.body ?? ''), { reason: 'rotated' });
    assert.match(request?.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(request?.headers[ORG_HEADER], undefined);
    const record = serverKey(server.orgs.primary, key.id);
    assert.notEqual(record.revoked_at, null);
    assert.equal(record.revoked_comment, 'rotated');
    assert.equal(record.revoked_by, server.users.admin);

    await target.store.refresh();
    assert.ok(
      !target.store.snapshot.loaded?.keys.some((candidate) => candidate.id === key.id),
      'a revoked key leaves the list while revoked keys are hidden',
    );
  });

  test('a prefilled reason (where a leaked key was found) is offered, and what the user makes of it is sent', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input('Found in src/config.ts:3, rotated'), confirm(true), info()] });
    const key = keyNamed(target, 'CI deploy');
    await revokeKeys(target.ctx, [key], { reason: 'Found in src/config.ts:3' });
    target.prompts.assertDone();
    assert.equal(target.prompts.only('input').value, 'Found in src/config.ts:3');
    assert.deepEqual(JSON.parse(deletes()[0]?.body ?? ''), { reason: 'Found in src/config.ts:3, rotated' });
  });

  test('Escape at the reason: nothing else asked, no request', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [escapeInput()] });
    assert.equal(await revokeKeys(target.ctx, [keyNamed(target, 'CI deploy')]), undefined);
    target.prompts.assertDone();
    assert.equal(server.requests.length, 0);
  });

  test('an empty reason sends a DELETE without a body', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input('   '), confirm(true), info()] });
    const key = keyNamed(target, 'Billing webhook');
    await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    const [request] = deletes();
    assert.equal(deletes().length, 1);
    assert.equal(request?.body, '');
    assert.equal(request?.headers['content-type'], undefined);
    assert.equal(serverKey(server.orgs.primary, key.id).revoked_comment, null);
  });

  test('confirmation declined: no request', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input('rotated'), confirm(false)] });
    const key = keyNamed(target, 'CI deploy');
    assert.equal(await revokeKeys(target.ctx, [key]), undefined);
    target.prompts.assertDone();
    assert.equal(server.requests.length, 0);
    assert.equal(serverKey(server.orgs.primary, key.id).revoked_at, null);
  });

  test('factify.confirmRevoke = false: no modal', async () => {
    const target = await loadedApp(server.tokens.admin, { confirmRevoke: false, script: [input('rotated'), info()] });
    await revokeKeys(target.ctx, [keyNamed(target, 'CI deploy')]);
    target.prompts.assertDone();
    assert.equal(target.prompts.ofKind('confirm').length, 0);
    assert.equal(deletes().length, 1);
  });

  test('403 for a member token: the error names the admin role; the key stays unrevoked', async () => {
    const target = await loadedApp(server.tokens.member, { script: [input('rotated'), confirm(true), error()] });
    const key = keyNamed(target, 'CI deploy');
    const results = await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    assert.equal(results?.[0]?.outcome, 'failed');
    assert.match(target.prompts.only('error').message, /admin role/);
    assert.equal(deletes().length, 1);
    assert.equal(serverKey(server.orgs.primary, key.id).revoked_at, null);
    await target.store.refresh();
    assert.ok(target.store.snapshot.loaded?.keys.some((candidate) => candidate.id === key.id && candidate.revokedAt === undefined));
  });

  test('404 (deleted meanwhile): the message says the key is gone', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input(''), confirm(true), warn()] });
    const key = keyNamed(target, 'CI deploy');
    server.setKeys(
      server.orgs.primary,
      server.keysOf(server.orgs.primary).filter((candidate) => candidate.id !== key.id),
    );
    const results = await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    assert.equal(results?.[0]?.outcome, 'failed');
    assert.match(target.prompts.only('warn').message, /no longer exists/);
    assert.match(target.prompts.only('warn').message, /refresh/);
  });

  test('409 (revoked meanwhile): treated as done', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input(''), confirm(true), info()] });
    const key = keyNamed(target, 'CI deploy');
    serverKey(server.orgs.primary, key.id).revoked_at = new Date().toISOString();
    const results = await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    assert.equal(results?.[0]?.outcome, 'alreadyRevoked');
    assert.match(target.prompts.only('info').message, /already revoked/);
    assert.equal(target.prompts.ofKind('error').length + target.prompts.ofKind('warn').length, 0);
    assert.ok(!target.store.snapshot.loaded?.keys.some((candidate) => candidate.id === key.id));
  });

  test('401 (token revoked meanwhile): offers “Set API Token…”, which opens the token box', async () => {
    const target = await loadedApp(server.tokens.admin, {
      script: [input('rotated'), confirm(true), error(SET_TOKEN_ACTION), escapeInput()],
    });
    const key = keyNamed(target, 'CI deploy');
    target.tokens.token = server.tokens.unknown as typeof target.tokens.token;
    const results = await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    assert.equal(results?.[0]?.outcome, 'failed');
    const shown = target.prompts.only('error');
    assert.match(shown.message, /401/);
    assert.deepEqual(shown.actions, [SET_TOKEN_ACTION]);
    assert.equal(target.prompts.ofKind('input')[1]?.password, true, 'the token box opened');
    assert.equal(serverKey(server.orgs.primary, key.id).revoked_at, null);
    assertNoSecretLeaked(target, server.tokens.unknown);
  });
});

describe('revoke from the palette', () => {
  test('asks which key, offering only non-revoked keys with valid ids', async () => {
    const records = server.keysOf(server.orgs.primary);
    const template = records[0] as ServerApiKey;
    records.push({ ...template, id: 'key_NOT-A-FACTIFY-ID', name: 'Imported with a bad id' });
    const target = app({
      token: server.tokens.admin,
      includeRevoked: true,
      script: [pick('Zapier automation'), input('no longer used'), confirm(true), info()],
    });
    const expected = records
      .filter((record) => record.revoked_at === null && /^key_[0-9a-hjkmnp-tv-z]{26}$/.test(record.id))
      .map((record) => record.name)
      .sort();
    const results = await revokeKeys(target.ctx, undefined);
    target.prompts.assertDone();

    const offered = target.prompts
      .only('pick')
      .items.map((item) => item.label)
      .sort();
    assert.deepEqual(offered, expected);
    assert.ok(!offered.includes('Imported with a bad id'));
    assert.ok(!offered.includes('Old CI token'), 'revoked keys are not offered');
    assert.ok(offered.includes('Staging smoke tests'), 'expired keys can be revoked');
    assert.ok(offered.includes('Legacy importer'), 'inactive keys can be revoked');

    const zapier = records.find((record) => record.name === 'Zapier automation') as ServerApiKey;
    assert.equal(results?.[0]?.outcome, 'revoked');
    assert.deepEqual(
      deletes().map((request) => request.path),
      [`/v1/api-keys/${zapier.id}`],
    );
    assert.deepEqual(JSON.parse(deletes()[0]?.body ?? ''), { reason: 'no longer used' });
    assert.equal(lists()[0]?.query['include_revoked'], 'true');
    // Revoked keys are shown: the key stays, marked revoked.
    assert.notEqual(target.store.snapshot.loaded?.keys.find((key) => key.id === zapier.id)?.revokedAt, undefined);
  });

  test('the list answers 401: offers “Set API Token…”', async () => {
    const target = app({ token: server.tokens.unknown, script: [error(SET_TOKEN_ACTION), escapeInput()] });
    assert.equal(await revokeKeys(target.ctx, undefined), undefined);
    target.prompts.assertDone();
    const shown = target.prompts.only('error');
    assert.match(shown.message, /401/);
    assert.deepEqual(shown.actions, [SET_TOKEN_ACTION]);
    assert.equal(deletes().length, 0);
  });

  test('the list answers 403 under an override (not staff): explained, “Switch Back” offered', async () => {
    const target = app({ token: server.tokens.admin, organization: server.orgs.secondary, script: [warn(SWITCH_BACK_ACTION)] });
    assert.equal(await revokeKeys(target.ctx, undefined), undefined);
    target.prompts.assertDone();
    const shown = target.prompts.only('warn');
    assert.match(shown.message, /Only Factify staff/);
    assert.deepEqual(shown.actions, [SWITCH_BACK_ACTION]);
    assert.equal(target.organizations.current, undefined);
    assert.equal(lists().at(-1)?.headers[ORG_HEADER], undefined);
    assert.equal(deletes().length, 0);
  });

  test('staff acting as another organization: the modal names it, the DELETE carries the override', async () => {
    const target = await loadedApp(server.tokens.staff, {
      organization: server.orgs.secondary,
      script: [input('audit'), confirm(true), info()],
    });
    const key = keyNamed(target, 'Production API');
    await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    const modal = target.prompts.only('confirm');
    assert.ok(modal.detail.includes(server.orgs.secondary), modal.detail);
    assert.match(modal.detail, /another organization/);
    assert.equal(deletes()[0]?.headers[ORG_HEADER], server.orgs.secondary);
    assert.equal(serverKey(server.orgs.secondary, key.id).revoked_by, server.users.staff);
  });

  test('Escape at the pick: no DELETE', async () => {
    const target = app({ token: server.tokens.admin, script: [escapePick()] });
    assert.equal(await revokeKeys(target.ctx, undefined), undefined);
    target.prompts.assertDone();
    assert.equal(deletes().length, 0);
  });
});

describe('revoke several selected keys', () => {
  const names = ['CI deploy', 'Billing webhook', 'Staging smoke tests'];

  test('one reason, one confirmation stating the count, one summary', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input('rotated'), confirm(true), info()] });
    const keys = names.map((name) => keyNamed(target, name));
    const results = await revokeKeys(target.ctx, keys);
    target.prompts.assertDone();
    assert.deepEqual(
      results?.map((result) => result.outcome),
      ['revoked', 'revoked', 'revoked'],
    );

    assert.match(target.prompts.only('input').title, /3/);
    const modal = target.prompts.only('confirm');
    assert.match(modal.message, /\b3\b/);
    assert.match(modal.confirmLabel, /^Revoke/);
    assert.match(modal.confirmLabel, /3/);
    for (const key of keys) {
      assert.ok(modal.detail.includes(key.name), `the modal lists ${key.name}`);
      assert.ok(modal.detail.includes(key.prefix), `the modal lists ${key.prefix}`);
    }
    assert.ok(modal.detail.includes(server.orgs.primary));
    assert.match(modal.detail, /permanent/);
    assert.match(target.prompts.only('info').message, /Revoked 3 API keys/);

    assert.deepEqual(
      deletes()
        .map((request) => request.path)
        .sort(),
      keys.map((key) => `/v1/api-keys/${key.id}`).sort(),
    );
    for (const request of deletes()) assert.deepEqual(JSON.parse(request.body), { reason: 'rotated' });
    for (const key of keys) assert.equal(serverKey(server.orgs.primary, key.id).revoked_comment, 'rotated');
  });

  test('partial failure (one deleted on the server → 404): the summary names the failed key and why', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input(''), confirm(true), warn()] });
    const keys = names.map((name) => keyNamed(target, name));
    const gone = keys[1] as ApiKey;
    server.setKeys(
      server.orgs.primary,
      server.keysOf(server.orgs.primary).filter((record) => record.id !== gone.id),
    );
    const results = await revokeKeys(target.ctx, keys);
    target.prompts.assertDone();
    assert.deepEqual(
      results?.map((result) => result.outcome),
      ['revoked', 'failed', 'revoked'],
    );
    const message = target.prompts.only('warn').message;
    assert.match(message, /2 of 3/);
    const failedPart = message.slice(message.indexOf('Failed'));
    assert.ok(failedPart.includes('Billing webhook'), message);
    assert.match(failedPart, /no longer exists|404/);
    assert.ok(!failedPart.includes('CI deploy') && !failedPart.includes('Staging smoke tests'), message);
  });

  test('partial failure (a proxy error page for one key): the summary names the failed key and why', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input('rotated'), confirm(true), warn()] });
    const keys = names.map((name) => keyNamed(target, name));
    const broken = keys[2] as ApiKey;
    server.addFault({ method: 'DELETE', pathPrefix: `/v1/api-keys/${broken.id}`, fault: { kind: 'html502' } });
    const results = await revokeKeys(target.ctx, keys);
    target.prompts.assertDone();
    assert.deepEqual(
      results?.map((result) => result.outcome),
      ['revoked', 'revoked', 'failed'],
    );
    const message = target.prompts.only('warn').message;
    const failedPart = message.slice(message.indexOf('Failed'));
    assert.ok(failedPart.includes('Staging smoke tests'), message);
    assert.match(failedPart, /502/);
    assert.equal(serverKey(server.orgs.primary, broken.id).revoked_at, null);
    assert.notEqual(serverKey(server.orgs.primary, (keys[0] as ApiKey).id).revoked_at, null);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('switchOrganization', () => {
  const badIds = ['', 'acme', 'org_123', `org_${'i'.repeat(26)}`, `ORG_${'0'.repeat(26)}`];

  test('staff: a typed organization id is validated, sent on the next GET and remembered', async () => {
    const target = await loadedApp(server.tokens.staff, {
      script: [pick('Enter organization ID'), input(server.orgs.secondary, badIds)],
    });
    await switchOrganization(target.ctx);
    target.prompts.assertDone();

    const choices = target.prompts.only('pick');
    assert.match(choices.items[0]?.detail ?? '', /^Token's own organization/, 'the account comes first');
    assert.ok(choices.items.some((item) => /Enter organization ID…/.test(item.label)));
    const box = target.prompts.only('input');
    for (const validation of box.validations) {
      if (validation.value === server.orgs.secondary) assert.equal(validation.message, undefined);
      else assert.ok(validation.message && validation.message.length > 10, `“${validation.value}” is refused with a reason`);
    }
    assert.match(box.validations.find((validation) => validation.value === 'acme')?.message ?? '', /org_/);
    assert.match(box.validations.find((validation) => validation.value === 'org_123')?.message ?? '', /26/);

    assert.equal(lists().length, 1);
    assert.equal(lists()[0]?.headers[ORG_HEADER], server.orgs.secondary);
    const loaded = target.store.snapshot.loaded;
    assert.equal(loaded?.query.organizationId, server.orgs.secondary);
    assert.ok(loaded?.keys.length && loaded.keys.every((key) => key.orgId === server.orgs.secondary));
    assert.ok(loaded?.keys.some((key) => key.name === 'Production API'));
    assert.equal(target.organizations.current, server.orgs.secondary);
    assert.equal(target.organizations.recent[0], server.orgs.secondary);
    assert.equal(target.prompts.messages.length, 0);
  });

  test('non-staff: the 403 is explained and “Switch Back” returns to the own organization', async () => {
    const target = await loadedApp(server.tokens.admin, {
      script: [pick('Enter organization ID'), input(server.orgs.secondary), warn(SWITCH_BACK_ACTION)],
    });
    await switchOrganization(target.ctx);
    target.prompts.assertDone();

    const shown = target.prompts.only('warn');
    assert.match(shown.message, /Only Factify staff/);
    assert.deepEqual(shown.actions, [SWITCH_BACK_ACTION]);
    assert.equal(lists().length, 2);
    assert.equal(lists()[0]?.headers[ORG_HEADER], server.orgs.secondary);
    assert.equal(lists()[1]?.headers[ORG_HEADER], undefined);
    assert.equal(target.organizations.current, undefined);
    const snapshot = target.store.snapshot;
    assert.equal(snapshot.error, undefined);
    assert.equal(snapshot.loaded?.query.organizationId, undefined);
    assert.ok(snapshot.loaded?.keys.every((key) => key.orgId === server.orgs.primary));
  });

  test('non-staff who keeps the override: the error stays, no other request', async () => {
    const target = await loadedApp(server.tokens.admin, {
      script: [pick('Enter organization ID'), input(server.orgs.secondary), warn()],
    });
    await switchOrganization(target.ctx);
    target.prompts.assertDone();
    assert.equal(lists().length, 1);
    assert.equal(target.organizations.current, server.orgs.secondary);
    assert.equal(target.store.snapshot.error?.kind, 'forbidden');
    assert.equal(target.store.snapshot.loaded, undefined, 'the old organization’s list is not shown under the new one');
  });

  test('choosing the token’s own organization clears the override', async () => {
    const target = await loadedApp(server.tokens.staff, {
      organization: server.orgs.secondary,
      recent: [server.orgs.secondary],
      script: [pick((item) => /^Token's own organization/.test(item.detail ?? ''))],
    });
    assert.equal(target.store.snapshot.loaded?.query.organizationId, server.orgs.secondary);
    await switchOrganization(target.ctx);
    target.prompts.assertDone();

    const recentItem = target.prompts.only('pick').items.find((item) => item.label.includes(server.orgs.secondary));
    assert.ok(recentItem, 'recently used organizations are offered');
    assert.match(recentItem.description ?? '', /current/);
    assert.equal(target.organizations.current, undefined);
    assert.equal(lists().length, 1);
    assert.equal(lists()[0]?.headers[ORG_HEADER], undefined);
    assert.ok(target.store.snapshot.loaded?.keys.every((key) => key.orgId === server.orgs.staffHome));
  });

  test('a list in flight for the old organization is discarded', async () => {
    const target = app({ token: server.tokens.staff, recent: [server.orgs.secondary], script: [pick(server.orgs.secondary)] });
    const seen: Array<string | undefined> = [];
    target.store.onDidChange(() => {
      for (const key of target.store.snapshot.loaded?.keys ?? []) seen.push(key.orgId);
    });
    const oldAnswer = deferred(); // held until the switch is done, however long the switch takes
    server.addFault({ method: 'GET', times: 1, fault: { kind: 'held', until: oldAnswer.promise } });
    try {
      const old = target.store.refresh();
      await waitFor(() => lists().length === 1, 'the first list request');
      await switchOrganization(target.ctx);
      oldAnswer.resolve();
      await old;
    } finally {
      oldAnswer.resolve();
    }
    target.prompts.assertDone();

    assert.equal(lists().length, 2);
    assert.equal(lists()[1]?.headers[ORG_HEADER], server.orgs.secondary);
    const snapshot = target.store.snapshot;
    assert.equal(snapshot.error, undefined);
    assert.equal(snapshot.loaded?.query.organizationId, server.orgs.secondary);
    assert.ok(!seen.includes(server.orgs.staffHome), 'the old organization’s keys were never shown');
    assert.ok(seen.includes(server.orgs.secondary));
    assert.equal(target.organizations.current, server.orgs.secondary);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('scripted prompts (the test double itself)', () => {
  test('an unexpected call, a call of the wrong kind, an unoffered action and an unreached step all fail clearly', async () => {
    const { ScriptedPrompts } = await import('./helpers/scriptedPrompts');
    const finished = new ScriptedPrompts([]);
    await assert.rejects(finished.info('Hello'), /Unexpected info call, the script is finished: “Hello”/);
    assert.throws(() => finished.assertDone(), /Unexpected info call/);

    const wrongKind = new ScriptedPrompts([confirm(true)]);
    await assert.rejects(wrongKind.warn('Careful'), /Expected a confirm call but got warn/);

    const unoffered = new ScriptedPrompts([error('Retry')]);
    await assert.rejects(unoffered.error('Failed', 'Open Log'), /chooses “Retry” but the error message offers \[Open Log\]/);

    const unreached = new ScriptedPrompts([input('a'), info()]);
    assert.equal(await unreached.input({ title: 'T', prompt: 'P', validate: (value) => (value === 'a' ? undefined : 'no') }), 'a');
    assert.throws(() => unreached.assertDone(), /never reached: info/);

    const missingItem = new ScriptedPrompts([pick('Nope')]);
    await assert.rejects(
      missingItem.pick([{ label: 'Yes', value: 1 }], { title: 'T', placeHolder: 'P' }),
      /offered no item whose label contains “Nope”/,
    );
  });
});
