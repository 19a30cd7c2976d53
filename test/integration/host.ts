/**
 * Helpers for the suites that run inside the real extension host (loaded by index.ts, never by Node's own
 * test runner). They see VS Code through the real `vscode` API, the extension through what `activate()`
 * returns, and the local Factify server through the runner's loopback control server (run.ts).
 *
 * Only Node built-ins and `vscode` are required here: run.ts copies these files next to the unpacked
 * extension, where nothing else from the repo's node_modules resolves.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as vscode from 'vscode';
import { input, pick, pickOwnOrganization, runScripted, type ScriptedWindow } from './scriptedWindow';

export const EXTENSION_ID = 'factify.factify-api-keys';

// Answering the extension's prompts: in ./scriptedWindow.ts, and importable from here too.
export * from './scriptedWindow';

// ---------------------------------------------------------------------------------------------------------
// What the runner passes through the environment

export interface Tokens {
  staff: string;
  admin: string;
  member: string;
  otherOrgAdmin: string;
  secondaryMember: string;
  unknown: string;
}
export interface Orgs {
  primary: string;
  secondary: string;
  staffHome: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suites through test/integration/run.ts`);
  return value;
}

export const env = {
  /** The Factify-compatible server the user setting `factify.apiBaseUrl` points at. */
  get serverUrl(): string {
    return required('FACTIFY_ITEST_SERVER_URL');
  },
  /** A second origin the workspace settings try to redirect the token to. */
  get decoyUrl(): string {
    return required('FACTIFY_ITEST_DECOY_URL');
  },
  get tokens(): Tokens {
    return JSON.parse(required('FACTIFY_ITEST_TOKENS')) as Tokens;
  },
  get orgs(): Orgs {
    return JSON.parse(required('FACTIFY_ITEST_ORGS')) as Orgs;
  },
};

// ---------------------------------------------------------------------------------------------------------
// The runner's control server

// The server's own types; type-only, so nothing outside this folder is loaded in the extension host.
import type { RecordedRequest, ServerApiKey } from '../server/factifyServer';

export type { RecordedRequest, ServerApiKey };

