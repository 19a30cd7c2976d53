/**
 * Credential safety and the fault matrix: nothing leaks, nothing hangs, every failure is explained.
 *
 * Each case is one test named `Fnn <case>`, run against the local Factify server's fault modes, with a second
 * loopback "decoy" origin where a leaked token could go. Every case asserts the user-facing outcome (the
 * FactifyError kind and a message that says what happened and what to do next) and, where it matters, what
 * the server, the decoy or the proxy recorded. Every message, log line and prompt produced by the whole file
 * is collected, and F99 searches all of it (and every request the decoy saw) for every token used.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY_STATES, parseKeyList, type ApiKey } from '../../src/core/apiKey';
import { checkApiBaseUrl } from '../../src/core/baseUrl';
import {
  FactifyClient,
  MAX_BODY_BYTES,
  MAX_RETRY_AFTER_MS,
  describeWait,
  parseRetryAfter,
  type ConnectionOptions,
  type RateLimitWait,
  type RetryPolicy,
} from '../../src/core/client';
import { FactifyError, describeForLog, type FactifyErrorKind, type Logger } from '../../src/core/errors';
import { asOrgId, type ApiToken, type KeyId, type OrgId } from '../../src/core/ids';
import { groupByState, keyRow, keyTooltipMarkdown, ownTreeItemId } from '../../src/core/keyTree';
import { KeysStore, type KeysSnapshot } from '../../src/core/keysStore';
import { type ProxySettings } from '../../src/core/proxy';
import { Redactor } from '../../src/core/redact';
import { createSafeLog, type LogChannel } from '../../src/core/logChannel';
import { displayText, escapeThemeIcons } from '../../src/core/text';
import { describeOrganization, ownOrganizationId } from '../../src/flows/organizationLabel';
import { signIn } from '../../src/flows/account';
import { type AppContext } from '../../src/flows/context';
import { revokeKeys } from '../../src/flows/revoke';
import { applyOrganization } from '../../src/flows/switchOrganization';
import { startConnectProxy, type ConnectProxy, type ConnectProxyOptions } from '../server/connectProxy';
import { startDecoyServer, type DecoyServer } from '../server/decoy';
import { startFactifyServer, type FactifyServer, type ServerApiKey } from '../server/factifyServer';
import { selfSignedCert } from '../server/selfSignedCert';
import {
  MemoryAccounts,
  MemoryOrganizations,
  ScriptedPrompts,
  confirm as confirmStep,
  error as errorStep,
  info as infoStep,
  input as inputStep,
  pick as pickStep,
  warn as warnStep,
  type Step,
} from './helpers/scriptedPrompts';
import { waitFor } from './helpers/waitFor';

// ---------------------------------------------------------------------------------------------------------
// Nothing may reject unhandled anywhere in this file (checked by F99).

const unhandledRejections: unknown[] = [];
process.on('unhandledRejection', (reason) => {
  unhandledRejections.push(reason);
});

// ---------------------------------------------------------------------------------------------------------
// Evidence: everything a user or a log reader could ever see, searched for tokens at the end.

const evidence = {
  /** Log lines exactly as the core wrote them, before the shell's redacting log channel. */
  rawLog: [] as string[],
  /** The same lines as the shell's channel writes them (through a Redactor, as src/log.ts does). */
  log: [] as string[],
  /** Every FactifyError message and snapshot notice. */
  messages: [] as string[],
  /** Every prompt shown: messages, confirmations, input boxes, pick items. */
  prompts: [] as string[],
};

/** The shell's redactor: it learns the stored token, and masks anything token-shaped anyway. */
const shellRedactor = new Redactor();

const logger: Logger = {
  trace: (message) => writeLog('trace', message),
  info: (message) => writeLog('info', message),
  warn: (message) => writeLog('warn', message),
  error: (message) => writeLog('error', message),
};

function writeLog(level: string, message: string): void {
  evidence.rawLog.push(`${level} ${message}`);
  evidence.log.push(`${level} ${shellRedactor.redact(message)}`);
}

function noteError(error: FactifyError): void {
  evidence.messages.push(error.message);
  evidence.rawLog.push(describeForLog(error));
}

function notePrompts(prompts: ScriptedPrompts): void {
  for (const shown of prompts.shown) {
    switch (shown.kind) {
      case 'input':
        // The typed value of a password box is the user's own input, not something the extension shows.
        evidence.prompts.push(
          shown.title,
          shown.prompt,
          shown.placeHolder ?? '',
          shown.value ?? '',
          ...shown.validations.map((validation) => validation.message ?? ''),
        );
        break;
      case 'pick':
        evidence.prompts.push(
          shown.title,
          shown.placeHolder,
          ...shown.items.flatMap((item) => [item.label, item.description ?? '', item.detail ?? '']),
        );
        break;
      case 'confirm':
        evidence.prompts.push(shown.message, shown.detail, shown.confirmLabel);
        break;
      default:
        evidence.prompts.push(shown.message, ...shown.actions);
    }
  }
  evidence.prompts.push(...prompts.progressTitles);
}

// ---------------------------------------------------------------------------------------------------------
// Servers, clients and stores

/** A token the server has never issued, with a marker that is easy to search for. */
const MARKER_TOKEN = 'ffy_canary_01kdx2z2ab3cd4ef5gh6jk7mn8LeakCanaryMarker9Zq';
/** Proxy passwords: secrets too, never to be shown or logged. */
const PROXY_PASSWORD = 'PrOxY-pw-Canary-7731';
const WRONG_PROXY_PASSWORD = 'WrOnG-pw-Canary-4410';

const DIRECT: ProxySettings = { proxy: undefined, noProxy: [], strictSSL: true };
const FAST_RETRY: RetryPolicy = { maxAttempts: 3, maxWaitMs: 5_000, baseDelayMs: 100 };
const NEXT_STEP =
  /Refresh|refresh|Try again|try again|factify\.apiBaseUrl|Set API Token|requestTimeoutSeconds|http\.proxy|Switch back|settings|log|admin/;
// eslint-disable-next-line no-control-regex -- control characters are what these assertions look for
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;

let server: FactifyServer;
let decoy: DecoyServer;
const proxies: ConnectProxy[] = [];
const extraServers: FactifyServer[] = [];
const clients: FactifyClient[] = [];
const stores: KeysStore[] = [];

function client(origin: string, options: Partial<ConnectionOptions> = {}): FactifyClient {
  const created = new FactifyClient({
    origin: new URL(origin),
    timeoutMs: 1_500,
    proxy: DIRECT,
    userAgent: 'factify-fault-matrix',
    env: {},
    retry: FAST_RETRY,
    ...options,
  });
  clients.push(created);
  return created;
}

function auth(token: string, organizationId?: string) {
  return { token: token as ApiToken, organizationId: organizationId as OrgId | undefined };
}

interface StoreOptions {
  includeRevoked?: () => boolean;
  organization?: () => OrgId | undefined;
}

function keysStore(source: FactifyClient | (() => FactifyClient), token: string, options: StoreOptions = {}): KeysStore {
  const created = new KeysStore({
    client: typeof source === 'function' ? source : () => source,
    auth: () => auth(token, options.organization?.()),
    includeRevoked: options.includeRevoked ?? (() => false),
    now: Date.now,
    log: logger,
  });
  stores.push(created);
  return created;
}

/** Every snapshot the store publishes, with its notices and errors added to the evidence. */
function watch(store: KeysStore): KeysSnapshot[] {
  const seen: KeysSnapshot[] = [];
  store.onDidChange(() => {
    const snapshot = store.snapshot;
    seen.push(snapshot);
    if (snapshot.notice) evidence.messages.push(snapshot.notice);
    if (snapshot.error) evidence.messages.push(snapshot.error.message);
  });
  return seen;
}

function context(
  store: KeysStore,
  source: FactifyClient,
  prompts: ScriptedPrompts,
  extra: {
    tokens?: MemoryAccounts;
    organizations?: MemoryOrganizations;
    confirmRevoke?: boolean;
  } = {},
): AppContext {
  storeOfFlow.set(prompts, store);
  return {
    prompts,
    accounts: extra.tokens ?? new MemoryAccounts(),
    organizations: extra.organizations ?? new MemoryOrganizations(),
    store,
    log: logger,
    client: () => source,
    confirmRevoke: () => extra.confirmRevoke ?? true,
  };
}

/** The store each flow's context was built with, keyed by the flow's prompts. */
const storeOfFlow = new WeakMap<ScriptedPrompts, KeysStore>();

