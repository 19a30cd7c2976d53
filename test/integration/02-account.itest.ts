/** Set API Token… and Sign Out through the real commands; the token in the extension's real SecretStorage. */
import assert from 'node:assert/strict';
import {
  bearer, control, delay, describeRequest, env, extensionSecrets, input, isList, resetAll, runScripted, TOKEN_SECRET_KEY,
  view, waitFor, waitForKeysOf, waitForRequest,
} from './host';

suite('Account: Set API Token… / Sign Out and SecretStorage', () => {
  suiteTeardown(resetAll);

  test('signed out at first: nothing in SecretStorage, an empty tree, no request', async () => {
    const keysView = await view();
    assert.equal(await (await extensionSecrets()).get(TOKEN_SECRET_KEY), undefined);
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
    assert.deepEqual(box?.validation?.map((message) => message !== ''), [false, true, true], `validation: ${JSON.stringify(box?.validation)}`);
    const check = await waitForRequest(isList, 'the token check');
    assert.equal(check.headers.authorization, bearer(env.tokens.unknown));
    const errors = script.of('error').map((call) => call.text);
    assert.ok(errors.some((text) => /401/.test(text) && /not (been )?saved/i.test(text)), `error shown: ${JSON.stringify(errors)}`);
    assert.equal(await (await extensionSecrets()).get(TOKEN_SECRET_KEY), undefined, 'a rejected token must not be stored');
    assert.equal((await view()).viewState(), 'signedOut');
  });

  test('Set API Token… verifies with one list call, stores the trimmed token in SecretStorage, and the keys load', async () => {
    await control.clearRequests();
    const script = await runScripted('factify.signIn', [input(`  ${env.tokens.admin}\t `)]);
    assert.equal(await (await extensionSecrets()).get(TOKEN_SECRET_KEY), env.tokens.admin, 'the trimmed token is in SecretStorage');
    const first = (await control.requests())[0];
    assert.ok(first && isList(first), `first request: ${first ? describeRequest(first) : 'none'}`);
    assert.equal(first.headers.authorization, bearer(env.tokens.admin));
    assert.equal(first.query.include_revoked, 'false');
    assert.ok(script.of('info').some((call) => /saved/i.test(call.text)), JSON.stringify(script.calls));

    const groups = await waitForKeysOf(env.orgs.primary, false);
    assert.deepEqual(groups.map((group) => group.label), ['Active', 'Expired', 'Inactive']);
    for (const group of groups) assert.equal(group.description, String(group.rows.length), `count of ${group.label}`);
    for (const request of await control.requests()) {
      assert.equal(request.headers.authorization, bearer(env.tokens.admin), describeRequest(request));
      assert.ok(!JSON.stringify(request.query).includes(env.tokens.admin), 'token in a query string');
      assert.equal(request.headers['x-factify-organization-id'], undefined);
    }
  });

  test('the extension follows SecretStorage changes made elsewhere (onDidChange), as from another window', async () => {
    const secrets = await extensionSecrets();
    await control.clearRequests();
    await secrets.store(TOKEN_SECRET_KEY, env.tokens.otherOrgAdmin);
    await waitForRequest((r) => isList(r) && r.headers.authorization === bearer(env.tokens.otherOrgAdmin), 'a list with the new token');
    await waitForKeysOf(env.orgs.secondary, false);

    await secrets.store(TOKEN_SECRET_KEY, env.tokens.admin);
    await waitForKeysOf(env.orgs.primary, false);

    await secrets.delete(TOKEN_SECRET_KEY);
    const keysView = await view();
    await waitFor(() => keysView.viewState() === 'signedOut', 'the view to notice the deleted token');
    assert.deepEqual(await keysView.getChildren(), []);
  });

  test('Sign Out deletes the token from SecretStorage; the tree empties and no request follows', async () => {
    await runScripted('factify.signIn', [input(env.tokens.admin)]);
    await waitForKeysOf(env.orgs.primary, false);
    const script = await runScripted('factify.signOut', []);
    assert.ok(script.of('info').some((call) => /signed out/i.test(call.text)), JSON.stringify(script.calls));
    assert.equal(await (await extensionSecrets()).get(TOKEN_SECRET_KEY), undefined);
    const keysView = await view();
    assert.equal(keysView.viewState(), 'signedOut');
    assert.deepEqual(await keysView.getChildren(), []);
    await control.clearRequests();
    await delay(500);
    assert.deepEqual((await control.requests()).map(describeRequest), []);
  });
});
