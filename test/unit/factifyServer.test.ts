/**
 * Tests of the test Factify server itself (test/server): the API contract, faults, recording, TLS, the decoy
 * server, the CONNECT proxy and the CLI.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startConnectProxy } from '../server/connectProxy';
import { startDecoyServer } from '../server/decoy';
import { startFactifyServer, type FactifyServer, type ServerApiKey } from '../server/factifyServer';
import { SEED, generateKeys, seedKeys } from '../server/seed';
import { selfSignedCert } from '../server/selfSignedCert';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const KEY_ID = /^key_[0-9a-hjkmnp-tv-z]{26}$/;
const ORG_ID = /^org_[0-9a-hjkmnp-tv-z]{26}$/;
const TOKEN = /^ffy_[a-z0-9]+_[0-9a-hjkmnp-tv-z]{26}[0-9A-Za-z]+$/;
const API_KEY_FIELDS = [
  'created_at',
  'expires_at',
  'id',
  'is_active',
  'name',
  'org_id',
  'prefix',
  'revoked_at',
  'revoked_by',
  'revoked_comment',
  'updated_at',
];
const MALFORMED_BODY = 'Request body is malformed or missing required fields.';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface CallOptions {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  body?: string;
  ca?: string;
  agent?: http.Agent;
}

function call(baseUrl: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const url = new URL(path, baseUrl);
  const headers: Record<string, string> = {
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    // Node's client frames a DELETE body only with an explicit length.
    ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }),
    ...options.headers,
  };
  const requestOptions = { method: options.method ?? 'GET', headers, agent: options.agent };
  return send(
    (onResponse) =>
      url.protocol === 'https:'
        ? https.request(url, { ...requestOptions, ca: options.ca }, onResponse)
        : http.request(url, requestOptions, onResponse),
    options.body,
  );
}

/** Sends the request `open` builds and collects the whole answer. */
function send(open: (onResponse: (res: http.IncomingMessage) => void) => http.ClientRequest, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = open((res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function start(t: TestContext, options: Parameters<typeof startFactifyServer>[0] = {}): Promise<FactifyServer> {
  const server = await startFactifyServer({ now: () => NOW, ...options });
  t.after(() => server.close());
  return server;
}

function assertProblem(reply: Reply, status: number, detail?: string): void {
  assert.equal(reply.status, status, reply.body);
  assert.equal(reply.headers['content-type'], 'application/problem+json');
  const problem = JSON.parse(reply.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(problem).sort(), ['detail', 'status', 'title', 'type']);
  assert.equal(problem.status, status);
  assert.equal(typeof problem.title, 'string');
  assert.equal(typeof problem.type, 'string');
  if (detail !== undefined) assert.equal(problem.detail, detail);
}

function keysIn(reply: Reply): ServerApiKey[] {
  assert.equal(reply.status, 200, reply.body);
  assert.equal(reply.headers['content-type'], 'application/json');
  const parsed = JSON.parse(reply.body) as { api_keys: ServerApiKey[] };
  assert.deepEqual(Object.keys(parsed), ['api_keys']);
  return parsed.api_keys;
}

function findKey(server: FactifyServer, orgId: string, predicate: (key: ServerApiKey) => boolean): ServerApiKey {
  const key = server.keysOf(orgId).find(predicate);
  assert.ok(key, 'seeded key not found');
  return key;
}

const activeKey = (key: ServerApiKey): boolean => key.revoked_at === null && key.is_active;

test('identities are well-formed typed ids and tokens', async (t) => {
  const server = await start(t);
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(server.url, `http://127.0.0.1:${server.port}`);
  for (const org of Object.values(server.orgs)) assert.match(org, ORG_ID);
  for (const user of Object.values(server.users)) assert.match(user, /^usr_[0-9a-hjkmnp-tv-z]{26}$/);
  for (const token of Object.values(server.tokens)) assert.match(token, TOKEN);
  assert.equal(new Set(Object.values(server.tokens)).size, 6);
});

test('every accepted token is a listed key of its own organization, whose prefix (less "...") starts the token', async (t) => {
  const server = await start(t);
  const homes = {
    admin: server.orgs.primary,
    member: server.orgs.primary,
    otherOrgAdmin: server.orgs.secondary,
    secondaryMember: server.orgs.secondary,
    staff: server.orgs.staffHome,
  };
  for (const [name, orgId] of Object.entries(homes) as Array<[keyof typeof homes, string]>) {
    const token = server.tokens[name];
    const keys = keysIn(await call(server.url, '/v1/api-keys?include_revoked=true', { token }));
    assert.ok(
      keys.every((key) => key.org_id === orgId),
      `${name} lists its own organization`,
    );
    const own = keys.filter((key) => token.startsWith(key.prefix.replace(/\.\.\.$/, '')));
    assert.deepEqual(
      own.map((key) => key.name),
      [server.tokenKeys[name]],
      `${name} is exactly one listed key`,
    );
    assert.equal(own[0]?.revoked_at, null);
  }
  assert.ok(!server.keysOf(server.orgs.primary).some((key) => server.tokens.unknown.startsWith(key.prefix.replace(/\.\.\.$/, ''))));
});

test('once the key a token is has been revoked, that token is refused (401) and other tokens still work', async (t) => {
  const server = await start(t);
  const own = findKey(server, server.orgs.primary, (key) => key.name === server.tokenKeys.admin);
  const reply = await call(server.url, `/v1/api-keys/${own.id}`, { method: 'DELETE', token: server.tokens.admin });
  assert.equal(reply.status, 204, reply.body);
  assertProblem(await call(server.url, '/v1/api-keys', { token: server.tokens.admin }), 401);
  assert.ok(keysIn(await call(server.url, '/v1/api-keys', { token: server.tokens.member })).length > 0);
  server.reset();
  assert.equal(
    keysIn(await call(server.url, '/v1/api-keys', { token: server.tokens.admin })).length > 0,
    true,
    'a reset restores the seed',
  );
});

test('401 problem with WWW-Authenticate without a token, with a malformed one and with an unknown one', async (t) => {
  const server = await start(t);
  const attempts: Array<Record<string, string>> = [
    {},
    { authorization: `Basic ${server.tokens.admin}` },
    { authorization: 'Bearer not-a-token' },
    { authorization: `Bearer ${server.tokens.unknown}` },
  ];
  for (const headers of attempts) {
    for (const [method, path] of [
      ['GET', '/v1/api-keys'],
      ['DELETE', `/v1/api-keys/${server.keysOf(server.orgs.primary)[0].id}`],
    ]) {
      const reply = await call(server.url, path, { method, headers });
      assertProblem(reply, 401);
      assert.equal(reply.headers['www-authenticate'], 'Bearer');
    }
  }
  assert.equal(server.keysOf(server.orgs.primary)[0].revoked_at, null);
});

test('list omits revoked keys by default, includes them with include_revoked=true, always returns expired', async (t) => {
  const server = await start(t);
  const all = server.keysOf(server.orgs.primary);
  const revokedIds = all.filter((key) => key.revoked_at !== null).map((key) => key.id);
  assert.equal(revokedIds.length, 2);

  const byDefault = keysIn(await call(server.url, '/v1/api-keys', { token: server.tokens.admin }));
  const explicitFalse = keysIn(await call(server.url, '/v1/api-keys?include_revoked=false', { token: server.tokens.admin }));
  const withRevoked = keysIn(await call(server.url, '/v1/api-keys?include_revoked=true', { token: server.tokens.admin }));

  assert.equal(byDefault.length, all.length - 2);
  assert.deepEqual(explicitFalse, byDefault);
  assert.ok(byDefault.every((key) => !revokedIds.includes(key.id)));
  assert.ok(
    byDefault.some((key) => key.expires_at !== null && Date.parse(key.expires_at) < NOW.getTime()),
    'expired key listed',
  );
  assert.deepEqual(withRevoked, all);
  for (const key of withRevoked) {
    assert.deepEqual(Object.keys(key).sort(), API_KEY_FIELDS, 'exactly the contract fields, no secret');
    assert.match(key.id, KEY_ID);
    assert.equal(key.org_id, server.orgs.primary);
    assert.match(key.prefix, /^ffy_[a-z0-9]+_[0-9a-hjkmnp-tv-z]{8}\.\.\.$/);
  }
});

test('members can list; include_revoked accepts only true or false', async (t) => {
  const server = await start(t);
  keysIn(await call(server.url, '/v1/api-keys', { token: server.tokens.member }));
  for (const value of ['maybe', 'TRUE', '1', '']) {
    assertProblem(await call(server.url, `/v1/api-keys?include_revoked=${value}`, { token: server.tokens.admin }), 400);
  }
  assertProblem(await call(server.url, '/v1/api-keys?include_revoked=true&include_revoked=false', { token: server.tokens.admin }), 400);
});

test('each token lists its own organization', async (t) => {
  const server = await start(t);
  const cases: Array<[string, string]> = [
    [server.tokens.otherOrgAdmin, server.orgs.secondary],
    [server.tokens.staff, server.orgs.staffHome],
  ];
  for (const [token, org] of cases) {
    const keys = keysIn(await call(server.url, '/v1/api-keys?include_revoked=true', { token }));
    assert.ok(keys.length > 0);
    assert.ok(keys.every((key) => key.org_id === org));
  }
});

test('organization override: staff only, validated, resolved against the target organization', async (t) => {
  const server = await start(t);
  const override = (org: string): Record<string, string> => ({ 'X-Factify-Organization-Id': org });

  const asStaff = keysIn(
    await call(server.url, '/v1/api-keys?include_revoked=true', {
      token: server.tokens.staff,
      headers: override(server.orgs.secondary),
    }),
  );
  assert.deepEqual(asStaff, server.keysOf(server.orgs.secondary));

  assertProblem(
    await call(server.url, '/v1/api-keys', { token: server.tokens.admin, headers: override(server.orgs.secondary) }),
    403,
    'Only Factify staff may act on behalf of another organization.',
  );
  assertProblem(await call(server.url, '/v1/api-keys', { token: server.tokens.admin, headers: override(server.orgs.primary) }), 403);
  for (const invalid of ['org_123', 'acme', `${server.orgs.secondary.toUpperCase()}`, `${server.orgs.secondary}x`, '']) {
    assertProblem(await call(server.url, '/v1/api-keys', { token: server.tokens.staff, headers: override(invalid) }), 400);
  }
  assertProblem(
    await call(server.url, '/v1/api-keys', { token: server.tokens.staff, headers: override('org_00000000000000000000000000') }),
    404,
  );
});

test('revoke as a member is 403 and leaves the key unchanged', async (t) => {
  const server = await start(t);
  const key = findKey(server, server.orgs.primary, activeKey);
  const before = { ...key };
  const reply = await call(server.url, `/v1/api-keys/${key.id}`, {
    method: 'DELETE',
    token: server.tokens.member,
    headers: { 'content-type': 'application/json' },
    body: '{"reason":"nope"}',
  });
  assertProblem(reply, 403, 'Revoking API keys requires the organization admin role.');
  assert.deepEqual(key, before);
});

test('revoke as admin with a reason: 204 with no body, fields set; again is 409', async (t) => {
  const server = await start(t);
  const key = findKey(server, server.orgs.primary, activeKey);
  const reply = await call(server.url, `/v1/api-keys/${key.id}`, {
    method: 'DELETE',
    token: server.tokens.admin,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ reason: 'rotated' }),
  });
  assert.equal(reply.status, 204);
  assert.equal(reply.body, '');
  assert.equal(reply.headers['content-type'], undefined);
  assert.equal(key.revoked_at, NOW.toISOString());
  assert.equal(key.updated_at, NOW.toISOString());
  assert.equal(key.revoked_by, server.users.admin);
  assert.equal(key.revoked_comment, 'rotated');
  assert.equal(key.is_active, false);

  const listed = keysIn(await call(server.url, '/v1/api-keys', { token: server.tokens.admin }));
  assert.ok(!listed.some((candidate) => candidate.id === key.id), 'revoked key leaves the default list');

  assertProblem(
    await call(server.url, `/v1/api-keys/${key.id}`, { method: 'DELETE', token: server.tokens.admin }),
    409,
    'API key is already revoked.',
  );
});

test('revoke without a body stores a null comment; a seeded revoked key is 409', async (t) => {
  const server = await start(t);
  const key = findKey(server, server.orgs.primary, activeKey);
  const reply = await call(server.url, `/v1/api-keys/${key.id}`, { method: 'DELETE', token: server.tokens.admin });
  assert.equal(reply.status, 204);
  assert.equal(key.revoked_comment, null);
  assert.equal(key.revoked_by, server.users.admin);

  const revokedButActive = findKey(server, server.orgs.primary, (candidate) => candidate.revoked_at !== null && candidate.is_active);
  assertProblem(await call(server.url, `/v1/api-keys/${revokedButActive.id}`, { method: 'DELETE', token: server.tokens.admin }), 409);
});

test('revoke body must be a JSON object with an optional string reason of at most 500 characters', async (t) => {
  const server = await start(t);
  const key = findKey(server, server.orgs.primary, activeKey);
  const before = { ...key };
  const json = 'application/json';
  const bad: Array<[string, string]> = [
    [json, '{"reason":'],
    [json, 'not json'],
    [json, '[]'],
    [json, '"rotated"'],
    [json, 'null'],
    [json, '{"reason":42}'],
    [json, '{"reason":null}'],
    [json, JSON.stringify({ reason: 'x'.repeat(501) })],
    ['text/plain', '{"reason":"rotated"}'],
    ['application/x-www-form-urlencoded', 'reason=rotated'],
  ];
  for (const [contentType, body] of bad) {
    const reply = await call(server.url, `/v1/api-keys/${key.id}`, {
      method: 'DELETE',
      token: server.tokens.admin,
      headers: { 'content-type': contentType },
      body,
    });
    assertProblem(reply, 400, MALFORMED_BODY);
  }
  assert.deepEqual(key, before);

  const longest = 'é'.repeat(500);
  const reply = await call(server.url, `/v1/api-keys/${key.id}`, {
    method: 'DELETE',
    token: server.tokens.admin,
    headers: { 'content-type': json },
    body: JSON.stringify({ reason: longest, extra: true }),
  });
  assert.equal(reply.status, 204);
  assert.equal(key.revoked_comment, longest);
});

test('revoke: invalid key id is 400, unknown or other-organization key is 404', async (t) => {
  const server = await start(t);
  const revoke = (id: string, token = server.tokens.admin): Promise<Reply> =>
    call(server.url, `/v1/api-keys/${id}`, { method: 'DELETE', token });
  for (const invalid of [
    '123',
    'key_short',
    'KEY_01K8YBDF00SD8WSJC6D64RZCJT',
    'key_01k8ybdf00sd8wsjc6d64rzcji',
    'key_01k8ybdf00sd8wsjc6d64rzcjt0',
  ]) {
    assertProblem(await revoke(invalid), 400);
  }
  assertProblem(await revoke('key_00000000000000000000000000'), 404, 'API key not found.');
  const otherOrgKey = findKey(server, server.orgs.secondary, activeKey);
  assertProblem(await revoke(otherOrgKey.id), 404);
  const primaryKey = findKey(server, server.orgs.primary, activeKey);
  assertProblem(await revoke(primaryKey.id, server.tokens.otherOrgAdmin), 404);
  assert.equal(otherOrgKey.revoked_at, null);
  assert.equal(primaryKey.revoked_at, null);
});

test('staff acting through the override may revoke in that organization', async (t) => {
  const server = await start(t);
  const key = findKey(server, server.orgs.secondary, activeKey);
  const reply = await call(server.url, `/v1/api-keys/${key.id}`, {
    method: 'DELETE',
    token: server.tokens.staff,
    headers: { 'x-factify-organization-id': server.orgs.secondary },
  });
  assert.equal(reply.status, 204);
  assert.equal(key.revoked_by, server.users.staff);
});

test('unknown paths are 404 and wrong methods 405 problems', async (t) => {
  const server = await start(t);
  const key = server.keysOf(server.orgs.primary)[0];
  assertProblem(await call(server.url, '/v1/api-key', { token: server.tokens.admin }), 404);
  assertProblem(await call(server.url, '/v1/api-keys/', { token: server.tokens.admin }), 404);
  assertProblem(await call(server.url, `/v1/api-keys/${key.id}/extra`, { token: server.tokens.admin }), 404);
  const post = await call(server.url, '/v1/api-keys', { method: 'POST', token: server.tokens.admin });
  assertProblem(post, 405);
  assert.equal(post.headers.allow, 'GET');
  const get = await call(server.url, `/v1/api-keys/${key.id}`, { token: server.tokens.admin });
  assertProblem(get, 405);
  assert.equal(get.headers.allow, 'DELETE');
});

test('every request is recorded with lower-cased headers, query and raw body', async (t) => {
  const server = await start(t);
  server.addFault({ fault: { kind: 'empty500' }, times: 1, pathPrefix: '/v1/other' });
  await call(server.url, '/v1/api-keys?include_revoked=true', { token: server.tokens.admin, headers: { 'X-Trace': 'a' } });
  await call(server.url, '/v1/api-keys');
  await call(server.url, '/v1/other');
  const key = server.keysOf(server.orgs.primary)[0];
  await call(server.url, `/v1/api-keys/${key.id}`, {
    method: 'DELETE',
    token: server.tokens.member,
    headers: { 'Content-Type': 'application/json' },
    body: '{"reason":"r"}',
  });
  assert.equal(server.requests.length, 4);
  const [list, unauthenticated, faulted, revoke] = server.requests;
  assert.equal(list.method, 'GET');
  assert.equal(list.path, '/v1/api-keys');
  assert.deepEqual(list.query, { include_revoked: 'true' });
  assert.equal(list.headers.authorization, `Bearer ${server.tokens.admin}`);
  assert.equal(list.headers['x-trace'], 'a');
  assert.equal(unauthenticated.headers.authorization, undefined);
  assert.equal(faulted.path, '/v1/other');
  assert.equal(revoke.method, 'DELETE');
  assert.equal(revoke.headers['content-type'], 'application/json');
  assert.equal(revoke.body, '{"reason":"r"}');
  assert.ok(revoke.at >= list.at && typeof list.at === 'number');

  const requests = server.requests;
  server.clearRequests();
  assert.equal(requests.length, 0, 'the same array is cleared');
});

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

test('seed covers every key state relative to now', () => {
  const keys = seedKeys(NOW);
  assert.deepEqual([...keys.keys()], [SEED.orgs.primary, SEED.orgs.secondary, SEED.orgs.staffHome]);
  const primary = keys.get(SEED.orgs.primary) ?? [];
  const now = NOW.getTime();
  const day = 86_400_000;
  const revoked = primary.filter((key) => key.revoked_at !== null);
  const rest = primary.filter((key) => key.revoked_at === null);
  const expired = rest.filter((key) => key.expires_at !== null && Date.parse(key.expires_at) < now);
  const inactive = rest.filter((key) => !expired.includes(key) && !key.is_active);
  const active = rest.filter((key) => !expired.includes(key) && key.is_active);
  const soon = active.filter((key) => key.expires_at !== null && Date.parse(key.expires_at) - now < 14 * day);
  assert.ok(primary.length >= 10);
  assert.equal(revoked.length, 2);
  assert.ok(revoked.some((key) => key.revoked_comment !== null));
  assert.ok(
    revoked.some((key) => key.is_active),
    'a revoked key still flagged active',
  );
  assert.ok(revoked.every((key) => key.revoked_by === SEED.users.admin));
  assert.equal(expired.length, 1);
  assert.equal(expired[0].is_active, true);
  assert.equal(inactive.length, 1);
  assert.equal(soon.length, 1);
  assert.ok(active.length >= 5);
  assert.ok(active.some((key) => key.expires_at === null));
  for (const [org, orgKeys] of keys) {
    for (const key of orgKeys) {
      assert.deepEqual(Object.keys(key).sort(), API_KEY_FIELDS);
      assert.equal(key.org_id, org);
      assert.match(key.id, KEY_ID);
      assert.ok(Date.parse(key.created_at) <= Date.parse(key.updated_at));
    }
  }
  assert.ok((keys.get(SEED.orgs.secondary) ?? []).length >= 3);
  assert.deepEqual(seedKeys(NOW), keys, 'deterministic');
});

test('generateKeys is deterministic with mixed states and unique ids', () => {
  const keys = generateKeys(SEED.orgs.primary, 100_000, NOW);
  assert.deepEqual(generateKeys(SEED.orgs.primary, 50, NOW), keys.slice(0, 50));
  assert.equal(new Set(keys.map((key) => key.id)).size, keys.length);
  const now = NOW.getTime();
  const counts = { active: 0, expired: 0, inactive: 0, revoked: 0 };
  for (const key of keys) {
    assert.match(key.id, KEY_ID);
    if (key.revoked_at !== null) counts.revoked++;
    else if (key.expires_at !== null && Date.parse(key.expires_at) < now) counts.expired++;
    else if (!key.is_active) counts.inactive++;
    else counts.active++;
  }
  const share = (count: number): number => count / keys.length;
  assert.ok(Math.abs(share(counts.active) - 0.8) < 0.02, JSON.stringify(counts));
  assert.ok(Math.abs(share(counts.expired) - 0.08) < 0.01, JSON.stringify(counts));
  assert.ok(Math.abs(share(counts.inactive) - 0.06) < 0.01, JSON.stringify(counts));
  assert.ok(Math.abs(share(counts.revoked) - 0.06) < 0.01, JSON.stringify(counts));
});

test('100 000 generated keys: every one listed once, in its organization', async (t) => {
  // How fast the server starts and lists is a benchmark figure (npm run bench), never a timed test.
  const server = await start(t, { generatedKeys: 100_000 });
  const keys = keysIn(await call(server.url, '/v1/api-keys?include_revoked=true', { token: server.tokens.admin }));
  assert.equal(keys.length, 100_000);
  assert.equal(new Set(keys.map((key) => key['id'])).size, 100_000, 'ids are unique');
  assert.ok(keys.every((key) => key['org_id'] === server.orgs.primary));
});

test('keep-alive connections are reused and close() does not wait for them', async (t) => {
  const server = await startFactifyServer({ now: () => NOW });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const sockets = new Set<Socket>();
  agent.on('free', (socket: Socket) => sockets.add(socket));
  for (let i = 0; i < 3; i++) keysIn(await call(server.url, '/v1/api-keys', { token: server.tokens.admin, agent }));
  assert.equal(sockets.size, 1);
  server.addFault({ fault: { kind: 'slowBody', intervalMs: 1000 } });
  const stalled = call(server.url, '/v1/api-keys', { token: server.tokens.admin });
  const seen = server.requests.length;
  while (server.requests.length === seen) await new Promise((resolve) => setImmediate(resolve));
  // An idle keep-alive socket or the stalled body would keep a waiting close() pending until the test times out.
  await server.close();
  await assert.rejects(stalled);
});

test('https mode with the self-signed certificate', async (t) => {
  const { key, cert } = selfSignedCert();
  assert.equal(selfSignedCert().cert, cert, 'cached per process');
  const server = await start(t, { tls: { key, cert } });
  assert.equal(server.url, `https://127.0.0.1:${server.port}`);
  keysIn(await call(server.url, '/v1/api-keys', { token: server.tokens.admin, ca: cert }));
  keysIn(await call(`https://localhost:${server.port}`, '/v1/api-keys', { token: server.tokens.admin, ca: cert }));
  await assert.rejects(call(server.url, '/v1/api-keys', { token: server.tokens.admin }), /self.signed/i);
  server.addFault({ fault: { kind: 'reset' }, times: 1 });
  await assert.rejects(call(server.url, '/v1/api-keys', { token: server.tokens.admin, ca: cert }));
});

test('decoy server records every request and answers 200 decoy', async (t) => {
  const decoy = await startDecoyServer();
  t.after(() => decoy.close());
  const reply = await call(decoy.url, '/v1/api-keys?x=1', {
    method: 'POST',
    headers: { Authorization: 'Bearer leaked', 'Content-Type': 'application/json' },
    body: '{"a":1}',
  });
  assert.deepEqual([reply.status, reply.body], [200, 'decoy']);
  assert.equal(decoy.requests.length, 1);
  const [request] = decoy.requests;
  assert.deepEqual(
    [request.method, request.url, request.headers.authorization, request.body],
    ['POST', '/v1/api-keys?x=1', 'Bearer leaked', '{"a":1}'],
  );
  decoy.clearRequests();
  assert.equal(decoy.requests.length, 0);
});

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

test('cli prints one JSON line, serves generated keys and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [join(__dirname, '..', 'server', 'cli.js'), '--keys', '500', '--latency-ms', '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', () => reject(new Error('cli exited before printing')));
    });
    const info = JSON.parse(line) as { url: string; tokens: FactifyServer['tokens']; orgs: FactifyServer['orgs'] };
    assert.deepEqual(Object.keys(info), ['url', 'tokens', 'orgs']);
    assert.deepEqual(info.tokens, SEED.tokens);
    assert.deepEqual(info.orgs, SEED.orgs);
    const keys = keysIn(await call(info.url, '/v1/api-keys?include_revoked=true', { token: info.tokens.admin, agent: new http.Agent() }));
    assert.equal(keys.length, 500);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});
