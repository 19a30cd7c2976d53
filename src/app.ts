/**
 * Builds the whole app — accounts, the key list, the keys leak detection matches against, the context the
 * journeys run in — over whatever secret
 * storage, global state, prompts and client it is given. `activate()` calls it with VS Code's; the unit tests
 * with in-memory ones, so both run the same wiring. No `vscode` import.
 */
import { AccountStore, findTokenKey, organizationOfList, type SecretBackend, type StateBackend } from './core/accounts';
import { type FactifyClient } from './core/client';
import { DeferredTask } from './core/deferredTask';
import { describeForLog, toFactifyError, type Logger } from './core/errors';
import { type ApiToken } from './core/ids';
import { KeyDirectory } from './core/keyDirectory';
import { KeysStore } from './core/keysStore';
import { createListWarmUp } from './core/warmUp';
import { type Redactor } from './core/redact';
import { type Accounts, type AppContext, type Organizations, type Prompts } from './flows/context';

export interface AppDeps {
  readonly prompts: Prompts;
  readonly secrets: SecretBackend;
  readonly state: StateBackend;
  readonly organizations: Organizations;
  /** Throws a FactifyError when the settings do not allow a request. */
  readonly client: () => FactifyClient;
  readonly includeRevoked: () => boolean;
  readonly confirmRevoke: () => boolean;
  readonly log: Logger;
  readonly redactor: Redactor;
  readonly now?: () => number;
  /** Tests pass accounts already loaded; otherwise they are read from `secrets` and `state`. */
  readonly accounts?: Accounts;
}

export interface App {
  readonly ctx: AppContext;
  readonly accounts: Accounts;
  readonly store: KeysStore;
  /** Every signed-in account's keys, revoked ones included, for matching tokens found in files. Fetched lazily. */
  readonly directory: KeyDirectory;
  /** Reads the accounts, then loads the list once. Called when the view first shows: nothing touches the network before. */
  start(): Promise<void>;
  dispose(): void;
}

export function createApp(deps: AppDeps): App {
  const { organizations, log } = deps;
  const accounts: Accounts =
    deps.accounts ??
    new AccountStore({
      secrets: deps.secrets,
      state: deps.state,
      log,
      onToken: (token) => deps.redactor.addSecret(token),
    });
  const store = new KeysStore({
    client: deps.client,
    auth: () => {
      const token = accounts.currentToken();
      return token ? { token, organizationId: organizations.current } : undefined;
    },
    includeRevoked: deps.includeRevoked,
    now: deps.now ?? Date.now,
    log,
    whileListing: createListWarmUp(),
  });
  const ctx: AppContext = {
    prompts: deps.prompts,
    accounts,
    organizations,
    store,
    log,
    client: deps.client,
    confirmRevoke: deps.confirmRevoke,
  };

  // A different token (sign-in, switch, sign-out, another window): forget the old list, cancel what was in
  // flight for it, and load the new one.
  let lastToken: ApiToken | undefined = accounts.currentToken();
  const accountsChanged = accounts.onDidChange(() => {
    const token = accounts.currentToken();
    if (token === lastToken) return;
    lastToken = token;
    store.reset();
    if (token) void store.refresh();
  });

  // The first list under a token shows which organization it belongs to and which key it is. Each list is
  // looked at once: the store announces every change of loading state, and a list can hold many keys. Nothing
  // on the view's first page needs it, so it waits until the view has built its rows. By then a newer list may
  // have come (only that one is looked at), or the token may have changed. A list is only ever matched against
  // the token it was listed with: the store drops an answer that arrives after its token stopped being the
  // current one, this look gives up when the token changed since, and `learn` records nothing for an account
  // whose token is no longer that one.
  let arrived: { readonly keys: object; readonly token: ApiToken | undefined } | undefined;
  const examination = new DeferredTask();
  const examineList = () => {
    const loaded = store.snapshot.loaded;
    const account = accounts.current();
    const token = accounts.currentToken();
    if (!loaded || loaded.keys !== arrived?.keys || token !== arrived.token) return;
    if (!account || !token || loaded.query.organizationId !== undefined) return;
    const orgId = organizationOfList(loaded.keys);
    if (!orgId) return;
    const key = findTokenKey(loaded.keys, token);
    if (account.orgId === orgId && (key === undefined || account.key?.id === key.id)) return;
    accounts.learn(account.id, token, orgId, key).then(undefined, (thrown: unknown) => {
      log.warn(`Recording the token's organization failed: ${describeForLog(toFactifyError(thrown))}`);
    });
  };
  const listChanged = store.onDidChange(() => {
    const keys = store.snapshot.loaded?.keys;
    if (keys === undefined) {
      // Reset: the same answer listed again later gives back the same list, which is then looked at afresh.
      arrived = undefined;
      return;
    }
    if (keys === arrived?.keys) return; // a change of loading state, or a list already seen
    arrived = { keys, token: accounts.currentToken() };
    examination.schedule(examineList);
  });

  // Leak detection matches found tokens against the keys of every signed-in account, revoked ones included.
  const directory = new KeyDirectory({
    accounts: async () => {
      await accounts.load(); // SecretStorage only: findings are right before the view ever shows
      return accounts.signedIn().map((entry) => ({ auth: entry.auth, label: entry.label, orgId: entry.account.orgId }));
    },
    storeList: () => {
      const loaded = store.snapshot.loaded;
      const token = accounts.currentToken();
      return loaded && token
        ? { auth: { token, organizationId: loaded.query.organizationId }, keys: loaded.keys, includesRevoked: loaded.query.includeRevoked }
        : undefined;
    },
    client: deps.client,
    log,
  });
  const directoryFollowsStore = store.onDidChange(() => directory.storeChanged());
  const directoryFollowsAccounts = accounts.onDidChange(() => directory.invalidate());

  let started: Promise<void> | undefined;
  return {
    ctx,
    accounts,
    store,
    directory,
    start: () => {
      started ??= accounts.load().then(() => {
        lastToken = accounts.currentToken();
        const snapshot = store.snapshot;
        if (snapshot.loaded || snapshot.loading) return undefined;
        if (lastToken) return store.refresh();
        store.reset(); // now that SecretStorage has answered, "signed out" is known, not a guess
        return undefined;
      });
      return started;
    },
    dispose: () => {
      accountsChanged.dispose();
      listChanged.dispose();
      examination.dispose();
      directoryFollowsStore.dispose();
      directoryFollowsAccounts.dispose();
      directory.dispose();
      store.dispose();
    },
  };
}
