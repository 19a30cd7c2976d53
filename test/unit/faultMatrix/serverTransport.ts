/** Server answers, part two: rate limits, deadlines, resets and TLS (F19–F33), and how Retry-After is read (F70). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RETRY_AFTER_MS, describeWait, parseRetryAfter, type RateLimitWait } from '../../../src/core/client';
import { FactifyError, describeForLog } from '../../../src/core/errors';
import { Redactor } from '../../../src/core/redact';
import {
  noteError,
  MARKER_TOKEN,
  PROXY_PASSWORD,
  FAST_RETRY,
  server,
  decoy,
  client,
  auth,
  keysStore,
  watch,
  failure,
  explains,
  requestsOf,
  timed,
  problemBody,
  loadedKey,
  tlsServer,
} from '../helpers/faultMatrix';

export function faultMatrixServerTransport(): void {
  describe('server answers', () => {
    test('F19 429 with Retry-After in seconds: GET retried, the user sees a wait', async () => {
      server.addFault({ fault: { kind: 'rateLimit', retryAfter: '1' }, method: 'GET', times: 1 });
      const store = keysStore(client(server.url, { timeoutMs: 3_000 }), server.tokens.admin);
      const seen = watch(store);
      await store.refresh();
      const notices = seen.map((snapshot) => snapshot.notice).filter((notice): notice is string => notice !== undefined);
      assert.ok(
        notices.some((notice) => /limiting requests/.test(notice) && /trying again in 1 second…$/.test(notice)),
        `notices: ${notices.join(' | ')}`,
      );
      assert.ok(
        seen.every((snapshot) => snapshot.error === undefined),
        'never an error',
      );
      assert.ok(store.snapshot.loaded);
      assert.equal(store.snapshot.notice, undefined);
      const gets = requestsOf('GET');
      assert.equal(gets.length, 2);
      assert.ok((gets[1]?.at ?? 0) - (gets[0]?.at ?? 0) >= 900, 'waited about a second');
    });

    test('F20 429 with Retry-After as an HTTP date', async () => {
      const retryAt = new Date(Date.now() + 2_000).toUTCString();
      server.addFault({ fault: { kind: 'rateLimit', retryAfter: retryAt }, method: 'GET', times: 1 });
      const waits: RateLimitWait[] = [];
      const list = await client(server.url, { timeoutMs: 3_000 }).listKeys(auth(server.tokens.admin), {
        includeRevoked: false,
        onRateLimited: (wait) => waits.push(wait),
      });
      assert.ok(list.keys.length > 0);
      assert.equal(waits.length, 1);
      assert.ok((waits[0]?.waitMs ?? -1) >= 0 && (waits[0]?.waitMs ?? 99_999) <= 2_000, `waited ${waits[0]?.waitMs} ms`);
      assert.equal(requestsOf('GET').length, 2);
    });

    test('F21 429 every time: capped backoff, at most 3 attempts, then explained', async () => {
      server.addFault({ fault: { kind: 'rateLimit' }, method: 'GET' });
      const store = keysStore(client(server.url), server.tokens.admin);
      const seen = watch(store);
      const waits: number[] = [];
      store.onDidChange(() => {
        const match = /trying again in (\d+) seconds?…/.exec(store.snapshot.notice ?? '');
        if (match) waits.push(Number(match[1]));
      });
      await store.refresh();
      assert.equal(requestsOf('GET').length, 3);
      assert.equal(waits.length, 2, 'two waits between three attempts');
      const error = store.snapshot.error;
      assert.ok(error);
      noteError(error);
      assert.equal(error.kind, 'rateLimited');
      explains(error, [/429/, /limiting requests/], /Try again/);
      assert.ok(seen.filter((snapshot) => snapshot.error).length === 1, 'the error only once the attempts are used up');
    });

    test('F22 429 with a Retry-After beyond the cap: not waited for, says when to try again', async () => {
      server.addFault({ fault: { kind: 'rateLimit', retryAfter: '3600' }, method: 'GET' });
      const sleeps: number[] = [];
      const waits: RateLimitWait[] = [];
      const error = await failure(
        client(server.url, { sleep: async (ms) => void sleeps.push(ms) }).listKeys(auth(server.tokens.admin), {
          includeRevoked: false,
          onRateLimited: (wait) => waits.push(wait),
        }),
        'rateLimited',
      );
      explains(error, [/429/, /Try again in 1 hour\./], /Try again/);
      assert.equal(requestsOf('GET').length, 1);
      assert.deepEqual(sleeps, [], 'nothing was waited for');
      assert.deepEqual(waits, []);
    });

    test('F23 429 on DELETE: waited out and retried like a list (a rate-limited DELETE did nothing)', async () => {
      const c = client(server.url);
      const store = keysStore(c, server.tokens.admin);
      await store.refresh();
      server.addFault({ fault: { kind: 'rateLimit', retryAfter: '0' }, method: 'DELETE', times: 1 });
      assert.equal((await store.revoke(loadedKey(store, 'CI deploy'), undefined, store.currentAuth())).kind, 'revoked');
      assert.equal(requestsOf('DELETE').length, 2);
      server.addFault({ fault: { kind: 'rateLimit', retryAfter: '0' }, method: 'DELETE' });
      const outcome = await store.revoke(loadedKey(store, 'Billing webhook'), undefined, store.currentAuth());
      assert.equal(outcome.kind, 'failed');
      if (outcome.kind === 'failed') {
        noteError(outcome.error);
        assert.equal(outcome.error.kind, 'rateLimited');
        explains(outcome.error, [/429/], /Try again/);
      }
      assert.equal(requestsOf('DELETE').length, 5, 'three attempts at most');
    });

    test('F24 problem details with wrong member types (ignored, never crashing)', async () => {
      const c = client(server.url);
      server.addFault({
        fault: {
          kind: 'status',
          status: 400,
          contentType: 'application/problem+json',
          body: JSON.stringify({ type: 5, title: ['Bad'], status: '400', detail: { text: '[click](command:factify.signOut)' } }),
        },
        times: 1,
      });
      const allWrong = await failure(c.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'badRequest');
      assert.equal(allWrong.extra.problem, undefined);
      assert.equal(allWrong.status, 400, "the HTTP status, not the body's");
      explains(allWrong, [/400/], /Refresh|log/);
      assert.doesNotMatch(allWrong.message, /command|click|\{/);

      server.addFault({
        fault: {
          kind: 'status',
          status: 503,
          contentType: 'application/problem+json',
          body: JSON.stringify({ title: 'Service Unavailable', status: '503', detail: { a: 1 } }),
        },
        times: 1,
      });
      const someWrong = await failure(c.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'server');
      assert.deepEqual(someWrong.extra.problem, { type: undefined, title: 'Service Unavailable', status: undefined, detail: undefined });
      explains(someWrong, [/503/, /Service Unavailable/], /Refresh/);

      server.addFault({
        fault: { kind: 'status', status: 409, contentType: 'application/problem+json', body: '{"detail": "cut' },
        times: 1,
      });
      const broken = await failure(c.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'conflict');
      assert.equal(broken.extra.problem, undefined);
      explains(broken, [/409/], /Refresh|refresh/);
    });

    test('F25 problem details echoing the token back (the Redactor masks it)', async () => {
      const c = client(server.url);
      const admin = server.tokens.admin;
      const echo = problemBody(403, `Token ${admin} may not list keys (Authorization: Bearer ${admin}).`);
      assert.ok(echo.includes(admin), 'the server really echoes the token');
      server.addFault({ fault: { kind: 'status', status: 403, contentType: 'application/problem+json', body: echo }, times: 1 });
      const error = await failure(c.listKeys(auth(admin), { includeRevoked: false }), 'forbidden');
      assert.ok(!error.message.includes(admin));
      assert.match(error.message, /\[redacted\]/, 'what the server said is shown, with the token masked');
      assert.ok(!describeForLog(error).includes(admin), 'nor in the log detail');
      assert.ok(!JSON.stringify(error.extra).includes(admin), 'nor anywhere in the error');

      // A token cut by the 300-character limit: not even its start survives.
      const cut = problemBody(400, `${'x'.repeat(280)} ${MARKER_TOKEN}`);
      server.addFault({ fault: { kind: 'status', status: 400, contentType: 'application/problem+json', body: cut }, times: 1 });
      const cutError = await failure(c.listKeys(auth(MARKER_TOKEN), { includeRevoked: false }), 'badRequest');
      assert.ok(!JSON.stringify({ message: cutError.message, extra: cutError.extra }).includes(MARKER_TOKEN.slice(0, 20)));

      // The same through the store and its log.
      server.addFault({
        fault: {
          kind: 'status',
          status: 409,
          contentType: 'application/problem+json',
          body: problemBody(409, `already revoked by ${MARKER_TOKEN}`),
        },
      });
      const store = keysStore(c, MARKER_TOKEN);
      await store.refresh();
      assert.ok(store.snapshot.error);
      noteError(store.snapshot.error);
      assert.ok(!store.snapshot.error.message.includes(MARKER_TOKEN));

      // The Redactor is what makes this safe, even for a secret that does not look like a token.
      const redactor = new Redactor();
      redactor.addSecret(PROXY_PASSWORD);
      redactor.addSecret(admin);
      const redacted = redactor.redact(`${echo} ${PROXY_PASSWORD}`);
      assert.ok(!redacted.includes(admin) && !redacted.includes(PROXY_PASSWORD));
    });

    test('F26 a very slow header (the deadline ends it)', async () => {
      // Headers a minute late: only the client's deadline can end this before the test's own time limit.
      server.addFault({ fault: { kind: 'slowHeaders', delayMs: 60_000 } });
      const { value: error, ms } = await timed(() =>
        failure(client(server.url, { timeoutMs: 600 }).listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'timeout'),
      );
      explains(error, [/did not answer within \d+(\.\d)? seconds?/], /requestTimeoutSeconds/);
      assert.ok(ms >= 500, `ended after ${ms} ms, before the deadline`);
    });

    test('F27 a slow-drip body that never finishes (the whole-request deadline ends it)', { timeout: 30_000 }, async () => {
      server.addFault({ fault: { kind: 'slowBody', intervalMs: 100 } });
      const store = keysStore(client(server.url, { timeoutMs: 800 }), server.tokens.admin);
      const { ms } = await timed(() => store.refresh());
      const error = store.snapshot.error;
      assert.ok(error);
      noteError(error);
      assert.equal(error.kind, 'timeout');
      explains(error, [/did not answer within \d+(\.\d)? seconds?/], /requestTimeoutSeconds/);
      assert.ok(ms >= 700, `ended after ${ms} ms, before the deadline`); // and ended at all, although the server keeps sending
      assert.equal(store.snapshot.loading, false);
    });

    test('F28 a connection reset', async () => {
      server.addFault({ fault: { kind: 'reset' } });
      const error = await failure(client(server.url).listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'network');
      explains(error, [/closed before Factify answered/, new RegExp(`127\\.0\\.0\\.1:${server.port}`)], /Try again/);
    });

    for (const [number, status, method] of [
      ['F29', 301, 'GET'],
      ['F30', 302, 'GET'],
      ['F31', 307, 'DELETE'],
    ] as const) {
      test(`${number} ${status} redirect to another origin on ${method} (not followed; the decoy gets nothing)`, async () => {
        const decoyBefore = decoy.requests.length;
        const c = client(server.url);
        server.addFault({ fault: { kind: 'redirect', status, location: `${decoy.url}/v1/api-keys/steal?include_revoked=false` }, method });
        let error: FactifyError;
        if (method === 'GET') {
          error = await failure(c.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'redirect');
        } else {
          const store = keysStore(c, server.tokens.admin);
          await store.refresh();
          const outcome = await store.revoke(loadedKey(store, 'CI deploy'), 'rotated', store.currentAuth());
          assert.equal(outcome.kind, 'failed');
          assert.ok(outcome.kind === 'failed');
          error = outcome.error;
          noteError(error);
          assert.equal(error.kind, 'redirect');
        }
        explains(error, [new RegExp(`\\(${status}\\)`), /not followed/, /token is never sent elsewhere/], /factify\.apiBaseUrl/);
        assert.equal(decoy.requests.length, decoyBefore, 'the decoy received nothing');
        assert.equal(requestsOf(method).length, 1, 'one request, to the configured origin only');
      });
    }

    test('F32 TLS failure: a self-signed certificate on loopback (clear message, token not sent)', async () => {
      const secure = await tlsServer();
      assert.match(secure.url, /^https:/);
      const error = await failure(client(secure.url).listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'tls');
      explains(
        error,
        [new RegExp(`127\\.0\\.0\\.1:${secure.port}`), /the token was not sent/, /SELF_SIGNED|CERT/],
        /http\.proxy|NODE_EXTRA_CA_CERTS/,
      );
      assert.equal(secure.requests.length, 0, 'no request reached the server');
    });

    test('F33 TLS failure: https to a plain-http port (no fallback to http)', async () => {
      const error = await failure(
        client(`https://127.0.0.1:${server.port}`).listKeys(auth(server.tokens.admin), { includeRevoked: false }),
        'tls',
      );
      explains(error, [/secure connection/, /the token was not sent/], /http\.proxy|NODE_EXTRA_CA_CERTS/);
      assert.equal(server.requests.length, 0, 'the plain-http server never saw a request');
    });
  });

  describe('Retry-After', () => {
    test('F70 Retry-After read as RFC 9110 says: garbage is absent (backoff, never a burst), huge is capped, waits are worded for a person', async () => {
      const now = Date.UTC(2026, 11, 1, 12, 0, 0);
      const cases: Array<[string, number | undefined]> = [
        ['0', 0],
        ['1', 1_000],
        ['120', 120_000],
        [' 7 ', 7_000],
        ['0007', 7_000],
        ['-1', undefined],
        ['-0', undefined],
        ['+5', undefined],
        ['1.5', undefined],
        ['0.1', undefined],
        ['1e3', undefined],
        ['Infinity', undefined],
        ['NaN', undefined],
        ['', undefined],
        ['soon', undefined],
        ['5 seconds', undefined],
        ['0x10', undefined],
        ['2026', 2_026_000],
        ['12/01/2026', undefined],
        ['Tue, 01 Dec 2026 12:00:30 UTC', undefined],
        ['1000000000', MAX_RETRY_AFTER_MS],
        ['9'.repeat(400), MAX_RETRY_AFTER_MS],
        ['Tue, 01 Dec 2026 12:00:30 GMT', 30_000],
        ['Tuesday, 01-Dec-26 12:02:00 GMT', 120_000],
        ['Tue Dec  1 13:00:00 2026', 3_600_000],
        ['Mon, 30 Nov 2026 12:00:00 GMT', 0],
        ['Fri, 01 Dec 2100 00:00:00 GMT', MAX_RETRY_AFTER_MS],
      ];
      for (const [value, expected] of cases) assert.equal(parseRetryAfter(value, now), expected, JSON.stringify(value));

      const words: Array<[number, string]> = [
        [0, '1 second'],
        [1, '1 second'],
        [1_000, '1 second'],
        [1_001, '2 seconds'],
        [59_000, '59 seconds'],
        [60_000, '1 minute'],
        [120_000, '2 minutes'],
        [150_000, 'about 3 minutes'],
        [3_569_000, 'about 59 minutes'],
        [3_599_000, 'about 1 hour'],
        [3_600_000, '1 hour'],
        [3 * 3_600_000 + 5_000, 'about 3 hours'],
        [86_399_000, 'about a day'],
        [MAX_RETRY_AFTER_MS, 'a day or more'],
        [Number.MAX_SAFE_INTEGER, 'a day or more'],
      ];
      for (const [ms, expected] of words) assert.equal(describeWait(ms), expected, `${ms} ms`);

      // End to end: a garbage or negative value backs off (waits grow), never a burst of immediate retries.
      for (const retryAfter of ['-1', '1.5', '+1', 'soon']) {
        server.reset();
        server.addFault({ fault: { kind: 'rateLimit', retryAfter }, method: 'GET' });
        const waits: RateLimitWait[] = [];
        const error = await failure(
          client(server.url).listKeys(auth(server.tokens.admin), {
            includeRevoked: false,
            onRateLimited: (wait) => waits.push(wait),
          }),
          'rateLimited',
        );
        assert.deepEqual(
          waits.map((wait) => wait.waitMs),
          [FAST_RETRY.baseDelayMs, FAST_RETRY.baseDelayMs * 2],
          `backoff for ${retryAfter}`,
        );
        assert.equal(error.message, 'Factify is limiting requests (429). Try again in a moment.');
      }
      for (const [retryAfter, said] of [
        ['1000000000', 'a day or more'],
        ['86400', 'a day or more'],
        ['7200', '2 hours'],
        ['90', 'about 2 minutes'],
      ] as const) {
        server.reset();
        server.addFault({ fault: { kind: 'rateLimit', retryAfter }, method: 'GET' });
        const error = await failure(client(server.url).listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'rateLimited');
        assert.equal(error.message, `Factify is limiting requests (429). Try again in ${said}.`);
        assert.doesNotMatch(error.message, /Infinity|NaN|\d{5,}|\b1 seconds\b/);
      }
    });
  });
}
