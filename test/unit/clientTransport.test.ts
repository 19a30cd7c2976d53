/**
 * FactifyClient (src/core/client.ts) when the answer is slow, refused or never comes: retries after a rate
 * limit, redirects, timeouts, cancellation and broken connections, against the local server on loopback.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RETRY, type RateLimitWait } from '../../src/core/client';
import { startDecoyServer } from '../server/decoy';
import { FAULT_LIST, QUICK, auth, decoy, liveKey, makeClient, rejectsWith, server, useClientServers } from './helpers/clientServers';
import { deferred, waitFor } from './helpers/waitFor';

useClientServers();

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
