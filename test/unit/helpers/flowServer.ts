/**
 * The local Factify server the journey tests (src/flows) share, one per test file, and the apps they build over
 * it. A test file calls `useFlowServer()` once at its top level; `server` is then the running server.
 */
import { after, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { type ApiKey } from '../../../src/core/apiKey';
import { startFactifyServer, type FactifyServer, type RecordedRequest, type ServerApiKey } from '../../server/factifyServer';
import { type MemoryAccounts } from './memoryStores';
import { type Step } from './scriptedPrompts';
import { createTestApp, type TestApp, type TestContextOptions } from './testApp';

export const ORG_HEADER = 'x-factify-organization-id';

export let server: FactifyServer;
export const apps: TestApp[] = [];

/** Starts the server for this test file; before every test, closes what the previous one opened and puts the seed data back. */
export function useFlowServer(): void {
  before(async () => {
    server = await startFactifyServer();
  });

  beforeEach(async () => {
    // Close what the previous test opened before the server data goes back to the seed.
    await Promise.all(apps.splice(0).map((app) => app.close()));
    server.reset();
  });

  after(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await server.close();
  });
}

/** An app over the server, closed before the next test. */
export function app(options: Partial<TestContextOptions> & { script?: readonly Step[]; accounts?: MemoryAccounts } = {}): TestApp {
  const created = createTestApp({ baseUrl: server.url, ...options });
  apps.push(created);
  return created;
}

/** An app whose store already shows the organization's keys, as the tree does; recorded requests cleared. */
export async function loadedApp(token: string, options: Partial<TestContextOptions> = {}): Promise<TestApp> {
  const created = app({ token, ...options });
  await created.store.refresh();
  assert.ok(created.store.snapshot.loaded, `the list should load: ${created.store.snapshot.error?.message}`);
  server.clearRequests();
  return created;
}

export function keyNamed(target: TestApp, name: string): ApiKey {
  const key = target.store.snapshot.loaded?.keys.find((candidate) => candidate.name === name);
  assert.ok(key, `no key named ${name} in the list`);
  return key;
}

export function serverKey(orgId: string, id: string): ServerApiKey {
  const key = server.keysOf(orgId).find((candidate) => candidate.id === id);
  assert.ok(key, `the server has no key ${id}`);
  return key;
}

export const deletes = (): RecordedRequest[] => server.requests.filter((request) => request.method === 'DELETE');
export const lists = (): RecordedRequest[] => server.requests.filter((request) => request.method === 'GET');

export function assertNoSecretLeaked(target: TestApp, token: string): void {
  for (const line of target.log.lines) assert.ok(!line.includes(token), `the token appears in the log: ${line}`);
  for (const message of target.prompts.messages)
    assert.ok(!message.message.includes(token), `the token appears in a message: ${message.message}`);
}
