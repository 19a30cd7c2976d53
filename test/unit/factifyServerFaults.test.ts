/** The test Factify server's fault modes and test controls (test/server/factifyServer.ts): faults, latency, reset, setKeys. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { type ServerApiKey } from '../server/factifyServer';
import { generateKeys } from '../server/seed';
import { NOW, activeKey, assertProblem, call, findKey, keysIn, start, type Reply } from './helpers/serverCalls';

test('faults: proxy-like answers', async (t) => {
  const server = await start(t);
  const get = (): Promise<Reply> => call(server.url, '/v1/api-keys', { token: server.tokens.admin });

  server.addFault({ fault: { kind: 'html502' }, times: 1 });
  const html = await get();
  assert.equal(html.status, 502);
  assert.equal(html.headers['content-type'], 'text/html');
  assert.match(html.body, /502 Bad Gateway/);

  server.addFault({ fault: { kind: 'empty500' }, times: 1 });
  const empty = await get();
  assert.equal(empty.status, 500);
  assert.equal(empty.body, '');
  assert.equal(empty.headers['content-type'], undefined);

  server.addFault({ fault: { kind: 'status', status: 503, body: 'down', contentType: 'text/plain', headers: { 'x-a': 'b' } }, times: 1 });
  const status = await get();
  assert.deepEqual([status.status, status.body, status.headers['content-type'], status.headers['x-a']], [503, 'down', 'text/plain', 'b']);

  server.addFault({ fault: { kind: 'rateLimit', retryAfter: '7' }, times: 1 });
  const limited = await get();
  assertProblem(limited, 429);
  assert.equal(limited.headers['retry-after'], '7');

  server.addFault({ fault: { kind: 'redirect', status: 307, location: 'http://127.0.0.1:9/elsewhere' }, times: 1 });
  const redirect = await get();
  assert.equal(redirect.status, 307);
  assert.equal(redirect.headers.location, 'http://127.0.0.1:9/elsewhere');

  keysIn(await get());
});

test('faults: broken JSON bodies', async (t) => {
  const server = await start(t);
  const get = (): Promise<Reply> => call(server.url, '/v1/api-keys', { token: server.tokens.admin });
  const real = (await get()).body;

  server.addFault({ fault: { kind: 'malformedJson' }, times: 1 });
  const malformed = await get();
  assert.equal(malformed.status, 200);
  assert.equal(malformed.headers['content-type'], 'application/json');
  assert.throws(() => JSON.parse(malformed.body), SyntaxError);

  server.addFault({ fault: { kind: 'truncatedJson' }, times: 1 });
  const truncated = await get();
  assert.equal(truncated.status, 200);
  assert.ok(truncated.body.length > 10 && real.startsWith(truncated.body) && truncated.body.length < real.length);
  assert.throws(() => JSON.parse(truncated.body), SyntaxError);

  server.addFault({ fault: { kind: 'body', json: { api_keys: 'nope', extra: 1 } }, times: 1 });
  const odd = await get();
  assert.equal(odd.status, 200);
  assert.deepEqual(JSON.parse(odd.body), { api_keys: 'nope', extra: 1 });

  server.addFault({ fault: { kind: 'body', status: 404, json: [1, 2], contentType: 'application/problem+json' }, times: 1 });
  const array = await get();
  assert.deepEqual([array.status, array.headers['content-type'], array.body], [404, 'application/problem+json', '[1,2]']);
});

test('faults: reset, slow headers, slow body and huge body', { timeout: 10_000 }, async (t) => {
  const server = await start(t);
  const get = (): Promise<Reply> => call(server.url, '/v1/api-keys', { token: server.tokens.admin });

  server.addFault({ fault: { kind: 'reset' }, times: 1 });
  await assert.rejects(get(), (error: NodeJS.ErrnoException) => error.code === 'ECONNRESET');

  server.addFault({ fault: { kind: 'slowHeaders', delayMs: 300 }, times: 1 });
  const started = Date.now();
  keysIn(await get());
  // A lower bound only (load can only lengthen it): the server's timer starts after `started`, and never fires early.
  assert.ok(Date.now() - started >= 290, 'headers were delayed');

  server.addFault({ fault: { kind: 'slowBody', intervalMs: 20 }, times: 1 });
  const head = '{"api_keys":['.length;
  const dripped = await new Promise<{ status: number; bytes: number; ended: boolean }>((resolve, reject) => {
    const req = http.get(`${server.url}/v1/api-keys`, { headers: { authorization: `Bearer ${server.tokens.admin}` } }, (res) => {
      let bytes = 0;
      let ended = false;
      res.on('end', () => (ended = true));
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes < head + 3) return; // hang up once three drips have come after the head, however long they take
        req.destroy();
        resolve({ status: res.statusCode ?? 0, bytes, ended });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
  });
  assert.equal(dripped.status, 200);
  assert.equal(dripped.ended, false);
  assert.ok(dripped.bytes > head, `drip continued (${dripped.bytes} bytes)`);

  server.addFault({ fault: { kind: 'hugeBody', bytes: 3_000_000 }, times: 1 });
  const huge = await get();
  assert.equal(huge.status, 200);
  assert.ok(huge.body.length >= 3_000_000 && huge.body.length < 3_200_000, `size ${huge.body.length}`);
  const parsed = JSON.parse(huge.body) as { api_keys: ServerApiKey[] };
  assert.ok(parsed.api_keys.length > 1000);
});

test('fault rules: first match, times, method and path prefix', async (t) => {
  const server = await start(t);
  server.addFault({ fault: { kind: 'status', status: 418 }, method: 'DELETE' });
  server.addFault({ fault: { kind: 'status', status: 503 }, times: 2, pathPrefix: '/v1/api-keys' });
  server.addFault({ fault: { kind: 'status', status: 500 }, times: 1 });
  const get = async (): Promise<number> => (await call(server.url, '/v1/api-keys', { token: server.tokens.admin })).status;
  assert.deepEqual([await get(), await get(), await get(), await get()], [503, 503, 500, 200]);
  const key = server.keysOf(server.orgs.primary)[0];
  const del = await call(server.url, `/v1/api-keys/${key.id}`, { method: 'delete', token: server.tokens.admin });
  assert.equal(del.status, 418);
  server.clearFaults();
  assert.equal(await get(), 200);
});

test('latency delays normal answers; reset restores seed data and clears state', { timeout: 10_000 }, async (t) => {
  const server = await start(t);
  server.setLatency(200);
  const started = Date.now();
  assertProblem(await call(server.url, '/v1/api-keys'), 401);
  assert.ok(Date.now() - started >= 190, 'a lower bound only: load can lengthen the wait, never shorten it');

  const key = findKey(server, server.orgs.primary, activeKey);
  server.setLatency(0);
  assert.equal((await call(server.url, `/v1/api-keys/${key.id}`, { method: 'DELETE', token: server.tokens.admin })).status, 204);
  server.setKeys(server.orgs.secondary, []);
  server.addFault({ fault: { kind: 'empty500' } });
  server.setLatency(3_600_000);

  server.reset();
  assert.equal(server.requests.length, 0);
  const restored = findKey(server, server.orgs.primary, (candidate) => candidate.id === key.id);
  assert.equal(restored.revoked_at, null);
  assert.ok(server.keysOf(server.orgs.secondary).length > 0);
  // Latency cleared: with the hour still set, this answer could not come within the test's time limit.
  keysIn(await call(server.url, '/v1/api-keys', { token: server.tokens.admin }));
});

test('setKeys replaces an organization and keysOf returns the live records', async (t) => {
  const server = await start(t);
  const keys = generateKeys(server.orgs.secondary, 3, NOW).map((key) => ({ ...key, revoked_at: null }));
  server.setKeys(server.orgs.secondary, keys);
  keys[0].name = 'Renamed';
  const listed = keysIn(await call(server.url, '/v1/api-keys', { token: server.tokens.otherOrgAdmin }));
  assert.deepEqual(
    listed.map((key) => key.name),
    keys.map((key) => key.name),
  );
  assert.equal(server.keysOf(server.orgs.secondary), keys);
  assert.throws(() => server.keysOf('org_00000000000000000000000000'));
});
