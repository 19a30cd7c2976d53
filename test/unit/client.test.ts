/**
 * FactifyClient (src/core/client.ts) against the local Factify-compatible server (test/server) on loopback:
 * what is sent, and how every status answer becomes a typed error with a message that says what to do.
 * Rate limits and transport failures are in clientTransport.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type RequestAuth } from '../../src/core/client';
import { asKeyId, type ApiToken, type KeyId, type OrgId } from '../../src/core/ids';
import { FAULT_LIST, QUICK, auth, liveKey, makeClient, rejectsWith, server, useClientServers } from './helpers/clientServers';

useClientServers();

describe('what the client sends', () => {
  test('list: include_revoked true/false, exact Authorization, no organization header by default', QUICK, async () => {
    const client = makeClient();
    const all = server.keysOf(server.orgs.primary);

    const withRevoked = await client.listKeys(auth(server.tokens.admin), { includeRevoked: true });
    const withoutRevoked = await client.listKeys(auth(server.tokens.admin), { includeRevoked: false });

    assert.deepEqual(
      withRevoked.keys.map((key) => key.id),
      all.map((key) => key.id),
    );
    assert.deepEqual(
      withoutRevoked.keys.map((key) => key.id),
      all.filter((key) => key.revoked_at === null).map((key) => key.id),
    );
    assert.deepEqual(withRevoked.rejected, []);
    assert.ok(withRevoked.keys.every((key) => key.keyId === key.id && key.orgId === server.orgs.primary));

    assert.equal(server.requests.length, 2);
    const [first, second] = server.requests;
    assert.ok(first && second);
    assert.equal(first.method, 'GET');
    assert.equal(first.path, '/v1/api-keys');
    assert.deepEqual(first.query, { include_revoked: 'true' });
    assert.deepEqual(second.query, { include_revoked: 'false' });
    for (const request of server.requests) {
      assert.equal(request.headers['authorization'], `Bearer ${server.tokens.admin}`);
      assert.equal(request.headers['x-factify-organization-id'], undefined);
      assert.equal(request.headers['user-agent'], 'factify-unit-tests');
      assert.equal(request.body, '');
    }
  });

  test('the organization override is sent as X-Factify-Organization-Id when set', QUICK, async () => {
    const client = makeClient();
    const list = await client.listKeys(auth(server.tokens.staff, server.orgs.secondary), { includeRevoked: true });
    assert.ok(list.keys.length > 0 && list.keys.every((key) => key.orgId === server.orgs.secondary));
    assert.equal(server.requests[0]?.headers['x-factify-organization-id'], server.orgs.secondary);
    assert.equal(server.requests[0]?.headers['authorization'], `Bearer ${server.tokens.staff}`);
  });

  test('an answer identical to the previous one gives back the same validated list; any change gives a new one', QUICK, async () => {
    const client = makeClient();
    const admin = auth(server.tokens.admin);
    const first = await client.listKeys(admin, { includeRevoked: false });
    assert.equal(await client.listKeys(admin, { includeRevoked: false }), first, 'same answer: the same list object');
    assert.notEqual(await client.listKeys(admin, { includeRevoked: true }), first, 'another query is never answered from the previous one');
    const renamed = server.keysOf(server.orgs.primary)[0];
    assert.ok(renamed);
    renamed.name = 'Renamed between two refreshes';
    const changed = await client.listKeys(admin, { includeRevoked: true });
    assert.ok(changed.keys.some((key) => key.name === 'Renamed between two refreshes'));
    const staffElsewhere = await client.listKeys(auth(server.tokens.staff, server.orgs.primary), { includeRevoked: true });
    assert.notEqual(staffElsewhere, changed, 'the same text under another organization header is validated again');
    assert.equal(server.requests.length, 5, 'every refresh still asks the server');
  });

  test('an organization id that fails its pattern never reaches a request', QUICK, async () => {
    const client = makeClient();
    const forged: RequestAuth = { token: server.tokens.staff as ApiToken, organizationId: 'org_x\r\nX-Evil: 1' as OrgId };
    await rejectsWith(client.listKeys(forged, { includeRevoked: false }), 'invalidConfig', /organization/);
    await rejectsWith(
      client.revokeKey(auth(server.tokens.admin), 'key_../../x' as KeyId, undefined),
      'invalidResponse',
      /cannot be revoked/,
    );
    assert.equal(server.requests.length, 0);
  });

  test('revoke with a reason sends {"reason": …} as application/json and resolves on 204', QUICK, async () => {
    const client = makeClient();
    const key = liveKey(server.orgs.primary);
    await client.revokeKey(auth(server.tokens.admin), key.keyId, 'rotated "après" incident');
    const request = server.requests[0];
    assert.ok(request);
    assert.equal(request.method, 'DELETE');
    assert.equal(request.path, `/v1/api-keys/${key.id}`);
    assert.deepEqual(request.query, {});
    assert.equal(request.headers['authorization'], `Bearer ${server.tokens.admin}`);
    assert.match(request.headers['content-type'] ?? '', /^application\/json\b/);
    assert.deepEqual(JSON.parse(request.body), { reason: 'rotated "après" incident' });
    const stored = server.keysOf(server.orgs.primary).find((candidate) => candidate.id === key.id);
    assert.equal(stored?.revoked_comment, 'rotated "après" incident');
    assert.equal(stored?.revoked_by, server.users.admin);
  });

  test('revoke without a reason (undefined or empty) sends no body and no content type', QUICK, async () => {
    const client = makeClient();
    const keys = server
      .keysOf(server.orgs.primary)
      .filter((key) => key.revoked_at === null)
      .slice(0, 2);
    await client.revokeKey(auth(server.tokens.admin), asKeyId(keys[0]?.id) as KeyId, undefined);
    await client.revokeKey(auth(server.tokens.admin), asKeyId(keys[1]?.id) as KeyId, '');
    assert.equal(server.requests.length, 2);
    for (const request of server.requests) {
      assert.equal(request.method, 'DELETE');
      assert.equal(request.body, '');
      assert.equal(request.headers['content-type'], undefined);
    }
    assert.ok(keys.every((key) => key.revoked_at !== null && key.revoked_comment === null));
  });
});

describe('status answers become typed errors that say what to do', () => {
  test('400 carries the server detail', QUICK, async () => {
    const client = makeClient();
    const key = liveKey(server.orgs.primary);
    const error = await rejectsWith(
      client.revokeKey(auth(server.tokens.admin), key.keyId, 'x'.repeat(501)),
      'badRequest',
      /\(400\)/,
      /Request body is malformed/,
      /Show Log/,
    );
    assert.equal(error.status, 400);
    assert.equal(error.extra.problem?.status, 400);
  });

  test('401 asks for a new token', QUICK, async () => {
    const client = makeClient();
    await rejectsWith(client.listKeys(auth(server.tokens.unknown), { includeRevoked: false }), 'unauthorized', /401/, /Set API Token/);
    await rejectsWith(
      client.revokeKey(auth(server.tokens.unknown), liveKey(server.orgs.primary).keyId, undefined),
      'unauthorized',
      /Set API Token/,
    );
  });

  test('403 on revoke names the admin role; under an override it explains the staff-only rule', QUICK, async () => {
    const client = makeClient();
    const key = liveKey(server.orgs.primary);
    await rejectsWith(client.revokeKey(auth(server.tokens.member), key.keyId, undefined), 'forbidden', /admin role/);
    await rejectsWith(
      client.listKeys(auth(server.tokens.admin, server.orgs.secondary), { includeRevoked: false }),
      'forbidden',
      /Only Factify staff/,
      /[Ss]witch back/,
    );
    await rejectsWith(
      client.revokeKey(auth(server.tokens.member, server.orgs.primary), key.keyId, undefined),
      'forbidden',
      /Only Factify staff/,
    );
    assert.equal(key.revoked_at, null);
    assert.equal(server.keysOf(server.orgs.primary).find((candidate) => candidate.id === key.id)?.revoked_at, null);
  });

  test('403 on the list without an override still says what to do', QUICK, async () => {
    const client = makeClient();
    server.addFault({
      ...FAULT_LIST,
      fault: {
        kind: 'status',
        status: 403,
        contentType: 'application/problem+json',
        body: JSON.stringify({ title: 'Forbidden', status: 403, detail: 'Access denied.' }),
      },
    });
    await rejectsWith(
      client.listKeys(auth(server.tokens.admin), { includeRevoked: false }),
      'forbidden',
      /403/,
      /Access denied\./,
      /Set API Token/,
    );
  });

  test('404: a revoked-away key says refresh; an unknown organization says switch', QUICK, async () => {
    const client = makeClient();
    await rejectsWith(client.revokeKey(auth(server.tokens.admin), `key_${'0'.repeat(26)}` as KeyId, undefined), 'notFound', /refresh/i);
    await rejectsWith(
      client.listKeys(auth(server.tokens.staff, `org_${'0'.repeat(26)}`), { includeRevoked: false }),
      'notFound',
      /[Ss]witch organization/,
    );
  });

  test('409 on an already revoked key', QUICK, async () => {
    const client = makeClient();
    const revoked = server.keysOf(server.orgs.primary).find((key) => key.revoked_at !== null);
    assert.ok(revoked);
    const error = await rejectsWith(
      client.revokeKey(auth(server.tokens.admin), revoked.id as KeyId, 'again'),
      'conflict',
      /already revoked/,
    );
    assert.equal(error.status, 409);
  });

  test('5xx HTML page from a proxy: the message says so and suggests refreshing', QUICK, async () => {
    const client = makeClient();
    server.addFault({ ...FAULT_LIST, fault: { kind: 'html502' } });
    const error = await rejectsWith(
      client.listKeys(auth(server.tokens.admin), { includeRevoked: false }),
      'server',
      /502/,
      /HTML page/,
      /proxy/,
      /Refresh/,
    );
    assert.ok(!error.message.includes('<'), 'the page itself is not shown');
  });

  test('an empty 500 is still a server error with a next step', QUICK, async () => {
    const client = makeClient();
    server.addFault({ fault: { kind: 'empty500' } });
    const error = await rejectsWith(client.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'server', /500/, /Refresh/);
    assert.equal(error.status, 500);
    assert.equal(error.extra.problem, undefined);
  });

  test('problem details members with the wrong types are ignored', QUICK, async () => {
    const client = makeClient();
    server.addFault({
      ...FAULT_LIST,
      times: 1,
      fault: {
        kind: 'status',
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 7, title: ['Injected'], status: '503', detail: { text: 'Injected' } }),
      },
    });
    const allWrong = await rejectsWith(client.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'server', /503/);
    assert.equal(allWrong.extra.problem, undefined);
    assert.doesNotMatch(allWrong.message, /Injected|\[object/);

    server.addFault({
      ...FAULT_LIST,
      times: 1,
      fault: {
        kind: 'status',
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: null, title: 42, status: 503, detail: 'Maintenance until 10:00 UTC.' }),
      },
    });
    const someRight = await rejectsWith(
      client.listKeys(auth(server.tokens.admin), { includeRevoked: false }),
      'server',
      /Maintenance until 10:00 UTC/,
    );
    assert.deepEqual(someRight.extra.problem, { type: undefined, title: undefined, status: 503, detail: 'Maintenance until 10:00 UTC.' });
  });

  test('a server message is sanitised and never repeats the token', QUICK, async () => {
    const client = makeClient();
    server.addFault({
      ...FAULT_LIST,
      fault: {
        kind: 'status',
        status: 400,
        contentType: 'application/problem+json',
        body: JSON.stringify({ detail: `Token ${server.tokens.admin} is bad\n\u202E[x](command:evil)` }),
      },
    });
    const error = await rejectsWith(client.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'badRequest');
    assert.ok(!error.message.includes('\n') && !error.message.includes('\u202E'));
    assert.match(error.message, /redacted/);
  });

  test('an unexpected 4xx is reported with its status', QUICK, async () => {
    const client = makeClient();
    server.addFault({ ...FAULT_LIST, fault: { kind: 'status', status: 418, body: 'teapot', contentType: 'text/plain' } });
    const error = await rejectsWith(client.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'badRequest', /418/, /Show Log/);
    assert.equal(error.status, 418);
  });
});
