import vscode = require('vscode');
import { checkApiBaseUrl, type BaseUrlCheck } from './core/baseUrl';
import { type ProxySettings } from './core/proxy';

/** Typed reads of the `factify.*` settings and of VS Code's proxy settings. */
export const settings = {
  apiBaseUrl(): BaseUrlCheck {
    // Application scope: only the user's own value counts, a workspace can never redirect the token.
    const inspected = vscode.workspace.getConfiguration('factify').inspect<string>('apiBaseUrl');
    return checkApiBaseUrl(inspected?.globalValue ?? inspected?.defaultValue ?? 'https://api.factify.com');
  },
  showRevokedKeys: () => factify().get<boolean>('showRevokedKeys', false),
  /** Writes where the effective value comes from, so a workspace value cannot silently win over the toggle. */
  setShowRevokedKeys(value: boolean): Thenable<void> {
    const inspected = factify().inspect<boolean>('showRevokedKeys');
    const target =
      inspected?.workspaceFolderValue !== undefined
        ? vscode.ConfigurationTarget.WorkspaceFolder
        : inspected?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
    return factify().update('showRevokedKeys', value, target);
  },
  expiryWarningDays: () => Math.max(0, factify().get<number>('expiryWarningDays', 14)),
  expiryReminders: () => factify().get<boolean>('expiryReminders', true),
  autoRefreshSeconds: () => {
    const seconds = factify().get<number>('autoRefreshSeconds', 0);
    return seconds > 0 ? Math.max(10, seconds) : 0;
  },
  confirmRevoke: () => factify().get<boolean>('confirmRevoke', true),
  requestTimeoutMs: () => Math.min(600, Math.max(1, factify().get<number>('requestTimeoutSeconds', 30))) * 1000,
  proxy(): ProxySettings {
    const http = vscode.workspace.getConfiguration('http');
    return {
      proxy: http.get<string>('proxy') || undefined,
      noProxy: http.get<string[]>('noProxy', []),
      strictSSL: http.get<boolean>('proxyStrictSSL', true),
    };
  },
};

function factify(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('factify');
}

/** Settings whose change needs a new HTTP client (and so a new connection pool). */
export function affectsConnection(event: vscode.ConfigurationChangeEvent): boolean {
  return ['factify.apiBaseUrl', 'factify.requestTimeoutSeconds', 'http.proxy', 'http.noProxy', 'http.proxyStrictSSL'].some((section) =>
    event.affectsConfiguration(section),
  );
}