/**
 * Runs a flow with scripted prompts and records everything it showed. The messages a flow fires with `void` are
 * recorded when called, before the flow returns; a refresh it starts without awaiting (after a revoke) is waited for.
 */
async function runFlow<T>(prompts: ScriptedPrompts, flow: () => Promise<T>): Promise<T> {
  try {
    return await flow();
  } finally {
    const store = storeOfFlow.get(prompts);
    if (store) await waitFor(() => !store.snapshot.loading, 'the refresh the flow started to settle');
    notePrompts(prompts);
  }
}

function script(...steps: Step[]): ScriptedPrompts {
  return new ScriptedPrompts(steps);
}

/** The FactifyError a promise rejects with, checked for its kind and recorded as evidence. */
async function failure(promise: Promise<unknown>, kind: FactifyErrorKind): Promise<FactifyError> {
  let caught: unknown;
  try {
    await promise;
  } catch (thrown) {
    caught = thrown;
  }
  assert.ok(caught instanceof FactifyError, `expected a FactifyError (${kind}), got ${caught === undefined ? 'success' : String(caught)}`);
  noteError(caught);
  assert.equal(caught.kind, kind, `kind: ${caught.message}`);
  return caught;
}

/** The message says what happened (every pattern) and what to do next. */
function explains(error: FactifyError, what: readonly RegExp[], next: RegExp = NEXT_STEP): void {
  for (const pattern of what) assert.match(error.message, pattern);
  assert.match(error.message, next);
  assert.doesNotMatch(error.message, /\bundefined\b|\[object Object\]|\bNaN\b/);
}

function requestsOf(method: string, target: FactifyServer = server) {
  return target.requests.filter((request) => request.method === method);
}

