/**
 * A Factify-compatible HTTP(S) server for unit tests, UI tests, the demo and the benchmark.
 *
 * An independent implementation of the Factify API contract: `GET /v1/api-keys` and
 * `DELETE /v1/api-keys/{id}`, bearer tokens, the staff-only organization override header and problem
 * details errors. It records every request and can inject faults (proxy pages, resets, redirects, rate
 * limits, stalls, huge bodies…) to exercise a client's error handling.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TLSSocket } from 'node:tls';
import { headerRecord, listenTracked, readBody } from './listening';
import { SEED, generateKeys, seedKeys } from './seed';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export type Fault =
  | { kind: 'status'; status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  | { kind: 'html502' }
  | { kind: 'empty500' }
  | { kind: 'malformedJson' }
  | { kind: 'truncatedJson' }
  | { kind: 'body'; status?: number; json: unknown; contentType?: string }
  | { kind: 'slowHeaders'; delayMs: number }
  /** The normal answer, once `until` settles: the test decides when, so an ordering never rests on timing. */
  | { kind: 'held'; until: Promise<unknown> }
  | { kind: 'slowBody'; intervalMs: number }
  | { kind: 'reset' }
  | { kind: 'redirect'; status: 301 | 302 | 307 | 308; location: string }
  | { kind: 'rateLimit'; retryAfter?: string }
  | { kind: 'hugeBody'; bytes: number };

export interface FaultRule {
  fault: Fault;
  /** Apply this many times, then drop the rule; default forever. */
  times?: number;
  method?: string;
  pathPrefix?: string;
}

export interface ServerApiKey {
  id: string;
  org_id: string;
  name: string;
  prefix: string;
  created_at: string;
  updated_at: string;
  is_active: boolean;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  revoked_comment: string | null;
}

export interface FactifyServer {
  /** e.g. `http://127.0.0.1:43123` (`https://…` in TLS mode), no trailing slash. */
  url: string;
  port: number;
  /** `unknown` is well-formed but not accepted (401). */
  tokens: { staff: string; admin: string; member: string; otherOrgAdmin: string; secondaryMember: string; unknown: string };
  /** The name of the listed key each accepted token is (its prefix starts the token). */
  tokenKeys: { staff: string; admin: string; member: string; otherOrgAdmin: string; secondaryMember: string };
  /** admin and member belong to primary; otherOrgAdmin and secondaryMember to secondary; staff to staffHome. */
  orgs: { primary: string; secondary: string; staffHome: string };
  users: { admin: string; member: string; staff: string; otherOrgAdmin: string; secondaryMember: string };
  requests: RecordedRequest[];
  clearRequests(): void;
  /** Rules are checked in order; the first match applies. */
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Delay added before every normal answer. */
  setLatency(ms: number): void;
  /** The live records of an organization: the server's mutations are visible, and so are the caller's. */
  keysOf(orgId: string): ServerApiKey[];
  setKeys(orgId: string, keys: ServerApiKey[]): void;
  /** Seed data back; faults, latency and recorded requests cleared. */
  reset(): void;
  /** Stops listening and destroys open sockets (stalled bodies included). */
  close(): Promise<void>;
}

export interface FactifyServerOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  tls?: { key: string; cert: string };
  /** Replace the primary organization's seeded keys with this many generated keys. */
  generatedKeys?: number;
  /** Clock for seed timestamps and revocations; default the real clock. */
  now?: () => Date;
}

const LIST_PATH = '/v1/api-keys';
const KEY_PATH_PREFIX = '/v1/api-keys/';
const ORG_HEADER = 'x-factify-organization-id';
const KEY_ID_PATTERN = /^key_[0-9a-hjkmnp-tv-z]{26}$/;
const ORG_ID_PATTERN = /^org_[0-9a-hjkmnp-tv-z]{26}$/;
const TOKEN_PATTERN = /^ffy_[a-z0-9]+_[0-9a-hjkmnp-tv-z]{26}[0-9A-Za-z]+$/;
const BEARER_PATTERN = /^Bearer (\S+)$/i;
const MAX_REASON_CHARS = 500;
const PROBLEM_TYPE_BASE = 'https://api.factify.com/problems/';
const MALFORMED_BODY = 'Request body is malformed or missing required fields.';
const HUGE_BODY_CHUNK_BYTES = 64 * 1024;
const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** A complete answer to send. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Who the request acts as, after the organization override is resolved. */
interface Caller {
  userId: string;
  orgId: string;
  isAdmin: boolean;
}

interface Principal extends Caller {
  isStaff: boolean;
}

