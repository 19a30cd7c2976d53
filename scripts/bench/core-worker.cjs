'use strict';
/**
 * The extension's refresh path, as the compiled core runs it (out/src/core): FactifyClient over undici,
 * listKeys (read, JSON.parse, parseKeyList validation), then what the tree builds for a refresh: groupByState
 * and keyRow for the first page (PAGE_SIZE) of every group.
 *
 *   mode "cold": one refresh in this fresh process, timed from before the first require of the client
 *                module (so it includes loading the core and undici) to the rows built.
 *   mode "warm": one client (its connection pool reused), `warmup` untimed refreshes, then `runs` timed ones.
 */
const path = require('node:path');
const { runWorker, workerArgs, peakRssMb } = require('./common.cjs');

const EXPIRY_WARNING_DAYS = 14;

/** groupByState + keyRow for the first page of each group: what the tree's items are made of. */
function buildTree(core, keys) {
  const nowMs = Date.now();
  const groups = core.groupByState(keys, { nowMs, includeRevoked: false });
  let rows = 0;
  let chars = 0;
  for (const group of groups) {
    const page = group.first(core.PAGE_SIZE);
    for (const key of page) {
      const row = core.keyRow(key, nowMs, EXPIRY_WARNING_DAYS);
      chars += row.label.length + row.description.length;
      rows++;
    }
  }
  return { groups: groups.length, rows, chars };
}

function makeClient(FactifyClient, url) {
  return new FactifyClient({
    origin: new URL(url),
    timeoutMs: 120_000,
    proxy: { proxy: undefined, noProxy: [], strictSSL: true },
    userAgent: 'factify-bench',
    // No proxy from the environment: the raw limit connects directly too.
    env: {},
  });
}

runWorker(async () => {
  const options = workerArgs();
  const auth = { token: options.token, organizationId: undefined };
  const clientPath = path.join(options.outDir, 'src', 'core', 'client.js');
  const keyTreePath = path.join(options.outDir, 'src', 'core', 'keyTree.js');
  const httpStackPath = path.join(options.outDir, 'src', 'core', 'httpStack.js');
  /** The client loads its HTTP stack (undici) on the first request only. */
  const isHttpStackLoaded = () => require.cache[httpStackPath] !== undefined;

  if (options.mode === 'cold') {
    const t0 = performance.now();
    const { FactifyClient } = require(clientPath);
    const core = require(keyTreePath);
    const tRequired = performance.now();
    const loadedBefore = isHttpStackLoaded();
    const client = makeClient(FactifyClient, options.url);
    const list = await client.listKeys(auth, { includeRevoked: false });
    const tListed = performance.now();
    const tree = buildTree(core, list.keys);
    const t1 = performance.now();
    const result = {
      totalMs: t1 - t0,
      requireMs: tRequired - t0,
      listMs: tListed - tRequired,
      treeMs: t1 - tListed,
      keys: list.keys.length,
      rejected: list.rejected.length,
      rows: tree.rows,
      groups: tree.groups,
      httpStackLoadedBeforeRequest: loadedBefore,
      httpStackLoadedAfter: isHttpStackLoaded(),
      peakRssMb: peakRssMb(),
      heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024,
    };
    await client.close();
    return result;
  }

  if (options.mode === 'warm') {
    const { FactifyClient } = require(clientPath);
    const core = require(keyTreePath);
    const client = makeClient(FactifyClient, options.url);
    const samples = [];
    let last;
    for (let i = 0; i < options.warmup + options.runs; i++) {
      const t0 = performance.now();
      const list = await client.listKeys(auth, { includeRevoked: false });
      const tListed = performance.now();
      const tree = buildTree(core, list.keys);
      const t1 = performance.now();
      if (i >= options.warmup) samples.push({ totalMs: t1 - t0, listMs: tListed - t0, treeMs: t1 - tListed });
      last = { keys: list.keys.length, rows: tree.rows };
    }
    await client.close();
    return { samples, ...last, peakRssMb: peakRssMb() };
  }

  throw new Error(`unknown mode ${options.mode}`);
});
