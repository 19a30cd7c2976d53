/**
 * The client's HTTP stack loads undici's dispatchers without its entry point: they must be the very classes
 * that entry point exports, with the same request API, for whichever 7.x release is installed. With a code
 * cache directory, the client loads it through V8's code cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as undici from 'undici';
import * as httpStack from '../../src/core/httpStack';
import { startFactifyServer } from '../server/factifyServer';

const execFileAsync = promisify(execFile);

test('it exports the same Agent, ProxyAgent and buildConnector as undici itself', () => {
  assert.equal(httpStack.Agent, undici.Agent);
  assert.equal(httpStack.ProxyAgent, undici.ProxyAgent);
  assert.equal(httpStack.buildConnector, undici.buildConnector);
});

test("loaded alone, without undici's entry point, its dispatchers have undici's whole request API", () => {
  // A fresh process: here undici's entry point has already added the API to the shared prototype.
  const probe = `
    const stack = require(${JSON.stringify(require.resolve('../../src/core/httpStack'))});
    const entryLoaded = Object.keys(require.cache).some((file) => file === require.resolve('undici'));
    const agent = new stack.Agent();
    const proxyAgent = new stack.ProxyAgent('http://127.0.0.1:9');
    const methods = ['request', 'stream', 'pipeline', 'connect', 'upgrade'];
    const api = require('undici/lib/api');
    console.log(JSON.stringify({
      entryLoaded,
      agent: methods.filter((m) => agent[m] === api[m]),
      proxyAgent: methods.filter((m) => proxyAgent[m] === api[m]),
    }));`;
  const seen = JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })) as Record<string, unknown>;
  const all = ['request', 'stream', 'pipeline', 'connect', 'upgrade'];
  assert.deepEqual(seen, { entryLoaded: false, agent: all, proxyAgent: all });
  // …and they are the functions undici's entry point gives its own dispatchers.
  const entryAgent = new undici.Agent() as unknown as Record<string, unknown>;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- undici's own file, untyped
  const api = require('undici/lib/api') as Record<string, unknown>;
  for (const method of all) assert.equal(entryAgent[method], api[method], method);
});

test('a client given a code cache directory lists through the cached HTTP stack and keeps its code there', async (t) => {
  const server = await startFactifyServer();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'factify-stack-cache-'));
  t.after(async () => {
    await server.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });
  // A fresh process per start, as the extension host is; closing the client writes the code it compiled.
  const start = `
    const { FactifyClient, isHttpStackLoaded } = require(${JSON.stringify(require.resolve('../../src/core/client'))});
    const client = new FactifyClient({
      origin: new URL(${JSON.stringify(server.url)}),
      timeoutMs: 10000,
      proxy: { proxy: undefined, noProxy: [], strictSSL: true },
      userAgent: 'factify-unit-tests',
      env: {},
      codeCacheDir: ${JSON.stringify(cacheDir)},
    });
    client.listKeys({ token: ${JSON.stringify(server.tokens.admin)}, organizationId: undefined }, { includeRevoked: false })
      .then(async (list) => {
        await client.close();
        console.log(JSON.stringify({ keys: list.keys.length, loaded: isHttpStackLoaded() }));
      }, (error) => { console.log(JSON.stringify({ error: String(error) })); });`;
  const run = async () => JSON.parse((await execFileAsync(process.execPath, ['-e', start], { encoding: 'utf8' })).stdout) as unknown;
  const first = await run();
  assert.deepEqual(first, { keys: server.keysOf(server.orgs.primary).filter((key) => !key.revoked_at).length, loaded: true });
  const written = fs.readdirSync(cacheDir);
  assert.equal(written.length, 1);
  assert.match(written[0]!, /^httpStack-[0-9a-f]{32}\.v8cache$/);
  assert.deepEqual(await run(), first);
  assert.deepEqual(fs.readdirSync(cacheDir), written);
});
