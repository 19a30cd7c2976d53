/** Proxies: tunnels, bypass lists, environment variables, proxy credentials and failures (F52–F61). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ConnectionOptions } from '../../../src/core/client';
import { FactifyError } from '../../../src/core/errors';
import { startConnectProxy, type ConnectProxy } from '../../server/connectProxy';
import { type FactifyServer } from '../../server/factifyServer';
import { selfSignedCert } from '../../server/selfSignedCert';
import {
  noteError,
  PROXY_PASSWORD,
  WRONG_PROXY_PASSWORD,
  server,
  client,
  auth,
  keysStore,
  failure,
  explains,
  requestsOf,
  loadedKey,
  tlsServer,
  proxy,
} from '../helpers/faultMatrix';

export function faultMatrixProxy(): void {
  describe('proxy', () => {
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    /** A name only the proxy resolves (to loopback): what a remote https origin looks like from here. */
    const REMOTE_HOST = 'api.factify.test';
    const remote = (target: FactifyServer) => `https://${REMOTE_HOST}:${target.port}`;
    const tunnelled = (p: ConnectProxy) =>
      p.connects.map((connect) => Buffer.concat([connect.sent, connect.received]).toString('latin1')).join('');
    /** Neither the token nor an Authorization header ever crosses a tunnel in a form the proxy can read. */
    const assertTunnelOpaque = (p: ConnectProxy, token: string) => {
      const bytes = tunnelled(p);
      assert.ok(
        p.connects.some((connect) => connect.sent.length > 0),
        'something did cross the tunnel',
      );
      assert.ok(!bytes.includes(token) && !bytes.includes(token.slice(-16)), 'the token is not readable inside the tunnel');
      assert.doesNotMatch(bytes, /authorization|bearer|\/v1\/api-keys/i, 'nor any HTTP of the request');
    };

    test('F52 http.proxy: a remote https origin goes through a CONNECT tunnel that carries only TLS', async () => {
      const p = await proxy({ hosts: { [REMOTE_HOST]: '127.0.0.1' } });
      const secure = await tlsServer();
      const c = client(remote(secure), { proxy: { proxy: p.url, noProxy: [], strictSSL: false }, originCa: selfSignedCert().cert });
      const list = await c.listKeys(auth(server.tokens.admin), { includeRevoked: false });
      assert.ok(list.keys.length > 0);
      assert.deepEqual(
        p.connects.map((connect) => [connect.target, connect.status]),
        [[`${REMOTE_HOST}:${secure.port}`, 200]],
      );
      assert.equal(p.forwards.length, 0, 'tunnelled, never forwarded in the clear');
      assert.equal(p.connects[0]?.headers['authorization'], undefined, 'the proxy never sees the token');
      assertTunnelOpaque(p, server.tokens.admin);
      assert.equal(secure.requests[0]?.headers['authorization'], `Bearer ${server.tokens.admin}`);
    });

    test('F53 http.noProxy bypasses the proxy', async () => {
      const p = await proxy({ hosts: { [REMOTE_HOST]: '127.0.0.1' } });
      const secure = await tlsServer();
      for (const noProxy of [[REMOTE_HOST], [`${REMOTE_HOST}:${secure.port}`], ['*'], ['example.com', '.factify.test']]) {
        // Direct, the name does not resolve here: the failure itself proves the proxy was bypassed.
        const c = client(remote(secure), { proxy: { proxy: p.url, noProxy, strictSSL: false }, originCa: selfSignedCert().cert });
        await assert.rejects(c.listKeys(auth(server.tokens.admin), { includeRevoked: false }), FactifyError);
      }
      assert.equal(p.connects.length, 0);
      assert.equal(secure.requests.length, 0);
      const other = client(remote(secure), {
        proxy: { proxy: p.url, noProxy: [`${REMOTE_HOST}:1`], strictSSL: false },
        originCa: selfSignedCert().cert,
      });
      await other.listKeys(auth(server.tokens.admin), { includeRevoked: false });
      assert.equal(p.connects.length, 1, 'a noProxy entry for another port does not apply');
    });

    test("F54 HTTPS_PROXY and ALL_PROXY to an https origin; http.proxyStrictSSL false never switches off the origin's certificate check", async () => {
      const p = await proxy({ hosts: { [REMOTE_HOST]: '127.0.0.1' } });
      const secure = await tlsServer();
      // A proxy inspecting TLS presents a certificate of its own for the origin: not trusted, nothing is sent.
      const inspected = client(remote(secure), { proxy: { proxy: undefined, noProxy: [], strictSSL: false }, env: { HTTPS_PROXY: p.url } });
      await failure(inspected.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'tls');
      assert.equal(secure.requests.length, 0);
      assert.ok(!tunnelled(p).includes(server.tokens.admin));
      p.connects.length = 0;
      for (const env of [{ HTTPS_PROXY: p.url }, { https_proxy: p.url }, { ALL_PROXY: p.url }]) {
        const c = client(remote(secure), {
          proxy: { proxy: undefined, noProxy: [], strictSSL: false },
          env,
          originCa: selfSignedCert().cert,
        });
        const list = await c.listKeys(auth(server.tokens.admin), { includeRevoked: false });
        assert.ok(list.keys.length > 0);
      }
      assert.deepEqual(
        p.connects.map((connect) => connect.target),
        Array(3).fill(`${REMOTE_HOST}:${secure.port}`),
      );
      assertTunnelOpaque(p, server.tokens.admin);
      assert.equal(secure.requests.length, 3);
    });

    test('F55 proxyStrictSSL true through a proxy: a bad certificate fails, nothing sent', async () => {
      const p = await proxy({ hosts: { [REMOTE_HOST]: '127.0.0.1' } });
      const secure = await tlsServer();
      const c = client(remote(secure), { proxy: { proxy: p.url, noProxy: [], strictSSL: true } });
      const error = await failure(c.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'tls');
      explains(
        error,
        [/the token was not sent/, new RegExp(`${REMOTE_HOST.replace(/\./g, '\\.')}:${secure.port}`)],
        /http\.proxy|NODE_EXTRA_CA_CERTS/,
      );
      assert.equal(p.connects.length, 1);
      assert.ok(!tunnelled(p).includes(server.tokens.admin));
      assert.equal(secure.requests.length, 0);
      // Without a proxy, proxyStrictSSL does not switch certificate checks off.
      const direct = client(secure.url, { proxy: { proxy: p.url, noProxy: [], strictSSL: false } });
      await failure(direct.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'tls');
      assert.equal(secure.requests.length, 0);
      assert.equal(p.connects.length, 1, 'a loopback origin went direct');
    });

    test('F56 HTTPS_PROXY with NO_PROXY from the environment; HTTP_PROXY is not for https', async () => {
      const p = await proxy({ hosts: { [REMOTE_HOST]: '127.0.0.1' } });
      const secure = await tlsServer();
      const direct = { proxy: undefined, noProxy: [], strictSSL: false };
      await assert.rejects(
        client(remote(secure), { proxy: direct, env: { HTTPS_PROXY: p.url, NO_PROXY: 'localhost,.factify.test' } }).listKeys(
          auth(server.tokens.admin),
          { includeRevoked: false },
        ),
        FactifyError,
      );
      await assert.rejects(
        client(remote(secure), { proxy: direct, env: { HTTP_PROXY: p.url } }).listKeys(auth(server.tokens.admin), {
          includeRevoked: false,
        }),
        FactifyError,
      );
      assert.equal(p.connects.length, 0, 'NO_PROXY bypasses it, HTTP_PROXY does not apply');
      await client(remote(secure), { proxy: direct, env: { https_proxy: p.url }, originCa: selfSignedCert().cert }).listKeys(
        auth(server.tokens.admin),
        {
          includeRevoked: false,
        },
      );
      assert.equal(p.connects.length, 1, 'lower-case https_proxy is used');
      assert.equal(secure.requests.length, 1);
    });

    test('F57 proxy credentials in the URL: sent as Proxy-Authorization, never shown or logged', async () => {
      const p = await proxy({ proxyAuthorization: basic('alice', PROXY_PASSWORD), hosts: { [REMOTE_HOST]: '127.0.0.1' } });
      const secure = await tlsServer();
      const c = client(remote(secure), {
        proxy: { proxy: `http://alice:${PROXY_PASSWORD}@127.0.0.1:${p.port}`, noProxy: [], strictSSL: false },
        originCa: selfSignedCert().cert,
      });
      const store = keysStore(c, server.tokens.admin);
      await store.refresh();
      assert.ok(store.snapshot.loaded);
      assert.equal(p.connects[0]?.status, 200);
      assert.equal(p.connects[0]?.headers['proxy-authorization'], basic('alice', PROXY_PASSWORD));
      assert.equal(secure.requests[0]?.headers['proxy-authorization'], undefined, 'only the proxy gets them');
      assertTunnelOpaque(p, server.tokens.admin);
    });

    test('F58 a proxy answering 407 (clear message, credentials never repeated)', async () => {
      const p = await proxy({ proxyAuthorization: basic('alice', PROXY_PASSWORD), hosts: { [REMOTE_HOST]: '127.0.0.1' } });
      const secure = await tlsServer();
      const none = await failure(
        client(remote(secure), { proxy: { proxy: p.url, noProxy: [], strictSSL: false }, originCa: selfSignedCert().cert }).listKeys(
          auth(server.tokens.admin),
          {
            includeRevoked: false,
          },
        ),
        'network',
      );
      explains(none, [/proxy/, /407/, /credentials/], /http\.proxy/);

      const wrong = client(remote(secure), {
        proxy: { proxy: `http://alice:${WRONG_PROXY_PASSWORD}@127.0.0.1:${p.port}`, noProxy: [], strictSSL: false },
        originCa: selfSignedCert().cert,
      });
      const store = keysStore(wrong, server.tokens.admin);
      await store.refresh();
      const error = store.snapshot.error;
      assert.ok(error);
      noteError(error);
      assert.equal(error.kind, 'network');
      explains(error, [/proxy/, /407/], /http\.proxy/);
      assert.deepEqual(
        p.connects.map((connect) => connect.status),
        [407, 407],
      );
      assert.equal(secure.requests.length, 0, 'nothing reached the server');
    });

    test('F59 a proxy that cannot be reached', async () => {
      const gone = await startConnectProxy();
      await gone.close();
      const secure = await tlsServer();
      const error = await failure(
        client(remote(secure), { proxy: { proxy: gone.url, noProxy: [], strictSSL: true } }).listKeys(auth(server.tokens.admin), {
          includeRevoked: false,
        }),
        'network',
      );
      explains(error, [/proxy/, new RegExp(`127\\.0\\.0\\.1:${gone.port}`)], /http\.proxy/);
      assert.equal(secure.requests.length, 0);
    });

    test('F60 an unsupported or invalid proxy setting (explained, no direct fallback)', async () => {
      const secure = await tlsServer();
      for (const setting of ['socks5://127.0.0.1:1080', 'http://[not a url']) {
        const store = keysStore(client(remote(secure), { proxy: { proxy: setting, noProxy: [], strictSSL: true } }), server.tokens.admin);
        await store.refresh();
        const error = store.snapshot.error;
        assert.ok(error);
        noteError(error);
        assert.equal(error.kind, 'invalidConfig');
        explains(error, [/prox(y|ies)/], /settings|http\.proxy/);
      }
      assert.equal(secure.requests.length, 0, 'never sent around the configured proxy');
    });

    test('F61 a loopback origin is never proxied: no proxy setting or variable takes its token through a tunnel', async () => {
      const p = await proxy();
      const forms: Array<Partial<ConnectionOptions>> = [
        { proxy: { proxy: p.url, noProxy: [], strictSSL: true } },
        { proxy: { proxy: `127.0.0.1:${p.port}`, noProxy: [], strictSSL: true } },
        { env: { HTTP_PROXY: p.url } },
        { env: { http_proxy: p.url } },
        { env: { HTTPS_PROXY: p.url } },
        { env: { ALL_PROXY: p.url } },
        { env: { all_proxy: p.url, HTTP_PROXY: p.url, HTTPS_PROXY: p.url } },
      ];
      for (const form of forms) {
        const store = keysStore(client(server.url, form), server.tokens.admin);
        await store.refresh();
        assert.ok(store.snapshot.loaded, `listed directly with ${JSON.stringify(form)}`);
      }
      // The same for a revoke: the DELETE goes direct too.
      const store = keysStore(client(server.url, { env: { HTTP_PROXY: p.url } }), server.tokens.admin);
      await store.refresh();
      assert.equal((await store.revoke(loadedKey(store, 'CI deploy'), undefined, store.currentAuth())).kind, 'revoked');
      assert.deepEqual(p.connects, [], 'the proxy saw no CONNECT');
      assert.deepEqual(p.forwards, [], 'nor any forwarded request');
      assert.equal(requestsOf('GET').length, forms.length + 1);
      assert.ok(server.requests.every((request) => request.headers['authorization'] === `Bearer ${server.tokens.admin}`));
    });
  });
}
