/** The test proxy (test/server/connectProxy.ts): CONNECT tunnels and plain-HTTP forwarding, and what it records. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { startConnectProxy } from '../server/connectProxy';
import { keysIn, send, start } from './helpers/serverCalls';

function connectThrough(
  proxyPort: number,
  target: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: target, headers, agent: false });
    req.on('connect', (res: http.IncomingMessage, socket: Socket) => resolve({ status: res.statusCode ?? 0, socket }));
    req.on('error', reject);
    req.end();
  });
}

test('CONNECT proxy tunnels to the Factify server and records the target and Proxy-Authorization', async (t) => {
  const server = await start(t);
  const proxyAuthorization = `Basic ${Buffer.from('user:secret').toString('base64')}`;
  const proxy = await startConnectProxy({ proxyAuthorization });
  t.after(() => proxy.close());
  const target = `127.0.0.1:${server.port}`;

  const tunnel = await connectThrough(proxy.port, target, { 'Proxy-Authorization': proxyAuthorization });
  assert.equal(tunnel.status, 200);
  const reply = await send((onResponse) =>
    http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: '/v1/api-keys',
        headers: { authorization: `Bearer ${server.tokens.admin}` },
        createConnection: () => tunnel.socket,
      },
      onResponse,
    ),
  );
  keysIn(reply);
  tunnel.socket.destroy();
  assert.equal(server.requests.length, 1);
  assert.equal(proxy.connects.length, 1);
  assert.deepEqual(
    [proxy.connects[0].target, proxy.connects[0].status, proxy.connects[0].headers['proxy-authorization']],
    [target, 200, proxyAuthorization],
  );

  const noAuth = await connectThrough(proxy.port, target);
  assert.equal(noAuth.status, 407);
  noAuth.socket.destroy();
  const external = await connectThrough(proxy.port, 'example.com:443', { 'Proxy-Authorization': proxyAuthorization });
  assert.equal(external.status, 403);
  external.socket.destroy();
  assert.deepEqual(
    proxy.connects.map((record) => record.status),
    [200, 407, 403],
  );
});

test('proxy records and forwards plain-HTTP absolute-URI requests', async (t) => {
  const server = await start(t);
  const proxy = await startConnectProxy();
  t.after(() => proxy.close());
  const reply = await send((onResponse) =>
    http.request(
      {
        host: '127.0.0.1',
        port: proxy.port,
        path: `${server.url}/v1/api-keys`,
        headers: { authorization: `Bearer ${server.tokens.admin}`, 'proxy-authorization': 'Basic eDp5' },
        agent: false,
      },
      onResponse,
    ),
  );
  keysIn(reply);
  assert.equal(proxy.forwards.length, 1);
  assert.equal(proxy.forwards[0].url, `${server.url}/v1/api-keys`);
  assert.equal(proxy.forwards[0].headers.authorization, `Bearer ${server.tokens.admin}`);
  assert.equal(proxy.forwards[0].status, 200);
  assert.equal(server.requests[0].headers['proxy-authorization'], undefined, 'proxy credentials are not forwarded');
  proxy.clear();
  assert.equal(proxy.forwards.length, 0);
});
