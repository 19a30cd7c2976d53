/**
 * Accounts: Factify binds a token to one organization, so someone who administers several organizations holds
 * one token for each. An account is one token and what is known about it; the tokens live in secret storage
 * (one entry each), the rest — not secret — in a key-value state. Pure: no `vscode` import; the shell passes
 * SecretStorage and global state in.
 */
import { organizationsOfList, type ApiKey } from './apiKey';
import { type RequestAuth } from './client';
import { describeForLog, toFactifyError, type Logger } from './errors';
import { asOrgId, checkToken, type ApiToken, type OrgId } from './ids';
import { t } from './l10n';
import { displayText } from './text';

/** The listed key a token is: the one whose prefix, less its trailing ellipsis, starts the token. */
export interface TokenKey {
  readonly id: string;
  readonly prefix: string;
  readonly name: string;
}

export interface Account {
  /** A local id that names the account's secret-storage entry; never sent anywhere. */
  readonly id: string;
  /** Undefined until a list has shown it (a token saved while Factify could not be reached). */
  readonly orgId: OrgId | undefined;
  /** The `<env>` of `ffy_<env>_`. */
  readonly env: string;
  readonly key: TokenKey | undefined;
}

export interface AccountsState {
  readonly accounts: readonly Account[];
  readonly currentId: string | undefined;
  /** Local names of organizations (the API has none), by org id. */
  readonly labels: Readonly<Record<string, string>>;
}

export const EMPTY_ACCOUNTS: AccountsState = { accounts: [], currentId: undefined, labels: {} };
const MAX_LABEL_LENGTH = 60;

/** The environment part of `ffy_<env>_…`. */
export function tokenEnvironment(token: string): string {
  return /^ffy_([a-z0-9]+)_/.exec(token)?.[1] ?? 'unknown';
}

/**
 * A listed prefix's stem (less a trailing `...`/`…`) when it can name a key: `ffy_<env>_` and at most the 26
 * typed characters after it. A longer "prefix" would reach into the token's random tail, so it names nothing.
 */
function keyPrefixStem(prefix: string): string | undefined {
  const stem = prefix.replace(/(\.\.\.|…)$/, '');
  // `ffy_<env>_` alone says nothing about which key it is.
  return /^ffy_[a-z0-9]+_[0-9A-Za-z]{1,26}$/.test(stem) ? stem : undefined;
}

/** Whether a listed prefix (`ffy_prod_01kdx2z2...`) is the start of this token. */
export function prefixStartsToken(prefix: string, token: string): boolean {
  const stem = keyPrefixStem(prefix);
  return stem !== undefined && token.startsWith(stem);
}

/**
 * A prefix as it may be kept or shown: any token-shaped run is cut after the 26 typed characters, so a stored
 * record (or an older version's) never holds a token's random tail.
 */
export function safeKeyPrefix(prefix: string): string {
  return prefix.replace(/(ffy_[a-z0-9]+_[0-9A-Za-z]{26})[0-9A-Za-z]+(\.\.\.|…)?/g, '$1...');
}

/** The listed key the token is; with several candidates, the one with the longest matching prefix. */
export function findTokenKey(keys: readonly ApiKey[], token: string): TokenKey | undefined {
  let best: { key: ApiKey; stem: string } | undefined;
  for (const key of keys) {
    // Most prefixes part from the token within a few characters: that is checked before the pattern.
    if (!startsWithStem(token, key.prefix)) continue;
    const stem = keyPrefixStem(key.prefix);
    if (stem === undefined || !token.startsWith(stem)) continue;
    if (!best || stem.length > best.stem.length) best = { key, stem };
  }
  if (!best) return undefined;
  // Only the capped stem is kept (with the ellipsis the list showed), never more of the listed text.
  const ellipsis = /(\.\.\.|…)$/.exec(best.key.prefix)?.[1] ?? '';
  return { id: best.key.id, prefix: `${best.stem}${ellipsis}`, name: best.key.name };
}

