/** Set API Token… and Sign Out through the real commands; the token in the extension's real SecretStorage. */
import assert from 'node:assert/strict';
import {
  ACCOUNTS_STATE_KEY,
  LEGACY_TOKEN_SECRET_KEY,
  bearer,
  control,
  delay,
  describeRequest,
  env,
  extensionAccounts,
  extensionSecrets,
  input,
  isList,
  resetAll,
  runScripted,
  storedTokens,
  tokenSecretKey,
  view,
  waitFor,
  waitForKeysOf,
  waitForRequest,
} from './host';

suite('Account: Set API Token… / Sign Out and SecretStorage', () => {
  suiteTeardown(resetAll);

  test('signed out at first: nothing in SecretStorage, an empty tree, no request', async () => {
    const keysView = await view();
    assert.equal(await (await extensionSecrets()).get(LEGACY_TOKEN_SECRET_KEY), undefined);
    assert.deepEqual(await storedTokens(), []);
    assert.deepEqual(await keysView.getChildren(), []);
    assert.equal(keysView.viewState(), 'signedOut');
    await delay(500);
    assert.deepEqual((await control.requests()).map(describeRequest), []);
  });

  test('the input box refuses what is not a token; a token Factify answers 401 to is not stored', async () => {
    await control.clearRequests();
    const script = await runScripted('factify.signIn', [input(env.tokens.unknown, ['not a token', 'ffy_prod_tooshort'])]);
    const box = script.of('input')[0];
    assert.equal(box?.password, true, 'the token input box is a password box');
    assert.deepEqual(
      box?.validation?.map((message) => message !== ''),
      [false, true, true],
      `validation: ${JSON.stringify(box?.validation)}`,
    );
    const check = await waitForRequest(isList, 'the token check');
    assert.equal(check.headers.authorization, bearer(env.tokens.unknown));
    const errors = script.of('error').map((call) => call.text);
    assert.ok(
      errors.some((text) => /401/.test(text) && /not (been )?saved/i.test(text)),
      `error shown: ${JSON.stringify(errors)}`,
    );
    assert.deepEqual(await storedTokens(), [], 'a rejected token must not be stored');
    assert.equal((await view()).viewState(), 'signedOut');
  });

  test('Set API Token… verifies with one list call, stores the trimmed token in SecretStorage, and the keys load', async () => {
    await control.clearRequests();
    const script = await runScripted('factify.signIn', [input(`  ${env.tokens.admin}\t `)]);
    assert.deepEqual(await storedTokens(), [env.tokens.admin], "the trimmed token is in SecretStorage, in its account's own entry");
    const metadata = JSON.stringify((await extensionAccounts()).deps.state.get(ACCOUNTS_STATE_KEY));
    assert.ok(
      metadata.includes(env.orgs.primary) && !metadata.includes(env.tokens.admin),
      'global state holds the organization, never the token',
    );
    const first = (await control.requests())[0];
    assert.ok(first && isList(first), `first request: ${first ? describeRequest(first) : 'none'}`);
    assert.equal(first.headers.authorization, bearer(env.tokens.admin));
    assert.equal(first.query.include_revoked, 'false');
    assert.ok(
      script.of('info').some((call) => /saved/i.test(call.text)),
      JSON.stringify(script.calls),
    );

    const groups = await waitForKeysOf(env.orgs.primary, false);
    assert.deepEqual(
      groups.map((group) => group.label),
      ['Active', 'Expired', 'Inactive'],
    );
    for (const group of groups) assert.equal(group.description, String(group.rows.length), `count of ${group.label}`);
    for (const request of await control.requests()) {
      assert.equal(request.headers.authorization, bearer(env.tokens.admin), describeRequest(request));
      assert.ok(!JSON.stringify(request.query).includes(env.tokens.admin), 'token in a query string');
      assert.equal(request.headers['x-factify-organization-id'], undefined);
    }
  });

  test('the extension follows account changes another window makes (global state, then SecretStorage onDidChange)', async () => {
    const accounts = await extensionAccounts();
    const { secrets, state } = accounts.deps;
    const own = accounts.current();
    assert.ok(own);
    await control.clearRequests();
    // What another window's Set API Token… writes: the account's metadata, then its token.
    const before = state.get<{ accounts: unknown[] }>(ACCOUNTS_STATE_KEY);
    assert.ok(before);
    const other = { id: 'otherwindow1', orgId: env.orgs.secondary, env: 'prod' };
    await state.update(ACCOUNTS_STATE_KEY, { ...before, accounts: [...before.accounts, other], currentId: other.id });
    await secrets.store(tokenSecretKey(other.id), env.tokens.otherOrgAdmin);
    await waitForRequest((r) => isList(r) && r.headers.authorization === bearer(env.tokens.otherOrgAdmin), 'a list with the new token');
    await waitForKeysOf(env.orgs.secondary, false);

    // Another window signs out of that account.
    await state.update(ACCOUNTS_STATE_KEY, { ...before, currentId: own.id });
    await secrets.delete(tokenSecretKey(other.id));
    await waitForKeysOf(env.orgs.primary, false);

    await secrets.delete(tokenSecretKey(own.id));
    const keysView = await view();
    await waitFor(() => keysView.viewState() === 'signedOut', 'the view to notice the deleted token');
    assert.deepEqual(await keysView.getChildren(), []);
  });

  test('Sign Out deletes the token from SecretStorage; the tree empties and no request follows', async () => {
    await runScripted('factify.signIn', [input(env.tokens.admin)]);
    await waitForKeysOf(env.orgs.primary, false);
    const script = await runScripted('factify.signOut', []);
    assert.ok(
      script.of('info').some((call) => /signed out/i.test(call.text)),
      JSON.stringify(script.calls),
    );
    assert.deepEqual(await storedTokens(), []);
    const keysView = await view();
    assert.equal(keysView.viewState(), 'signedOut');
    assert.deepEqual(await keysView.getChildren(), []);
    await control.clearRequests();
    await delay(500);
    assert.deepEqual((await control.requests()).map(describeRequest), []);
  });
});
