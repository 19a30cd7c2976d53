/**
 * KeysStore with a real FactifyClient against the local Factify-compatible server: joining and cancelling
 * list requests, discarding stale answers, and revoking.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { keyState, type ApiKey } from '../../src/core/apiKey';
import { FactifyClient, type ListOptions, type RequestAuth } from '../../src/core/client';
import { MemoryLog } from './helpers/memoryLog';
import { asOrgId, type ApiToken } from '../../src/core/ids';
import { KeysStore, type KeysSnapshot } from '../../src/core/keysStore';
import { startFactifyServer, type FactifyServer } from '../server/factifyServer';
import { deferred, waitFor } from './helpers/waitFor';

/** No test may hang: a broken wait or timeout fails fast instead. */
const QUICK = { timeout: 10_000 };

let server: FactifyServer;
let client: FactifyClient;

before(async () => {
  server = await startFactifyServer();
  client = newClient();
});
after(async () => {
  await client.close();
  await server.close();
});
beforeEach(() => server.reset());

function newClient(timeoutMs = 5_000): FactifyClient {
  return new FactifyClient({
    origin: new URL(server.url),
    timeoutMs,
    proxy: { proxy: undefined, noProxy: [], strictSSL: true },
    userAgent: 'factify-unit-tests',
    env: {},
    retry: { maxAttempts: 3, maxWaitMs: 2_000, baseDelayMs: 10 },
  });
}

interface Harness {
  store: KeysStore;
  /** Every snapshot the store announced, in order. */
  snapshots: KeysSnapshot[];
  logs: string[];
  setAuth(auth: RequestAuth | undefined): void;
  setIncludeRevoked(value: boolean): void;
}

let harnesses: Harness[] = [];
afterEach(() => {
  for (const harness of harnesses) {
    harness.store.dispose();
    for (const token of Object.values(server.tokens)) {
      assert.ok(
        harness.logs.every((line) => !line.includes(token)),
        'a token reached the log',
      );
    }
  }
  harnesses = [];
});

function harness(options: { auth?: RequestAuth; includeRevoked?: boolean; client?: FactifyClient } = {}): Harness {
  let auth: RequestAuth | undefined = options.auth ?? asToken(server.tokens.admin);
  let includeRevoked = options.includeRevoked ?? false;
  const log = new MemoryLog();
  const logs = log.lines;
  const store = new KeysStore({
    client: () => options.client ?? client,
    auth: () => auth,
    includeRevoked: () => includeRevoked,
    now: () => Date.now(),
    log,
  });
  const snapshots: KeysSnapshot[] = [];
  store.onDidChange(() => snapshots.push(store.snapshot));
  const made: Harness = {
    store,
    snapshots,
    logs,
    setAuth: (value) => {
      auth = value;
    },
    setIncludeRevoked: (value) => {
      includeRevoked = value;
    },
  };
  harnesses.push(made);
  return made;
}

function asToken(token: string, organizationId?: string): RequestAuth {
  const org = organizationId === undefined ? undefined : asOrgId(organizationId);
  if (organizationId !== undefined) assert.ok(org);
  return { token: token as ApiToken, organizationId: org };
}

const lists = () => server.requests.filter((request) => request.method === 'GET');
const deletes = () => server.requests.filter((request) => request.method === 'DELETE');

function loadedKeys(store: KeysStore): readonly ApiKey[] {
  const loaded = store.snapshot.loaded;
  assert.ok(loaded, 'a list is loaded');
  return loaded.keys;
}

function firstActive(store: KeysStore): ApiKey {
  const key = loadedKeys(store).find((candidate) => keyState(candidate, Date.now()) === 'active' && candidate.keyId !== undefined);
  assert.ok(key);
  return key;
}

