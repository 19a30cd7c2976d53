import * as vscode from 'vscode';
import { checkToken, type ApiToken } from './core/ids';
import { type Logger } from './core/errors';
import { type Redactor } from './core/redact';
import { type TokenStore } from './flows/context';

const TOKEN_KEY = 'factify.apiToken';

/**
 * The API token in SecretStorage, and nowhere else. Keeps the last value read so that requests can be
 * built synchronously, and follows changes made by other windows.
 */
export class SecretTokenStore implements TokenStore, vscode.Disposable {
  private cached: ApiToken | undefined;
  private loaded: Promise<ApiToken | undefined> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage, private readonly redactor: Redactor, private readonly log: Logger) {
    this.subscription = secrets.onDidChange((event) => {
      if (event.key !== TOKEN_KEY) return;
      this.loaded = undefined;
      void this.get().then(undefined, () => undefined);
    });
  }

  /** The token read so far; undefined until `get()` has resolved once, or while signed out. */
  current(): ApiToken | undefined {
    return this.cached;
  }

  get(): Promise<ApiToken | undefined> {
    this.loaded ??= this.read();
    return this.loaded;
  }

  async store(token: ApiToken): Promise<void> {
    await this.secrets.store(TOKEN_KEY, token);
    this.set(token);
  }

  async delete(): Promise<void> {
    await this.secrets.delete(TOKEN_KEY);
    this.set(undefined);
  }

  private async read(): Promise<ApiToken | undefined> {
    let value: string | undefined;
    try {
      value = await this.secrets.get(TOKEN_KEY);
    } catch (error) {
      this.log.error(`Reading the token from SecretStorage failed: ${String(error)}`);
      value = undefined;
    }
    const check = value === undefined ? undefined : checkToken(value);
    if (check && !check.ok) this.log.warn(`Ignoring the stored token: ${check.reason}`);
    this.set(check?.ok ? check.token : undefined);
    return this.cached;
  }

  private set(token: ApiToken | undefined): void {
    this.loaded = Promise.resolve(token);
    this.redactor.addSecret(token);
    if (token === this.cached) return;
    this.cached = token;
    this.changed.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
