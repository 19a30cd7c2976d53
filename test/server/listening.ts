/** What the test servers (the Factify server, the decoy, the proxy) and the integration runner share: reading a request, and listening so that closing never waits. */
import type * as http from 'node:http';
import type { AddressInfo, Server, Socket } from 'node:net';

/** Header names lower-cased; repeated headers joined with ", ". */
export function headerRecord(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    headers[name] = name in headers ? `${headers[name]}, ${rawHeaders[i + 1]}` : rawHeaders[i + 1];
  }
  return headers;
}

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface Listening {
  url: string;
  port: number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** Listens on host:port and tracks connections, so closing never waits on keep-alive or stalled sockets. */
export function listenTracked(server: Server, scheme: 'http' | 'https', host: string, port: number): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const actualPort = (server.address() as AddressInfo).port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `${scheme}://${urlHost}:${actualPort}`,
        port: actualPort,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}
