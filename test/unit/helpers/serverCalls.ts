/** Plain HTTP(S) calls to the test servers (test/server) and the checks their answers share, for the tests of those servers. */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import { type TestContext } from 'node:test';
import { startFactifyServer, type FactifyServer, type ServerApiKey } from '../../server/factifyServer';

export const NOW = new Date('2026-03-01T12:00:00.000Z');
export const KEY_ID = /^key_[0-9a-hjkmnp-tv-z]{26}$/;
export const ORG_ID = /^org_[0-9a-hjkmnp-tv-z]{26}$/;
export const TOKEN = /^ffy_[a-z0-9]+_[0-9a-hjkmnp-tv-z]{26}[0-9A-Za-z]+$/;
export const API_KEY_FIELDS = [
  'created_at',
  'expires_at',
  'id',
  'is_active',
  'name',
  'org_id',
  'prefix',
  'revoked_at',
  'revoked_by',
  'revoked_comment',
  'updated_at',
];
export const MALFORMED_BODY = 'Request body is malformed or missing required fields.';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface CallOptions {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  body?: string;
  ca?: string;
  agent?: http.Agent;
}

export function call(baseUrl: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const url = new URL(path, baseUrl);
  const headers: Record<string, string> = {
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    // Node's client frames a DELETE body only with an explicit length.
    ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }),
    ...options.headers,
  };
  const requestOptions = { method: options.method ?? 'GET', headers, agent: options.agent };
  return send(
    (onResponse) =>
      url.protocol === 'https:'
        ? https.request(url, { ...requestOptions, ca: options.ca }, onResponse)
        : http.request(url, requestOptions, onResponse),
    options.body,
  );
}

/** Sends the request `open` builds and collects the whole answer. */
export function send(open: (onResponse: (res: http.IncomingMessage) => void) => http.ClientRequest, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = open((res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The Factify server for one test, its clock at NOW, closed when the test ends. */
export async function start(t: TestContext, options: Parameters<typeof startFactifyServer>[0] = {}): Promise<FactifyServer> {
  const server = await startFactifyServer({ now: () => NOW, ...options });
  t.after(() => server.close());
  return server;
}

export function assertProblem(reply: Reply, status: number, detail?: string): void {
  assert.equal(reply.status, status, reply.body);
  assert.equal(reply.headers['content-type'], 'application/problem+json');
  const problem = JSON.parse(reply.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(problem).sort(), ['detail', 'status', 'title', 'type']);
  assert.equal(problem.status, status);
  assert.equal(typeof problem.title, 'string');
  assert.equal(typeof problem.type, 'string');
  if (detail !== undefined) assert.equal(problem.detail, detail);
}

export function keysIn(reply: Reply): ServerApiKey[] {
  assert.equal(reply.status, 200, reply.body);
  assert.equal(reply.headers['content-type'], 'application/json');
  const parsed = JSON.parse(reply.body) as { api_keys: ServerApiKey[] };
  assert.deepEqual(Object.keys(parsed), ['api_keys']);
  return parsed.api_keys;
}

export function findKey(server: FactifyServer, orgId: string, predicate: (key: ServerApiKey) => boolean): ServerApiKey {
  const key = server.keysOf(orgId).find(predicate);
  assert.ok(key, 'seeded key not found');
  return key;
}

export const activeKey = (key: ServerApiKey): boolean => key.revoked_at === null && key.is_active;
