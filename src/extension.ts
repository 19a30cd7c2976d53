import * as vscode from 'vscode';
import { isAccountSecretKey } from './core/accounts';
import { Redactor } from './core/redact';
import { createApp } from './app';
import { registerAuthenticationProvider } from './authProvider';
import { registerCommands } from './commands';
import { Connection } from './connection';
import { createLog } from './log';
import { MementoOrganizations } from './organizations';
import { vscodePrompts } from './prompts';
import { affectsConnection, settings } from './settings';
import { OrganizationStatusBar } from './statusBar';
import { KeysView } from './treeView';

/** Wires the shell together. No network work here: the first request happens when the view is shown. */
export function activate(context: vscode.ExtensionContext): { view: KeysView } {
  const redactor = new Redactor();
  const log = createLog(redactor);
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
  const connection = new Connection(`factify-vscode/${version} vscode/${vscode.version}`);
  const organizations = new MementoOrganizations(context.globalState, () => statusBar.update());
  const app = createApp({
    prompts: vscodePrompts,
    secrets: context.secrets,
    state: context.globalState,
    organizations,
    client: connection.current,
    includeRevoked: settings.showRevokedKeys,
    confirmRevoke: settings.confirmRevoke,
    log,
    redactor,
  });
  const { ctx, store, accounts } = app;
  const view = new KeysView(ctx, app.start);
  const statusBar = new OrganizationStatusBar(ctx);
  const followOtherWindows = () => void accounts.load().then(() => accounts.reload()).catch(() => undefined);

  context.subscriptions.push(
    log, connection, view, statusBar, { dispose: () => app.dispose() },
    ...registerCommands({ ctx, view, log, redactor }),
    registerAuthenticationProvider(ctx),
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
        view.setFilter(view.filter);
      }
    }),
  );
  return { view };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
