import * as vscode from 'vscode';
import { type Logger } from './core/errors';
import { type Redactor } from './core/redact';

/** The `Factify` log channel. Every line passes the redactor first: the one choke point for secrets. */
export function createLog(redactor: Redactor): Logger & vscode.Disposable & { show(): void } {
  const channel = vscode.window.createOutputChannel('Factify', { log: true });
  return {
    trace: (message) => channel.trace(redactor.redact(message)),
    info: (message) => channel.info(redactor.redact(message)),
    warn: (message) => channel.warn(redactor.redact(message)),
    error: (message) => channel.error(redactor.redact(message)),
    show: () => channel.show(true),
    dispose: () => channel.dispose(),
  };
}
