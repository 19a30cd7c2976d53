/**
 * A loopback "decoy" server: a second origin that answers every request with 200 "decoy" and records it.
 * Point a redirect at it to prove a client never follows a redirect to another origin with credentials.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { headerRecord, listenTracked, readBody } from './listening';

export interface DecoyRequest {
  method: string;
  /** The request target as received (path and query). */
  url: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  at: number;
}

export interface DecoyServer {
  url: string;
  port: number;
  requests: DecoyRequest[];
  clearRequests(): void;
  close(): Promise<void>;
}

export async function startDecoyServer(
  options: { host?: string; port?: number; tls?: { key: string; cert: string } } = {},
): Promise<DecoyServer> {
  const requests: DecoyRequest[] = [];
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const at = Date.now();
    readBody(req).then(
      (body) => {
        requests.push({ method: req.method ?? '', url: req.url ?? '', headers: headerRecord(req.rawHeaders), body, at });
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
        res.end('decoy');
      },
      () => res.destroy(),
    );
  };
  const server = options.tls ? https.createServer(options.tls, handle) : http.createServer(handle);
  const listening = await listenTracked(server, options.tls ? 'https' : 'http', options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    url: listening.url,
    port: listening.port,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    close: () => listening.close(),
  };
}
