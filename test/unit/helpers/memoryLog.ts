import { type Logger } from '../../../src/core/errors';

export type LogLevel = 'trace' | 'info' | 'warn' | 'error';

/** Keeps every line as `level message`, so tests can check what was logged (and that no secret was). */
export class MemoryLog implements Logger {
  readonly lines: string[] = [];

  /** `onLine` sees each line as it is written: for evidence collected across many cases. */
  constructor(private readonly onLine?: (level: LogLevel, message: string) => void) {}

  readonly trace = (message: string): void => this.write('trace', message);
  readonly info = (message: string): void => this.write('info', message);
  readonly warn = (message: string): void => this.write('warn', message);
  readonly error = (message: string): void => this.write('error', message);

  private write(level: LogLevel, message: string): void {
    this.lines.push(`${level} ${message}`);
    this.onLine?.(level, message);
  }
}
