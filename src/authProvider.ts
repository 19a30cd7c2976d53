import vscode = require('vscode');
import { t } from './core/l10n';
import { signIn, signOutAccounts } from './flows/account';
import { type AppContext } from './flows/context';

const AUTH_PROVIDER_ID = 'factify';
const AUTH_PROVIDER_LABEL = 'Factify';

/**
 * The accounts in VS Code's Accounts menu: one session per account, named by its organization's label.
 * Signing out there is Sign Out of that account; signing in runs Set API Token….
 */
export class FactifyAuthenticationProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changed.event;
  private known = new Map<string, vscode.AuthenticationSession>();
  /** The token each published session stood for, to tell a replaced token (kept in memory, never published). */
  private readonly tokenOf = new WeakMap<vscode.AuthenticationSession, string>();
  private readonly subscription: { dispose(): void };

  constructor(private readonly ctx: AppContext) {
    this.subscription = ctx.accounts.onDidChange(() => this.publishChanges());
  }

  async getSessions(): Promise<vscode.AuthenticationSession[]> {
    await this.ctx.accounts.load();
    const sessions = this.sessions();
    this.known = new Map(sessions.map((session) => [session.id, session]));
    return sessions;
  }

  async createSession(): Promise<vscode.AuthenticationSession> {
    const result = await signIn(this.ctx);
    const current = this.ctx.accounts.current();
    const session = current && this.sessions().find((candidate) => candidate.id === current.id);
    if ((result !== 'stored' && result !== 'storedUnverified') || !session)
      throw new Error(t('Signing in to Factify was cancelled or did not succeed.'));
    return session;
  }

  async removeSession(sessionId: string): Promise<void> {
    await signOutAccounts(this.ctx, [sessionId]);
  }

  private sessions(): vscode.AuthenticationSession[] {
    // Any extension may ask VS Code for these sessions: the access token is an opaque handle, never the API
    // token, which stays in SecretStorage and the Authorization header only. The token is looked at only to
    // tell that an account's token was replaced.
    return this.ctx.accounts.signedIn().map(({ account, auth, label }) => {
      const session = {
        id: account.id,
        accessToken: `factify-account:${account.id}`,
        account: { id: account.orgId ?? account.id, label: `${label} (${account.env})` },
        scopes: [],
      };
      this.tokenOf.set(session, auth.token);
      return session;
    });
  }

  private publishChanges(): void {
    const now = new Map(this.sessions().map((session) => [session.id, session]));
    const before = this.known;
    // The Accounts menu tells accounts apart by label: a renamed organization is a session removed and one added.
    const relabelled = (session: vscode.AuthenticationSession) => {
      const previous = before.get(session.id);
      return previous !== undefined && previous.account.label !== session.account.label;
    };
    const added = [...now.values()].filter((session) => !before.has(session.id) || relabelled(session));
    const removed = [...before.values()].filter((session) => {
      const next = now.get(session.id);
      return next === undefined || next.account.label !== session.account.label;
    });
    const changed = [...now.values()].filter((session) => {
      const previous = before.get(session.id);
      return previous !== undefined && !relabelled(session) && this.tokenOf.get(previous) !== this.tokenOf.get(session);
    });
    this.known = now;
    if (added.length || removed.length || changed.length) this.changed.fire({ added, removed, changed });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export function registerAuthenticationProvider(ctx: AppContext): vscode.Disposable {
  const provider = new FactifyAuthenticationProvider(ctx);
  const registration = vscode.authentication.registerAuthenticationProvider(AUTH_PROVIDER_ID, AUTH_PROVIDER_LABEL, provider, {
    supportsMultipleAccounts: true,
  });
  return vscode.Disposable.from(registration, provider);
}