describe('refresh', () => {
  test('loads the list of the current query', QUICK, async () => {
    const { store, snapshots } = harness();
    await store.refresh();
    const expected = server
      .keysOf(server.orgs.primary)
      .filter((key) => key.revoked_at === null)
      .map((key) => key.id);
    assert.deepEqual(
      loadedKeys(store).map((key) => key.id),
      expected,
    );
    assert.deepEqual(store.snapshot.loaded?.query, { includeRevoked: false, organizationId: undefined });
    assert.equal(store.snapshot.loading, false);
    assert.equal(store.snapshot.error, undefined);
    assert.equal(store.snapshot.signedIn, true);
    assert.equal(snapshots[0]?.loading, true, 'loading was announced first');
    assert.deepEqual(
      lists().map((request) => request.query),
      [{ include_revoked: 'false' }],
    );
  });

  test('signed out: nothing is requested', QUICK, async () => {
    const { store, setAuth } = harness();
    setAuth(undefined);
    await store.refresh();
    assert.equal(store.snapshot.signedIn, false);
    assert.equal(store.snapshot.loaded, undefined);
    assert.equal(server.requests.length, 0);
  });

  test('ten refreshes in a row send one request', QUICK, async () => {
    const { store } = harness();
    server.setLatency(50);
    const pending = Array.from({ length: 10 }, () => store.refresh());
    await Promise.all(pending);
    assert.equal(lists().length, 1);
    assert.ok(loadedKeys(store).length > 0);
  });

  test('a refresh with a different query aborts the old one, whose answer is never shown', QUICK, async () => {
    // A deadline past the test's own time limit: only the abort can end the old request in time.
    const patient = newClient(60_000);
    const { store, snapshots, setIncludeRevoked } = harness({ client: patient });
    const oldAnswer = deferred();
    server.addFault({ method: 'GET', times: 1, fault: { kind: 'held', until: oldAnswer.promise } });
    try {
      const old = store.refresh();
      await waitFor(() => lists().length === 1, 'the old list to reach the server');
      setIncludeRevoked(true);
      const current = store.refresh();
      await old; // settles while its answer is still held back: it was aborted
      await current;
      assert.equal(lists().at(-1)?.query.include_revoked, 'true');
      assert.ok(lists().length <= 2);
      assert.ok(snapshots.every((snapshot) => snapshot.loaded === undefined || snapshot.loaded.query.includeRevoked));
      assert.ok(
        snapshots.every((snapshot) => snapshot.error === undefined),
        'a cancellation is not an error',
      );
      assert.ok(loadedKeys(store).some((key) => key.revokedAt !== undefined));
    } finally {
      oldAnswer.resolve();
      await patient.close();
    }
  });

  test('a list that arrives after the token changed unannounced is dropped and asked for again', QUICK, async () => {
    const answer = deferred();
    const { store, snapshots, setAuth } = harness({ auth: asToken(server.tokens.admin) });
    server.addFault({ method: 'GET', times: 1, fault: { kind: 'held', until: answer.promise } });
    const first = store.refresh();
    await waitFor(() => lists().length === 1, "the admin's list to reach the server");
    // Another window switched accounts: the token is already the other one, and nothing has said so yet.
    setAuth(asToken(server.tokens.otherOrgAdmin));
    answer.resolve();
    await first;
    await waitFor(() => store.snapshot.loaded !== undefined && !store.snapshot.loading, 'a list under the current token');
    assert.ok(
      snapshots.every(
        (snapshot) => snapshot.loaded === undefined || snapshot.loaded.keys.every((key) => key.orgId === server.orgs.secondary),
      ),
      "the admin's answer was never shown under the other token",
    );
    assert.deepEqual(
      lists().map((request) => request.headers.authorization),
      [`Bearer ${server.tokens.admin}`, `Bearer ${server.tokens.otherOrgAdmin}`],
    );
    assert.ok(loadedKeys(store).length > 0);
  });

  test("reset() while a slow list is in flight: the old organization's answer is never shown", QUICK, async () => {
    // A client that ignores cancellation, so the old answer does arrive after the switch.
    class DeafClient extends FactifyClient {
      override listKeys(auth: RequestAuth, options: ListOptions) {
        return super.listKeys(auth, { ...options, signal: undefined });
      }
    }
    const deaf = new DeafClient({
      origin: new URL(server.url),
      timeoutMs: 5_000,
      proxy: { proxy: undefined, noProxy: [], strictSSL: true },
      userAgent: 't',
      env: {},
    });
    const oldAnswer = deferred();
    const currentAnswer = deferred();
    try {
      const { store, snapshots, setAuth } = harness({ auth: asToken(server.tokens.staff), client: deaf });
      server.addFault({ method: 'GET', times: 1, fault: { kind: 'held', until: oldAnswer.promise } });
      const old = store.refresh();
      await waitFor(() => lists().length === 1, 'the old list to reach the server');
      setAuth(asToken(server.tokens.staff, server.orgs.secondary));
      store.reset();
      assert.equal(store.snapshot.loaded, undefined, 'the old list is cleared at once');
      server.addFault({ method: 'GET', times: 1, fault: { kind: 'held', until: currentAnswer.promise } });
      const current = store.refresh();
      await waitFor(() => lists().length === 2, 'the new list to reach the server');
      oldAnswer.resolve(); // the old answer arrives while the new list is still held back
      await old;
      assert.equal(store.snapshot.loaded, undefined, 'the old answer arrived and was discarded');
      assert.equal(store.snapshot.loading, true);
      currentAnswer.resolve();
      await current;
      assert.ok(loadedKeys(store).every((key) => key.orgId === server.orgs.secondary));
      assert.ok(snapshots.every((snapshot) => snapshot.loaded?.keys.every((key) => key.orgId === server.orgs.secondary) ?? true));
      assert.equal(lists().length, 2);
      assert.equal(lists()[1]?.headers['x-factify-organization-id'], server.orgs.secondary);
    } finally {
      oldAnswer.resolve();
      currentAnswer.resolve();
      await deaf.close();
    }
  });

  test('a failed refresh keeps the last good list and sets the error; the next success clears it', QUICK, async () => {
    const { store } = harness();
    await store.refresh();
    const good = store.snapshot.loaded;
    server.addFault({ times: 1, fault: { kind: 'html502' } });
    await store.refresh();
    assert.equal(store.snapshot.loaded, good);
    assert.equal(store.snapshot.error?.kind, 'server');
    assert.equal(store.snapshot.loading, false);
    await store.refresh();
    assert.equal(store.snapshot.error, undefined);
    assert.notEqual(store.snapshot.loaded, good);
  });

  test('a rate-limited list shows a notice while waiting, then loads', QUICK, async () => {
    const { store, snapshots, logs } = harness();
    server.addFault({ times: 1, fault: { kind: 'rateLimit', retryAfter: '0' } });
    await store.refresh();
    assert.ok(snapshots.some((snapshot) => /limiting requests/.test(snapshot.notice ?? '')));
    assert.equal(store.snapshot.notice, undefined);
    assert.equal(store.snapshot.error, undefined);
    assert.ok(loadedKeys(store).length > 0);
    assert.ok(logs.some((line) => /429/.test(line)));
  });
});

