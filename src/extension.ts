import * as vscode from 'vscode';
import { KeysStore } from './core/keysStore';
import { Redactor } from './core/redact';
import { registerCommands } from './commands';
import { Connection } from './connection';
import { type AppContext } from './flows/context';
import { createLog } from './log';
import { MementoOrganizations } from './organizations';
import { vscodePrompts } from './prompts';
import { SecretTokenStore } from './secrets';
import { affectsConnection, settings } from './settings';
import { OrganizationStatusBar } from './statusBar';
import { KeysView } from './treeView';

/** Wires the shell together. No network work here: the first request happens when the view is shown. */
export function activate(context: vscode.ExtensionContext): { view: KeysView } {
  const redactor = new Redactor();
  const log = createLog(redactor);
  const tokens = new SecretTokenStore(context.secrets, redactor, log);
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
  const connection = new Connection(`factify-vscode/${version} vscode/${vscode.version}`);
  const organizations = new MementoOrganizations(context.globalState, () => statusBar.update());
  const store = new KeysStore({
    client: connection.current,
    auth: () => {
      const token = tokens.current();
      return token ? { token, organizationId: organizations.current } : undefined;
    },
    includeRevoked: settings.showRevokedKeys,
    now: Date.now,
    log,
  });
  const ctx: AppContext = {
    prompts: vscodePrompts, tokens, organizations, store, log, client: connection.current, confirmRevoke: settings.confirmRevoke,
  };
  // The view's first show reads the token; the connection opens meanwhile (no request before the token is known).
  const view = new KeysView(ctx, () => {
    connection.preconnect();
    return tokens.get();
  });
  const statusBar = new OrganizationStatusBar(ctx);

  context.subscriptions.push(
    log, tokens, connection, view, statusBar, { dispose: () => store.dispose() },
    ...registerCommands({ ctx, view, log, redactor }),
    tokens.onDidChange(() => {
      store.reset();
      void store.refresh();
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
