import vscode = require('vscode');
import { FactifyClient } from './core/client';
import { FactifyError } from './core/errors';
import { settings } from './settings';

/**
 * The HTTP client for the current settings. It is built on the first request (never during activation)
 * and rebuilt when the origin, the timeout or the proxy settings change, so pooled connections are reused
 * between refreshes.
 */
export class Connection implements vscode.Disposable {
  private client: FactifyClient | undefined;

  /** `codeCacheDir`: where the HTTP stack's compiled code is kept between starts (see codeCache.ts). */
  constructor(
    private readonly userAgent: string,
    private readonly codeCacheDir: string | undefined,
  ) {}

  /** Throws a FactifyError when `factify.apiBaseUrl` is not a place the token may be sent. */
  readonly current = (): FactifyClient => {
    if (this.client) return this.client;
    const baseUrl = settings.apiBaseUrl();
    if (!baseUrl.ok) throw new FactifyError('invalidConfig', baseUrl.message);
    this.client = new FactifyClient({
      origin: baseUrl.origin,
      timeoutMs: settings.requestTimeoutMs(),
      proxy: settings.proxy(),
      userAgent: this.userAgent,
      codeCacheDir: this.codeCacheDir,
    });
    return this.client;
  };

  /**
   * Opens the connection to the configured origin ahead of the first request (see FactifyClient.preconnect):
   * nothing is sent on it until a request is made. An unusable base URL is left to that request to report.
   */
  preconnect(): void {
    try {
      void this.current().preconnect();
    } catch {
      // The first request explains the setting.
    }
  }

  /** Drops the client; requests in flight on it are aborted. */
  reset(): void {
    void this.client?.close();
    this.client = undefined;
  }

  dispose(): void {
    this.reset();
  }
}
