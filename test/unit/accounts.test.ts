/** The account rules (src/core/accounts.ts): pure functions, then the store over secret storage and global state. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ApiKey } from '../../src/core/apiKey';
import {
  ACCOUNTS_STATE_KEY,
  AccountStore,
  EMPTY_ACCOUNTS,
  LEGACY_TOKEN_KEY,
  addAccount,
  explainInvalidLabel,
  findTokenKey,
  firstOrganizationOfList,
  isAccountSecretKey,
  learnAccount,
  organizationLabel,
  organizationOfList,
  parseAccountsState,
  prefixStartsToken,
  safeKeyPrefix,
  removeAccount,
  renameOrganization,
  switchAccount,
  tokenEnvironment,
  tokenSecretKey,
  type Account,
  type AccountsState,
} from '../../src/core/accounts';
import { type OrgId } from '../../src/core/ids';
import { MemoryLog } from './helpers/memoryLog';
import { MemorySecrets, MemoryState } from './helpers/memoryStores';

const ORG_A = 'org_01kdx2z2ab3cd4ef5gh6jk7mn8' as OrgId;
const ORG_B = 'org_01kdx2z2ab3cd4ef5gh6jk7mn9' as OrgId;
const TOKEN_A = 'ffy_prod_01kdx2z2ab3cd4ef5gh6jk7mn8AbCdEfGhIjKlMnOpQrSt';
const TOKEN_B = 'ffy_test_01k8abcd3cd4ef5gh6jk7mn8pqZyXwVuTsRqPoNmLkJi';
const TOKEN_C = 'ffy_prod_01kzzzzzab3cd4ef5gh6jk7mn8ZzZzZzZzZzZzZzZzZzZz';

function key(fields: Partial<ApiKey> & Pick<ApiKey, 'prefix'>): ApiKey {
  return {
    id: `key_01k8${'a'.repeat(22)}`,
    keyId: undefined,
    orgId: ORG_A,
    name: 'a key',
    createdAt: 0,
    updatedAt: 0,
    isActive: true,
    expiresAt: undefined,
    revokedAt: undefined,
    revokedBy: undefined,
    revokedComment: undefined,
    ...fields,
  } as ApiKey;
}

function account(id: string, orgId: OrgId | undefined, env = 'prod'): Account {
  return { id, orgId, env, key: undefined };
}

describe('account rules', () => {
  test('the environment comes from ffy_<env>_', () => {
    assert.equal(tokenEnvironment(TOKEN_A), 'prod');
    assert.equal(tokenEnvironment(TOKEN_B), 'test');
    assert.equal(tokenEnvironment('ffy_staging2_x'), 'staging2');
  });

  test('a prefix starts the token less a trailing "..." or "…"; the bare ffy_<env>_ never matches', () => {
    assert.ok(prefixStartsToken('ffy_prod_01kdx2z2...', TOKEN_A));
    assert.ok(prefixStartsToken('ffy_prod_01kdx2z2…', TOKEN_A));
    assert.ok(prefixStartsToken('ffy_prod_01kdx2z2', TOKEN_A));
    assert.ok(!prefixStartsToken('ffy_prod_01kdx2z3...', TOKEN_A));
    assert.ok(!prefixStartsToken('ffy_test_01kdx2z2...', TOKEN_A), 'another environment');
    assert.ok(!prefixStartsToken('ffy_prod_...', TOKEN_A));
    assert.ok(!prefixStartsToken('ffy_prod_', TOKEN_A));
    assert.ok(!prefixStartsToken('', TOKEN_A));
  });

  test('the key a token is: the listed key whose prefix starts it, the longest when several do', () => {
    const keys = [
      key({ id: 'key_a', prefix: 'ffy_prod_01kzzzzz...', name: 'other' }),
      key({ id: 'key_b', prefix: 'ffy_prod_01kdx2...', name: 'short' }),
      key({ id: 'key_c', prefix: 'ffy_prod_01kdx2z2...', name: 'mine' }),
    ];
    assert.deepEqual(findTokenKey(keys, TOKEN_A), { id: 'key_c', prefix: 'ffy_prod_01kdx2z2...', name: 'mine' });
    assert.equal(findTokenKey(keys, TOKEN_B), undefined);
    assert.equal(findTokenKey([], TOKEN_A), undefined);
  });

  test('a prefix counts only up to ffy_<env>_ and 26 characters; only that capped stem is ever kept', () => {
    const typed = TOKEN_A.slice(0, 'ffy_prod_'.length + 26);
    assert.ok(prefixStartsToken(`${typed}...`, TOKEN_A), 'the whole typed part');
    assert.ok(!prefixStartsToken(`${TOKEN_A}...`, TOKEN_A), 'the whole token is no prefix');
    assert.ok(!prefixStartsToken(TOKEN_A, TOKEN_A));
    assert.ok(!prefixStartsToken(`${typed}A…`, TOKEN_A), 'one character of the random tail');
    const hostile = [key({ id: 'key_h', prefix: `${TOKEN_A}...`, name: 'hostile' }), key({ id: 'key_s', prefix: 'ffy_prod_01kd...' })];
    assert.deepEqual(findTokenKey(hostile, TOKEN_A), { id: 'key_s', prefix: 'ffy_prod_01kd...', name: 'a key' });
    assert.equal(findTokenKey([hostile[0]!], TOKEN_A), undefined);
    assert.deepEqual(findTokenKey([key({ id: 'key_t', prefix: `${typed}…` })], TOKEN_A), {
      id: 'key_t',
      prefix: `${typed}…`,
      name: 'a key',
    });
    assert.equal(safeKeyPrefix(`${TOKEN_A}...`), `${typed}...`);
    assert.equal(safeKeyPrefix(TOKEN_A), `${typed}...`);
    assert.equal(safeKeyPrefix('ffy_prod_01kdx2z2...'), 'ffy_prod_01kdx2z2...');
  });

  test('the organization of a list: only valid org ids count, and every record must agree', () => {
    assert.equal(organizationOfList([key({ prefix: 'x', orgId: ORG_A }), key({ prefix: 'y', orgId: ORG_A })]), ORG_A);
    assert.equal(
      organizationOfList([key({ prefix: 'x', orgId: ORG_A }), key({ prefix: 'y', orgId: ORG_B })]),
      undefined,
      'records disagree',
    );
    assert.equal(organizationOfList([key({ prefix: 'x', orgId: 'org_\u202eevil' }), key({ prefix: 'y', orgId: ORG_B })]), ORG_B);
    assert.equal(organizationOfList([key({ prefix: 'x', orgId: 'org_$(alert)' })]), undefined);
    assert.equal(organizationOfList([]), undefined);
  });

  test('one pass per list answers both "the organization all records agree on" and "the first one named", in either order', () => {
    const disagreeing = [
      key({ prefix: 'x', orgId: 'org_$(alert)' }),
      key({ prefix: 'y', orgId: ORG_B }),
      key({ prefix: 'z', orgId: ORG_A }),
    ];
    assert.equal(firstOrganizationOfList(disagreeing), ORG_B, 'the first valid id, though a later record disagrees');
    assert.equal(organizationOfList(disagreeing), undefined, 'asked second, of the same list: still no agreement');
    const agreeing = [
      key({ prefix: 'x', orgId: ORG_A }),
      key({ prefix: 'y', orgId: 'org_\u202eevil' }),
      key({ prefix: 'z', orgId: ORG_A }),
    ];
    assert.equal(organizationOfList(agreeing), ORG_A);
    assert.equal(firstOrganizationOfList(agreeing), ORG_A);
    assert.equal(firstOrganizationOfList([key({ prefix: 'x', orgId: 'org_nope' })]), undefined);
    assert.equal(firstOrganizationOfList([]), undefined);
    // Each list is its own: another array with other records gets its own answer.
    assert.equal(organizationOfList([key({ prefix: 'x', orgId: ORG_B })]), ORG_B);
  });

  test("adding: a new organization is a new account; a token of a known organization replaces that account's; either becomes current", () => {
    let state: AccountsState = EMPTY_ACCOUNTS;
    const first = addAccount(state, account('a1', ORG_A));
    assert.deepEqual([first.id, first.replaced, first.state.currentId], ['a1', false, 'a1']);
    state = addAccount(first.state, account('a2', ORG_B)).state;
    assert.equal(state.currentId, 'a2');
    const again = addAccount(state, { ...account('a3', ORG_A, 'test'), key: { id: 'key_x', prefix: 'p', name: 'n' } });
    assert.equal(again.replaced, true);
    assert.equal(again.id, 'a1', 'the account keeps its id (and so its secret entry)');
    assert.equal(again.state.accounts.length, 2);
    assert.equal(again.state.currentId, 'a1');
    assert.equal(again.state.accounts.find((candidate) => candidate.id === 'a1')?.env, 'test');
    const unknown = addAccount(again.state, account('a4', undefined));
    assert.equal(unknown.replaced, false, 'an organization not known yet is never merged by guess');
    assert.equal(unknown.state.accounts.length, 3);
  });

  test('learning an organization: the newer token wins over an older account of the same organization', () => {
    const state: AccountsState = { accounts: [account('old', ORG_A), account('new', undefined)], currentId: 'new', labels: {} };
    const learned = learnAccount(state, 'new', ORG_A, { id: 'key_1', prefix: 'ffy_prod_01kdx2z2...', name: 'CI' });
    assert.deepEqual(learned.dropped, ['old']);
    assert.deepEqual(
      learned.state.accounts.map((candidate) => [candidate.id, candidate.orgId, candidate.key?.name]),
      [['new', ORG_A, 'CI']],
    );
    assert.equal(learned.state.currentId, 'new');
  });

  test('signing out of the current account makes the first remaining one current; of another, keeps the current', () => {
    const state: AccountsState = {
      accounts: [account('a', ORG_A), account('b', ORG_B), account('c', undefined)],
      currentId: 'b',
      labels: {},
    };
    assert.equal(removeAccount(state, 'b').currentId, 'a');
    assert.equal(removeAccount(state, 'c').currentId, 'b');
    assert.equal(removeAccount(removeAccount(removeAccount(state, 'a'), 'b'), 'c').currentId, undefined);
    assert.equal(switchAccount(state, 'c').currentId, 'c');
    assert.equal(switchAccount(state, 'nope').currentId, 'b', 'an unknown account is not switched to');
  });

  test('local names: set, shown instead of the id, removed by an empty name; plain text only', () => {
    let state = renameOrganization(EMPTY_ACCOUNTS, ORG_A, '  Acme production ');
    assert.equal(organizationLabel(state, ORG_A), 'Acme production');
    assert.equal(organizationLabel(state, ORG_B), ORG_B);
    assert.match(organizationLabel(state, undefined), /not known yet/);
    state = renameOrganization(state, ORG_A, '');
    assert.equal(organizationLabel(state, ORG_A), ORG_A);
    assert.equal(explainInvalidLabel('Acme & Co. (EU)'), undefined);
    assert.equal(explainInvalidLabel(''), undefined, 'empty removes the name');
    assert.match(explainInvalidLabel('x'.repeat(61)) ?? '', /60/);
    assert.match(explainInvalidLabel('two\nlines') ?? '', /plain text/);
    assert.match(explainInvalidLabel('evil\u202eeman') ?? '', /plain text/);
    assert.match(explainInvalidLabel(TOKEN_A) ?? '', /token/);
    assert.match(explainInvalidLabel('Acme $(alert) urgent') ?? '', /\$\(/, 'no icon syntax');
  });

  test('global state is data from disk: only valid accounts, labels and a current id that exists are kept', () => {
    assert.deepEqual(parseAccountsState(undefined), EMPTY_ACCOUNTS);
    assert.deepEqual(parseAccountsState('garbage'), EMPTY_ACCOUNTS);
    const parsed = parseAccountsState({
      accounts: [
        { id: 'a1', orgId: ORG_A, env: 'prod', key: { id: 'key_1', prefix: 'p', name: 'n' } },
        { id: 'a1', orgId: ORG_B, env: 'prod' },
        { id: 'Bad Id!', orgId: ORG_B },
        { id: 'a2', orgId: 'org_nope', env: 'PROD\n', key: { id: 1 } },
        null,
      ],
      currentId: 'ghost',
      labels: { [ORG_A]: 'Acme', org_bad: 'x', [ORG_B]: 'line\nbreak' },
    });
    assert.deepEqual(
      parsed.accounts.map((candidate) => [candidate.id, candidate.orgId, candidate.env, candidate.key?.name]),
      [
        ['a1', ORG_A, 'prod', 'n'],
        ['a2', undefined, 'unknown', undefined],
      ],
    );
    assert.equal(parsed.currentId, 'a1', 'an unknown current id falls back to the first account');
    assert.deepEqual(parsed.labels, { [ORG_A]: 'Acme' });
    const stored = parseAccountsState({
      accounts: [{ id: 'a1', orgId: ORG_A, env: 'prod', key: { id: 'key_1', prefix: TOKEN_A, name: 'n' } }],
    });
    assert.equal(stored.accounts[0]?.key?.prefix, `${TOKEN_A.slice(0, 35)}...`, "a stored token's random tail is never read back");
  });

  test('which secret-storage keys concern accounts', () => {
    assert.ok(isAccountSecretKey(LEGACY_TOKEN_KEY));
    assert.ok(isAccountSecretKey(tokenSecretKey('a1')));
    assert.ok(!isAccountSecretKey('other.extension.key'));
  });
});

// ---------------------------------------------------------------------------------------------------------

function newStore(
  secrets = new MemorySecrets(),
  state = new MemoryState(),
  prefix = 'w',
): { store: AccountStore; secrets: MemorySecrets; state: MemoryState; redacted: string[] } {
  const redacted: string[] = [];
  let counter = 0;
  const store = new AccountStore({
    secrets,
    state,
    log: new MemoryLog(),
    onToken: (token) => redacted.push(token),
    newId: () => `${prefix}${++counter}`,
  });
  return { store, secrets, state, redacted };
}

/** Resolves at the next change the store announces. */
function nextChange(store: AccountStore): Promise<void> {
  return new Promise((resolve) => {
    const subscription = store.onDidChange(() => {
      subscription.dispose();
      resolve();
    });
  });
}