const PRINCIPALS: ReadonlyMap<string, Principal> = new Map([
  [SEED.tokens.admin, { userId: SEED.users.admin, orgId: SEED.orgs.primary, isAdmin: true, isStaff: false }],
  [SEED.tokens.member, { userId: SEED.users.member, orgId: SEED.orgs.primary, isAdmin: false, isStaff: false }],
  [SEED.tokens.otherOrgAdmin, { userId: SEED.users.otherOrgAdmin, orgId: SEED.orgs.secondary, isAdmin: true, isStaff: false }],
  [SEED.tokens.secondaryMember, { userId: SEED.users.secondaryMember, orgId: SEED.orgs.secondary, isAdmin: false, isStaff: false }],
  [SEED.tokens.staff, { userId: SEED.users.staff, orgId: SEED.orgs.staffHome, isAdmin: true, isStaff: true }],
]);

function problem(status: number, slug: string, detail: string, headers: Record<string, string> = {}): Answer {
  const title = http.STATUS_CODES[status] ?? 'Error';
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify({ type: PROBLEM_TYPE_BASE + slug, title, status, detail }),
  };
}

function jsonAnswer(status: number, body: string, contentType = 'application/json'): Answer {
  return { status, headers: { 'content-type': contentType }, body };
}

function isAnswer(value: object): value is Answer {
  return 'status' in value;
}

/** Writes a complete answer with an exact Content-Length (none for statuses that cannot carry a body). */
function send(res: http.ServerResponse, answer: Answer): void {
  const canHaveBody = answer.status >= 200 && answer.status !== 204 && answer.status !== 304;
  const headers = canHaveBody ? { 'content-length': String(Buffer.byteLength(answer.body)), ...answer.headers } : answer.headers;
  res.writeHead(answer.status, headers);
  res.end(canHaveBody ? answer.body : undefined);
}

