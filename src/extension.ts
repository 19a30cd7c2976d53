import vscode = require('vscode');
import { isAccountSecretKey } from './core/accounts';
import { leakFindingSummary } from './core/agentTools';
import { useL10nBundle } from './core/l10n';
import { Redactor } from './core/redact';
import { createApp } from './app';
import { registerAuthenticationProvider } from './authProvider';
import { registerCommands } from './commands';
import { Connection } from './connection';
import { ExpiryReminders } from './expiryReminders';
import { LeakDetector, leakSettings, registerLeakCommands } from './leaks';
import { registerAgentTools } from './lmTools';
import { createLog } from './log';
import { MementoOrganizations } from './organizations';
import { createPrompts } from './prompts';
import { affectsConnection, settings } from './settings';
import { OrganizationStatusBar } from './statusBar';
import { KeyNode, KeysView } from './treeView';

/** Wires the shell together. No network work here: the first request happens when the view is shown. */
export function activate(context: vscode.ExtensionContext): { view: KeysView; leaks: LeakDetector } {
  useL10nBundle(vscode.l10n.bundle, vscode.env.language);
  const redactor = new Redactor();
  const log = createLog(redactor);
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
  const storage = context.globalStorageUri;
  const connection = new Connection(
    `factify-vscode/${version} vscode/${vscode.version}`,
    storage.scheme === 'file' ? storage.fsPath : undefined,
  );
  const organizations = new MementoOrganizations(context.globalState, () => statusBar.update());
  const app = createApp({
    prompts: createPrompts(redactor),
    secrets: context.secrets,
    state: context.globalState,
    organizations,
    client: connection.current,
    includeRevoked: settings.showRevokedKeys,
    confirmRevoke: settings.confirmRevoke,
    log,
    redactor,
  });
  const { ctx, store, accounts, directory } = app;
  // The view's first show reads the accounts; the connection opens meanwhile (no request before a token is known).
  const view = new KeysView(
    ctx,
    () => {
      connection.preconnect();
      return app.start();
    },
    redactor,
  );
  const statusBar = new OrganizationStatusBar(ctx, redactor);
  const followOtherWindows = () =>
    void accounts
      .load()
      .then(() => accounts.reload())
      .catch(() => undefined);

  const leaks = new LeakDetector({
    ctx,
    directory,
    log,
    redactor,
    revealKey: (key) => view.revealKey(key.id).catch(() => false),
    isCurrentOrganization: (key) => directory.listedBy(key.id, store.currentAuth()),
  });
  const markFound = () => view.markFound((keyId) => leaks.locations(keyId).map((place) => place.label));
  markFound();
  const reminders = new ExpiryReminders({
    store,
    memento: context.globalState,
    revealKey: (key) => view.revealKey(key.id).then(() => undefined),
    notify: (message, ...actions) => ctx.prompts.info(message, ...actions),
    log,
  });

  context.subscriptions.push(
    log,
    connection,
    view,
    statusBar,
    reminders,
    leaks,
    { dispose: () => app.dispose() },
    ...registerCommands({ ctx, view, log, redactor }),
    ...registerLeakCommands(leaks, { log, ctx }, (node) => (node instanceof KeyNode ? node.key : undefined)),
    ...registerAgentTools({
      ctx,
      redactor,
      leaks: () => (leakSettings.enabled() ? { findings: async () => leaks.findings().map(leakFindingSummary) } : undefined),
    }),
    registerAuthenticationProvider(ctx),
    leaks.onDidChangeFindings(markFound),
    // Another window added or removed a token; global state (current account, names) is read again with it.
    context.secrets.onDidChange((event) => {
      if (isAccountSecretKey(event.key)) followOtherWindows();
    }),
    // Switching account or renaming writes global state only, which other windows see when they read it again.
    vscode.window.onDidChangeWindowState((state) => {
      if (state.focused && accounts.loaded) followOtherWindows();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsConnection(event)) {
        connection.reset();
        store.reset();
        void store.refresh();
      } else if (event.affectsConfiguration('factify.showRevokedKeys')) {
        void store.refresh();
      } else if (event.affectsConfiguration('factify')) {
        view.scheduleAutoRefresh();
        view.settingsChanged();
      }
    }),
  );
  return { view, leaks };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
