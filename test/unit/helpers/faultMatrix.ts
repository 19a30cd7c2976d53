/**
 * The fault matrix's harness: the local Factify server with its fault modes, a loopback "decoy" origin where a
 * leaked token could go, proxies, clients and the app (src/app.ts) built per case, and the evidence every case adds to: every
 * message, log line and prompt, searched for tokens by F99 in `faultMatrix.test.ts` once all the themes ran.
 */
import assert from 'node:assert/strict';
import { parseKeyList, type ApiKey } from '../../../src/core/apiKey';
import { FactifyClient, type ConnectionOptions, type RetryPolicy } from '../../../src/core/client';
import { FactifyError, describeForLog, type FactifyErrorKind } from '../../../src/core/errors';
import { type ApiToken, type OrgId } from '../../../src/core/ids';
import { KeysStore, type KeysSnapshot } from '../../../src/core/keysStore';
import { type ProxySettings } from '../../../src/core/proxy';
import { Redactor } from '../../../src/core/redact';
import { createApp, type App } from '../../../src/app';
import { type AppContext } from '../../../src/flows/context';
import { startConnectProxy, type ConnectProxy, type ConnectProxyOptions } from '../../server/connectProxy';
import { startDecoyServer, type DecoyServer } from '../../server/decoy';
import { startFactifyServer, type FactifyServer, type ServerApiKey } from '../../server/factifyServer';
import { selfSignedCert } from '../../server/selfSignedCert';
import { MemoryAccounts, MemoryOrganizations } from './memoryStores';
import { ScriptedPrompts, type Step } from './scriptedPrompts';
import { MemoryLog } from './memoryLog';
import { waitFor } from './waitFor';

// ---------------------------------------------------------------------------------------------------------
// Nothing may reject unhandled anywhere in this file (checked by F99).

export const unhandledRejections: unknown[] = [];
process.on('unhandledRejection', (reason) => {
  unhandledRejections.push(reason);
});

// ---------------------------------------------------------------------------------------------------------
// Evidence: everything a user or a log reader could ever see, searched for tokens at the end.

