/**
 * FactifyClient.preconnect: the connection to the origin opened ahead of the first request. It carries no
 * byte before a request, the first request uses it, a failed or timed-out one only costs the head start,
 * and nothing is opened when a proxy applies.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { FactifyClient, type ConnectionOptions, type RequestAuth } from '../../src/core/client';
import { FactifyError } from '../../src/core/errors';
import { type ApiToken } from '../../src/core/ids';
import { startConnectProxy } from '../server/connectProxy';
import { startFactifyServer, type FactifyServer } from '../server/factifyServer';
import { selfSignedCert } from '../server/selfSignedCert';

const QUICK = { timeout: 10_000 };

let server: FactifyServer;
const closers: Array<() => Promise<unknown> | void> = [];

before(async () => {
  server = await startFactifyServer();
});
after(async () => {
  for (const close of closers.reverse()) await close();
  await server.close();
});

function makeClient(origin: string, overrides: Partial<ConnectionOptions> = {}): FactifyClient {
  const client = new FactifyClient({
    origin: new URL(origin),
    timeoutMs: 5_000,
    proxy: { proxy: undefined, noProxy: [], strictSSL: true },
    userAgent: 'factify-unit-tests',
    env: {},
    ...overrides,
  });
  closers.push(() => client.close());
  return client;
}

const auth = (): RequestAuth => ({ token: server.tokens.admin as ApiToken, organizationId: undefined });

interface Front {
  readonly url: string;
  readonly port: number;
  /** What each accepted connection carried towards the server, in order. */
  readonly connections: Array<{ received: Buffer[]; closed: boolean }>;
  until(predicate: () => boolean): Promise<void>;
}

/**
 * A TCP front for the Factify server that records every connection and every byte it carries, and
 * optionally answers none of them (`stall`).
 */
async function startFront(options: { port?: number; stall?: boolean } = {}): Promise<Front> {
  const changed = new EventEmitter();
  const connections: Front['connections'] = [];
  const sockets = new Set<net.Socket>();
  const front = net.createServer((socket) => {
    sockets.add(socket);
    const record = { received: [] as Buffer[], closed: false };
    connections.push(record);
    const upstream = options.stall ? undefined : net.connect(server.port, '127.0.0.1');
    if (upstream) {
      sockets.add(upstream);
      upstream.pipe(socket);
      upstream.on('error', () => socket.destroy());
    }
    socket.on('data', (chunk: Buffer) => {
      record.received.push(chunk);
      upstream?.write(chunk);
      changed.emit('change');
    });
    socket.on('error', () => upstream?.destroy());
    socket.on('close', () => {
      record.closed = true;
      upstream?.destroy();
      changed.emit('change');
    });
    changed.emit('change');
  });
  front.listen(options.port ?? 0, '127.0.0.1');
  await once(front, 'listening');
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => front.close(resolve));
  });
  const port = (front.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections,
    until: (predicate) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (!predicate()) return;
          changed.off('change', check);
          resolve();
        };
        changed.on('change', check);
        check();
      }),
  };
}

const text = (buffers: Buffer[]): string => Buffer.concat(buffers).toString('latin1');