/** Whether `token` starts with `prefix` less a trailing `...`/`…`: compared in place, since it runs for every key. */
function startsWithStem(token: string, prefix: string): boolean {
  const length = prefix.endsWith('...') ? prefix.length - 3 : prefix.endsWith('…') ? prefix.length - 1 : prefix.length;
  if (length > token.length) return false;
  for (let at = 0; at < length; at++) if (prefix.charCodeAt(at) !== token.charCodeAt(at)) return false;
  return true;
}

/** The organization a list answer belongs to: only a valid org id counts, and every record must agree. */
export function organizationOfList(keys: readonly ApiKey[]): OrgId | undefined {
  return organizationsOfList(keys).agreed;
}

/** The first valid org id a list's records name, whether or not the others agree. */
export function firstOrganizationOfList(keys: readonly ApiKey[]): OrgId | undefined {
  return organizationsOfList(keys).first;
}

/** Why a local organization name is refused, or undefined when it is fine. An empty name removes it. */
export function explainInvalidLabel(input: string): string | undefined {
  const value = input.trim();
  if (value.length > MAX_LABEL_LENGTH) return t('Keep the name under {0} characters (now {1}).', MAX_LABEL_LENGTH, value.length);
  if (displayText(value, MAX_LABEL_LENGTH) !== value) return t('Use plain text on one line: no control or invisible characters.');
  // `$(name)` would be drawn as an icon in the status bar and quick picks: a name is shown as typed.
  if (value.includes('$(')) return t('A name cannot contain “$(”.');
  if (/^ffy_/.test(value)) return t('That looks like a token: a name is shown everywhere, so never put a token in it.');
  return undefined;
}

/** How an organization is named: its local name, else its id. */
export function organizationLabel(state: AccountsState, orgId: OrgId | undefined): string {
  if (!orgId) return t('organization not known yet');
  return state.labels[orgId] ?? orgId;
}

function currentAccount(state: AccountsState): Account | undefined {
  return state.accounts.find((account) => account.id === state.currentId);
}

/**
 * Adds the account of a new token, or — when an account of that organization exists — gives that account the
 * new token (under its id). Either way the account becomes current. `replaced` names the account kept.
 */
export function addAccount(state: AccountsState, candidate: Account): { state: AccountsState; id: string; replaced: boolean } {
  const existing = candidate.orgId ? state.accounts.find((account) => account.orgId === candidate.orgId) : undefined;
  if (existing) {
    const updated: Account = { ...candidate, id: existing.id };
    return {
      state: {
        ...state,
        accounts: state.accounts.map((account) => (account.id === existing.id ? updated : account)),
        currentId: existing.id,
      },
      id: existing.id,
      replaced: true,
    };
  }
  return { state: { ...state, accounts: [...state.accounts, candidate], currentId: candidate.id }, id: candidate.id, replaced: false };
}

/**
 * What a first successful list taught about an account. When another account already holds that
 * organization, this (newer) token wins and the other account is dropped: `dropped` names it.
 */
export function learnAccount(
  state: AccountsState,
  id: string,
  orgId: OrgId,
  key: TokenKey | undefined,
): { state: AccountsState; dropped: string[] } {
  const dropped = state.accounts.filter((account) => account.id !== id && account.orgId === orgId).map((account) => account.id);
  const accounts = state.accounts
    .filter((account) => !dropped.includes(account.id))
    .map((account) =>
      account.id === id ? { ...account, orgId, key: key ? { ...key, prefix: safeKeyPrefix(key.prefix) } : account.key } : account,
    );
  const currentId = state.currentId && dropped.includes(state.currentId) ? id : state.currentId;
  return { state: { ...state, accounts, currentId }, dropped };
}

/** Signs out of one account; when it was current, the first remaining account becomes current. */
export function removeAccount(state: AccountsState, id: string): AccountsState {
  const accounts = state.accounts.filter((account) => account.id !== id);
  const currentId =
    state.currentId === id || !accounts.some((account) => account.id === state.currentId) ? accounts[0]?.id : state.currentId;
  return { ...state, accounts, currentId };
}

export function switchAccount(state: AccountsState, id: string): AccountsState {
  return state.accounts.some((account) => account.id === id) ? { ...state, currentId: id } : state;
}