/** How long the work took: for lower bounds only (a deadline must not end a request early), never upper ones. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

function record(overrides: Partial<Record<keyof ServerApiKey, unknown>> & Record<string, unknown> = {}): Record<string, unknown> {
  const base = server.keysOf(server.orgs.primary)[0];
  assert.ok(base);
  return { ...base, ...overrides };
}

function without(value: Record<string, unknown>, field: string): Record<string, unknown> {
  const copy = { ...value };
  delete copy[field];
  return copy;
}

function parseOne(value: Record<string, unknown>): ApiKey {
  const list = parseKeyList({ api_keys: [value] });
  assert.deepEqual(list.rejected, []);
  const [key] = list.keys;
  assert.ok(key);
  return key;
}

function problemBody(status: number, detail: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'https://api.factify.com/problems/x', title: 'Problem', status, detail, ...extra });
}

function loadedKey(store: KeysStore, name: string): ApiKey {
  const key = store.snapshot.loaded?.keys.find((candidate) => candidate.name === name);
  assert.ok(key, `key “${name}” is listed`);
  return key;
}

async function tlsServer(): Promise<FactifyServer> {
  const started = await startFactifyServer({ tls: selfSignedCert() });
  extraServers.push(started);
  return started;
}

async function proxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const started = await startConnectProxy(options);
  proxies.push(started);
  return started;
}

before(async () => {
  server = await startFactifyServer();
  decoy = await startDecoyServer();
});

beforeEach(() => {
  server.reset();
});

after(async () => {
  for (const store of stores) store.dispose();
  await Promise.all(clients.map((created) => created.close()));
  await Promise.all([server.close(), decoy.close(), ...proxies.map((p) => p.close()), ...extraServers.map((s) => s.close())]);
});

// ---------------------------------------------------------------------------------------------------------

describe('server answers', () => {
  test('F01 200 with malformed JSON', async () => {
    server.addFault({ fault: { kind: 'malformedJson' } });
    const error = await failure(client(server.url).listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'invalidResponse');
    explains(error, [/not valid JSON/], /Refresh/);
    assert.equal(error.status, 200);
  });

  test('F02 200 with truncated JSON', async () => {
    server.addFault({ fault: { kind: 'truncatedJson' } });
    const store = keysStore(client(server.url), server.tokens.admin);
    await store.refresh();
    const error = store.snapshot.error;
    assert.ok(error);
    noteError(error);
    assert.equal(error.kind, 'invalidResponse');
    explains(error, [/not valid JSON/, /cut off/], /Refresh/);
    assert.equal(store.snapshot.loaded, undefined, 'nothing half-parsed is shown');
    assert.ok(evidence.log.some((line) => line.startsWith('error Listing keys') && line.includes('invalidResponse')));
  });

  test('F03 200 with a non-object body (a list, a string, null)', async () => {
    const c = client(server.url);
    for (const [json, described] of [
      [[{ id: 'key_x' }], 'a list'],
      ['api_keys', 'a string'],
      [null, 'null'],
    ] as const) {
      server.addFault({ fault: { kind: 'body', json }, times: 1 });
      const error = await failure(c.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'invalidResponse');
      explains(error, [new RegExp(`answered with ${described} instead of the list of API keys`)], /factify\.apiBaseUrl/);
    }
  });

  test('F04 200 with "api_keys" not an array', async () => {
    const c = client(server.url);
    for (const json of [{ api_keys: { id: 'key_x' } }, { keys: [] }, { api_keys: 'none' }]) {
      server.addFault({ fault: { kind: 'body', json }, times: 1 });
      const error = await failure(c.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'invalidResponse');
      explains(error, [/"api_keys"/], /factify\.apiBaseUrl/);
    }
  });

  test('F05 200 with records missing required fields (the rest still shown, the skipped ones logged)', async () => {
    const good = record();
    server.addFault({
      fault: {
        kind: 'body',
        json: {
          api_keys: [
            good,
            without(record(), 'prefix'),
            without(record(), 'is_active'),
            without(record(), 'id'),
            without(record(), 'created_at'),
            'a string',
          ],
        },
      },
    });
    const store = keysStore(client(server.url), server.tokens.admin);
    await store.refresh();
    const loaded = store.snapshot.loaded;
    assert.ok(loaded);
    assert.equal(store.snapshot.error, undefined);
    assert.deepEqual(
      loaded.keys.map((key) => key.id),
      [good['id']],
    );
    assert.equal(loaded.rejected.length, 5, 'the view counts the records it could not show');
    for (const field of ['prefix', 'is_active', 'id', 'created_at']) {
      assert.ok(
        evidence.log.some((line) => line.startsWith('warn Skipped record') && line.includes(`"${field}"`)),
        `logged: ${field}`,
      );
    }
  });

  test('F06 200 with records of the wrong types', async () => {
    const good = record();
    const bad = [
      record({ name: 42 }),
      record({ is_active: 'true' }),
      record({ prefix: null }),
      record({ created_at: 1_700_000_000 }),
      record({ expires_at: 'next tuesday' }),
      record({ revoked_at: true }),
      record({ revoked_comment: { text: 'x' } }),
      record({ id: ['key_x'] }),
      record({ org_id: 7 }),
    ];
    server.addFault({ fault: { kind: 'body', json: { api_keys: [good, ...bad] } } });
    const store = keysStore(client(server.url), server.tokens.admin);
    await store.refresh();
    const loaded = store.snapshot.loaded;
    assert.ok(loaded);
    assert.equal(loaded.keys.length, 1);
    assert.equal(loaded.rejected.length, bad.length);
    assert.ok(loaded.rejected.every((rejected) => /wrong type|not a (string|boolean)|missing/.test(rejected.problem)));
  });

  test('F07 200 with extra unknown fields (tolerated)', async () => {
    const extra = record({ scopes: ['read'], owner: { id: 'usr_x' }, 'x-future': null, last_used_at: '2026-01-01T00:00:00Z' });
    server.addFault({ fault: { kind: 'body', json: { api_keys: [extra], next_cursor: 'abc', total: 1 } } });
    const list = await client(server.url).listKeys(auth(server.tokens.admin), { includeRevoked: false });
    assert.equal(list.keys.length, 1);
    assert.deepEqual(list.rejected, []);
    assert.equal(list.keys[0]?.id, extra['id']);
  });

  test('F08 200 with ids failing their pattern (shown, never revocable, no request)', async () => {
    const hostileIds = [
      'key_ABCDEFGHJKMNPQRSTVWXYZ0123',
      'key_../../v1/api-keys',
      'key_01kdx2z2ab3cd4ef5gh6jk7mn8?x=1',
      'org_01kdx2z2ab3cd4ef5gh6jk7mn8',
    ];
    server.addFault({ fault: { kind: 'body', json: { api_keys: hostileIds.map((id, index) => record({ id, name: `odd ${index}` })) } } });
    const c = client(server.url);
    const store = keysStore(c, server.tokens.admin);
    await store.refresh();
    const keys = store.snapshot.loaded?.keys ?? [];
    assert.equal(keys.length, hostileIds.length, 'every such key is still shown');
    for (const key of keys) {
      assert.equal(key.keyId, undefined);
      const row = keyRow(key, Date.now(), 14);
      assert.equal(row.icon, 'unrevocable');
      assert.doesNotMatch(row.contextValue, /revocable/);
      assert.match(keyTooltipMarkdown(key, Date.now(), 14), /cannot be revoked/);
      const outcome = await store.revoke(key, undefined, store.currentAuth());
      assert.equal(outcome.kind, 'failed');
      if (outcome.kind === 'failed') {
        noteError(outcome.error);
        explains(outcome.error, [/cannot be revoked/], /Factify never issues|id/);
      }
      // Even a cast cannot make the client build the request.
      await failure(c.revokeKey(auth(server.tokens.admin), key.id as KeyId, 'x'), 'invalidResponse');
    }
    // The revoke command on such a key explains why, and asks nothing.
    const [first] = keys;
    assert.ok(first);
    const prompts = script(infoStep());
    assert.equal(await runFlow(prompts, () => revokeKeys(context(store, c, prompts), [first])), undefined);
    prompts.assertDone();
    assert.match(prompts.only('info').message, /cannot be revoked/);
    assert.equal(requestsOf('DELETE').length, 0);
  });

  test('F09 200 with a body over the 64 MiB cap', async () => {
    assert.equal(MAX_BODY_BYTES, 64 * 1024 * 1024);
    server.addFault({ fault: { kind: 'hugeBody', bytes: MAX_BODY_BYTES + 1024 * 1024 }, times: 1 });
    const error = await failure(
      client(server.url, { timeoutMs: 30_000 }).listKeys(auth(server.tokens.admin), { includeRevoked: false }),
      'invalidResponse',
    );
    explains(error, [/larger than 64 MiB/, /not read/], /factify\.apiBaseUrl/);

    // Gave up reading: a body that never ends can only end in the cap (the 30 s deadline would be a timeout).
    server.addFault({ fault: { kind: 'hugeBody', bytes: Number.MAX_SAFE_INTEGER } });
    const endless = await failure(
      client(server.url, { timeoutMs: 30_000 }).listKeys(auth(server.tokens.admin), { includeRevoked: false }),
      'invalidResponse',
    );
    explains(endless, [/larger than 64 MiB/, /not read/], /factify\.apiBaseUrl/);
  });

  test('F10 200 with an HTML page instead of JSON (captive portal)', async () => {
    server.addFault({
      fault: { kind: 'status', status: 200, body: '<!doctype html><title>Sign in to Wi-Fi</title>', contentType: 'text/html' },
    });
    const error = await failure(client(server.url).listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'invalidResponse');
    explains(error, [/HTML page/, /instead of Factify's JSON/], /factify\.apiBaseUrl/);
  });

  test('F11 text/html 502 from a proxy', async () => {
    server.addFault({ fault: { kind: 'html502' } });
    const error = await failure(client(server.url).listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'server');
    explains(error, [/502/, /HTML/, /proxy or gateway/], /Refresh/);
    assert.doesNotMatch(error.message, /<|nginx/);
  });

  test('F12 empty 500', async () => {
    server.addFault({ fault: { kind: 'empty500' } });
    const store = keysStore(client(server.url), server.tokens.admin);
    watch(store);
    await store.refresh();
    const error = store.snapshot.error;
    assert.ok(error);
    noteError(error);
    assert.equal(error.kind, 'server');
    explains(error, [/500/, /could not answer/], /Refresh/);
    assert.equal(store.snapshot.loading, false);
  });

  test('F13 400 problem details', async () => {
    server.addFault({
      fault: {
        kind: 'status',
        status: 400,
        contentType: 'application/problem+json',
        body: problemBody(400, 'Request body is malformed or missing required fields.'),
      },
    });
    const error = await failure(client(server.url).listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'badRequest');
    explains(error, [/400/, /malformed or missing required fields/], /Refresh|log/);
  });

  test('F14 401 problem details (token not accepted)', async () => {
    const store = keysStore(client(server.url), server.tokens.unknown);
    await store.refresh();
    const error = store.snapshot.error;
    assert.ok(error);
    noteError(error);
    assert.equal(error.kind, 'unauthorized');
    explains(error, [/401/, /did not accept the API token/], /Set API Token/);
    assert.equal(requestsOf('GET').length, 1);
  });

  test('F15 403 problem details (list refused; revoking needs the admin role)', async () => {
    server.addFault({
      fault: { kind: 'status', status: 403, contentType: 'application/problem+json', body: problemBody(403, 'Access denied.') },
      times: 1,
    });
    const c = client(server.url);
    const listError = await failure(c.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'forbidden');
    explains(listError, [/403/, /refused/], /Set API Token|token/);

    const memberStore = keysStore(c, server.tokens.member);
    await memberStore.refresh();
    const outcome = await memberStore.revoke(loadedKey(memberStore, 'CI deploy'), 'rotated', memberStore.currentAuth());
    assert.equal(outcome.kind, 'failed');
    if (outcome.kind === 'failed') {
      noteError(outcome.error);
      assert.equal(outcome.error.kind, 'forbidden');
      explains(outcome.error, [/403/, /[Rr]evoking requires the organization admin role/], /admin/);
    }
    assert.equal(requestsOf('DELETE').length, 1);
  });

  test('F16 403 under an organization override (staff only; offers Switch Back)', async () => {
    const c = client(server.url);
    const organizations = new MemoryOrganizations();
    const store = keysStore(c, server.tokens.member, { organization: () => organizations.current });
    const prompts = script(warnStep('Switch Back'));
    await runFlow(prompts, () => applyOrganization(context(store, c, prompts, { organizations }), asOrgId(server.orgs.secondary)));
    prompts.assertDone();
    const warning = prompts.only('warn').message;
    assert.match(warning, /Only Factify staff can act as another organization/);
    assert.match(warning, /403/);
    assert.match(warning, new RegExp(server.orgs.secondary));
    assert.match(warning, /Switch back/);
    assert.equal(organizations.current, undefined, 'switched back');
    assert.equal(store.snapshot.error, undefined);
    assert.equal(store.snapshot.loaded?.query.organizationId, undefined);
    const gets = requestsOf('GET');
    assert.equal(gets.length, 2);
    assert.equal(gets[0]?.headers['x-factify-organization-id'], server.orgs.secondary);
    assert.equal(gets[1]?.headers['x-factify-organization-id'], undefined);
  });

  test('F17 404 problem details (revoking a key that is gone)', async () => {
    const c = client(server.url);
    const store = keysStore(c, server.tokens.admin);
    await store.refresh();
    const key = loadedKey(store, 'CI deploy');
    server.setKeys(
      server.orgs.primary,
      server.keysOf(server.orgs.primary).filter((candidate) => candidate.id !== key.id),
    );
    const prompts = script(inputStep(''), confirmStep(true), warnStep());
    await runFlow(prompts, () => revokeKeys(context(store, c, prompts), [key]));
    prompts.assertDone();
    const warning = prompts.only('warn').message;
    assert.match(warning, /404/);
    assert.match(warning, /no longer exists/);
    assert.match(warning, /refresh/);
    assert.equal(requestsOf('DELETE').length, 1);
  });

  test('F18 409 on revoke (already revoked: treated as done)', async () => {
    const c = client(server.url);
    const store = keysStore(c, server.tokens.admin); // revoked keys hidden
    await store.refresh();
    // The key as another window still shows it: revoked there meanwhile.
    const serverRecord = server.keysOf(server.orgs.primary).find((key) => key.name === 'Old CI token');
    assert.ok(serverRecord?.revoked_at);
    const stale = parseOne({ ...serverRecord, revoked_at: null, revoked_by: null, is_active: true });
    const outcome = await store.revoke(stale, undefined, store.currentAuth());
    assert.equal(outcome.kind, 'alreadyRevoked', 'treated as done, not as an error');
    assert.equal(requestsOf('DELETE').length, 1);
    assert.ok(evidence.log.some((line) => line.includes('conflict status=409') && line.includes('already revoked')));
    assert.equal((await store.revoke(stale, undefined, store.currentAuth())).kind, 'alreadyRevoked');
    assert.equal(requestsOf('DELETE').length, 1, 'and never asked again');
  });

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

    server.addFault({ fault: { kind: 'status', status: 409, contentType: 'application/problem+json', body: '{"detail": "cut' }, times: 1 });
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

// ---------------------------------------------------------------------------------------------------------

describe('client side', () => {
  /** What src/connection.ts does: an unusable base URL becomes an invalidConfig error, and no request. */
  function clientFor(baseUrl: string): () => FactifyClient {
    return () => {
      const checked = checkApiBaseUrl(baseUrl);
      if (!checked.ok) throw new FactifyError('invalidConfig', checked.message);
      return client(checked.origin.href);
    };
  }

  async function refused(baseUrl: string, what: RegExp): Promise<FactifyError> {
    const store = keysStore(clientFor(baseUrl), server.tokens.admin);
    await store.refresh();
    const error = store.snapshot.error;
    assert.ok(error, `${baseUrl} is refused`);
    noteError(error);
    assert.equal(error.kind, 'invalidConfig');
    explains(error, [what], /factify\.apiBaseUrl/);
    return error;
  }

  test('F34 a base URL with http on a non-loopback host (refused with a message)', async () => {
    for (const url of [
      'http://api.factify.com',
      'http://127.0.0.1.nip.io',
      'http://localhost.evil.example',
      'http://10.0.0.5:8080',
      'ftp://api.factify.com',
    ]) {
      await refused(url, /https/);
    }
    for (const url of [
      'https://api.factify.com',
      'http://localhost:8080',
      'http://127.0.0.1:9',
      'http://127.1.2.3',
      'http://[::1]:8080',
      server.url,
    ]) {
      assert.equal(checkApiBaseUrl(url).ok, true, `${url} is allowed`);
    }
    assert.equal(decoy.requests.length, 0);
  });

  test('F35 a base URL with credentials (refused, the password never repeated)', async () => {
    const error = await refused('https://alice:hunter2-Canary-pw@api.factify.com', /user name and password/);
    assert.ok(!error.message.includes('hunter2-Canary-pw'));
    await refused(`http://bob:pw-Canary-2@127.0.0.1:${server.port}`, /user name and password/);
    assert.equal(server.requests.length, 0);
  });

  test('F36 a base URL with a path, query or fragment (refused)', async () => {
    for (const url of [
      'https://api.factify.com/v1',
      `${server.url}/evil/`,
      'https://api.factify.com/?org=x',
      'https://api.factify.com/#x',
    ]) {
      await refused(url, /origin only/);
    }
    assert.equal(server.requests.length, 0);
  });

  test('F37 refresh pressed ten times quickly (one request in flight)', async () => {
    server.setLatency(200);
    const store = keysStore(client(server.url), server.tokens.admin);
    const presses = Array.from({ length: 10 }, () => store.refresh());
    assert.ok(
      presses.every((press) => press === presses[0]),
      'every press joins the request in flight',
    );
    await Promise.all(presses);
    assert.equal(requestsOf('GET').length, 1);
    assert.ok(store.snapshot.loaded);
    assert.equal(store.snapshot.loading, false);
    assert.equal(store.snapshot.error, undefined);
    await store.refresh();
    assert.equal(requestsOf('GET').length, 2, 'a press after the answer asks again');
  });

  test('F38 refresh ten times while the revoked-keys setting flips (last state wins)', async () => {
    server.setLatency(100);
    let includeRevoked = false;
    const store = keysStore(client(server.url), server.tokens.admin, { includeRevoked: () => includeRevoked });
    const seen = watch(store);
    const presses: Promise<void>[] = [];
    for (let press = 0; press < 10; press++) {
      includeRevoked = press % 2 === 1; // the last press asks for revoked keys
      presses.push(store.refresh());
    }
    await Promise.all(presses); // every press's load has settled: no answer can reach the store after this
    const loaded = store.snapshot.loaded;
    assert.ok(loaded);
    assert.equal(loaded.query.includeRevoked, true);
    assert.ok(
      loaded.keys.some((key) => key.revokedAt !== undefined),
      'revoked keys are listed',
    );
    assert.ok(
      seen.every((snapshot) => snapshot.loaded === undefined || snapshot.loaded.query.includeRevoked),
      'no earlier answer was ever shown',
    );
    assert.ok(
      seen.every((snapshot) => snapshot.error === undefined),
      'the superseded requests are not errors',
    );
    const last = requestsOf('GET').at(-1);
    assert.equal(last?.query['include_revoked'], 'true');
  });

  test('F39 revoke while a refresh is running', async () => {
    const store = keysStore(client(server.url), server.tokens.admin);
    const seen = watch(store);
    await store.refresh();
    const key = loadedKey(store, 'CI deploy');
    server.addFault({ fault: { kind: 'slowHeaders', delayMs: 30_000 }, method: 'GET', times: 1 });
    const running = store.refresh();
    await waitFor(() => requestsOf('GET').length === 2, 'the refresh to reach the server');
    assert.equal(store.snapshot.loading, true);
    const outcome = await store.revoke(key, 'rotated', store.currentAuth());
    assert.equal(outcome.kind, 'revoked');
    const afterRevoke = seen.length;
    assert.ok(!store.snapshot.loaded?.keys.some((candidate) => candidate.id === key.id), 'the key leaves the list at once');
    assert.equal(store.snapshot.loading, false);
    await running; // the older list has settled: whatever came of it, nothing of it can reach the store later
    assert.ok(!store.snapshot.loaded?.keys.some((candidate) => candidate.id === key.id), 'the older answer is never shown');
    assert.ok(seen.slice(afterRevoke).every((snapshot) => !snapshot.loaded?.keys.some((candidate) => candidate.id === key.id)));
    assert.equal(store.snapshot.error, undefined);
    const deletes = requestsOf('DELETE');
    assert.equal(deletes.length, 1);
    assert.equal(deletes[0]?.body, '{"reason":"rotated"}');
    await store.refresh();
    assert.ok(!store.snapshot.loaded?.keys.some((candidate) => candidate.id === key.id), 'and the server agrees');
  });

  test('F40 organization switched while a list is in flight (the old answer is never shown)', async () => {
    const c = client(server.url);
    const organizations = new MemoryOrganizations();
    const store = keysStore(c, server.tokens.staff, { organization: () => organizations.current });
    const seen = watch(store);
    server.addFault({ fault: { kind: 'slowHeaders', delayMs: 30_000 }, method: 'GET', times: 1 });
    const ownList = store.refresh();
    await waitFor(() => requestsOf('GET').length === 1, 'the first list to reach the server');
    const prompts = script();
    const switched = seen.length;
    await runFlow(prompts, () => applyOrganization(context(store, c, prompts, { organizations }), asOrgId(server.orgs.secondary)));
    await ownList; // the old list has settled: nothing of it can reach the store later
    const loaded = store.snapshot.loaded;
    assert.ok(loaded);
    assert.equal(loaded.query.organizationId, server.orgs.secondary);
    assert.ok(loaded.keys.length > 0 && loaded.keys.every((key) => key.orgId === server.orgs.secondary));
    for (const snapshot of seen.slice(switched)) {
      assert.ok(
        snapshot.loaded === undefined || snapshot.loaded.keys.every((key) => key.orgId === server.orgs.secondary),
        "never the staff home organization's keys under the new organization",
      );
    }
    assert.equal(store.snapshot.error, undefined);
    const last = requestsOf('GET').at(-1);
    assert.equal(last?.headers['x-factify-organization-id'], server.orgs.secondary);
  });

  test('F41 the same key revoked twice at once (one DELETE)', async () => {
    const store = keysStore(client(server.url), server.tokens.admin, { includeRevoked: () => true });
    await store.refresh();
    const key = loadedKey(store, 'Billing webhook');
    const outcomes = await Promise.all([
      store.revoke(key, undefined, store.currentAuth()),
      store.revoke(key, undefined, store.currentAuth()),
    ]);
    assert.equal(outcomes[0]?.kind, 'revoked');
    assert.ok(outcomes[1]?.kind === 'revoked' || outcomes[1]?.kind === 'alreadyRevoked', 'the second joins or is a no-op');
    assert.equal(requestsOf('DELETE').length, 1);
    assert.notEqual(loadedKey(store, 'Billing webhook').revokedAt, undefined);
  });

  test('F42 the same key revoked again after it was revoked (a no-op, no second DELETE)', async () => {
    const c = client(server.url);
    const store = keysStore(c, server.tokens.admin); // revoked keys hidden: the key leaves the list
    await store.refresh();
    const key = loadedKey(store, 'Data warehouse sync');
    assert.equal((await store.revoke(key, undefined, store.currentAuth())).kind, 'revoked');
    assert.equal((await store.revoke(key, undefined, store.currentAuth())).kind, 'alreadyRevoked', 'the stale tree item asks again');
    // The command from a stale tree item, too.
    const prompts = script(inputStep(''), confirmStep(true), infoStep());
    await runFlow(prompts, () => revokeKeys(context(store, c, prompts), [key]));
    assert.equal(requestsOf('DELETE').length, 1);
  });

  test('F43 a keyring failure on secrets.store (explained, never a plain-text fallback)', async () => {
    server.addFault({ fault: { kind: 'body', json: { api_keys: [] } }, method: 'GET', times: 1 }); // the check passes
    const c = client(server.url);
    const tokens = new MemoryAccounts(undefined, { failStore: true });
    const organizations = new MemoryOrganizations();
    const store = keysStore(c, MARKER_TOKEN);
    const prompts = script(inputStep(`  ${MARKER_TOKEN}  `), errorStep());
    const result = await runFlow(prompts, () => signIn(context(store, c, prompts, { tokens, organizations })));
    prompts.assertDone();
    assert.equal(result, 'storeFailed');
    const message = prompts.only('error').message;
    assert.match(message, /could not save the token/);
    assert.match(message, /keychain/);
    assert.match(message, /plain text/);
    assert.match(message, /try again/);
    assert.deepEqual(tokens.stored, [], 'nothing stored');
    assert.equal(tokens.token, undefined);
    assert.deepEqual(organizations.selections, [], 'nothing written to global state either');
    assert.ok(evidence.rawLog.some((line) => line.includes('Storing the token in SecretStorage failed')));
    assert.equal(requestsOf('GET')[0]?.headers['authorization'], `Bearer ${MARKER_TOKEN}`, 'only to the configured origin');
  });

  test('F44 a token Factify rejects at sign-in (401: not stored, told so)', async () => {
    const c = client(server.url);
    const tokens = new MemoryAccounts();
    const store = keysStore(c, server.tokens.unknown);
    const prompts = script(inputStep(server.tokens.unknown), errorStep());
    const result = await runFlow(prompts, () => signIn(context(store, c, prompts, { tokens })));
    prompts.assertDone();
    assert.equal(result, 'rejected');
    assert.match(prompts.only('error').message, /401/);
    assert.match(prompts.only('error').message, /not saved/);
    assert.deepEqual(tokens.stored, []);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('injection', () => {
  const NOW = Date.now();

  /** Every ASCII punctuation character of user data in the tooltip is escaped. */
  function assertEscaped(text: string, where: string): void {
    for (let index = 0; index < text.length; index++) {
      const char = text[index] ?? '';
      if (char === '\\') {
        index++;
        continue;
      }
      assert.doesNotMatch(char, /[!-/:-@[-`{-~]/, `unescaped “${char}” in the ${where}: ${text.slice(0, 120)}`);
    }
  }

  /** The tooltip renders user data as text only: no link, command link, HTML, image or formatting. */
  function assertInertTooltip(key: ApiKey): string {
    const markdown = keyTooltipMarkdown(key, NOW, 14);
    const plain = keyTooltipMarkdown(
      { ...key, name: 'plain', revokedComment: key.revokedComment === undefined ? undefined : 'plain' },
      NOW,
      14,
    );
    const lines = markdown.split('  \n');
    assert.equal(lines.length, plain.split('  \n').length, 'no injected line breaks');
    assert.doesNotMatch(lines.join(''), CONTROL_OR_BIDI);
    assert.doesNotMatch(markdown, /command:|javascript:|https?:\/\//i);
    const [title, blank, ...rows] = lines;
    assert.equal(blank, '');
    assert.ok(title?.startsWith('**') && title.endsWith('**'));
    assertEscaped(title.slice(2, -2), 'title');
    for (const row of rows) {
      const [name] = row.split(': ', 1);
      if (name === 'Note' || name === 'Active flag') continue;
      assertEscaped(row.slice((name ?? '').length + 2), `row ${name}`);
    }
    return markdown;
  }

  function assertPlainRow(key: ApiKey): ReturnType<typeof keyRow> {
    const row = keyRow(key, NOW, 14);
    assert.doesNotMatch(row.label, CONTROL_OR_BIDI);
    assert.doesNotMatch(row.description, CONTROL_OR_BIDI);
    assert.ok(row.label.length <= 120 && row.description.length <= 120);
    return row;
  }

  function hostile(name: string, comment: string, prefix?: string): ApiKey {
    return parseOne(
      record({
        name,
        revoked_comment: comment,
        revoked_at: '2026-01-01T00:00:00Z',
        revoked_by: 'usr_x',
        is_active: false,
        ...(prefix === undefined ? {} : { prefix }),
      }),
    );
  }

  test('F45 Markdown in key names and comments (rendered as text)', () => {
    const key = hostile(
      '**bold** _it_ `code` # Heading [link](https://evil.example) ![img](https://evil.example/x.png) > quote',
      '| table | row |\n---\n* list [ref]: https://evil.example',
    );
    assertInertTooltip(key);
    const row = assertPlainRow(key);
    assert.ok(row.label.startsWith('**bold**'), 'a row label is plain text: shown as typed');
  });

  test('F46 HTML in key names and comments', () => {
    const key = hostile(
      '<img src=x onerror=alert(1)><a href="https://evil.example">x</a>',
      '<script>alert(1)</script>&lt;b&gt;',
      'ffy_prod_<b>x</b>...',
    );
    const markdown = assertInertTooltip(key);
    assert.doesNotMatch(markdown.replace(/\\./g, ''), /[<>&]/);
    assertPlainRow(key);
  });

  test('F47 command links in key names and comments', () => {
    const key = hostile(
      '[Sign out](command:factify.signOut) <command:workbench.action.reloadWindow>',
      '[x](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D) command:factify.revokeKey',
    );
    const markdown = assertInertTooltip(key);
    assert.doesNotMatch(markdown, /command:/);
    assert.match(markdown, /command\\:factify\\\.signOut/, 'shown as the literal text');
  });

  test('F48 control characters in key names and comments', () => {
    const key = hostile('evil\nname\r\twith\u0000nul\u001b[31mred\u0007\u007f\u0085', 'line1\nline2\u2028line3\u2029');
    const row = assertPlainRow(key);
    assert.match(row.label, /^evil name/);
    assertInertTooltip(key);
  });

  test('F49 RTL overrides and invisible characters in key names', () => {
    const key = hostile('invoice\u202egpj.exe\u2066x\u2069\u200b\u200d\ufeff\u2060', 'ok\u202d\u202c');
    const row = assertPlainRow(key);
    assert.ok(row.label.includes('\ufffd'), 'replaced, visibly');
    assertInertTooltip(key);
  });

  test('F50 a 10 000-character name', () => {
    const key = hostile('[x](command:y) '.repeat(700).slice(0, 10_000), 'c'.repeat(10_000));
    assert.equal(key.name.length, 10_000);
    const row = assertPlainRow(key);
    assert.ok(row.label.endsWith('…'));
    const markdown = assertInertTooltip(key);
    assert.ok(markdown.length < 5_000, `tooltip of ${markdown.length} characters`);
  });

  test('F51 hostile records served end to end: rows, tooltips and the revoke confirmation stay text', async () => {
    const names = ['[Sign out](command:factify.signOut)', '<img src=x onerror=alert(1)>', 'a\u202eevil\nsecond line', 'x'.repeat(10_000)];
    const keys = server
      .keysOf(server.orgs.primary)
      .slice(0, names.length)
      .map((key, index) => ({ ...key, name: names[index] ?? '' }));
    const forgedId = 'key_bad\n2026-01-01 [error] forged log line';
    server.setKeys(server.orgs.primary, [...keys, { ...keys[0]!, id: forgedId, name: 42 as unknown as string }]);
    const c = client(server.url);
    const store = keysStore(c, server.tokens.admin);
    await store.refresh();
    const listed = store.snapshot.loaded?.keys ?? [];
    assert.equal(listed.length, names.length);
    for (const key of listed) {
      assertPlainRow(key);
      assertInertTooltip(key);
    }
    const skipped = evidence.rawLog.filter((line) => line.includes('forged log line'));
    assert.equal(skipped.length, 1, 'the bad record is logged once');
    assert.doesNotMatch(skipped[0] ?? '', /\n/, 'a hostile id cannot forge log lines');
    const target = listed.find((key) => key.name.startsWith('a\u202e'));
    assert.ok(target);
    const prompts = script(inputStep(''), confirmStep(false));
    assert.equal(await runFlow(prompts, () => revokeKeys(context(store, c, prompts), [target])), undefined);
    prompts.assertDone();
    const question = prompts.only('confirm');
    assert.doesNotMatch(question.message, CONTROL_OR_BIDI);
    assert.doesNotMatch(prompts.only('input').title, CONTROL_OR_BIDI);
    assert.match(question.confirmLabel, /^Revoke/);
    assert.equal(requestsOf('DELETE').length, 0, 'declined: nothing sent');
  });
});

// ---------------------------------------------------------------------------------------------------------

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
    const c = client(remote(secure), { proxy: { proxy: p.url, noProxy: [], strictSSL: false } });
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
      const c = client(remote(secure), { proxy: { proxy: p.url, noProxy, strictSSL: false } });
      await assert.rejects(c.listKeys(auth(server.tokens.admin), { includeRevoked: false }), FactifyError);
    }
    assert.equal(p.connects.length, 0);
    assert.equal(secure.requests.length, 0);
    const other = client(remote(secure), { proxy: { proxy: p.url, noProxy: [`${REMOTE_HOST}:1`], strictSSL: false } });
    await other.listKeys(auth(server.tokens.admin), { includeRevoked: false });
    assert.equal(p.connects.length, 1, 'a noProxy entry for another port does not apply');
  });

  test('F54 HTTPS_PROXY and ALL_PROXY to an https origin (http.proxyStrictSSL false honoured through the proxy)', async () => {
    const p = await proxy({ hosts: { [REMOTE_HOST]: '127.0.0.1' } });
    const secure = await tlsServer();
    for (const env of [{ HTTPS_PROXY: p.url }, { https_proxy: p.url }, { ALL_PROXY: p.url }]) {
      const c = client(remote(secure), { proxy: { proxy: undefined, noProxy: [], strictSSL: false }, env });
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
      client(remote(secure), { proxy: direct, env: { HTTP_PROXY: p.url } }).listKeys(auth(server.tokens.admin), { includeRevoked: false }),
      FactifyError,
    );
    assert.equal(p.connects.length, 0, 'NO_PROXY bypasses it, HTTP_PROXY does not apply');
    await client(remote(secure), { proxy: direct, env: { https_proxy: p.url } }).listKeys(auth(server.tokens.admin), {
      includeRevoked: false,
    });
    assert.equal(p.connects.length, 1, 'lower-case https_proxy is used');
    assert.equal(secure.requests.length, 1);
  });

  test('F57 proxy credentials in the URL: sent as Proxy-Authorization, never shown or logged', async () => {
    const p = await proxy({ proxyAuthorization: basic('alice', PROXY_PASSWORD), hosts: { [REMOTE_HOST]: '127.0.0.1' } });
    const secure = await tlsServer();
    const c = client(remote(secure), {
      proxy: { proxy: `http://alice:${PROXY_PASSWORD}@127.0.0.1:${p.port}`, noProxy: [], strictSSL: false },
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
      client(remote(secure), { proxy: { proxy: p.url, noProxy: [], strictSSL: false } }).listKeys(auth(server.tokens.admin), {
        includeRevoked: false,
      }),
      'network',
    );
    explains(none, [/proxy/, /407/, /credentials/], /http\.proxy/);

    const wrong = client(remote(secure), {
      proxy: { proxy: `http://alice:${WRONG_PROXY_PASSWORD}@127.0.0.1:${p.port}`, noProxy: [], strictSSL: false },
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

describe('confirmed context', () => {
  /** A client whose Nth DELETE first runs `before` (a switch or a token change at exactly that moment). */
  function interceptDeletes(real: FactifyClient, before: (call: number) => void, onWait?: () => void): FactifyClient {
    const wrapped = Object.create(real) as FactifyClient;
    let calls = 0;
    wrapped.revokeKey = (requestAuth, keyId, reason, options = {}) => {
      before(++calls);
      return real.revokeKey(requestAuth, keyId, reason, {
        ...options,
        onRateLimited: (wait) => {
          options.onRateLimited?.(wait);
          onWait?.();
        },
      });
    };
    return wrapped;
  }

  function revocableKeys(store: KeysStore, count: number): ApiKey[] {
    const keys = (store.snapshot.loaded?.keys ?? [])
      .filter((key) => key.keyId !== undefined && key.revokedAt === undefined)
      .slice(0, count);
    assert.equal(keys.length, count);
    return keys;
  }

  test('F62 organization switched in the middle of a six-key revoke: the rest is not sent, the summary says which and why', async () => {
    const organizations = new MemoryOrganizations(server.orgs.primary);
    const real = client(server.url);
    const c = interceptDeletes(real, (call) => {
      if (call === 3) void organizations.select(server.orgs.secondary as OrgId);
    });
    const store = keysStore(c, server.tokens.staff, { organization: () => organizations.current });
    await store.refresh();
    const keys = revocableKeys(store, 6);
    const prompts = script(inputStep(''), confirmStep(true), warnStep());
    const results = await runFlow(prompts, () => revokeKeys(context(store, c, prompts, { organizations }), keys));
    prompts.assertDone();
    assert.ok(results);
    assert.deepEqual(
      results.map((result) => result.outcome),
      ['revoked', 'revoked', 'notSent', 'notSent', 'notSent', 'notSent'],
    );
    const deletes = requestsOf('DELETE');
    assert.equal(deletes.length, 2, 'only the two sent before the switch');
    assert.ok(
      deletes.every((request) => request.headers['x-factify-organization-id'] === server.orgs.primary),
      'all under the confirmed organization',
    );
    const confirmation = prompts.only('confirm');
    assert.match(confirmation.detail, new RegExp(`Organization: ${server.orgs.primary}`));
    const summary = prompts.only('warn').message;
    assert.match(
      summary,
      /^Revoked 2 of 6 API keys: “[^”]+”, “[^”]+”\. Not revoked, because the organization changed after you confirmed: /,
    );
    for (const result of results.slice(2)) assert.ok(summary.includes(`“${result.key.name}”`), `names ${result.key.name}`);
    assert.match(summary, /Nothing was sent for them\. .*run Revoke again/);
    for (const key of keys.slice(2)) assert.equal(server.keysOf(server.orgs.primary).find((k) => k.id === key.id)?.revoked_at, null);
  });

  test('F63 the token changed in the middle of a multi-key revoke: nothing goes out with the new token', async () => {
    let token = server.tokens.admin;
    const real = client(server.url);
    const c = interceptDeletes(real, (call) => {
      if (call === 2) token = server.tokens.otherOrgAdmin;
    });
    const store = new KeysStore({ client: () => c, auth: () => auth(token), includeRevoked: () => false, now: Date.now, log: logger });
    stores.push(store);
    await store.refresh();
    const keys = revocableKeys(store, 5);
    const prompts = script(inputStep('rotated'), confirmStep(true), warnStep());
    const results = await runFlow(prompts, () => revokeKeys(context(store, c, prompts), keys));
    assert.deepEqual(
      results?.map((result) => result.outcome),
      ['revoked', 'notSent', 'notSent', 'notSent', 'notSent'],
    );
    assert.ok(results?.slice(1).every((result) => result.reason === 'the API token changed after you confirmed'));
    assert.ok(requestsOf('DELETE').every((request) => request.headers['authorization'] === `Bearer ${server.tokens.admin}`));
    assert.equal(requestsOf('DELETE').length, 1);
    assert.match(prompts.only('warn').message, /Not revoked, because the API token changed after you confirmed/);

    // A single revoke confirmed under one token, asked after a sign-out: nothing is sent either.
    const signedOut = new KeysStore({ client: () => c, auth: () => undefined, includeRevoked: () => false, now: Date.now, log: logger });
    stores.push(signedOut);
    assert.deepEqual(await signedOut.revoke(keys[1] as ApiKey, undefined, auth(server.tokens.admin)), {
      kind: 'notSent',
      reason: 'you signed out after confirming',
    });
    assert.equal(requestsOf('DELETE').length, 1);
  });

  test('F73 the connection settings changed in the middle of a multi-key revoke: what was queued is not sent', async () => {
    let store: KeysStore | undefined;
    const real = client(server.url);
    const c = interceptDeletes(real, (call) => {
      if (call === 2) store?.reset(); // what a change of factify.apiBaseUrl or the proxy settings does
    });
    store = keysStore(c, server.tokens.admin);
    await store.refresh();
    const keys = revocableKeys(store, 5);
    const prompts = script(inputStep(''), confirmStep(true), warnStep());
    const results = await runFlow(prompts, () => revokeKeys(context(store as KeysStore, c, prompts), keys));
    const outcomes = results?.map((result) => result.outcome) ?? [];
    // The one in flight is cancelled by the reset (it may or may not have reached the server); the rest never leave.
    assert.deepEqual(outcomes, ['failed', 'notSent', 'notSent', 'notSent', 'notSent']);
    assert.equal(results?.[0]?.error?.kind, 'cancelled');
    assert.ok(
      results
        ?.filter((result) => result.outcome === 'notSent')
        .every((result) => result.reason === 'the connection settings changed after you confirmed'),
    );
    assert.ok(requestsOf('DELETE').length <= 1, 'at most the one started before the change');
    assert.match(prompts.only('warn').message, /Not revoked, because the connection settings changed after you confirmed/);
  });

  test('F64 an organization switch while a DELETE waits out a 429: the retry is never sent', async () => {
    const organizations = new MemoryOrganizations(server.orgs.primary);
    const real = client(server.url);
    const c = interceptDeletes(
      real,
      () => undefined,
      () => void organizations.select(server.orgs.secondary as OrgId),
    );
    const store = keysStore(c, server.tokens.staff, { organization: () => organizations.current });
    await store.refresh();
    const [key] = revocableKeys(store, 1);
    server.addFault({ fault: { kind: 'rateLimit', retryAfter: '1' }, method: 'DELETE', times: 1 });
    const prompts = script(inputStep(''), confirmStep(true), warnStep());
    const results = await runFlow(prompts, () => revokeKeys(context(store, c, prompts, { organizations }), [key as ApiKey]));
    assert.deepEqual(
      results?.map((result) => [result.outcome, result.reason]),
      [['notSent', 'the organization changed after you confirmed']],
    );
    assert.equal(requestsOf('DELETE').length, 1, 'the 429 only; no retry under the new organization');
    assert.equal(requestsOf('DELETE')[0]?.headers['x-factify-organization-id'], server.orgs.primary);
    assert.match(
      prompts.only('warn').message,
      /^“[^”]+” was not revoked: the organization changed after you confirmed\. Nothing was sent for it/,
    );

    // The same for a list: a retry after a 429 wait is not sent once the organization changed.
    await store.refresh();
    server.clearRequests();
    server.addFault({ fault: { kind: 'rateLimit', retryAfter: '0' }, method: 'GET', times: 1 });
    let organization: string | undefined = server.orgs.primary;
    const listed = auth(server.tokens.staff, server.orgs.primary);
    const error = await failure(
      real.listKeys(listed, {
        includeRevoked: false,
        onRateLimited: () => (organization = server.orgs.secondary),
        contextChange: () => (organization === listed.organizationId ? undefined : 'the organization changed'),
      }),
      'notSent',
    );
    assert.match(error.message, /^Not sent: the organization changed\.$/);
    assert.equal(requestsOf('GET').length, 1, 'the 429 only');
  });
});

describe('server text: tokens echoed back, org ids, icons', () => {
  /** The needles a leak would show: the token, its random part, and long runs of it. */
  const leaks = (text: string, token: string): string[] =>
    [token, token.slice(4), token.slice(-20), token.slice(0, 24), token.slice(10, 26)].filter((needle) => text.includes(needle));
  /** Every escaped spelling a JSON body can give the same token. */
  const escapings = (token: string): string[] => [
    token.replace(/_/g, '\\u005f'),
    token.replace(/_/g, '\\u005F').replace(/f/g, '\\u0066'),
    [...token].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  ];

  test('F65 the token echoed in the Content-Type of a 2xx: masked before the cut, at every offset', async () => {
    const c = client(server.url);
    for (const offset of [0, 1, 17, 30, 40, 45, 50, 55, 58]) {
      const contentType = `text/${'a'.repeat(offset)}${MARKER_TOKEN}; charset=utf-8`;
      server.addFault({ fault: { kind: 'body', json: { api_keys: [] }, contentType }, times: 1 });
      const error = await failure(c.listKeys(auth(MARKER_TOKEN), { includeRevoked: false }), 'invalidResponse');
      const everything = `${error.message} ${describeForLog(error)}`;
      assert.deepEqual(leaks(everything, MARKER_TOKEN), [], `offset ${offset}: ${everything}`);
      assert.doesNotMatch(error.message, /ffy_canary_\w/, `no token-shaped fragment at offset ${offset}: ${error.message}`);
    }
  });

  test('F66 the token in a problem title and detail: JSON-escaped, repeated, at any offset, or long parts of it', async () => {
    const c = client(server.url);
    const shapes = [
      (token: string) => `${token} ${token} ${token}`,
      ...escapings(MARKER_TOKEN).map((escaped) => () => `rejected ${escaped}`),
      (token: string) => `tail only: ${token.slice(4)}`,
      (token: string) => `last part: …${token.slice(-24)}`,
      (token: string) => `${'y'.repeat(250)} ${token}`,
    ];
    for (const shape of shapes) {
      for (const pad of [0, 240, 270, 285, 295]) {
        const said = `${'x'.repeat(pad)}${shape(MARKER_TOKEN)}`;
        const raw = JSON.stringify({ type: 'https://api.factify.com/problems/x', title: said, status: 400, detail: said }).replace(
          /\\\\u/g,
          '\\u',
        ); // the escapes go into the body as JSON escapes, not as literal backslashes
        server.addFault({ fault: { kind: 'status', status: 400, contentType: 'application/problem+json', body: raw }, times: 1 });
        const error = await failure(c.listKeys(auth(MARKER_TOKEN), { includeRevoked: false }), 'badRequest');
        const everything = `${error.message} ${describeForLog(error)} ${JSON.stringify(error.extra)}`;
        assert.deepEqual(leaks(everything, MARKER_TOKEN), [], `pad ${pad}: ${everything.slice(0, 400)}`);
        assert.doesNotMatch(error.message, /ffy_canary_\w/);
      }
    }
    // And what the shell shows and logs, through the shell's redactor that learned the stored token.
    const redactor = new Redactor();
    redactor.addSecret(MARKER_TOKEN);
    for (const escaped of escapings(MARKER_TOKEN)) assert.deepEqual(leaks(redactor.redact(`said: ${escaped}.`), MARKER_TOKEN), []);
    assert.equal(redactor.redact(`x ${MARKER_TOKEN.slice(9)} y`), 'x [redacted] y', 'a long part of a known token');
    assert.equal(
      redactor.redact(`key ffy_prod_a1b2 and ${'z'.repeat(11)}`),
      `key ffy_prod_a1b2 and ${'z'.repeat(11)}`,
      'prefixes and short runs stay',
    );
  });

  test('F67 a cut never leaves part of a token', () => {
    for (let at = 0; at < 60; at++) {
      const text = `${'n'.repeat(at)}${MARKER_TOKEN} after`;
      for (const max of [20, 40, 50, 64]) {
        const shown = displayText(text, max);
        assert.doesNotMatch(shown, /ffy_(?!\[redacted\])\w*…$/, `cut at ${max}, token at ${at}: ${shown}`);
        assert.ok(shown.length <= max + 'ffy_[redacted]'.length, shown);
      }
    }
    assert.equal(displayText('Key ffy_prod_a1b2', 80), 'Key ffy_prod_a1b2', 'an uncut prefix is left alone');
  });

  test('F68 an org_id from the answer is shown only if it matches its pattern; server text never becomes $(icon) syntax', async () => {
    const own = server.orgs.primary;
    const hostile = [
      'org_x\n$(alert) Click [here](command:factify.signOut)',
      `${own}\u202e`,
      '$(warning) Factify: acting as org_evil',
      'ORG_01KDX',
    ];
    for (const orgId of hostile) {
      server.setKeys(
        own,
        server.keysOf(own).map((key, index) => (index === 0 ? { ...key, org_id: orgId } : key)),
      );
      const store = keysStore(client(server.url), server.tokens.admin);
      await store.refresh();
      assert.equal(ownOrganizationId(store.snapshot), own, 'the valid ids still name the organization');
      const hostileKey = store.snapshot.loaded?.keys[0];
      assert.ok(hostileKey);
      const tooltip = keyTooltipMarkdown(hostileKey, Date.now(), 7);
      assert.ok(!tooltip.includes(orgId.slice(0, 8)) || orgId.startsWith(own), `tooltip: ${tooltip}`);
      assert.match(tooltip, /not a valid organization ID/);
      const prompts = script(inputStep(''), confirmStep(false));
      await runFlow(prompts, () => revokeKeys(context(store, client(server.url), prompts), [hostileKey]));
      const detail = prompts.only('confirm').detail;
      assert.match(detail, new RegExp(`^Organization: ${own} \\(the token's own organization\\)\\.`));
      assert.doesNotMatch(detail, /\$\(|command:|\u202e|org_evil|ORG_/);
      server.reset();
    }
    // Every record invalid, or two valid ones disagreeing: no organization id is shown at all.
    server.setKeys(
      own,
      server.keysOf(own).map((key) => ({ ...key, org_id: '$(alert) org' })),
    );
    const store = keysStore(client(server.url), server.tokens.admin);
    await store.refresh();
    assert.equal(ownOrganizationId(store.snapshot), undefined);
    assert.equal(describeOrganization(undefined, store.snapshot), "the token's own organization");
    server.setKeys(
      own,
      server.keysOf(own).map((key, index) => ({ ...key, org_id: index === 0 ? server.orgs.secondary : own })),
    );
    await store.refresh();
    assert.equal(ownOrganizationId(store.snapshot), undefined, 'records that disagree name no organization');

    assert.equal(escapeThemeIcons('$(alert) key $(sync~spin)'), '\\$(alert) key \\$(sync~spin)');
    assert.equal(escapeThemeIcons('already \\$(alert)'), 'already \\$(alert)');
  });
});

describe('server text in quick picks', () => {
  test('F72 key names, prefixes and ids in the revoke quick pick never become $(icon) syntax', async () => {
    const own = server.orgs.primary;
    server.setKeys(
      own,
      server
        .keysOf(own)
        .map((key, index) => (index === 0 ? { ...key, name: '$(alert) Urgent: click $(sync~spin)', prefix: '$(key)ffy_' } : key)),
    );
    const c = client(server.url);
    const store = keysStore(c, server.tokens.admin);
    await store.refresh();
    const prompts = script(pickStep('Urgent'), inputStep(undefined));
    await runFlow(prompts, () => revokeKeys(context(store, c, prompts), undefined));
    const items = prompts.only('pick').items;
    const hostile = items.find((item) => item.label.includes('Urgent'));
    assert.ok(hostile);
    assert.equal(hostile.label, '\\$(alert) Urgent: click \\$(sync~spin)');
    assert.equal(hostile.description, '\\$(key)ffy_');
    for (const item of items) assert.doesNotMatch(`${item.label} ${item.description ?? ''} ${item.detail ?? ''}`, /(^|[^\\])\$\(/);
    assert.equal(requestsOf('DELETE').length, 0);
  });
});

describe('the log', () => {
  test('F69 logging never throws, and nothing is logged after dispose', () => {
    const written: string[] = [];
    let closed = false;
    const channel: LogChannel = {
      trace: (message) => write(`trace ${message}`),
      info: (message) => write(`info ${message}`),
      warn: (message) => write(`warn ${message}`),
      error: (message) => write(`error ${message}`),
      show: () => write('show'),
      dispose: () => {
        closed = true;
      },
    };
    function write(line: string): void {
      if (closed) throw new Error('Channel has been closed');
      written.push(line);
    }
    const redactor = new Redactor();
    redactor.addSecret(MARKER_TOKEN);
    const log = createSafeLog(channel, redactor);
    log.info(`signed in with ${MARKER_TOKEN}`);
    assert.deepEqual(written, ['info signed in with [redacted]']);
    // The channel closes under the log (a window reload): writing must not throw.
    closed = true;
    assert.doesNotThrow(() => log.error('Command factify.revokeKey failed: cancelled'));
    assert.doesNotThrow(() => log.show());
    closed = false;
    log.dispose();
    assert.equal(log.disposed, true);
    assert.equal(closed, true);
    log.error('after dispose');
    log.warn('after dispose');
    log.show();
    assert.deepEqual(written, ['info signed in with [redacted]'], 'nothing written after dispose');
    assert.doesNotThrow(() => log.dispose(), 'disposing twice is harmless');
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

describe('ids', () => {
  test("F71 a record whose id equals one of the tree's own rows, or repeats another, cannot drop a group", async () => {
    const live = server.keysOf(server.orgs.primary).filter((key) => key.revoked_at === null);
    const [first, second] = live;
    assert.ok(first && second);
    const ownIds = [
      ...KEY_STATES.map((state) => ownTreeItemId('group', state)),
      ownTreeItemId('more', 'active'),
      ownTreeItemId('action', 'factify.refresh'),
    ];
    const impostors = ownIds.map((id, index) => ({ ...first, id, name: `impostor ${index}` }));
    const duplicate = { ...second, name: 'the same id again' };
    server.setKeys(server.orgs.primary, [...impostors, ...server.keysOf(server.orgs.primary), duplicate]);
    const store = keysStore(client(server.url), server.tokens.admin, { includeRevoked: () => true });
    await store.refresh();
    const loaded = store.snapshot.loaded;
    assert.ok(loaded);
    assert.equal(loaded.keys.filter((key) => key.id === second.id).length, 1, 'a repeated id is shown once');
    assert.equal(loaded.keys.find((key) => key.id === second.id)?.name, second.name, 'the first record wins');
    assert.ok(
      loaded.keys.every((key) => !ownIds.includes(key.id)),
      "no record takes a row's id",
    );
    assert.deepEqual(
      loaded.rejected.map((rejected) => rejected.id),
      [...ownIds, second.id],
    );
    for (const id of ownIds) {
      assert.ok(
        evidence.rawLog.some((line) => line.includes(`(${id})`) && line.includes('keeps for its own rows')),
        `logged: ${id}`,
      );
    }
    assert.ok(evidence.rawLog.some((line) => line.includes(`(${second.id})`) && line.includes('more than once')));

    // Every id the tree would give VS Code is unique, and every group is there.
    const groups = groupByState(loaded.keys, { nowMs: Date.now(), includeRevoked: true });
    const treeIds = [
      ...groups.map((group) => ownTreeItemId('group', group.state)),
      ...groups.map((group) => ownTreeItemId('more', group.state)),
      ...['factify.refresh', 'factify.signIn', 'factify.showLog'].map((command) => ownTreeItemId('action', command)),
      ...loaded.keys.map((key) => key.id),
    ];
    assert.equal(new Set(treeIds).size, treeIds.length, 'no two rows share an id');
    assert.deepEqual(
      groups.filter((group) => group.keys.length > 0).map((group) => group.state),
      ['active', 'expired', 'inactive', 'revoked'],
    );
  });
});

// ---------------------------------------------------------------------------------------------------------

test('F99 no token in any message, log line or decoy request', () => {
  const secrets = [
    server.tokens.admin,
    server.tokens.member,
    server.tokens.staff,
    server.tokens.unknown,
    server.tokens.otherOrgAdmin,
    MARKER_TOKEN,
    PROXY_PASSWORD,
    WRONG_PROXY_PASSWORD,
    'hunter2-Canary-pw',
    'pw-Canary-2',
  ];
  // The random tails too, so that a partly masked token is caught as well.
  const needles = [...secrets, ...secrets.filter((secret) => secret.startsWith('ffy_')).map((token) => token.slice(-16))];
  assert.ok(evidence.messages.length >= 40, `collected ${evidence.messages.length} messages`);
  assert.ok(evidence.rawLog.length >= 40, `collected ${evidence.rawLog.length} log lines`);
  assert.ok(evidence.prompts.length >= 10, `collected ${evidence.prompts.length} prompt texts`);
  const places: Array<[string, readonly string[]]> = [
    ['message', evidence.messages],
    ['log line (as written by the core)', evidence.rawLog],
    ['log line (as shown)', evidence.log],
    ['prompt', evidence.prompts],
    ['decoy request', decoy.requests.map((request) => JSON.stringify(request))],
    ['proxy record', proxies.flatMap((p) => [...p.connects, ...p.forwards].map((entry) => JSON.stringify(entry)))],
    [
      'proxy tunnel',
      proxies.flatMap((p) => p.connects.map((connect) => Buffer.concat([connect.sent, connect.received]).toString('latin1'))),
    ],
  ];
  for (const [place, texts] of places) {
    for (const text of texts) {
      for (const needle of needles)
        assert.ok(!text.includes(needle), `a secret (…${needle.slice(-6)}) is in a ${place}: ${text.slice(0, 200)}`);
    }
  }

  // Authorization only ever went to the configured origin, over https or http on loopback.
  assert.equal(decoy.requests.length, 0, 'the decoy never received anything');
  for (const p of proxies) {
    for (const entry of [...p.connects, ...p.forwards]) assert.equal(entry.headers['authorization'], undefined);
  }
  for (const created of clients) {
    const origin = created.origin;
    assert.ok(origin.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(origin.hostname), `${origin.href}`);
    assert.equal(origin.pathname, '/');
  }

  // A server that echoes the token in a problem detail (F25) is made safe by the redaction, not by luck.
  assert.ok(evidence.messages.some((message) => message.includes('[redacted]')));

  assert.deepEqual(unhandledRejections, [], 'no unhandled rejection');
});