describe('revoke', () => {
  test('with revoked keys shown, the key is marked revoked locally', QUICK, async () => {
    const { store } = harness({ includeRevoked: true });
    await store.refresh();
    const key = firstActive(store);
    const outcome = await store.revoke(key, 'rotated', store.currentAuth());
    assert.deepEqual(outcome, { kind: 'revoked' });
    const after = loadedKeys(store).find((candidate) => candidate.id === key.id);
    assert.ok(after);
    assert.equal(keyState(after, Date.now()), 'revoked');
    assert.equal(after.revokedComment, 'rotated');
    assert.equal(store.isRevoking(key), false);
    assert.equal(deletes().length, 1);
    assert.equal(deletes()[0]?.path, `/v1/api-keys/${key.id}`);
    assert.deepEqual(JSON.parse(deletes()[0]?.body ?? ''), { reason: 'rotated' });
  });

  test('with revoked keys hidden, the key leaves the list', QUICK, async () => {
    const { store } = harness({ includeRevoked: false });
    await store.refresh();
    const before = loadedKeys(store).length;
    const key = firstActive(store);
    assert.deepEqual(await store.revoke(key, undefined, store.currentAuth()), { kind: 'revoked' });
    assert.equal(loadedKeys(store).length, before - 1);
    assert.ok(!loadedKeys(store).some((candidate) => candidate.id === key.id));
    assert.equal(deletes()[0]?.body, '');
  });

  test('the same key revoked twice concurrently sends one DELETE; both callers learn it is revoked', QUICK, async () => {
    const { store } = harness({ includeRevoked: true });
    await store.refresh();
    const key = firstActive(store);
    server.setLatency(50);
    const first = store.revoke(key, 'rotated', store.currentAuth());
    assert.equal(store.isRevoking(key), true);
    const second = store.revoke(key, 'rotated', store.currentAuth());
    const outcomes = await Promise.all([first, second]);
    assert.equal(deletes().length, 1);
    assert.deepEqual(outcomes[0], { kind: 'revoked' });
    assert.notEqual(outcomes[1].kind, 'failed');
    assert.deepEqual(await store.revoke(key, 'again', store.currentAuth()), { kind: 'alreadyRevoked' }, 'once revoked, nothing is sent');
    assert.equal(deletes().length, 1);
  });

  test('concurrent revokes of the same key share a failure rather than reporting success', QUICK, async () => {
    const { store } = harness({ auth: asToken(server.tokens.member) });
    await store.refresh();
    const key = firstActive(store);
    server.setLatency(50);
    const outcomes = await Promise.all([
      store.revoke(key, undefined, store.currentAuth()),
      store.revoke(key, undefined, store.currentAuth()),
    ]);
    assert.equal(deletes().length, 1);
    for (const outcome of outcomes) {
      assert.equal(outcome.kind, 'failed');
      if (outcome.kind === 'failed') assert.match(outcome.error.message, /admin role/);
    }
  });

  test('409 from the server → alreadyRevoked, and the list follows', QUICK, async () => {
    const { store } = harness({ includeRevoked: false });
    await store.refresh();
    const key = firstActive(store);
    const serverKey = server.keysOf(server.orgs.primary).find((candidate) => candidate.id === key.id);
    assert.ok(serverKey);
    serverKey.revoked_at = new Date().toISOString(); // revoked elsewhere since the list was loaded
    assert.deepEqual(await store.revoke(key, undefined, store.currentAuth()), { kind: 'alreadyRevoked' });
    assert.equal(deletes().length, 1);
    assert.ok(!loadedKeys(store).some((candidate) => candidate.id === key.id));
  });

  test('403 → failed with the admin-role message; the key stays as it was', QUICK, async () => {
    const { store } = harness({ auth: asToken(server.tokens.member) });
    await store.refresh();
    const key = firstActive(store);
    const outcome = await store.revoke(key, 'rotated', store.currentAuth());
    assert.equal(outcome.kind, 'failed');
    if (outcome.kind === 'failed') {
      assert.equal(outcome.error.kind, 'forbidden');
      assert.match(outcome.error.message, /admin role/);
    }
    assert.equal(
      keyState(
        loadedKeys(store).find((candidate) => candidate.id === key.id)!,
        Date.now(),
      ),
      'active',
    );
    assert.equal(store.isRevoking(key), false, 'a failed revoke can be tried again');
  });

  test('a key whose id fails its pattern → failed, without any request', QUICK, async () => {
    const { store } = harness();
    const seeded = server.keysOf(server.orgs.primary);
    server.setKeys(server.orgs.primary, [...seeded, { ...seeded[0]!, id: 'key_Legacy-0001', name: 'Legacy' }]);
    await store.refresh();
    const legacy = loadedKeys(store).find((candidate) => candidate.id === 'key_Legacy-0001');
    assert.ok(legacy, 'the key is shown');
    assert.equal(legacy.keyId, undefined);
    server.clearRequests();
    const outcome = await store.revoke(legacy, 'rotated', store.currentAuth());
    assert.equal(outcome.kind, 'failed');
    if (outcome.kind === 'failed') assert.match(outcome.error.message, /cannot be revoked/);
    assert.equal(server.requests.length, 0);
  });
});
