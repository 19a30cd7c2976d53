/**
 * What the user journeys need, as interfaces: the VS Code shell implements them over `vscode.window`,
 * SecretStorage and Mementos; unit tests implement them with scripted answers.
 */
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

/** The token, kept in SecretStorage only. */
export interface TokenStore {
  get(): Promise<ApiToken | undefined>;
  /** Throws when the OS keyring refuses; there is never a plain-text fallback. */
  store(token: ApiToken): Promise<void>;
  delete(): Promise<void>;
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
  readonly tokens: TokenStore;
  readonly organizations: Organizations;
  readonly store: KeysStore;
  readonly log: Logger;
  /** Throws a FactifyError when the settings do not allow a request. */
  readonly client: () => FactifyClient;
  readonly confirmRevoke: () => boolean;
}