/** Sets (or, with an empty name, removes) the local name of an organization. */
export function renameOrganization(state: AccountsState, orgId: OrgId, label: string): AccountsState {
  const labels = { ...state.labels };
  const clean = label.trim();
  if (clean === '' || clean === orgId) delete labels[orgId];
  else labels[orgId] = clean;
  return { ...state, labels };
}

/** Reads what global state holds, which any version (or a hand edit) may have written: keeps only what is valid. */
export function parseAccountsState(raw: unknown): AccountsState {
  if (typeof raw !== 'object' || raw === null) return EMPTY_ACCOUNTS;
  const value = raw as { accounts?: unknown; currentId?: unknown; labels?: unknown };
  const accounts: Account[] = [];
  for (const entry of Array.isArray(value.accounts) ? value.accounts : []) {
    if (typeof entry !== 'object' || entry === null) continue;
    const record = entry as Record<string, unknown>;
    if (typeof record.id !== 'string' || !/^[a-z0-9]{1,40}$/.test(record.id) || accounts.some((account) => account.id === record.id))
      continue;
    const key = record.key as Record<string, unknown> | undefined;
    accounts.push({
      id: record.id,
      orgId: asOrgId(record.orgId),
      env: typeof record.env === 'string' && /^[a-z0-9]{1,20}$/.test(record.env) ? record.env : 'unknown',
      key:
        key && typeof key.id === 'string' && typeof key.prefix === 'string' && typeof key.name === 'string'
          ? { id: key.id, prefix: safeKeyPrefix(key.prefix), name: key.name }
          : undefined,
    });
  }
  const labels: Record<string, string> = {};
  if (typeof value.labels === 'object' && value.labels !== null) {
    for (const [orgId, label] of Object.entries(value.labels as Record<string, unknown>)) {
      if (asOrgId(orgId) && typeof label === 'string' && explainInvalidLabel(label) === undefined && label.trim() !== '')
        labels[orgId] = label.trim();
    }
  }
  const currentId =
    typeof value.currentId === 'string' && accounts.some((account) => account.id === value.currentId) ? value.currentId : accounts[0]?.id;
  return { accounts, currentId, labels };
}

// ---------------------------------------------------------------------------------------------------------
// The store over secret storage and global state

/** SecretStorage, as far as accounts need it. */
export interface SecretBackend {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

/** A Memento (global state), as far as accounts need it. */
export interface StateBackend {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export const ACCOUNTS_STATE_KEY = 'factify.accounts';
/** Where 0.1.0 kept its single token. */
export const LEGACY_TOKEN_KEY = 'factify.apiToken';
const TOKEN_KEY_PREFIX = 'factify.token.';

/** The secret-storage entry of an account's token. */
export function tokenSecretKey(accountId: string): string {
  return `${TOKEN_KEY_PREFIX}${accountId}`;
}

/** Whether a secret-storage change concerns accounts (so the store should read again). */
export function isAccountSecretKey(key: string): boolean {
  return key === LEGACY_TOKEN_KEY || key.startsWith(TOKEN_KEY_PREFIX);
}

/** A signed-in account with what a request under it needs, and how to name it. */
export interface SignedInAccount {
  readonly account: Account;
  readonly auth: RequestAuth;
  readonly label: string;
  readonly current: boolean;
}

export interface AccountStoreDeps {
  readonly secrets: SecretBackend;
  readonly state: StateBackend;
  readonly log: Logger;
  /** Told every token read or stored, so that the redactor masks it. */
  readonly onToken?: (token: ApiToken) => void;
  readonly newId?: () => string;
}

type Listener = () => void;

function randomId(): string {
  return `a${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 6).toString(36)}`;
}

/**
 * The accounts and their tokens. Reads are synchronous (requests are built synchronously) once `load()` has
 * resolved. A keyring failure leaves the accounts as they were.
 */
export class AccountStore {
  protected data: AccountsState = EMPTY_ACCOUNTS;
  protected readonly tokens = new Map<string, ApiToken>();
  protected loading: Promise<void> | undefined;
  protected ready = false;
  private readonly listeners = new Set<Listener>();
  /** Serializes writes: each reads the latest state before changing it. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: AccountStoreDeps) {}

  /** False until secret storage has answered once: "signed out" before that would be a guess. */
  get loaded(): boolean {
    return this.ready;
  }

