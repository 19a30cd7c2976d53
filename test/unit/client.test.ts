/**
 * FactifyClient against the local Factify-compatible server (test/server) on loopback: what is sent, and how
 * every kind of answer becomes a typed error with a message that says what to do.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RETRY, FactifyClient, type ConnectionOptions, type RateLimitWait, type RequestAuth } from '../../src/core/client';
import { FactifyError, type FactifyErrorKind } from '../../src/core/errors';
import { asKeyId, asOrgId, type ApiToken, type KeyId, type OrgId } from '../../src/core/ids';
import { startFactifyServer, type FactifyServer, type ServerApiKey } from '../server/factifyServer';
import { startDecoyServer, type DecoyServer } from '../server/decoy';
import { deferred, waitFor } from './helpers/waitFor';

/** No test may hang: a broken wait or timeout fails fast instead. */
const QUICK = { timeout: 10_000 };

let server: FactifyServer;
let decoy: DecoyServer;
const clients: FactifyClient[] = [];

before(async () => {
  server = await startFactifyServer();
  decoy = await startDecoyServer();
});
after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await server.close();
  await decoy.close();
});
beforeEach(() => {
  server.reset();
  decoy.clearRequests();
});

function makeClient(overrides: Partial<ConnectionOptions> = {}): FactifyClient {
  const client = new FactifyClient({
    origin: new URL(server.url),
    timeoutMs: 5_000,
    proxy: { proxy: undefined, noProxy: [], strictSSL: true },
    userAgent: 'factify-unit-tests',
    env: {}, // never pick up a proxy from the machine running the tests
    retry: { maxAttempts: 3, maxWaitMs: 2_000, baseDelayMs: 10 },
    ...overrides,
  });
  clients.push(client);
  return client;
}

function auth(token: string, organizationId?: string): RequestAuth {
  const org = organizationId === undefined ? undefined : asOrgId(organizationId);
  if (organizationId !== undefined) assert.ok(org, 'test org id must be valid');
  return { token: token as ApiToken, organizationId: org as OrgId | undefined };
}

function liveKey(orgId: string): ServerApiKey & { keyId: KeyId } {
  const key = server.keysOf(orgId).find((candidate) => candidate.revoked_at === null);
  assert.ok(key);
  const keyId = asKeyId(key.id);
  assert.ok(keyId);
  return { ...key, keyId };
}