export const evidence = {
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

export const logger = new MemoryLog((level, message) => {
  evidence.rawLog.push(`${level} ${message}`);
  evidence.log.push(`${level} ${shellRedactor.redact(message)}`);
});

export function noteError(error: FactifyError): void {
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
export const MARKER_TOKEN = 'ffy_canary_01kdx2z2ab3cd4ef5gh6jk7mn8LeakCanaryMarker9Zq';
/** Proxy passwords: secrets too, never to be shown or logged. */
export const PROXY_PASSWORD = 'PrOxY-pw-Canary-7731';
export const WRONG_PROXY_PASSWORD = 'WrOnG-pw-Canary-4410';

const DIRECT: ProxySettings = { proxy: undefined, noProxy: [], strictSSL: true };
export const FAST_RETRY: RetryPolicy = { maxAttempts: 3, maxWaitMs: 5_000, baseDelayMs: 100 };
const NEXT_STEP =
  /Refresh|refresh|Try again|try again|factify\.apiBaseUrl|Set API Token|requestTimeoutSeconds|http\.proxy|Switch back|settings|log|admin/;
// eslint-disable-next-line no-control-regex -- control characters are what these assertions look for
export const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;

export let server: FactifyServer;
export let decoy: DecoyServer;
export const proxies: ConnectProxy[] = [];
const extraServers: FactifyServer[] = [];
export const clients: FactifyClient[] = [];
const apps: App[] = [];
/** The app each store belongs to: a flow's context is that app's. */
const appOfStore = new WeakMap<KeysStore, App>();

export function client(origin: string, options: Partial<ConnectionOptions> = {}): FactifyClient {
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

export function auth(token: string, organizationId?: string) {
  return { token: token as ApiToken, organizationId: organizationId as OrgId | undefined };
}

interface StoreOptions {
  includeRevoked?: () => boolean;
  /** The organization choice (the override) requests go out under. */
  organizations?: MemoryOrganizations;
  /** The signed-in accounts; by default one, whose token is `token`. */
  accounts?: MemoryAccounts;
}

/** The app as src/app.ts builds it, over this client and token, and the evidence logger: its key store. */
export function keysStore(source: FactifyClient | (() => FactifyClient), token: string, options: StoreOptions = {}): KeysStore {
  const accounts = options.accounts ?? new MemoryAccounts(token);
  const created = createApp({
    prompts: new ScriptedPrompts([]),
    secrets: accounts.secrets,
    state: accounts.memento,
    organizations: options.organizations ?? new MemoryOrganizations(),
    accounts,
    client: typeof source === 'function' ? source : () => source,
    includeRevoked: options.includeRevoked ?? (() => false),
    confirmRevoke: () => true,
    log: logger,
    redactor: shellRedactor,
  });
  apps.push(created);
  appOfStore.set(created.store, created);
  return created.store;
}

/** Every snapshot the store publishes, with its notices and errors added to the evidence. */
export function watch(store: KeysStore): KeysSnapshot[] {
  const seen: KeysSnapshot[] = [];
  store.onDidChange(() => {
    const snapshot = store.snapshot;
    seen.push(snapshot);
    if (snapshot.notice) evidence.messages.push(snapshot.notice);
    if (snapshot.error) evidence.messages.push(snapshot.error.message);
  });
  return seen;
}

/** The context of the store's app, with these prompts (and, for a sign-in, these accounts to store the token in). */
export function context(
  store: KeysStore,
  source: FactifyClient,
  prompts: ScriptedPrompts,
  extra: {
    tokens?: MemoryAccounts;
    organizations?: MemoryOrganizations;
    confirmRevoke?: boolean;
  } = {},
): AppContext {
  const app = appOfStore.get(store);
  assert.ok(app, 'a store made by keysStore()');
  storeOfFlow.set(prompts, store);
  return {
    ...app.ctx,
    prompts,
    accounts: extra.tokens ?? app.ctx.accounts,
    organizations: extra.organizations ?? app.ctx.organizations,
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
export async function runFlow<T>(prompts: ScriptedPrompts, flow: () => Promise<T>): Promise<T> {
  try {
    return await flow();
  } finally {
    const store = storeOfFlow.get(prompts);
    if (store) await waitFor(() => !store.snapshot.loading, 'the refresh the flow started to settle');
    notePrompts(prompts);
  }
}

export function script(...steps: Step[]): ScriptedPrompts {
  return new ScriptedPrompts(steps);
}

/** The FactifyError a promise rejects with, checked for its kind and recorded as evidence. */
export async function failure(promise: Promise<unknown>, kind: FactifyErrorKind): Promise<FactifyError> {
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
export function explains(error: FactifyError, what: readonly RegExp[], next: RegExp = NEXT_STEP): void {
  for (const pattern of what) assert.match(error.message, pattern);
  assert.match(error.message, next);
  assert.doesNotMatch(error.message, /\bundefined\b|\[object Object\]|\bNaN\b/);
}

export function requestsOf(method: string, target: FactifyServer = server) {
  return target.requests.filter((request) => request.method === method);
}

/** How long the work took: for lower bounds only (a deadline must not end a request early), never upper ones. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

export function record(overrides: Partial<Record<keyof ServerApiKey, unknown>> & Record<string, unknown> = {}): Record<string, unknown> {
  const base = server.keysOf(server.orgs.primary)[0];
  assert.ok(base);
  return { ...base, ...overrides };
}

export function without(value: Record<string, unknown>, field: string): Record<string, unknown> {
  const copy = { ...value };
  delete copy[field];
  return copy;
}

export function parseOne(value: Record<string, unknown>): ApiKey {
  const list = parseKeyList({ api_keys: [value] });
  assert.deepEqual(list.rejected, []);
  const [key] = list.keys;
  assert.ok(key);
  return key;
}

export function problemBody(status: number, detail: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'https://api.factify.com/problems/x', title: 'Problem', status, detail, ...extra });
}

export function loadedKey(store: KeysStore, name: string): ApiKey {
  const key = store.snapshot.loaded?.keys.find((candidate) => candidate.name === name);
  assert.ok(key, `key “${name}” is listed`);
  return key;
}

export async function tlsServer(): Promise<FactifyServer> {
  const started = await startFactifyServer({ tls: selfSignedCert() });
  extraServers.push(started);
  return started;
}

export async function proxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const started = await startConnectProxy(options);
  proxies.push(started);
  return started;
}

/** Starts the servers the whole matrix shares (before the first case). */
export async function startMatrix(): Promise<void> {
  server = await startFactifyServer();
  decoy = await startDecoyServer();
}

/** Gives every case a server with its seeded keys and no faults. */
export function resetMatrix(): void {
  server.reset();
}

/** Disposes every app and closes every client, server and proxy the cases made. */
export async function stopMatrix(): Promise<void> {
  for (const app of apps) app.dispose();
  await Promise.all(clients.map((created) => created.close()));
  await Promise.all([server.close(), decoy.close(), ...proxies.map((p) => p.close()), ...extraServers.map((s) => s.close())]);
}