describe('preconnect', () => {
  test('opens the connection without sending a byte, and the first request goes over it', QUICK, async () => {
    const front = await startFront();
    const client = makeClient(front.url);
    const started = client.preconnect();
    assert.ok(started, 'a direct connection is opened early');
    await started;
    await front.until(() => front.connections.length === 1);
    assert.equal(text(front.connections[0]!.received), '', 'nothing is sent before a request');
    assert.equal(server.requests.length, 0);
    assert.equal(client.preconnect(), undefined, 'only once');

    const list = await client.listKeys(auth(), { includeRevoked: false });
    assert.ok(list.keys.length > 0);
    assert.equal(front.connections.length, 1, 'no second connection: the early one was used');
    assert.match(text(front.connections[0]!.received), /^GET \/v1\/api-keys\?include_revoked=false HTTP\/1\.1\r\n/);
  });

  test('a refused early connection only costs the head start: the request connects again', QUICK, async () => {
    const placeholder = await startFront();
    const port = placeholder.port;
    await closers.pop()!(); // nothing listens on that port any more
    const client = makeClient(`http://127.0.0.1:${port}`);
    await client.preconnect();
    const front = await startFront({ port });
    const list = await client.listKeys(auth(), { includeRevoked: false });
    assert.ok(list.keys.length > 0);
    assert.equal(front.connections.length, 1);
  });

  test('a handshake that times out is dropped, and the request reports its own timeout', QUICK, async () => {
    const front = await startFront({ stall: true });
    const client = makeClient(`https://127.0.0.1:${front.port}`, { timeoutMs: 300 });
    await client.preconnect();
    await front.until(() => front.connections[0]?.closed === true);
    await assert.rejects(client.listKeys(auth(), { includeRevoked: false }), (error: unknown) => {
      assert.ok(error instanceof FactifyError);
      assert.equal(error.kind, 'timeout');
      return true;
    });
    assert.equal(front.connections.length, 2, 'the request made a connection of its own');
    assert.ok(!text(front.connections.flatMap((connection) => connection.received)).includes(server.tokens.admin));
  });

  test('a certificate the client does not trust: the early handshake fails, the request says why, nothing is sent', QUICK, async () => {
    const secured: tls.TLSSocket[] = [];
    const tlsServer = tls.createServer(selfSignedCert(), (socket) => secured.push(socket));
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    closers.push(() => new Promise((resolve) => tlsServer.close(resolve)));
    const client = makeClient(`https://127.0.0.1:${(tlsServer.address() as net.AddressInfo).port}`);
    await client.preconnect();
    await assert.rejects(client.listKeys(auth(), { includeRevoked: false }), (error: unknown) => {
      assert.ok(error instanceof FactifyError);
      assert.equal(error.kind, 'tls');
      assert.match(error.message, /the token was not sent/);
      return true;
    });
    assert.equal(secured.length, 0, 'no TLS session was ever established');
  });

  test('opens nothing when a proxy applies; the request goes through the proxy', QUICK, async () => {
    // Only an https origin that is not this machine is ever proxied: a name only the proxy can resolve.
    const remoteHost = 'api.factify.test';
    const secure = await startFactifyServer({ tls: selfSignedCert() });
    closers.push(() => secure.close());
    const proxy = await startConnectProxy({ hosts: { [remoteHost]: '127.0.0.1' } });
    closers.push(() => proxy.close());
    const origin = `https://${remoteHost}:${secure.port}`;
    const viaSetting = makeClient(origin, { proxy: { proxy: proxy.url, noProxy: [], strictSSL: false }, originCa: selfSignedCert().cert });
    const viaEnv = makeClient(origin, { env: { HTTPS_PROXY: proxy.url }, proxy: { proxy: undefined, noProxy: [], strictSSL: false } });
    const unusable = makeClient(origin, { proxy: { proxy: 'socks5://127.0.0.1:1', noProxy: [], strictSSL: true } });
    assert.equal(viaSetting.preconnect(), undefined);
    assert.equal(viaEnv.preconnect(), undefined);
    assert.equal(unusable.preconnect(), undefined);
    await viaSetting.listKeys({ token: secure.tokens.admin as ApiToken, organizationId: undefined }, { includeRevoked: false });
    assert.equal(proxy.connects.length, 1, 'the request went through the proxy');
    assert.equal(secure.requests.length, 1, 'and reached the origin only through it');
    // Excluded by noProxy: direct again, so the early connection is allowed.
    const excluded = makeClient(origin, { proxy: { proxy: proxy.url, noProxy: [remoteHost], strictSSL: false } });
    const early = excluded.preconnect();
    assert.ok(early);
    // Direct, the name does not resolve here: the early connection fails quietly.
    await early;
  });
});
