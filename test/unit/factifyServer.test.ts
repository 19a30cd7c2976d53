/**
 * Tests of the test Factify server itself (test/server/factifyServer.ts): the API contract, recording,
 * keep-alive, TLS and the CLI. Its faults and test controls are in factifyServerFaults.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startFactifyServer, type FactifyServer } from '../server/factifyServer';
import { SEED } from '../server/seed';
import { selfSignedCert } from '../server/selfSignedCert';
import {
  API_KEY_FIELDS,
  KEY_ID,
  MALFORMED_BODY,
  NOW,
  ORG_ID,
  TOKEN,
  activeKey,
  assertProblem,
  call,
  findKey,
  keysIn,
  start,
  type Reply,
} from './helpers/serverCalls';

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
