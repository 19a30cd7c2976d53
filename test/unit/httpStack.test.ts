/**
 * The client's HTTP stack loads undici's dispatchers without its entry point: they must be the very classes
 * that entry point exports, with the same request API, for whichever 7.x release is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as undici from 'undici';
import * as httpStack from '../../src/core/httpStack';

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
