import vscode = require('vscode');
import { createSafeLog, type SafeLog } from './core/logChannel';
import { type Redactor } from './core/redact';

/** The `Factify` log channel. Every line passes the redactor first: the one choke point for secrets. */
export function createLog(redactor: Redactor): SafeLog & vscode.Disposable {
  return createSafeLog(vscode.window.createOutputChannel('Factify', { log: true }), redactor);
}
