/**
 * What the user journeys need, as interfaces: the VS Code shell implements them over `vscode.window`,
 * SecretStorage and Mementos; unit tests implement them with scripted answers.
 */
import { type Account, type AccountsState, type SignedInAccount, type TokenKey } from '../core/accounts';
import { type FactifyClient } from '../core/client';
import { type Logger } from '../core/errors';
import { type ApiToken, type OrgId } from '../core/ids';
import { type KeysStore } from '../core/keysStore';

export interface InputOptions {
  readonly title: string;
  readonly prompt: string;
  readonly placeHolder?: string;
  readonly password?: boolean;
  readonly value?: string;
  /** A message saying why the value is refused, or undefined to accept it. */
  readonly validate?: (value: string) => string | undefined;
}

export interface PickItem<T> {
  /** A separator line with this label: not choosable. */
  readonly separator?: boolean;
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  readonly value: T;
}

export interface Prompts {
  /** Undefined when the user pressed Escape. */
  input(options: InputOptions): Promise<string | undefined>;
  pick<T>(items: ReadonlyArray<PickItem<T>>, options: { title: string; placeHolder: string }): Promise<T | undefined>;
  /** A modal question; true only when the confirming button was chosen. */
  confirm(message: string, detail: string, confirmLabel: string): Promise<boolean>;
  info(message: string, ...actions: string[]): Promise<string | undefined>;
  warn(message: string, ...actions: string[]): Promise<string | undefined>;
  error(message: string, ...actions: string[]): Promise<string | undefined>;
  /** Shows progress on the Factify view while the task runs. */
  progress<T>(title: string, task: () => Promise<T>): Promise<T>;
}

/**
 * The accounts: one token per organization, each in its own SecretStorage entry; the rest (org id, local
 * organization names, environment, the key the token is) in global state. Reads are synchronous once
 * `load()` has resolved. Other parts (leak detection, agent tools) get every signed-in account, with the
 * auth a request under it needs and its label, from `signedIn()`.
 */
export interface Accounts {
  /** False until SecretStorage has answered once. */
  readonly loaded: boolean;
  readonly state: AccountsState;
  load(): Promise<void>;
  /** Reads again after another window changed secret storage or global state; fires a change only if something changed. */
  reload(): Promise<void>;
  list(): readonly Account[];
  current(): Account | undefined;
  currentToken(): ApiToken | undefined;
  /** How an organization is named: its local name, else its id. */
  label(orgId: OrgId | undefined): string;
  /** Every signed-in account, the current one first. */
  signedIn(): SignedInAccount[];
  /** Stores the token and makes its account current. Throws when the OS keyring refuses; there is never a plain-text fallback. */
  add(token: ApiToken, learned: { orgId: OrgId | undefined; key: TokenKey | undefined }): Promise<{ account: Account; replaced: boolean }>;
  switchTo(accountId: string): Promise<void>;
  rename(orgId: OrgId, label: string): Promise<void>;
  /** Records what a list under `token` showed for the account `token` belongs to; nothing once it has another. */
  learn(accountId: string, token: ApiToken, orgId: OrgId, key: TokenKey | undefined): Promise<void>;
  /** Throws when the OS keyring refuses. */
  remove(accountIds: readonly string[]): Promise<void>;
  onDidChange(listener: () => void): { dispose(): void };
}

/** Which organization requests act on, and the recently used ones. Not a secret: kept in global state. */
export interface Organizations {
  /** The override sent as `X-Factify-Organization-Id`; undefined means the token's own organization. */
  readonly current: OrgId | undefined;
  readonly recent: readonly OrgId[];
  select(organizationId: OrgId | undefined): Promise<void>;
}

export interface AppContext {
  readonly prompts: Prompts;
  readonly accounts: Accounts;
  readonly organizations: Organizations;
  readonly store: KeysStore;
  readonly log: Logger;
  /** Throws a FactifyError when the settings do not allow a request. */
  readonly client: () => FactifyClient;
  readonly confirmRevoke: () => boolean;
}
