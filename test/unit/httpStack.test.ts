/** With a code cache directory, the client loads its HTTP stack (undici's public entry) through V8's code cache. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startFactifyServer } from '../server/factifyServer';

const execFileAsync = promisify(execFile);

test('a client given a code cache directory lists through the cached HTTP stack and keeps its code there', async (t) => {
  const server = await startFactifyServer();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'factify-stack-cache-'));
  t.after(async () => {
    await server.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });
  // A fresh process per start, as the extension host is; closing the client writes the code it compiled.
  const start = `
    const { FactifyClient } = require(${JSON.stringify(require.resolve('../../src/core/client'))});
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
        const loaded = Object.keys(require.cache).some((file) => /[\\/]httpStack[.]js$/.test(file));
        console.log(JSON.stringify({ keys: list.keys.length, loaded }));
      }, (error) => { console.log(JSON.stringify({ error: String(error) })); });`;
  const run = async () => JSON.parse((await execFileAsync(process.execPath, ['-e', start], { encoding: 'utf8' })).stdout) as unknown;
  const first = await run();
  assert.deepEqual(first, { keys: server.keysOf(server.orgs.primary).filter((key) => !key.revoked_at).length, loaded: true });
  const written = fs.readdirSync(cacheDir);
  assert.equal(written.length, 1);
  assert.match(written[0]!, /^httpStack-[0-9a-f]{32}\.v8cache$/);
  const entry = path.join(cacheDir, written[0]!);
  const before = { bytes: fs.readFileSync(entry), mtimeMs: fs.statSync(entry).mtimeMs };
  assert.deepEqual(await run(), first);
  assert.deepEqual(fs.readdirSync(cacheDir), written);
  // Taken from the cache, the entry is not written again (a refused one would be).
  assert.deepEqual({ bytes: fs.readFileSync(entry), mtimeMs: fs.statSync(entry).mtimeMs }, before);
});
