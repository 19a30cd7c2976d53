/**
 * The local Factify server and a decoy origin the FactifyClient tests share, one of each per test file, and the
 * clients built against them. A test file calls `useClientServers()` once at its top level.
 */
import { after, afterEach, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { FactifyClient, type ConnectionOptions, type RequestAuth } from '../../../src/core/client';
import { FactifyError, type FactifyErrorKind } from '../../../src/core/errors';
import { asKeyId, asOrgId, type ApiToken, type KeyId, type OrgId } from '../../../src/core/ids';
import { startFactifyServer, type FactifyServer, type ServerApiKey } from '../../server/factifyServer';
import { startDecoyServer, type DecoyServer } from '../../server/decoy';

/** No test may hang: a broken wait or timeout fails fast instead. */
export const QUICK = { timeout: 10_000 };

export let server: FactifyServer;
export let decoy: DecoyServer;
export const clients: FactifyClient[] = [];

/** Starts both servers for this test file, resets them before every test and clears the faults after it. */
export function useClientServers(): void {
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
  afterEach(() => server.clearFaults());
}

export function makeClient(overrides: Partial<ConnectionOptions> = {}): FactifyClient {
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

export function auth(token: string, organizationId?: string): RequestAuth {
  const org = organizationId === undefined ? undefined : asOrgId(organizationId);
  if (organizationId !== undefined) assert.ok(org, 'test org id must be valid');
  return { token: token as ApiToken, organizationId: org as OrgId | undefined };
}

export function liveKey(orgId: string): ServerApiKey & { keyId: KeyId } {
  const key = server.keysOf(orgId).find((candidate) => candidate.revoked_at === null);
  assert.ok(key);
  const keyId = asKeyId(key.id);
  assert.ok(keyId);
  return { ...key, keyId };
}

/** Awaits a rejection and checks it is a FactifyError of `kind` whose message matches every pattern. */
export async function rejectsWith(promise: Promise<unknown>, kind: FactifyErrorKind, ...message: RegExp[]): Promise<FactifyError> {
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

export const FAULT_LIST = { method: 'GET', pathPrefix: '/v1/api-keys' };