/** Awaits a rejection and checks it is a FactifyError of `kind` whose message matches every pattern. */
async function rejectsWith(promise: Promise<unknown>, kind: FactifyErrorKind, ...message: RegExp[]): Promise<FactifyError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof FactifyError, `not a FactifyError: ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    for (const pattern of message) assert.match(error.message, pattern);
    for (const token of Object.values(server.tokens)) assert.ok(!error.message.includes(token), 'the token leaked into the message');
    return error;
  }
  assert.fail(`expected a ${kind} error`);
}

const FAULT_LIST = { method: 'GET', pathPrefix: '/v1/api-keys' };

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

describe('rate limits (429)', () => {
  test('a GET is retried after Retry-After seconds, and onRateLimited is told', QUICK, async () => {
    const sleeps: number[] = [];
    const waitOver = deferred();
    const client = makeClient({ sleep: (ms) => (sleeps.push(ms), waitOver.promise) });
    server.addFault({ ...FAULT_LIST, times: 1, fault: { kind: 'rateLimit', retryAfter: '1' } });
    const waits: RateLimitWait[] = [];
    const pending = client.listKeys(auth(server.tokens.admin), { includeRevoked: false, onRateLimited: (wait) => waits.push(wait) });
    await waitFor(() => sleeps.length > 0, 'the client to wait out the rate limit');
    assert.deepEqual(sleeps, [1_000], 'the wait Retry-After asks for');
    assert.equal(server.requests.length, 1, 'the retry is not sent while waiting');
    waitOver.resolve();
    const list = await pending;
    assert.ok(list.keys.length > 0);
    assert.deepEqual(waits, [{ attempt: 1, waitMs: 1_000 }]);
    assert.equal(server.requests.length, 2);
  });

  test('Retry-After as an HTTP-date is understood', QUICK, async () => {
    const client = makeClient();
    server.addFault({ ...FAULT_LIST, times: 1, fault: { kind: 'rateLimit', retryAfter: new Date(Date.now() - 60_000).toUTCString() } });
    const waits: RateLimitWait[] = [];
    await client.listKeys(auth(server.tokens.admin), { includeRevoked: false, onRateLimited: (wait) => waits.push(wait) });
    assert.deepEqual(waits, [{ attempt: 1, waitMs: 0 }], 'a date in the past means retry now, not the backoff');

    server.addFault({ ...FAULT_LIST, fault: { kind: 'rateLimit', retryAfter: new Date(Date.now() + 3_600_000).toUTCString() } });
    server.clearRequests();
    const error = await rejectsWith(
      client.listKeys(auth(server.tokens.admin), { includeRevoked: false }),
      'rateLimited',
      /Try again in (about )?1 hour\./,
    );
    assert.ok((error.extra.retryAfterMs ?? 0) > 3_500_000);
    assert.equal(server.requests.length, 1, 'an hour is not waited for');
  });

  test('without Retry-After: backoff, at most 3 attempts in all, then the error', QUICK, async () => {
    const client = makeClient();
    server.addFault({ ...FAULT_LIST, fault: { kind: 'rateLimit' } });
    const waits: RateLimitWait[] = [];
    await rejectsWith(
      client.listKeys(auth(server.tokens.admin), { includeRevoked: false, onRateLimited: (wait) => waits.push(wait) }),
      'rateLimited',
      /429/,
      /Try again/,
    );
    assert.equal(server.requests.length, 3);
    assert.deepEqual(waits, [
      { attempt: 1, waitMs: 10 },
      { attempt: 2, waitMs: 20 },
    ]);
  });

  test('a Retry-After beyond maxWaitMs is not waited: the message says when to try again', QUICK, async () => {
    const sleeps: number[] = [];
    const client = makeClient({ retry: { maxAttempts: 3, maxWaitMs: 1_000, baseDelayMs: 10 }, sleep: async (ms) => void sleeps.push(ms) });
    server.addFault({ ...FAULT_LIST, fault: { kind: 'rateLimit', retryAfter: '5' } });
    const waits: RateLimitWait[] = [];
    const error = await rejectsWith(
      client.listKeys(auth(server.tokens.admin), { includeRevoked: false, onRateLimited: (wait) => waits.push(wait) }),
      'rateLimited',
      /Try again in 5 seconds/,
    );
    assert.deepEqual(sleeps, [], 'nothing was waited for');
    assert.equal(error.extra.retryAfterMs, 5_000);
    assert.deepEqual(waits, []);
    assert.equal(server.requests.length, 1);
  });

  test('a rate-limited DELETE (it did nothing) is retried, asking the context check before every attempt', QUICK, async () => {
    const client = makeClient();
    server.addFault({ method: 'DELETE', fault: { kind: 'rateLimit', retryAfter: '0' }, times: 1 });
    let asked = 0;
    await client.revokeKey(auth(server.tokens.admin), liveKey(server.orgs.primary).keyId, 'rotated', { contextChange: () => void asked++ });
    assert.equal(server.requests.length, 2);
    assert.equal(asked, 2, 'before the first attempt and before the retry');

    server.addFault({ method: 'DELETE', fault: { kind: 'rateLimit', retryAfter: '0' }, times: 1 });
    let changed: string | undefined;
    const pending = client.revokeKey(auth(server.tokens.admin), liveKey(server.orgs.primary).keyId, undefined, {
      contextChange: () => changed,
      onRateLimited: () => (changed = 'the organization changed after you confirmed'),
    });
    await rejectsWith(pending, 'notSent', /^Not sent: the organization changed after you confirmed\.$/);
    assert.equal(server.requests.length, 3, 'the retry was never sent');

    server.addFault({ method: 'DELETE', fault: { kind: 'rateLimit', retryAfter: '0' } });
    await rejectsWith(client.revokeKey(auth(server.tokens.admin), liveKey(server.orgs.primary).keyId, 'rotated'), 'rateLimited', /429/);
    assert.equal(server.requests.length, 6, 'at most three attempts in all');
  });

  test('cancelling while waiting out a rate limit stops at once', QUICK, async () => {
    // An hour-long wait with the real timer: only the cancellation can end it within the test's own time limit.
    const client = makeClient({ retry: { ...DEFAULT_RETRY, maxWaitMs: 2 * 3_600_000 } });
    server.addFault({ ...FAULT_LIST, fault: { kind: 'rateLimit', retryAfter: '3600' } });
    const controller = new AbortController();
    const waits: RateLimitWait[] = [];
    const pending = client.listKeys(auth(server.tokens.admin), {
      includeRevoked: false,
      signal: controller.signal,
      onRateLimited: (wait) => (waits.push(wait), setImmediate(() => controller.abort())), // once the wait has begun
    });
    await rejectsWith(pending, 'cancelled');
    assert.deepEqual(waits, [{ attempt: 1, waitMs: 3_600_000 }], 'it was cancelled during the hour-long wait');
    assert.equal(server.requests.length, 1);
  });
});

describe('transport failures', () => {
  test('a redirect is never followed, so the token never reaches the other origin', QUICK, async () => {
    const client = makeClient();
    for (const status of [301, 302, 307, 308] as const) {
      server.addFault({ times: 1, fault: { kind: 'redirect', status, location: `${decoy.url}/v1/api-keys?include_revoked=false` } });
      const error = await rejectsWith(
        client.listKeys(auth(server.tokens.admin), { includeRevoked: false }),
        'redirect',
        /not followed/,
        /apiBaseUrl/,
      );
      assert.equal(error.status, status);
    }
    server.addFault({ method: 'DELETE', fault: { kind: 'redirect', status: 307, location: `${decoy.url}/v1/api-keys/x` } });
    await rejectsWith(client.revokeKey(auth(server.tokens.admin), liveKey(server.orgs.primary).keyId, 'r'), 'redirect');
    assert.equal(decoy.requests.length, 0);
  });

  test('no headers within timeoutMs → timeout, promptly', QUICK, async () => {
    // Headers a minute late: only the client's own deadline can end the request within the test's time limit.
    const client = makeClient({ timeoutMs: 200 });
    server.addFault({ fault: { kind: 'slowHeaders', delayMs: 60_000 } });
    await rejectsWith(client.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'timeout', /requestTimeoutSeconds/);
  });

  test('a body that keeps dripping is cut off by the whole-request deadline', QUICK, async () => {
    const client = makeClient({ timeoutMs: 300 });
    server.addFault({ fault: { kind: 'slowBody', intervalMs: 50 } }); // drips until the client hangs up
    await rejectsWith(client.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'timeout');
  });

  test('cancellation through the AbortSignal → cancelled, not a timeout or network error', QUICK, async () => {
    const client = makeClient();
    server.addFault({ fault: { kind: 'slowHeaders', delayMs: 60_000 } });
    const controller = new AbortController();
    const pending = client.listKeys(auth(server.tokens.admin), { includeRevoked: false, signal: controller.signal });
    await waitFor(() => server.requests.length === 1, 'the request to reach the server');
    controller.abort(); // while waiting for headers a minute away: only the cancellation can end it in time
    await rejectsWith(pending, 'cancelled');

    const requestsBefore = server.requests.length;
    await rejectsWith(
      client.revokeKey(auth(server.tokens.admin), liveKey(server.orgs.primary).keyId, undefined, { signal: AbortSignal.abort() }),
      'cancelled',
    );
    await rejectsWith(client.listKeys(auth(server.tokens.admin), { includeRevoked: false, signal: AbortSignal.abort() }), 'cancelled');
    assert.equal(server.requests.length, requestsBefore, 'an already aborted signal sends nothing');
  });

  test('a connection reset is a network error', QUICK, async () => {
    const client = makeClient();
    server.addFault({ times: 1, fault: { kind: 'reset' } });
    await rejectsWith(client.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'network', /Try again/);
  });

  test('connection refused names the host and the setting', QUICK, async () => {
    const closed = await startDecoyServer();
    await closed.close();
    const client = makeClient({ origin: new URL(closed.url) });
    await rejectsWith(client.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'network', /refused/, /apiBaseUrl/);
  });

  test('a 200 that is not the JSON list is an invalidResponse error', QUICK, async () => {
    const client = makeClient({ maxBodyBytes: 256 * 1024 });
    const list = () => client.listKeys(auth(server.tokens.admin), { includeRevoked: false });
    server.addFault({ times: 1, fault: { kind: 'malformedJson' } });
    await rejectsWith(list(), 'invalidResponse', /not valid JSON/);
    server.addFault({ times: 1, fault: { kind: 'truncatedJson' } });
    await rejectsWith(list(), 'invalidResponse', /not valid JSON/);
    server.addFault({ times: 1, fault: { kind: 'body', json: { api_keys: [] }, contentType: 'text/html' } });
    await rejectsWith(list(), 'invalidResponse', /HTML page/, /apiBaseUrl/);
    server.addFault({ times: 1, fault: { kind: 'body', json: { keys: [] } } });
    await rejectsWith(list(), 'invalidResponse', /api_keys/);
    server.addFault({ times: 1, fault: { kind: 'hugeBody', bytes: 2 * 1024 * 1024 } });
    await rejectsWith(list(), 'invalidResponse', /larger than/);
    assert.ok((await list()).keys.length > 0, 'the client still works afterwards');
  });
});

afterEach(() => server.clearFaults());