  get state(): AccountsState {
    return this.data;
  }

  /** Reads accounts and tokens (once), moving a token stored by 0.1.0 into the first account. */
  load(): Promise<void> {
    this.loading ??= this.read(true);
    return this.loading;
  }

  /** Reads again, after another window changed secret storage or global state. Fires a change only if something changed. */
  async reload(): Promise<void> {
    await this.load();
    await this.serialized(() => this.read(false));
  }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  list(): readonly Account[] {
    return this.data.accounts;
  }

  current(): Account | undefined {
    return currentAccount(this.data);
  }

  currentToken(): ApiToken | undefined {
    const current = this.current();
    return current ? this.tokens.get(current.id) : undefined;
  }

  tokenOf(accountId: string): ApiToken | undefined {
    return this.tokens.get(accountId);
  }

  label(orgId: OrgId | undefined): string {
    return organizationLabel(this.data, orgId);
  }

  /** Every signed-in account, current first, with the auth a request under its own organization needs. */
  signedIn(): SignedInAccount[] {
    const result: SignedInAccount[] = [];
    for (const account of this.data.accounts) {
      const token = this.tokens.get(account.id);
      if (!token) continue;
      const entry = {
        account,
        auth: { token, organizationId: undefined },
        label: this.label(account.orgId),
        current: account.id === this.data.currentId,
      };
      if (entry.current) result.unshift(entry);
      else result.push(entry);
    }
    return result;
  }

  /** Stores a verified (or unverifiable) token and makes its account current. Throws when the keyring refuses. */
  add(token: ApiToken, learned: { orgId: OrgId | undefined; key: TokenKey | undefined }): Promise<{ account: Account; replaced: boolean }> {
    return this.serialized(async () => {
      await this.load();
      const latest = this.latest();
      const candidate: Account = {
        id: (this.deps.newId ?? randomId)(),
        orgId: learned.orgId,
        env: tokenEnvironment(token),
        key: learned.key,
      };
      const added = addAccount(latest, candidate);
      // Metadata first, then the token: the SecretStorage change is what tells other windows to read again,
      // and they then find the account. A refused token takes the metadata back.
      await this.deps.state.update(ACCOUNTS_STATE_KEY, added.state);
      try {
        await this.deps.secrets.store(tokenSecretKey(added.id), token);
      } catch (thrown) {
        await this.deps.state.update(ACCOUNTS_STATE_KEY, latest);
        throw thrown;
      }
      this.deps.onToken?.(token);
      this.tokens.set(added.id, token);
      this.apply(added.state);
      return { account: added.state.accounts.find((account) => account.id === added.id) as Account, replaced: added.replaced };
    });
  }

  switchTo(accountId: string): Promise<void> {
    return this.change((state) => switchAccount(state, accountId));
  }

  rename(orgId: OrgId, label: string): Promise<void> {
    return this.change((state) => renameOrganization(state, orgId, label));
  }

  /**
   * Records the organization (and key) a list under `token` showed, for the account `token` belongs to; nothing
   * when the account has another token by now (it was replaced, or accounts were re-read meanwhile).
   */
  learn(accountId: string, token: ApiToken, orgId: OrgId, key: TokenKey | undefined): Promise<void> {
    return this.serialized(async () => {
      if (this.tokens.get(accountId) !== token) return;
      const latest = this.latest();
      const account = latest.accounts.find((candidate) => candidate.id === accountId);
      if (!account || (account.orgId === orgId && (key === undefined || account.key?.id === key.id))) return;
      const learned = learnAccount(latest, accountId, orgId, key);
      for (const id of learned.dropped) await this.forgetToken(id);
      await this.write(learned.state);
    });
  }

  /** Signs out of the given accounts: deletes their tokens, then their metadata. Throws when the keyring refuses. */
  remove(accountIds: readonly string[]): Promise<void> {
    return this.serialized(async () => {
      await this.load();
      let state = this.latest();
      for (const id of accountIds) {
        await this.deps.secrets.delete(tokenSecretKey(id));
        this.tokens.delete(id);
        state = removeAccount(state, id);
      }
      await this.write(state);
    });
  }

