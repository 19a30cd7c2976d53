/**
 * A connection to the API origin opened before the first request is ready to go: TCP and, for https, the TLS
 * handshake with the usual certificate checks, and nothing else. It never writes a byte of HTTP: the token
 * and the request are only ever written by the HTTP stack, once it takes the socket over. Overlaps the
 * round trips of connecting with reading the token and loading the HTTP stack.
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';

/** What undici's connector is asked for (its `connect` option). */
export interface ConnectTarget {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string | number;
}

/** An unused early connection is closed after this long; servers close idle connections too. */
const UNUSED_FOR_MS = 10_000;

export class EarlyConnection {
  /** Settles once the TCP connection is up (or failed): the first handshake bytes are out by then. */
  readonly opened: Promise<void>;
  private readonly socket: net.Socket | tls.TLSSocket;
  private readonly settled: Promise<boolean>;
  private readonly idleTimer: NodeJS.Timeout;
  // A failure is only a lost head start: the first request connects again and reports what went wrong.
  private readonly ignoreError = (): void => undefined;
  private taken = false;

  constructor(
    private readonly origin: URL,
    timeoutMs: number,
  ) {
    const hostname = hostnameOf(origin);
    const port = portOf(origin);
    const secure = origin.protocol === 'https:';
    // Required here, not at the top: activation must not pay for loading node:tls.
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded lazily on purpose */
    const net = require('node:net') as typeof import('node:net');
    const tls = require('node:tls') as typeof import('node:tls');
    /* eslint-enable @typescript-eslint/no-require-imports */
    this.socket = secure
      ? // The same handshake as the HTTP stack's: SNI unless the host is an address, HTTP/1.1 by ALPN.
        tls.connect({ host: hostname, port, servername: net.isIP(hostname) ? undefined : hostname, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: hostname, port });
    this.socket.setNoDelay(true);
    this.socket.setKeepAlive(true, 60_000);
    this.socket.on('error', this.ignoreError);
    this.opened = new Promise<void>((resolve) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('close', () => resolve());
    });
    this.settled = new Promise<boolean>((resolve) => {
      const deadline = setTimeout(() => this.socket.destroy(), timeoutMs);
      this.socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(deadline);
        resolve(true);
      });
      this.socket.once('close', () => {
        clearTimeout(deadline);
        resolve(false);
      });
    });
    this.idleTimer = setTimeout(() => this.close(), UNUSED_FOR_MS);
    this.idleTimer.unref();
  }

  /**
   * The connected socket for `target`, once; undefined when it is for another place, failed, timed out or
   * was closed meanwhile (the caller then connects as usual). Either way this early connection is used up.
   */
  async take(target: ConnectTarget): Promise<net.Socket | undefined> {
    if (this.taken || !this.isFor(target)) {
      this.close();
      return undefined;
    }
    this.taken = true;
    clearTimeout(this.idleTimer);
    const connected = await this.settled;
    if (!connected || this.socket.destroyed || this.socket.readyState !== 'open') {
      this.socket.destroy();
      return undefined;
    }
    this.socket.removeListener('error', this.ignoreError);
    return this.socket;
  }

  close(): void {
    clearTimeout(this.idleTimer);
    if (!this.taken) this.socket.destroy();
    this.taken = true;
  }

  private isFor(target: ConnectTarget): boolean {
    return (
      target.protocol === this.origin.protocol &&
      target.hostname === hostnameOf(this.origin) &&
      Number(target.port || defaultPort(target.protocol)) === portOf(this.origin)
    );
  }
}

function hostnameOf(origin: URL): string {
  return origin.hostname.replace(/^\[|\]$/g, '');
}

function portOf(origin: URL): number {
  return Number(origin.port || defaultPort(origin.protocol));
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}