function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const url = new URL(path, required('FACTIFY_ITEST_CONTROL_URL'));
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: payload ? { 'content-type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`control ${method} ${path}: ${res.statusCode} ${text}`));
        resolve((text ? JSON.parse(text) : undefined) as T);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export const control = {
  /** Every request the Factify server recorded since the last reset or clear, oldest first. */
  requests: () => call<RecordedRequest[]>('GET', '/requests'),
  clearRequests: () => call<void>('POST', '/clear-requests'),
  /** Seed data back; faults and recorded requests cleared (not the decoy's). */
  reset: () => call<void>('POST', '/reset'),
  fault: (rule: unknown) => call<void>('POST', '/fault', rule),
  clearFaults: () => call<void>('POST', '/clear-faults'),
  /** The server's live records of an organization, revoked ones included. */
  keys: (orgId: string) => call<ServerApiKey[]>('GET', `/keys?org=${encodeURIComponent(orgId)}`),
  /** Everything the decoy origin (the workspace's apiBaseUrl) received during the whole run. */
  decoyRequests: () => call<unknown[]>('GET', '/decoy-requests'),
};

// ---------------------------------------------------------------------------------------------------------
// The extension under test

/** The tree nodes the extension hands out, as far as the tests look into them. */
export interface NodeLike {
  readonly key?: { readonly id: string; readonly name: string; readonly prefix: string };
  readonly group?: { readonly state: string };
}

/** `activate()`'s `{ view }`: the KeysView, which is the tree's TreeDataProvider. */
export interface KeysViewLike {
  getChildren(node?: NodeLike): Promise<NodeLike[]>;
  getTreeItem(node: NodeLike): vscode.TreeItem;
  resolveTreeItem(item: vscode.TreeItem, node: NodeLike): Promise<vscode.TreeItem>;
  getParent(node: NodeLike): NodeLike | undefined;
  viewState(): string;
  readonly treeView: vscode.TreeView<NodeLike>;
}

export function extension(): vscode.Extension<{ view: KeysViewLike }> {
  const ext = vscode.extensions.getExtension<{ view: KeysViewLike }>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this extension host`);
  return ext;
}

export async function view(): Promise<KeysViewLike> {
  const api = await extension().activate();
  assert.ok(api?.view, 'activate() returned no { view }');
  return api.view;
}

/** The accounts as the extension holds them (src/core/accounts.ts), as far as the tests look into them. */
export interface AccountsLike {
  readonly loaded: boolean;
  readonly state: { readonly labels: Readonly<Record<string, string>> };
  list(): ReadonlyArray<{
    readonly id: string;
    readonly orgId: string | undefined;
    readonly env: string;
    readonly key?: { readonly name: string };
  }>;
  current(): { readonly id: string; readonly orgId: string | undefined; readonly key?: { readonly name: string } } | undefined;
  reload(): Promise<void>;
  rename(orgId: string, label: string): Promise<void>;
  readonly deps: { readonly secrets: vscode.SecretStorage; readonly state: vscode.Memento };
}

/**
 * The extension's accounts, reached through the KeysView's context: the test host has no ExtensionContext of
 * its own, and secrets are per extension. Test-only reach into internals (TypeScript `private` is compile-time
 * only); it fails loudly if the shape changes.
 */
export async function extensionAccounts(): Promise<AccountsLike> {
  const keysView = (await view()) as unknown as { ctx?: { accounts?: AccountsLike } };
  const accounts = keysView.ctx?.accounts;
  assert.ok(
    accounts && typeof accounts.list === 'function' && accounts.deps?.secrets && accounts.deps.state,
    "cannot reach the extension's accounts through view.ctx.accounts",
  );
  return accounts;
}

/** The extension's own SecretStorage (`context.secrets`). */
export async function extensionSecrets(): Promise<vscode.SecretStorage> {
  const secrets = (await extensionAccounts()).deps.secrets;
  assert.ok(typeof secrets.get === 'function' && typeof secrets.store === 'function', 'not a SecretStorage');
  return secrets;
}

/** Where 0.1.0 kept its single token. */
export const LEGACY_TOKEN_SECRET_KEY = 'factify.apiToken';
/** The SecretStorage entry of one account's token. */
export const tokenSecretKey = (accountId: string): string => `factify.token.${accountId}`;
export const ACCOUNTS_STATE_KEY = 'factify.accounts';

/** Every token in SecretStorage, read from each account's own entry. */
export async function storedTokens(): Promise<Array<string | undefined>> {
  const accounts = await extensionAccounts();
  const secrets = accounts.deps.secrets;
  return Promise.all(accounts.list().map((account) => secrets.get(tokenSecretKey(account.id))));
}

// ---------------------------------------------------------------------------------------------------------
// Reading the tree

export interface Row {
  readonly node: NodeLike;
  readonly item: vscode.TreeItem;
  readonly label: string;
  readonly description: string;
}

export interface Group extends Row {
  readonly rows: Row[];
}

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

function row(keysView: KeysViewLike, node: NodeLike): Row {
  const item = keysView.getTreeItem(node);
  return { node, item, label: labelOf(item), description: typeof item.description === 'string' ? item.description : '' };
}

/** The whole tree as the provider gives it to VS Code: root groups and their rows. */
export async function readTree(keysView: KeysViewLike): Promise<Group[]> {
  const groups: Group[] = [];
  for (const node of await keysView.getChildren()) {
    const children = await keysView.getChildren(node);
    groups.push({ ...row(keysView, node), rows: children.map((child) => row(keysView, child)) });
  }
  return groups;
}

export function describeTree(groups: readonly Group[]): string {
  return (
    groups.map((group) => `${group.label} (${group.description}): ${group.rows.map((r) => r.label).join(', ')}`).join(' | ') || '(empty)'
  );
}

// ---------------------------------------------------------------------------------------------------------
// What the tree should show, from the server's records and the key-state rules (revoked, expired, inactive, active)

export type State = 'active' | 'expired' | 'inactive' | 'revoked';
export const GROUP_LABELS: Readonly<Record<State, string>> = {
  active: 'Active',
  expired: 'Expired',
  inactive: 'Inactive',
  revoked: 'Revoked',
};

export function stateOf(key: ServerApiKey, nowMs = Date.now()): State {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && Date.parse(key.expires_at) < nowMs) return 'expired';
  if (!key.is_active) return 'inactive';
  return 'active';
}

export interface ExpectedGroup {
  label: string;
  names: string[];
}

/** Groups in the view's order (Active, Expired, Inactive, Revoked), only non-empty ones, names sorted for comparison. */
export function expectedGroups(keys: readonly ServerApiKey[], includeRevoked: boolean): ExpectedGroup[] {
  const order: State[] = ['active', 'expired', 'inactive', 'revoked'];
  return order
    .filter((state) => includeRevoked || state !== 'revoked')
    .map((state) => ({
      label: GROUP_LABELS[state],
      names: keys
        .filter((key) => stateOf(key) === state)
        .map((key) => key.name)
        .sort(),
    }))
    .filter((group) => group.names.length > 0);
}

function shape(groups: readonly Group[]): ExpectedGroup[] {
  return groups.map((group) => ({ label: group.label, names: group.rows.map((r) => r.label).sort() }));
}

/** Waits until the tree shows exactly the server's keys of `orgId` (revoked ones only when asked). */
export async function waitForKeysOf(orgId: string, includeRevoked: boolean, timeoutMs = STATE_TIMEOUT_MS): Promise<Group[]> {
  const keysView = await view();
  const expected = expectedGroups(await control.keys(orgId), includeRevoked);
  let last: Group[] = [];
  await waitFor(
    async () => {
      last = await readTree(keysView);
      return JSON.stringify(shape(last)) === JSON.stringify(expected);
    },
    () =>
      `the tree to show the keys of ${orgId}${includeRevoked ? ' (revoked included)' : ''}:\n` +
      `  expected ${JSON.stringify(expected)}\n  shown    ${describeTree(last)} (state ${keysView.viewState()})`,
    timeoutMs,
  );
  return last;
}

// ---------------------------------------------------------------------------------------------------------
// Waiting

/** How long a state may take to come on a busy machine. Generous: it only costs time when the state never comes. */
export const STATE_TIMEOUT_MS = 40_000;

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = STATE_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await delay(100);
  }
}

/** Waits until the Factify server recorded a request matching `match` (since the last clear) and returns it. */
export async function waitForRequest(
  match: (request: RecordedRequest) => boolean,
  what: string,
  timeoutMs = STATE_TIMEOUT_MS,
): Promise<RecordedRequest> {
  let found: RecordedRequest | undefined;
  let seen: RecordedRequest[] = [];
  await waitFor(
    async () => {
      seen = await control.requests();
      found = seen.find(match);
      return found !== undefined;
    },
    () => `${what}; recorded: ${seen.map(describeRequest).join(', ') || 'nothing'}`,
    timeoutMs,
  );
  return found as RecordedRequest;
}

export function describeRequest(request: RecordedRequest): string {
  const query = new URLSearchParams(request.query).toString();
  const org = request.headers['x-factify-organization-id'];
  return `${request.method} ${request.path}${query ? `?${query}` : ''}${org ? ` [org ${org}]` : ''}`;
}

export const isList = (request: RecordedRequest): boolean => request.method === 'GET' && request.path === '/v1/api-keys';
export const bearer = (token: string): string => `Bearer ${token}`;

/** Signs in through `factify.signIn` with `token` typed into its input box; waits for that org's keys. */
export async function signInAs(token: string, orgId: string): Promise<ScriptedWindow> {
  await view();
  const script = await runScripted('factify.signIn', [input(token)]);
  await waitForKeysOf(orgId, vscode.workspace.getConfiguration('factify').get<boolean>('showRevokedKeys', false));
  return script;
}

/** Back to a known state: no organization override, revoked keys hidden, signed out, server reseeded. */
export async function resetAll(): Promise<void> {
  const keysView = await view();
  if (String(keysView.treeView.description ?? '').includes('acting as')) {
    await runScripted('factify.switchOrganization', [pickOwnOrganization()], { messages: () => undefined });
  }
  if (vscode.workspace.getConfiguration('factify').get<boolean>('showRevokedKeys'))
    await vscode.commands.executeCommand('factify.hideRevokedKeys');
  const store = await extensionAccounts();
  // Local organization names outlive sign-out: a suite that gave one must not rename the next suite's organization.
  for (const orgId of Object.keys(store.state.labels)) await store.rename(orgId, '');
  const accounts = store.list().length;
  if (accounts > 0) await runScripted('factify.signOut', accounts > 1 ? [pick('All accounts')] : []);
  await waitFor(() => keysView.viewState() === 'signedOut', 'the view to be signed out');
  await control.reset();
}

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
/** A token for a listed key, as a leaked one looks: its prefix less `...`, base32 up to 26 characters, then base62. */
export function tokenOf(key: ServerApiKey, salt: string): string {
  const stem = key.prefix.replace(/(\.\.\.|…)$/, '');
  const secretStart = stem.length - (/^ffy_[a-z0-9]+_/.exec(stem)?.[0].length ?? 0);
  const base32 = Array.from({ length: 26 - secretStart }, (_, i) => BASE32[(i * 7 + salt.length) % 32]).join('');
  return `${stem}${base32}Q${salt}Zx9Yw8Vu7Ts6Rq5`;
}
