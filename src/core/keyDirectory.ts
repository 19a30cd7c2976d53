/**
 * The keys a found token is matched against: the lists of every signed-in account, revoked keys included
 * whatever the view shows. Fetched lazily, cached, and forgotten when a list changes. Only list requests
 * with the account's own token are ever sent; a found token never is.
 */
import { type ApiKey } from './apiKey';
import { type FactifyClient, type RequestAuth } from './client';
import { describeForLog, toFactifyError, type Logger } from './errors';
import { type OrgId } from './ids';
import { KeyIndex, type DirectoryKey } from './tokenScan';

/** A signed-in account, as leak detection needs it. */
export interface LeakAccount {
  readonly auth: RequestAuth;
  /** How its organization is named in messages. */
  readonly label: string;
  readonly orgId?: OrgId;
}

/** The store's current list, when it is the list of one of the accounts. */
export interface StoreList {
  readonly auth: RequestAuth;
  readonly keys: readonly ApiKey[];
  readonly includesRevoked: boolean;
}

export interface KeyDirectoryDeps {
  /** The signed-in accounts; may read SecretStorage first (never the network). */
  readonly accounts: () => ReadonlyArray<LeakAccount> | Promise<ReadonlyArray<LeakAccount>>;
  readonly storeList: () => StoreList | undefined;
  readonly client: () => FactifyClient;
  readonly log: Logger;
}

type Listener = () => void;

export class KeyDirectory {
  private cache: { generation: number; index: Promise<KeyIndex> } | undefined;
  private generation = 0;
  private controller = new AbortController();
  private readonly listeners = new Set<Listener>();
  /** What the index was last built from, so a change elsewhere in the store (loading flags) costs nothing. */
  private storeKeys: readonly ApiKey[] | undefined;
  /** Which account each key of the last index came from (revoking goes through that account only). */
  private accountsByKey = new Map<string, LeakAccount>();

  constructor(private readonly deps: KeyDirectoryDeps) {}

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The store changed: rebuild only when its list did (refresh, revoke, organization switch, sign-out). */
  storeChanged(): void {
    const keys = this.deps.storeList()?.keys;
    if (keys === this.storeKeys) return;
    this.invalidate();
  }

  /** Forgets every cached list (accounts changed, a key was revoked) and tells the listeners. */
  invalidate(): void {
    this.generation++;
    this.controller.abort();
    this.controller = new AbortController();
    this.cache = undefined;
    for (const listener of [...this.listeners]) listener();
  }

  /** The index of every account's keys. Never rejects: an account whose list fails adds no keys (and is logged). */
  async index(): Promise<KeyIndex> {
    // A list that changes while the index is being built makes it stale (its requests are aborted): build again.
    for (;;) {
      const generation = this.generation;
      if (this.cache?.generation !== generation) this.cache = { generation, index: this.build(this.controller.signal) };
      const index = await this.cache.index;
      if (generation === this.generation) return index;
    }
  }

  private async build(signal: AbortSignal): Promise<KeyIndex> {
    const accounts = await this.deps.accounts();
    const storeList = this.deps.storeList();
    this.storeKeys = storeList?.keys;
    const lists = await Promise.all(
      accounts.map(async (account): Promise<DirectoryKey[]> => {
        const keys =
          storeList && storeList.includesRevoked && sameAuth(storeList.auth, account.auth)
            ? storeList.keys
            : await this.fetch(account, signal);
        return keys.map((key) => ({ key, organization: account.label }));
      }),
    );
    const accountsByKey = new Map<string, LeakAccount>();
    lists.forEach((entries, i) => {
      const account = accounts[i] as LeakAccount;
      for (const entry of entries) if (!accountsByKey.has(entry.key.id)) accountsByKey.set(entry.key.id, account);
    });
    this.accountsByKey = accountsByKey;
    return new KeyIndex(lists.flat(), accounts.length);
  }

  /** Whether the key was listed by the account whose auth is `auth` (e.g. the one requests go out under now). */
  listedBy(keyId: string, auth: RequestAuth | undefined): boolean {
    const account = this.accountsByKey.get(keyId);
    return account !== undefined && auth !== undefined && sameAuth(account.auth, auth);
  }

  private async fetch(account: LeakAccount, signal: AbortSignal): Promise<readonly ApiKey[]> {
    try {
      const list = await this.deps.client().listKeys(account.auth, { includeRevoked: true, signal });
      return list.keys;
    } catch (thrown) {
      if (!signal.aborted)
        this.deps.log.warn(`Leak detection could not list the keys of ${account.label}: ${describeForLog(toFactifyError(thrown))}`);
      return [];
    }
  }

  dispose(): void {
    this.controller.abort();
    this.listeners.clear();
  }
}

function sameAuth(a: RequestAuth, b: RequestAuth): boolean {
  return a.token === b.token && a.organizationId === b.organizationId;
}
