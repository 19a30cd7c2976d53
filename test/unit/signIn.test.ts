/**
 * Set API Token… and Sign Out (src/flows/account.ts) with scripted prompts against the local Factify server:
 * what the user saw, what was stored, and what the server recorded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { signIn, signOut } from '../../src/flows/account';
import { error, escapeInput, info, input, warn } from './helpers/scriptedPrompts';
import { ORG_HEADER, app, assertNoSecretLeaked, lists, loadedApp, server, useFlowServer } from './helpers/flowServer';

useFlowServer();

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

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