  private change(update: (state: AccountsState) => AccountsState): Promise<void> {
    return this.serialized(async () => {
      await this.load();
      await this.write(update(this.latest()));
    });
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.writes.then(task, task);
    this.writes = run.catch(() => undefined);
    return run;
  }

  /** Global state as it is now: another window may have changed it since it was read. */
  private latest(): AccountsState {
    return parseAccountsState(this.deps.state.get(ACCOUNTS_STATE_KEY));
  }

  private async write(state: AccountsState): Promise<void> {
    await this.deps.state.update(ACCOUNTS_STATE_KEY, state);
    this.apply(state);
    // An account another window added, whose token this window has not read yet.
    if (state.accounts.some((account) => !this.tokens.has(account.id))) void this.reload().catch(() => undefined);
  }

  private async forgetToken(accountId: string): Promise<void> {
    try {
      await this.deps.secrets.delete(tokenSecretKey(accountId));
    } catch (thrown) {
      this.deps.log.warn(`Deleting a replaced token from SecretStorage failed: ${describeForLog(toFactifyError(thrown))}`);
    }
    this.tokens.delete(accountId);
  }

  private async read(first: boolean): Promise<void> {
    const before = this.signature();
    let state = parseAccountsState(this.deps.state.get(ACCOUNTS_STATE_KEY));
    const tokens = new Map<string, ApiToken>();
    for (const account of state.accounts) {
      const token = await this.readSecret(tokenSecretKey(account.id));
      if (token) tokens.set(account.id, token);
    }
    state = { ...state, accounts: state.accounts.filter((account) => tokens.has(account.id)) };
    if (!state.accounts.some((account) => account.id === state.currentId)) state = { ...state, currentId: state.accounts[0]?.id };
    this.tokens.clear();
    for (const [id, token] of tokens) this.tokens.set(id, token);
    this.data = state;
    await this.migrateLegacyToken();
    this.ready = true;
    if (!first && before !== this.signature()) this.emit();
  }

  /** What a change would be seen in (kept in memory only, never logged). */
  private signature(): string {
    return JSON.stringify([this.data, [...this.tokens.entries()]]);
  }

  /** 0.1.0 kept one token under `factify.apiToken`: it becomes an account (its organization is learnt by the first list). */
  private async migrateLegacyToken(): Promise<void> {
    const legacy = await this.readSecret(LEGACY_TOKEN_KEY);
    if (!legacy) return;
    try {
      if (![...this.tokens.values()].includes(legacy)) {
        const id = (this.deps.newId ?? randomId)();
        await this.deps.secrets.store(tokenSecretKey(id), legacy);
        this.tokens.set(id, legacy);
        const state = {
          ...this.data,
          accounts: [...this.data.accounts, { id, orgId: undefined, env: tokenEnvironment(legacy), key: undefined }],
        };
        const migrated = { ...state, currentId: this.data.currentId ?? id };
        await this.deps.state.update(ACCOUNTS_STATE_KEY, migrated);
        this.data = migrated;
        this.deps.log.info('Moved the token saved by an earlier version into its own account.');
      }
      await this.deps.secrets.delete(LEGACY_TOKEN_KEY);
    } catch (thrown) {
      this.deps.log.error(`Moving the earlier version's token into an account failed: ${describeForLog(toFactifyError(thrown))}`);
    }
  }

  private async readSecret(key: string): Promise<ApiToken | undefined> {
    let value: string | undefined;
    try {
      value = await this.deps.secrets.get(key);
    } catch (error) {
      this.deps.log.error(`Reading a token from SecretStorage failed: ${String(error)}`);
      return undefined;
    }
    if (value === undefined) return undefined;
    const check = checkToken(value);
    if (!check.ok) {
      this.deps.log.warn(`Ignoring a stored token: ${check.reason}`);
      return undefined;
    }
    this.deps.onToken?.(check.token);
    return check.token;
  }

  /** What this window works with: the accounts whose token it holds. */
  private apply(state: AccountsState): void {
    const accounts = state.accounts.filter((account) => this.tokens.has(account.id));
    const currentId = accounts.some((account) => account.id === state.currentId) ? state.currentId : accounts[0]?.id;
    this.data = { ...state, accounts, currentId };
    this.emit();
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