/** The API state and request handling, independent of the listening socket. */
class FactifyApi {
  readonly requests: RecordedRequest[] = [];
  private keys: Map<string, ServerApiKey[]>;
  private faults: FaultRule[] = [];
  private latencyMs = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly now: () => Date,
    private readonly seed: () => Map<string, ServerApiKey[]>,
  ) {
    this.keys = seed();
  }

  readonly handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    this.serve(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy(); // the answer was under way or the client is gone
      } else {
        send(res, problem(500, 'internal', `Test server error: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
  };

  clearRequests(): void {
    this.requests.length = 0;
  }

  addFault(rule: FaultRule): void {
    this.faults.push({ ...rule });
  }

  clearFaults(): void {
    this.faults = [];
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  keysOf(orgId: string): ServerApiKey[] {
    const keys = this.keys.get(orgId);
    if (!keys) throw new Error(`Unknown organization ${orgId}`);
    return keys;
  }

  setKeys(orgId: string, keys: ServerApiKey[]): void {
    this.keys.set(orgId, keys);
  }

  reset(): void {
    this.keys = this.seed();
    this.faults = [];
    this.latencyMs = 0;
    this.clearRequests();
  }

  /** Cancels pending delays and drips so nothing keeps the process alive after close. */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    const body = await readBody(req);
    const method = req.method ?? '';
    const url = new URL(req.url ?? '/', 'http://factify.invalid');
    const headers = headerRecord(req.rawHeaders);
    this.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body, at });

    const fault = this.takeFault(method, url.pathname);
    if (fault) {
      await this.applyFault(fault, req, res, () => this.answer(method, url, headers, body));
    } else {
      send(res, await this.answer(method, url, headers, body));
    }
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex(
      (rule) =>
        (rule.method === undefined || rule.method.toUpperCase() === method.toUpperCase()) &&
        (rule.pathPrefix === undefined || path.startsWith(rule.pathPrefix)),
    );
    if (index < 0) return undefined;
    const rule = this.faults[index];
    if (rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) this.faults.splice(index, 1);
    }
    return rule.fault;
  }

  private async applyFault(
    fault: Fault,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    normal: () => Promise<Answer>,
  ): Promise<void> {
    switch (fault.kind) {
      case 'status': {
        const headers = { ...(fault.contentType ? { 'content-type': fault.contentType } : {}), ...fault.headers };
        send(res, { status: fault.status, headers, body: fault.body ?? '' });
        return;
      }
      case 'html502':
        send(res, { status: 502, headers: { 'content-type': 'text/html', server: 'nginx' }, body: NGINX_502 });
        return;
      case 'empty500':
        send(res, { status: 500, headers: {}, body: '' });
        return;
      case 'malformedJson':
        send(res, jsonAnswer(200, '{"api_keys":[{"id":"key_01k8","name":"CI deploy",}]'));
        return;
      case 'truncatedJson': {
        const full = this.listBody(SEED.orgs.primary, false);
        send(res, jsonAnswer(200, full.slice(0, Math.floor(full.length / 2))));
        return;
      }
      case 'body':
        send(res, jsonAnswer(fault.status ?? 200, JSON.stringify(fault.json) ?? '', fault.contentType));
        return;
      case 'slowHeaders':
        await this.wait(fault.delayMs);
        send(res, await normal());
        return;
      case 'held':
        await fault.until.catch(() => undefined);
        if (!res.destroyed) send(res, await normal());
        return;
      case 'slowBody':
        this.dripBody(res, fault.intervalMs);
        return;
      case 'reset':
        // A TCP reset where possible; a TLS socket can only be destroyed.
        if (req.socket instanceof TLSSocket) req.socket.destroy();
        else req.socket.resetAndDestroy();
        return;
      case 'redirect':
        send(res, { status: fault.status, headers: { location: fault.location }, body: '' });
        return;
      case 'rateLimit': {
        const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
        send(res, problem(429, 'rate-limited', 'Too many requests. Retry later.', headers));
        return;
      }
      case 'hugeBody':
        await this.streamHugeBody(res, fault.bytes);
        return;
    }
  }

  /** Headers and the start of a list, then one whitespace byte per interval until the client gives up. */
  private dripBody(res: http.ServerResponse, intervalMs: number): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"api_keys":[');
    const timer = setInterval(() => res.write(' '), intervalMs);
    this.timers.add(timer);
    res.once('close', () => {
      clearInterval(timer);
      this.timers.delete(timer);
    });
  }

  /** A syntactically valid list of at least `bytes` bytes, streamed with backpressure. */
  private async streamHugeBody(res: http.ServerResponse, bytes: number): Promise<void> {
    const record = JSON.stringify(generateKeys(SEED.orgs.primary, 1, this.now())[0]);
    const recordsPerChunk = Math.max(1, Math.floor(HUGE_BODY_CHUNK_BYTES / (record.length + 1)));
    const chunk = `,${new Array<string>(recordsPerChunk).fill(record).join(',')}`;
    function* pieces(): Generator<string> {
      const head = `{"api_keys":[${record}`;
      yield head;
      for (let sent = head.length; sent + 2 < bytes; sent += chunk.length) yield chunk;
      yield ']}';
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    try {
      await pipeline(Readable.from(pieces()), res);
    } catch {
      // The client stopped reading and disconnected: that is the point of this fault.
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async answer(method: string, url: URL, headers: Record<string, string>, body: string): Promise<Answer> {
    if (this.latencyMs > 0) await this.wait(this.latencyMs);
    const path = url.pathname;
    if (path === LIST_PATH) {
      if (method !== 'GET') return methodNotAllowed('GET');
      const caller = this.authorize(headers);
      return isAnswer(caller) ? caller : this.list(caller, url.searchParams);
    }
    const keyId = path.startsWith(KEY_PATH_PREFIX) ? path.slice(KEY_PATH_PREFIX.length) : '';
    if (keyId !== '' && !keyId.includes('/')) {
      if (method !== 'DELETE') return methodNotAllowed('DELETE');
      const caller = this.authorize(headers);
      return isAnswer(caller) ? caller : this.revoke(caller, keyId, headers, body);
    }
    return problem(404, 'not-found', `There is no resource at ${path}.`);
  }

  /** Authenticates the bearer token and resolves the organization override. */
  private authorize(headers: Record<string, string>): Caller | Answer {
    const unauthorized = (detail: string): Answer => problem(401, 'unauthorized', detail, { 'www-authenticate': 'Bearer' });
    const authorization = headers['authorization'];
    if (authorization === undefined) return unauthorized('Missing Authorization header with a bearer token.');
    const token = BEARER_PATTERN.exec(authorization)?.[1];
    if (token === undefined || !TOKEN_PATTERN.test(token)) {
      return unauthorized("The Authorization header must be 'Bearer <token>' with a Factify API token.");
    }
    const principal = PRINCIPALS.get(token);
    if (!principal) return unauthorized('The bearer token is invalid, expired or revoked.');
    // A token is a key of its organization: once that key is revoked, the token is refused.
    const ownKey = this.keys.get(principal.orgId)?.find((key) => token.startsWith(key.prefix.replace(/\.\.\.$/, '')));
    if (ownKey?.revoked_at) return unauthorized('The bearer token is invalid, expired or revoked.');

    const override = headers[ORG_HEADER];
    if (override === undefined) return principal;
    if (!ORG_ID_PATTERN.test(override)) {
      return problem(
        400,
        'invalid-request',
        'X-Factify-Organization-Id must be an organization id: org_ followed by 26 lower-case base32 characters.',
      );
    }
    if (!principal.isStaff) {
      return problem(403, 'forbidden', 'Only Factify staff may act on behalf of another organization.');
    }
    if (!this.keys.has(override)) return problem(404, 'not-found', 'Organization not found.');
    return { userId: principal.userId, orgId: override, isAdmin: true };
  }

  private list(caller: Caller, query: URLSearchParams): Answer {
    const values = query.getAll('include_revoked');
    if (values.length > 1 || (values.length === 1 && values[0] !== 'true' && values[0] !== 'false')) {
      return problem(400, 'invalid-request', "Query parameter include_revoked must be 'true' or 'false'.");
    }
    return jsonAnswer(200, this.listBody(caller.orgId, values[0] === 'true'));
  }

  private listBody(orgId: string, includeRevoked: boolean): string {
    const keys = this.keys.get(orgId) ?? [];
    return JSON.stringify({ api_keys: includeRevoked ? keys : keys.filter((key) => !key.revoked_at) });
  }

  private revoke(caller: Caller, keyId: string, headers: Record<string, string>, body: string): Answer {
    if (!KEY_ID_PATTERN.test(keyId)) {
      return problem(400, 'invalid-request', 'API key id must be key_ followed by 26 lower-case base32 characters.');
    }
    if (!caller.isAdmin) {
      return problem(403, 'forbidden', 'Revoking API keys requires the organization admin role.');
    }
    const reason = parseRevokeBody(headers['content-type'], body);
    if (typeof reason === 'object' && reason !== null) return reason;
    const key = this.keys.get(caller.orgId)?.find((candidate) => candidate.id === keyId);
    if (!key) return problem(404, 'not-found', 'API key not found.');
    if (key.revoked_at) return problem(409, 'conflict', 'API key is already revoked.');
    const now = this.now().toISOString();
    key.revoked_at = now;
    key.revoked_by = caller.userId;
    key.revoked_comment = reason;
    key.is_active = false;
    key.updated_at = now;
    return { status: 204, headers: {}, body: '' };
  }
}

function methodNotAllowed(allow: string): Answer {
  return problem(405, 'method-not-allowed', `This resource only supports ${allow}.`, { allow });
}

/** The revocation reason (null when none), or a 400 answer. An empty body is valid. */
function parseRevokeBody(contentType: string | undefined, body: string): string | null | Answer {
  if (body.length === 0) return null;
  const malformed = problem(400, 'invalid-request', MALFORMED_BODY);
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/json') return malformed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return malformed;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return malformed;
  const reason: unknown = (parsed as Record<string, unknown>).reason;
  if (reason === undefined) return null;
  if (typeof reason !== 'string' || [...reason].length > MAX_REASON_CHARS) return malformed;
  return reason;
}

export async function startFactifyServer(options: FactifyServerOptions = {}): Promise<FactifyServer> {
  const now = options.now ?? ((): Date => new Date());
  const { generatedKeys } = options;
  const seed = (): Map<string, ServerApiKey[]> => {
    const keys = seedKeys(now());
    if (generatedKeys !== undefined) keys.set(SEED.orgs.primary, generateKeys(SEED.orgs.primary, generatedKeys, now()));
    return keys;
  };
  const api = new FactifyApi(now, seed);
  const server = options.tls ? https.createServer(options.tls, api.handle) : http.createServer(api.handle);
  const listening = await listenTracked(server, options.tls ? 'https' : 'http', options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    url: listening.url,
    port: listening.port,
    tokens: { ...SEED.tokens },
    tokenKeys: { ...SEED.tokenKeys },
    orgs: { ...SEED.orgs },
    users: { ...SEED.users },
    requests: api.requests,
    clearRequests: () => api.clearRequests(),
    addFault: (rule) => api.addFault(rule),
    clearFaults: () => api.clearFaults(),
    setLatency: (ms) => api.setLatency(ms),
    keysOf: (orgId) => api.keysOf(orgId),
    setKeys: (orgId, keys) => api.setKeys(orgId, keys),
    reset: () => api.reset(),
    close: async () => {
      api.dispose();
      await listening.close();
    },
  };
}