describe('account store', () => {
  test('upgrade from 0.1.0: the single token under factify.apiToken becomes the first, current account', async () => {
    const { store, secrets, state, redacted } = newStore();
    secrets.values.set(LEGACY_TOKEN_KEY, TOKEN_A);
    assert.equal(store.loaded, false);
    await store.load();
    assert.equal(store.loaded, true);
    assert.equal(store.list().length, 1);
    const migrated = store.current();
    assert.ok(migrated);
    assert.equal(migrated.orgId, undefined, 'its organization is learnt by the first list');
    assert.equal(migrated.env, 'prod');
    assert.equal(store.currentToken(), TOKEN_A);
    assert.equal(secrets.values.get(tokenSecretKey(migrated.id)), TOKEN_A, 'moved to its own entry');
    assert.equal(secrets.values.has(LEGACY_TOKEN_KEY), false, 'the old entry is gone');
    assert.deepEqual(
      parseAccountsState(state.get(ACCOUNTS_STATE_KEY)).accounts.map((candidate) => candidate.id),
      [migrated.id],
    );
    assert.ok(!JSON.stringify(state.values.get(ACCOUNTS_STATE_KEY)).includes(TOKEN_A), 'no token in global state');
    assert.ok(redacted.includes(TOKEN_A), 'the redactor knows it');

    // A second window (or a restart) reads the same and migrates nothing twice.
    const again = newStore(secrets, state, 'x').store;
    await again.load();
    assert.deepEqual(
      again.list().map((candidate) => candidate.id),
      [migrated.id],
    );
  });

  test('a legacy token next to existing accounts is added, not made current', async () => {
    const { store, secrets } = newStore();
    await store.load();
    await store.add(TOKEN_B as never, { orgId: ORG_B, key: undefined });
    secrets.values.set(LEGACY_TOKEN_KEY, TOKEN_A);
    await store.reload();
    assert.equal(store.list().length, 2);
    assert.equal(store.currentToken(), TOKEN_B);
  });

  test('a stored value that is not a token is ignored (never sent)', async () => {
    const { store, secrets } = newStore();
    secrets.values.set(LEGACY_TOKEN_KEY, 'Bearer hello world');
    await store.load();
    assert.equal(store.list().length, 0);
    assert.equal(store.currentToken(), undefined);
  });

  test('add: a keyring failure leaves the accounts untouched', async () => {
    const { store, secrets, state } = newStore();
    await store.load();
    secrets.failStore = true;
    await assert.rejects(store.add(TOKEN_A as never, { orgId: ORG_A, key: undefined }), /locked/);
    assert.equal(store.list().length, 0);
    assert.deepEqual(parseAccountsState(state.get(ACCOUNTS_STATE_KEY)).accounts, []);
  });

  test('learn records what a list showed only while the account still has the token it was listed with', async () => {
    const { store, secrets } = newStore();
    await store.load();
    const first = await store.add(TOKEN_A as never, { orgId: undefined, key: undefined });
    const other = await store.add(TOKEN_B as never, { orgId: ORG_B, key: undefined });
    // A list listed under another token than the account has now (the accounts were re-read meanwhile):
    // nothing is recorded, so no account of that organization is dropped on its word.
    await store.learn(first.account.id, TOKEN_C as never, ORG_B, undefined);
    assert.deepEqual(
      store.list().map((account) => [account.id, account.orgId]),
      [
        [first.account.id, undefined],
        [other.account.id, ORG_B],
      ],
    );
    assert.equal(secrets.values.get(tokenSecretKey(other.account.id)), TOKEN_B, "the other account's token is kept");
    // Under the token the account has, it is recorded, and the other account of that organization gives way.
    await store.learn(first.account.id, TOKEN_A as never, ORG_B, undefined);
    assert.deepEqual(
      store.list().map((account) => [account.id, account.orgId]),
      [[first.account.id, ORG_B]],
    );
  });

  test('add, replace, switch, rename and remove: one secret entry per token, metadata in global state', async () => {
    const { store, secrets, state } = newStore();
    await store.load();
    const first = await store.add(TOKEN_A as never, { orgId: ORG_A, key: { id: 'key_1', prefix: 'ffy_prod_01kdx2z2...', name: 'CI' } });
    const second = await store.add(TOKEN_B as never, { orgId: ORG_B, key: undefined });
    assert.equal(store.current()?.id, second.account.id);
    assert.equal(secrets.values.get(tokenSecretKey(first.account.id)), TOKEN_A);
    assert.equal(secrets.values.get(tokenSecretKey(second.account.id)), TOKEN_B);

    const replaced = await store.add(TOKEN_C as never, { orgId: ORG_A, key: undefined });
    assert.equal(replaced.replaced, true);
    assert.equal(replaced.account.id, first.account.id);
    assert.equal(secrets.values.get(tokenSecretKey(first.account.id)), TOKEN_C, "the organization's token is replaced");
    assert.equal(store.list().length, 2);
    assert.equal(store.currentToken(), TOKEN_C);

    await store.switchTo(second.account.id);
    assert.equal(store.currentToken(), TOKEN_B);
    await store.rename(ORG_B, 'Beta Corp');
    assert.equal(store.label(ORG_B), 'Beta Corp');
    assert.deepEqual(
      store.signedIn().map((entry) => [entry.label, entry.current, entry.auth.token, entry.auth.organizationId]),
      [
        ['Beta Corp', true, TOKEN_B, undefined],
        [ORG_A, false, TOKEN_C, undefined],
      ],
      'current first, each under its own organization',
    );

    await store.remove([second.account.id]);
    assert.equal(secrets.values.has(tokenSecretKey(second.account.id)), false);
    assert.equal(store.currentToken(), TOKEN_C, 'the remaining account becomes current');
    assert.equal(store.label(ORG_B), 'Beta Corp', 'a name outlives the account: it names the organization');
    const stored = JSON.stringify(state.values.get(ACCOUNTS_STATE_KEY));
    for (const token of [TOKEN_A, TOKEN_B, TOKEN_C]) assert.ok(!stored.includes(token));
  });

  test('another window: an account it adds, the account it switches to and a name it sets are followed on reload', async () => {
    const here = newStore(undefined, undefined, 'h');
    const there = newStore(here.secrets, here.state, 't');
    await here.store.load();
    await there.store.load();
    await here.store.add(TOKEN_A as never, { orgId: ORG_A, key: undefined });

    await there.store.add(TOKEN_B as never, { orgId: ORG_B, key: undefined });
    let changed = nextChange(here.store);
    await here.store.reload();
    await changed;
    assert.deepEqual(
      here.store
        .list()
        .map((candidate) => candidate.orgId)
        .sort(),
      [ORG_A, ORG_B].sort(),
    );
    assert.equal(here.store.currentToken(), TOKEN_B, 'the current account is shared by the windows');

    await there.store.rename(ORG_A, 'Acme');
    await there.store.switchTo(here.store.list().find((candidate) => candidate.orgId === ORG_A)?.id ?? '');
    changed = nextChange(here.store);
    await here.store.reload();
    await changed;
    assert.equal(here.store.currentToken(), TOKEN_A);
    assert.equal(here.store.label(ORG_A), 'Acme');

    await there.store.remove([there.store.current()?.id ?? '']);
    await here.store.reload();
    assert.deepEqual(
      here.store.list().map((candidate) => candidate.orgId),
      [ORG_B],
    );
    assert.equal(here.store.currentToken(), TOKEN_B);
  });

  test('a reload that finds nothing new announces nothing', async () => {
    const { store } = newStore();
    await store.load();
    await store.add(TOKEN_A as never, { orgId: ORG_A, key: undefined });
    let changes = 0;
    store.onDidChange(() => changes++);
    await store.reload();
    assert.equal(changes, 0);
  });
});
