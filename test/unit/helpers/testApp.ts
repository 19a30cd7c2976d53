/** The app as the shell builds it (src/app.ts), over scripted prompts, in-memory storage and the local Factify server (test/server). */
import { FactifyClient, type RetryPolicy } from '../../../src/core/client';
import { type KeyDirectory } from '../../../src/core/keyDirectory';
import { KeysStore } from '../../../src/core/keysStore';
import { Redactor } from '../../../src/core/redact';
import { createApp } from '../../../src/app';
import { MemoryLog } from './memoryLog';
import { type AppContext } from '../../../src/flows/context';
import { ScriptedPrompts, type Step } from './scriptedPrompts';
import { MemoryAccounts, MemoryOrganizations } from './memoryStores';

/** Fast retries: a 429 in a test never waits long. */
const TEST_RETRY: RetryPolicy = { maxAttempts: 2, maxWaitMs: 200, baseDelayMs: 10 };

export interface TestContextOptions {
  /** The server origin, e.g. `server.url`, or a closed port to simulate a server that is down. */
  readonly baseUrl: string;
  readonly script?: readonly Step[];
  readonly token?: string;
  readonly failStore?: boolean;
  readonly organization?: string;
  readonly recent?: readonly string[];
  readonly includeRevoked?: boolean;
  readonly confirmRevoke?: boolean;
  readonly timeoutMs?: number;
}

export interface TestApp {
  readonly ctx: AppContext;
  readonly prompts: ScriptedPrompts;
  /** The accounts; `tokens.token` is the current token, `tokens.stored` every token written to secret storage. */
  readonly tokens: MemoryAccounts;
  readonly organizations: MemoryOrganizations;
  readonly store: KeysStore;
  readonly directory: KeyDirectory;
  readonly client: FactifyClient;
  readonly log: MemoryLog;
  /** Settings the test may change while it runs. */
  readonly settings: { includeRevoked: boolean; confirmRevoke: boolean };
  /** What the view calls when it first shows: reads the accounts, then loads the list once. */
  start(): Promise<void>;
  /** Waits for the list request in flight (if any), then disposes the store and closes the client. */
  close(): Promise<void>;
}

/** The app exactly as the shell builds it (src/app.ts), over the local server and in-memory storage. */
export function createTestApp(options: TestContextOptions & { readonly accounts?: MemoryAccounts }): TestApp {
  const prompts = new ScriptedPrompts(options.script ?? []);
  const tokens = options.accounts ?? new MemoryAccounts(options.token, { failStore: options.failStore ?? false });
  const organizations = new MemoryOrganizations(options.organization, options.recent ?? []);
  const log = new MemoryLog();
  const settings = { includeRevoked: options.includeRevoked ?? false, confirmRevoke: options.confirmRevoke ?? true };
  const client = new FactifyClient({
    origin: new URL(options.baseUrl),
    timeoutMs: options.timeoutMs ?? 5_000,
    proxy: { proxy: undefined, noProxy: [], strictSSL: true },
    userAgent: 'factify-vscode/test',
    env: {},
    retry: TEST_RETRY,
  });
  const app = createApp({
    prompts,
    secrets: tokens.secrets,
    state: tokens.memento,
    organizations,
    accounts: tokens,
    client: () => client,
    includeRevoked: () => settings.includeRevoked,
    confirmRevoke: () => settings.confirmRevoke,
    log,
    redactor: new Redactor(),
  });
  const { ctx, store, directory } = app;
  return {
    ctx,
    prompts,
    tokens,
    organizations,
    store,
    directory,
    client,
    log,
    settings,
    start: app.start,
    close: async () => {
      // A refresh the flows started with `void` may still run: let it finish before closing its client.
      if (store.snapshot.loading) await store.refresh().catch(() => undefined);
      app.dispose();
      await client.close();
    },
  };
}
