/** Several organizations: one account per token, switched, renamed, signed out of, upgraded from 0.1.0, revoked. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  LEGACY_TOKEN_SECRET_KEY,
  bearer,
  control,
  env,
  extensionAccounts,
  extensionSecrets,
  input,
  isList,
  modal,
  pick,
  resetAll,
  runScripted,
  signInAs,
  storedTokens,
  view,
  waitFor,
  waitForKeysOf,
  waitForRequest,
} from './host';

const ORG_HEADER = 'x-factify-organization-id';

suite('Accounts: one per organization', () => {
  suiteTeardown(resetAll);

  test('upgrade from 0.1.0: a token under factify.apiToken becomes the first account, and its organization is learnt', async () => {
    const keysView = await view();
    assert.equal(keysView.viewState(), 'signedOut');
    await control.clearRequests();
    // What 0.1.0 left in SecretStorage.
    await (await extensionSecrets()).store(LEGACY_TOKEN_SECRET_KEY, env.tokens.admin);
    const list = await waitForRequest(isList, 'a list with the upgraded token');
    assert.equal(list.headers.authorization, bearer(env.tokens.admin));
    await waitForKeysOf(env.orgs.primary, false);
    const accounts = await extensionAccounts();
    await waitFor(() => accounts.current()?.orgId === env.orgs.primary, 'the organization learnt from the first list');
    assert.equal(accounts.current()?.key?.name, 'Local development', 'and the key the token is');
    assert.equal(await (await extensionSecrets()).get(LEGACY_TOKEN_SECRET_KEY), undefined, 'the 0.1.0 entry is gone');
    assert.deepEqual(await storedTokens(), [env.tokens.admin]);
  });

  test('adding a second organization: its token, its keys, no override header', async () => {
    await control.clearRequests();
    await signInAs(env.tokens.otherOrgAdmin, env.orgs.secondary);
    const accounts = await extensionAccounts();
    assert.deepEqual(
      accounts.list().map((account) => account.orgId),
      [env.orgs.primary, env.orgs.secondary],
    );
    for (const request of (await control.requests()).filter(isList)) {
      assert.equal(request.headers.authorization, bearer(env.tokens.otherOrgAdmin));
      assert.equal(request.headers[ORG_HEADER], undefined);
    }
    assert.equal((await view()).treeView.description, env.orgs.secondary);
    assert.deepEqual(
      (await storedTokens()).sort(),
      [env.tokens.admin, env.tokens.otherOrgAdmin].sort(),
      'one SecretStorage entry per token',
    );
  });

  test('Switch Organization… lists the accounts first; choosing one changes the Authorization header, never an override', async () => {
    await control.clearRequests();
    const script = await runScripted('factify.switchOrganization', [pick(env.orgs.primary)]);
    const items = script.of('pick')[0]?.items ?? [];
    assert.match(items[0] ?? '', new RegExp(env.orgs.primary));
    assert.match(items[1] ?? '', new RegExp(env.orgs.secondary));
    const list = await waitForRequest(isList, 'the list of the other account');
    assert.equal(list.headers.authorization, bearer(env.tokens.admin));
    assert.equal(list.headers[ORG_HEADER], undefined);
    await waitForKeysOf(env.orgs.primary, false);
    assert.equal((await view()).treeView.description, env.orgs.primary);
  });

  test('Rename Organization… names an organization in the view description and the quick pick', async () => {
    await runScripted('factify.renameOrganization', [pick(env.orgs.primary), input('Acme Primary')]);
    const keysView = await view();
    await waitFor(
      () => keysView.treeView.description === 'Acme Primary',
      () => `description: ${String(keysView.treeView.description)}`,
    );
    const script = await runScripted('factify.switchOrganization', [{ kind: 'pick', choose: () => undefined }]);
    assert.ok(
      script.of('pick')[0]?.items?.some((label) => label.includes('Acme Primary')),
      JSON.stringify(script.of('pick')[0]?.items),
    );
  });

  test('the Accounts menu: the factify authentication provider has an account per signed-in organization, named by its label', async () => {
    const accounts = await vscode.authentication.getAccounts('factify');
    assert.deepEqual(accounts.map((account) => account.label).sort(), ['Acme Primary (test)', `${env.orgs.secondary} (prod)`].sort());
    assert.deepEqual(
      accounts.map((account) => account.id).sort(),
      [env.orgs.primary, env.orgs.secondary].sort(),
      'account ids are organization ids',
    );
  });

  test('Sign Out with two accounts asks which; signing out of one keeps the other', async () => {
    await control.clearRequests();
    const script = await runScripted('factify.signOut', [pick('Acme Primary')]);
    assert.deepEqual(script.of('pick')[0]?.items?.length, 3, 'two accounts and “All accounts”');
    const accounts = await extensionAccounts();
    await waitFor(() => accounts.list().length === 1, 'one account left');
    assert.equal(accounts.current()?.orgId, env.orgs.secondary);
    const list = await waitForRequest(isList, "the remaining account's list");
    assert.equal(list.headers.authorization, bearer(env.tokens.otherOrgAdmin));
    await waitForKeysOf(env.orgs.secondary, false);
    assert.deepEqual(await storedTokens(), [env.tokens.otherOrgAdmin]);
  });

  test('revoking the key the token is: the confirmation says so; after the 204 that account is signed out and the view says why', async () => {
    const own = (await control.keys(env.orgs.secondary)).find((key) => key.name === 'Production API');
    assert.ok(own);
    await control.clearRequests();
    const script = await runScripted('factify.revokeKey', [pick('Production API'), input('leaked'), modal('Revoke')]);
    const confirm = script.of('modal')[0];
    assert.match(confirm?.detail ?? '', /is the key this editor is signed in with/);
    assert.match(confirm?.detail ?? '', /loses access to/);
    const deleted = await waitForRequest((r) => r.method === 'DELETE', 'the DELETE');
    assert.equal(deleted.path, `/v1/api-keys/${own.id}`);
    const keysView = await view();
    await waitFor(() => keysView.viewState() === 'signedOut', 'signed out');
    assert.match(String(keysView.treeView.message ?? ''), /was the key this editor was signed in with/);
    assert.deepEqual(await storedTokens(), []);
    assert.ok(
      script.of('info').some((call) => /Signed out of Factify/.test(call.text)),
      JSON.stringify(script.calls),
    );
  });
});
