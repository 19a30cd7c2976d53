import * as vscode from 'vscode';
import { KeysStore } from './core/keysStore';
import { Redactor } from './core/redact';
import { registerCommands } from './commands';
import { Connection } from './connection';
import { ExpiryReminders } from './expiryReminders';
import { type AppContext } from './flows/context';
import { registerAgentTools } from './lmTools';
import { createLog } from './log';
import { MementoOrganizations } from './organizations';
import { createPrompts } from './prompts';
import { SecretTokenStore } from './secrets';
import { affectsConnection, settings } from './settings';
import { OrganizationStatusBar } from './statusBar';
import { KeyNode, KeysView } from './treeView';
import { KeyDirectory } from './core/keyDirectory';
import { ownOrganizationId } from './flows/organizationLabel';
import { LeakDetector, registerLeakCommands } from './leaks';

/** Wires the shell together. No network work here: the first request happens when the view is shown. */
export function activate(context: vscode.ExtensionContext): { view: KeysView; leaks: LeakDetector } {
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
    prompts: createPrompts(redactor), tokens, organizations, store, log, client: connection.current, confirmRevoke: settings.confirmRevoke,
  };
  // The view's first show reads the token; the connection opens meanwhile (no request before the token is known).
  const view = new KeysView(ctx, () => {
    connection.preconnect();
    return tokens.get();
  }, redactor);
  const statusBar = new OrganizationStatusBar(ctx, redactor);
  // Leak detection matches found tokens against the current account's keys (revoked included).
  const currentAuth = () => {
    const token = tokens.current();
    return token ? { token, organizationId: organizations.current } : undefined;
  };
  const directory = new KeyDirectory({
    accounts: async () => {
      // The token is read from SecretStorage on first need, so findings are right before the view ever shows.
      await tokens.get();
      const auth = currentAuth();
      const label = organizations.current ?? ownOrganizationId(store.snapshot) ?? 'your current organization';
      return auth ? [{ auth, label, orgId: organizations.current }] : [];
    },
    storeList: () => {
      const loaded = store.snapshot.loaded;
      const token = tokens.current();
      return loaded && token
        ? { auth: { token, organizationId: loaded.query.organizationId }, keys: loaded.keys, includesRevoked: loaded.query.includeRevoked }
        : undefined;
    },
    client: connection.current,
    log,
  });
  const leaks = new LeakDetector({
    ctx, directory, log, redactor,
    revealKey: (key) => view.revealKey(key.id).catch(() => false),
    isCurrentOrganization: (key) => directory.listedBy(key.id, currentAuth()),
  });
  view.markFound((keyId) => leaks.locations(keyId).map((place) => place.label));
  const reminders = new ExpiryReminders({
    store, memento: context.globalState, revealKey: (key) => view.revealKey(key.id).then(() => undefined), redact: (text) => redactor.redact(text), log,
  });

  context.subscriptions.push(
    log, tokens, connection, view, statusBar, reminders, { dispose: () => store.dispose() },
    ...registerCommands({ ctx, view, log, redactor }),
    ...registerAgentTools({ ctx, redactor }),
    leaks, { dispose: () => directory.dispose() },
    store.onDidChange(() => directory.storeChanged()),
    tokens.onDidChange(() => directory.invalidate()),
    leaks.onDidChangeFindings(() => view.markFound((keyId) => leaks.locations(keyId).map((place) => place.label))),
    ...registerLeakCommands(leaks, { log, ctx }, (node) => (node instanceof KeyNode ? node.key : undefined)),
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
  return { view, leaks };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
