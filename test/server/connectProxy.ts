/**
 * A minimal loopback HTTP proxy for tests: tunnels CONNECT requests and forwards plain-HTTP (absolute-URI)
 * requests, to loopback targets only, and records both, including every byte that crosses a tunnel (what a
 * proxy could read). Host names listed in `hosts` are resolved by the proxy itself to a loopback address,
 * as a real proxy resolves names on its own side. Optionally requires an exact Proxy-Authorization value
 * (407 otherwise).
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { headerRecord, listenTracked } from './listening';

export interface ProxyConnect {
  /** The CONNECT target as received, e.g. `127.0.0.1:43123`. */
  target: string;
  /** Lower-cased names (Proxy-Authorization included). */
  headers: Record<string, string>;
  at: number;
  /** 200 tunnelled, 400 bad target, 403 not loopback, 407 proxy auth missing/wrong, 502 target unreachable. */
  status: number;
  /** Every byte the client sent through the tunnel, as the proxy saw it. */
  sent: Buffer;
  /** Every byte the target sent back through the tunnel. */
  received: Buffer;
}

export interface ProxyForward {
  method: string;
  /** The absolute URI as received. */
  url: string;
  headers: Record<string, string>;
  at: number;
  /** The upstream status, or the proxy's own refusal (400, 403, 407, 502). */
  status: number;
}

export interface ConnectProxy {
  /** e.g. `http://127.0.0.1:43124`. */
  url: string;
  port: number;
  connects: ProxyConnect[];
  /** Plain-HTTP forward-proxy requests (absolute-URI request targets). */
  forwards: ProxyForward[];
  clear(): void;
  close(): Promise<void>;
}

export interface ConnectProxyOptions {
  host?: string;
  port?: number;
  /** When set, requests must carry exactly this Proxy-Authorization value (e.g. `Basic dTpw`), else 407. */
  proxyAuthorization?: string;
  /** Names the proxy resolves itself, e.g. `{ 'api.factify.test': '127.0.0.1' }`. */
  hosts?: Readonly<Record<string, string>>;
}

const TARGET_PATTERN = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})$/i;
const PROXY_AUTHENTICATE = 'Basic realm="factify-test-proxy"';

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'));
}

export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const connects: ProxyConnect[] = [];
  const forwards: ProxyForward[] = [];
  const resolve = (hostname: string): string => {
    const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    return options.hosts?.[host] ?? host;
  };
  const authorized = (req: http.IncomingMessage): boolean =>
    options.proxyAuthorization === undefined || req.headers['proxy-authorization'] === options.proxyAuthorization;

  const server = http.createServer((req, res) => {
    const record: ProxyForward = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: headerRecord(req.rawHeaders),
      at: Date.now(),
      status: 0,
    };
    forwards.push(record);
    const refuse = (status: number, headers: Record<string, string> = {}): void => {
      record.status = status;
      res.writeHead(status, { 'content-length': '0', ...headers });
      res.end();
    };
    if (!authorized(req)) return refuse(407, { 'proxy-authenticate': PROXY_AUTHENTICATE });
    let target: URL;
    try {
      target = new URL(record.url);
    } catch {
      return refuse(400);
    }
    if (target.protocol !== 'http:') return refuse(400);
    const targetHost = resolve(target.hostname);
    if (!isLoopback(targetHost)) return refuse(403);

    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    delete headers['connection'];
    const upstream = http.request(
      {
        host: targetHost,
        port: target.port || 80,
        method: req.method,
        path: target.pathname + target.search,
        headers,
        agent: false,
      },
      (upstreamRes) => {
        record.status = upstreamRes.statusCode ?? 502;
        res.writeHead(record.status, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', () => (res.headersSent ? res.destroy() : refuse(502)));
    req.pipe(upstream);
  });

  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    const record: ProxyConnect = {
      target: req.url ?? '',
      headers: headerRecord(req.rawHeaders),
      at: Date.now(),
      status: 0,
      sent: Buffer.alloc(0),
      received: Buffer.alloc(0),
    };
    connects.push(record);
    client.on('error', () => client.destroy());
    const refuse = (status: number, extraHeaders = ''): void => {
      record.status = status;
      client.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${extraHeaders}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (!authorized(req)) return refuse(407, `Proxy-Authenticate: ${PROXY_AUTHENTICATE}\r\n`);
    const match = TARGET_PATTERN.exec(record.target);
    if (!match) return refuse(400);
    const host = resolve(match[1]);
    if (!isLoopback(host)) return refuse(403);

    const upstream = net.connect(Number(match[2]), host);
    upstream.once('connect', () => {
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) {
        record.sent = Buffer.concat([record.sent, head]);
        upstream.write(head);
      }
      client.on('data', (chunk: Buffer) => (record.sent = Buffer.concat([record.sent, chunk])));
      upstream.on('data', (chunk: Buffer) => (record.received = Buffer.concat([record.received, chunk])));
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => (record.status === 0 ? refuse(502) : client.destroy()));
    client.once('close', () => upstream.destroy());
  });

  const listening = await listenTracked(server, 'http', options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    url: listening.url,
    port: listening.port,
    connects,
    forwards,
    clear: () => {
      connects.length = 0;
      forwards.length = 0;
    },
    close: () => listening.close(),
  };
}
