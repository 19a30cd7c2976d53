/** In-memory stand-ins for SecretStorage, global state, the accounts and the organization choice. */
import { type ApiToken, type OrgId } from '../../../src/core/ids';
import {
  ACCOUNTS_STATE_KEY,
  AccountStore,
  tokenEnvironment,
  tokenSecretKey,
  type Account,
  type SecretBackend,
  type StateBackend,
} from '../../../src/core/accounts';
import { MemoryLog } from './memoryLog';
import { type Organizations } from '../../../src/flows/context';

/** SecretStorage stand-in. `failStore` makes `store()` throw as a locked OS keyring does. */
export class MemorySecrets implements SecretBackend {
  readonly values = new Map<string, string>();
  failStore = false;
  /** Every value stored, in order. */
  readonly stored: string[] = [];
  deletions = 0;

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async store(key: string, value: string): Promise<void> {
    if (this.failStore) throw new Error('Cannot create an item in a locked collection');
    this.stored.push(value);
    this.values.set(key, value);
  }

  async delete(key: string): Promise<void> {
    if (this.values.delete(key)) this.deletions++;
  }
}

/** Global state (a Memento) stand-in. */
export class MemoryState implements StateBackend {
  readonly values = new Map<string, unknown>();

  get<T>(key: string): T | undefined {
    const value = this.values.get(key);
    return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as T);
  }

  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, JSON.parse(JSON.stringify(value)));
  }
}

/**
 * The real AccountStore over in-memory secret storage and global state. Given a token, it starts signed in
 * with that one account (its organization not known yet, as after an upgrade), already loaded.
 */
export class MemoryAccounts extends AccountStore {
  readonly secrets: MemorySecrets;
  readonly memento: MemoryState;

  constructor(token?: string, options: { failStore?: boolean; secrets?: MemorySecrets; state?: MemoryState; orgId?: string } = {}) {
    const secrets = options.secrets ?? new MemorySecrets();
    const state = options.state ?? new MemoryState();
    let counter = 0;
    super({ secrets, state, log: new MemoryLog(), newId: () => `acct${++counter}` });
    this.secrets = secrets;
    this.memento = state;
    if (token !== undefined && !options.secrets) {
      const account: Account = { id: 'acct0', orgId: options.orgId as OrgId | undefined, env: tokenEnvironment(token), key: undefined };
      secrets.values.set(tokenSecretKey(account.id), token);
      state.values.set(ACCOUNTS_STATE_KEY, { accounts: [account], currentId: account.id, labels: {} });
      this.tokens.set(account.id, token as ApiToken);
      this.data = { accounts: [account], currentId: account.id, labels: {} };
    }
    if (!options.secrets) {
      this.ready = true;
      this.loading = Promise.resolve();
    }
    secrets.failStore = options.failStore ?? false;
  }

  /** The current token, as requests use it. */
  get token(): ApiToken | undefined {
    return this.currentToken();
  }

  /** Swaps the current account's token behind the app's back, as a token revoked elsewhere meanwhile looks. */
  set token(value: ApiToken | undefined) {
    const current = this.current();
    if (current && value) this.tokens.set(current.id, value);
  }

  /** Every token value stored in secret storage, in order. */
  get stored(): readonly string[] {
    return this.secrets.stored;
  }

  get deletions(): number {
    return this.secrets.deletions;
  }
}

/** Global-state stand-in: the override and up to five recently used organizations, newest first. */
export class MemoryOrganizations implements Organizations {
  current: OrgId | undefined;
  recent: OrgId[];
  readonly selections: Array<OrgId | undefined> = [];

  constructor(current?: string, recent: readonly string[] = []) {
    this.current = current as OrgId | undefined;
    this.recent = [...recent] as OrgId[];
  }

  async select(organizationId: OrgId | undefined): Promise<void> {
    this.selections.push(organizationId);
    this.current = organizationId;
    if (organizationId) this.recent = [organizationId, ...this.recent.filter((id) => id !== organizationId)].slice(0, 5);
  }
}
