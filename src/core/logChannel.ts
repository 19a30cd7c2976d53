/**
 * The log over an output channel, made safe to call from anywhere: every line passes the redactor first,
 * writing never throws (a channel closed by a window reload, say), and after dispose nothing is written.
 * Pure: the channel is an interface, so this runs and is tested without VS Code.
 */
import { type Logger } from './errors';
import { type Redactor } from './redact';

/** The part of a VS Code `LogOutputChannel` the log uses. */
export interface LogChannel {
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  show(preserveFocus: boolean): void;
  dispose(): void;
}

export interface SafeLog extends Logger {
  show(): void;
  dispose(): void;
  readonly disposed: boolean;
}

export function createSafeLog(channel: LogChannel, redactor: Redactor): SafeLog {
  let disposed = false;
  const write = (level: 'trace' | 'info' | 'warn' | 'error', message: unknown): void => {
    if (disposed) return;
    try {
      channel[level](redactor.redact(String(message)));
    } catch {
      // Nowhere left to report it: a log line is never worth an unhandled error.
    }
  };
  return {
    trace: (message) => write('trace', message),
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
    show: () => {
      if (disposed) return;
      try {
        channel.show(true);
      } catch {
        // As above.
      }
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      try {
        channel.dispose();
      } catch {
        // Already gone.
      }
    },
    get disposed() {
      return disposed;
    },
  };
}
