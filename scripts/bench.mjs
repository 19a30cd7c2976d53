// `npm run bench`: the performance benchmark of the extension, side by side with the raw limits.
//
// Builds (npm run build:prod, npx tsc -p .), then for N = 100, 1 000, 10 000, 100 000 generated keys served
// by the project's Factify-compatible server (scripts/bench/server.cjs, its own process) measures, each
// cold figure in fresh processes:
//   activation   require(dist/extension.js) + activate() over a `vscode` stand-in; bundle size; whether the
//                HTTP stack (undici) was initialised by then (scripts/bench/extension-worker.cjs explains how)
//   network      the first list over a real network: a TLS server behind a relay that delays every byte by
//                20 ms each way (40 ms round trip); the extension's first load in a fresh process vs a fresh
//                process doing the TLS connect, GET and JSON.parse through the same relay (N ≤ 10 000)
//   cold         the extension's first load in a fresh process (bundle + stand-in): view shown → HTTP stack
//                loaded, request, parse, validate, tree items of the first page built; vs the raw cold limit
//                (fresh process: require node:http, GET, JSON.parse)
//   warm         "Factify: Refresh" → tree items rebuilt, connection reused; vs node:http keep-alive GET +
//                JSON.parse
//   core         the same through the compiled core (out/src/core), with its breakdown (load/list/tree)
//   tree         groupByState + keyRow for the first page of each group, alone
//   memory       peak RSS of the extension process; the longest event-loop stall during its refreshes
//   VS Code      code-server + Chromium (npm run setup:vscode): Factify: Refresh → first key row visible
//                (10 000 keys); with 100 000 keys, the first page, a filter and clearing it
// The extension's processes of one measurement share a global storage directory, as VS Code's restarts do: the
// first writes the HTTP stack's code cache there, the later ones start from it.
// Every kind of process runs once per round and the rounds interleave the kinds, so that other load on the
// machine hits them alike; the server changes one key's name every 2 ms, so each refresh gets a new list.
// Prints a table, budget verdicts and one machine-readable `bench: …` line; writes .test-artifacts/bench.json.
//
// Environment: BENCH_SIZES=100,1000 (subset), BENCH_COLD_RUNS (5), BENCH_WARM_RUNS (20), BENCH_SKIP_VSCODE=1,
// BENCH_SKIP_BUILD=1, BENCH_CPU_PROF=1 (workers write .cpuprofile files, sampled every 100 µs, to .test-artifacts/bench-profiles/),
// BENCH_PARTS=network,local (only those parts; all: activation,network,local,leaks,vscode).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { describeLeaks, leakFigures, leakVerdicts } from './bench/leaks-report.mjs';

const root = path.join(import.meta.dirname, '..');
const benchDir = path.join(root, 'scripts', 'bench');
const outDir = path.join(root, 'out');
const bundle = path.join(root, 'dist', 'extension.js');
const artifacts = path.join(root, '.test-artifacts');
const profileDir = path.join(artifacts, 'bench-profiles');

const SIZES = (process.env.BENCH_SIZES ?? '100,1000,10000,100000')
  .split(',')
  .map((n) => Number(n.trim()))
  .filter((n) => n > 0);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 20);
const ACTIVATION_RUNS = 10;
const VSCODE_KEYS = 10_000;
const VSCODE_BIG_KEYS = 100_000;
const VSCODE_RUNS = 5;
const PROFILE = process.env.BENCH_CPU_PROF === '1';
const PARTS = new Set((process.env.BENCH_PARTS ?? 'activation,network,local,leaks,vscode').split(',').map((part) => part.trim()));
const NETWORK_MAX_KEYS = 10_000;
const NETWORK_DELAY_MS = 20;

const BUDGET = {
  activationMs: 10,
  warmRatio: 1.2,
  coldRatio: 2,
  coldRttRatio: 1.25,
  rssRatio: 2,
  stallMs: 1000,
  bigFilterMs: 1000,
};

const startedAt = Date.now();
const log = (line = '') => process.stdout.write(`${line}\n`);
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(0)} s`;

// ---------------------------------------------------------------------------------------------- statistics

function quantile(values, q) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
const median = (values) => quantile(values, 0.5);
const p90 = (values) => quantile(values, 0.9);
const summary = (values) => ({
  median: median(values),
  p90: p90(values),
  min: quantile(values, 0),
  max: quantile(values, 1),
  n: values.length,
});
const ratio = (a, b) => (a !== undefined && b ? a / b : undefined);

const fmt = (value, digits = 0) => (value === undefined || value === null || Number.isNaN(value) ? '–' : Number(value).toFixed(digits));
const fmtRatio = (value) => (value === undefined ? '–' : `${value.toFixed(2)}×`);
const fmtN = (n) => n.toLocaleString('en-US').replace(/,/g, ' ');

// ------------------------------------------------------------------------------------------------- processes

function runCommand(title, command, args, { tailLines = 25 } = {}) {
  const t0 = Date.now();
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: process.env });
  const ok = result.status === 0;
  log(`  ${ok ? 'ok  ' : 'FAIL'} ${title} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (!ok)
    log(
      `${result.stdout ?? ''}${result.stderr ?? ''}`
        .split('\n')
        .filter((line) => !/Unknown user config "nodedir"/.test(line))
        .slice(-tailLines)
        .map((line) => `       ${line}`)
        .join('\n'),
    );
  return ok;
}

/** Runs one worker in a fresh `node` process and returns the object it printed. */
function runWorker(script, options, { timeoutMs = 300_000, label = script, env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const nodeArgs = PROFILE
      ? [
          '--cpu-prof',
          '--cpu-prof-interval=100',
          `--cpu-prof-dir=${profileDir}`,
          `--cpu-prof-name=${label.replace(/[^\w.-]+/g, '_')}-${Date.now()}.cpuprofile`,
        ]
      : [];
    const child = spawn(process.execPath, [...nodeArgs, path.join(benchDir, script), JSON.stringify(options)], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('BENCH_RESULT '));
      if (!line) {
        reject(new Error(`${label}: no result (exit ${code ?? signal})\n${stderr.slice(-2000)}${stdout.slice(-2000)}`));
        return;
      }
      const result = JSON.parse(line.slice('BENCH_RESULT '.length));
      if (result.error) reject(new Error(`${label}: ${result.error}`));
      else resolve(result);
    });
  });
}

/**
 * The bench server (scripts/bench/server.cjs) with `keys` generated keys, in its own process. With churn: a
 * key's name changes every 2 ms, so every refresh gets a list that differs from the last one. With network:
 * TLS behind a relay that delays every byte by NETWORK_DELAY_MS each way.
 */
async function startServer(keys, { network = false } = {}) {
  const options = { outDir, keys, churn: true, network, delayMs: NETWORK_DELAY_MS };
  const child = spawn(process.execPath, [path.join(benchDir, 'server.cjs'), JSON.stringify(options)], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout });
  const info = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited (${code}) before listening`)));
    lines.once('line', (line) => resolve(JSON.parse(line)));
  });
  return {
    ...info,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
        child.kill('SIGTERM');
      }),
  };
}

// ------------------------------------------------------------------------------------------------ the phases

/**
 * The extension's global storage for one measurement: its processes share it, as VS Code's restarts do, so the
 * first one writes the HTTP stack's code cache there and the later ones start from it.
 */
function freshGlobalStorage() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'factify-bench-storage-'));
}

/**
 * Fresh processes sharing a global storage, as VS Code's restarts do: the first starts without the extension's
 * code cache (a first start after installing) and writes it when it deactivates; the later ones start from it.
 */
async function measureActivation() {
  const runs = [];
  const globalStorage = freshGlobalStorage();
  try {
    for (let i = 0; i < ACTIVATION_RUNS; i++) {
      runs.push(await runWorker('extension-worker.cjs', { bundle, globalStorage, mode: 'activate' }, { label: 'activation' }));
    }
  } finally {
    fs.rmSync(globalStorage, { recursive: true, force: true });
  }
  const missing = [...new Set(runs.flatMap((run) => run.standInMissing))];
  return {
    runs,
    firstStartMs: runs[0].totalMs,
    totalMs: summary(runs.map((run) => run.totalMs)),
    loadMs: summary(runs.map((run) => run.loadMs)),
    activateMs: summary(runs.map((run) => run.activateMs)),
    undiciLoaded: runs.some((run) => run.afterActivation.undiciLoaded),
    probe: runs[0].afterActivation,
    standInMissing: missing,
  };
}

/** The first list over a 40 ms round trip, TLS: the extension's first load vs the raw limit, fresh processes. */
async function measureNetwork(n) {
  const server = await startServer(n, { network: true });
  const common = { url: server.url, token: server.tokens.admin };
  const globalStorage = freshGlobalStorage();
  // Both trust the server's self-signed certificate the way users add a company CA.
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: server.caFile };
  const ext = [];
  const raw = [];
  try {
    for (let i = 0; i < COLD_RUNS; i++) {
      ext.push(
        await runWorker(
          'extension-worker.cjs',
          { ...common, bundle, globalStorage, mode: 'refresh', warmRuns: 0 },
          { label: `net-ext-${n}`, env },
        ),
      );
      raw.push(await runWorker('raw-worker.cjs', { ...common, mode: 'cold' }, { label: `net-raw-${n}`, env }));
    }
  } finally {
    await server.stop();
    fs.rmSync(globalStorage, { recursive: true, force: true });
  }
  const cold = summary(ext.map((run) => run.firstLoad.ms));
  const rawCold = summary(raw.map((run) => run.totalMs));
  return {
    n,
    keysSent: raw[0].keys,
    cold,
    rawCold,
    ratio: ratio(cold.median, rawCold.median),
    // When each got there, medians in ms from the start (see the workers).
    timeline: Object.fromEntries(
      ['connectedMs', 'sentMs', 'headersMs', 'lastByteMs'].map((field) => [
        field,
        { ext: median(ext.map((run) => run.firstLoad[field])), raw: median(raw.map((run) => run[field])) },
      ]),
    ),
    minorPageFaults: median(ext.map((run) => run.firstLoad.minorPageFaults)),
    rawMinorPageFaults: median(raw.map((run) => run.minorPageFaults)),
    pageFaultUs: measurePageFaultCost(),
    errors: ext.flatMap((run) => run.errors),
  };
}

/**
 * What a page fault costs on this machine, from first touches of fresh memory less the same writes again:
 * a fresh process faults in every page it allocates, and the extension allocates more than the raw limit.
 */
function measurePageFaultCost() {
  const bytes = 64 * 1024 * 1024;
  const buffer = Buffer.allocUnsafeSlow(bytes);
  const faultsBefore = process.resourceUsage().minorPageFault;
  const t0 = performance.now();
  buffer.fill(1);
  const t1 = performance.now();
  const faults = process.resourceUsage().minorPageFault - faultsBefore;
  buffer.fill(2);
  const t2 = performance.now();
  return faults > 0 ? ((t1 - t0 - (t2 - t1)) * 1000) / faults : undefined;
}

async function measureSize(n) {
  const server = await startServer(n);
  const common = { url: server.url, token: server.tokens.admin };
  const globalStorage = freshGlobalStorage();
  const perProcessWarm = Math.max(1, Math.ceil(WARM_RUNS / COLD_RUNS));
  const warmup = n >= 100_000 ? 2 : 3;
  const ext = [];
  const coreCold = [];
  const rawCold = [];
  const coreWarmRuns = [];
  const rawWarmRuns = [];
  try {
    // Every kind gets a fresh process per round, and the rounds interleave the kinds, so that whatever else
    // the machine is doing meanwhile hits them alike. Warm figures: a few untimed rounds first in each process.
    for (let i = 0; i < COLD_RUNS; i++) {
      ext.push(
        await runWorker(
          'extension-worker.cjs',
          { ...common, bundle, globalStorage, mode: 'refresh', warmRuns: perProcessWarm + 1 },
          { label: `ext-${n}` },
        ),
      );
      coreCold.push(await runWorker('core-worker.cjs', { ...common, outDir, mode: 'cold' }, { label: `core-cold-${n}` }));
      rawCold.push(await runWorker('raw-worker.cjs', { ...common, mode: 'cold' }, { label: `raw-cold-${n}` }));
      coreWarmRuns.push(
        await runWorker('core-worker.cjs', { ...common, outDir, mode: 'warm', warmup, runs: perProcessWarm }, { label: `core-warm-${n}` }),
      );
      rawWarmRuns.push(
        await runWorker('raw-worker.cjs', { ...common, mode: 'warm', warmup, runs: perProcessWarm }, { label: `raw-warm-${n}` }),
      );
    }
    const coreWarm = { samples: coreWarmRuns.flatMap((run) => run.samples), rows: coreWarmRuns[0].rows };
    const rawWarm = { samples: rawWarmRuns.flatMap((run) => run.samples) };

    // The first refresh after the first load still warms up code paths: it is left out.
    const extWarm = ext.flatMap((run) => run.refreshes.slice(1));
    const stalls = ext.flatMap((run) => [run.firstLoad, ...run.refreshes]);
    const result = {
      n,
      keysSent: rawCold[0].keys,
      cold: summary(ext.map((run) => run.firstLoad.ms)),
      rawCold: summary(rawCold.map((run) => run.totalMs)),
      warm: summary(extWarm.map((run) => run.ms)),
      rawWarm: summary(rawWarm.samples.map((sample) => sample.totalMs)),
      core: {
        cold: summary(coreCold.map((run) => run.totalMs)),
        coldRequireMs: median(coreCold.map((run) => run.requireMs)),
        coldListMs: median(coreCold.map((run) => run.listMs)),
        coldTreeMs: median(coreCold.map((run) => run.treeMs)),
        warm: summary(coreWarm.samples.map((sample) => sample.totalMs)),
        warmListMs: median(coreWarm.samples.map((sample) => sample.listMs)),
        httpStackLoadedBeforeRequest: coreCold.some((run) => run.httpStackLoadedBeforeRequest),
      },
      tree: summary(coreWarm.samples.map((sample) => sample.treeMs)),
      treeRows: coreWarm.rows,
      keyRowsBuilt: ext[0].firstLoad.keyRows,
      peakRssMb: Math.max(...ext.map((run) => run.peakRssMb)),
      rawPeakRssMb: Math.max(...rawCold.map((run) => run.peakRssMb)),
      maxStallMs: Math.max(...stalls.map((s) => s.timerGapMaxMs)),
      maxEventLoopDelayMs: Math.max(...stalls.map((s) => s.eventLoopDelayMaxMs)),
      firstLoadStallMs: median(ext.map((run) => run.firstLoad.timerGapMaxMs)),
      undiciProbeAfterRefresh: ext[0].afterRefresh,
      errors: ext.flatMap((run) => run.errors),
      raw: { ext, coreCold, rawCold, coreWarm, rawWarm },
    };
    result.coldRatio = ratio(result.cold.median, result.rawCold.median);
    result.warmRatio = ratio(result.warm.median, result.rawWarm.median);
    result.rssRatio = ratio(result.peakRssMb, result.rawPeakRssMb);
    result.core.coldRatio = ratio(result.core.cold.median, result.rawCold.median);
    result.core.warmRatio = ratio(result.core.warm.median, result.rawWarm.median);
    return result;
  } finally {
    await server.stop();
    fs.rmSync(globalStorage, { recursive: true, force: true });
  }
}

function realVsCodeReady() {
  const cache = process.env.FACTIFY_VSCODE_CACHE ?? path.join(os.homedir(), '.cache', 'factify-real-vscode');
  return fs.existsSync(path.join(cache, 'env.json'));
}

async function measureVsCode() {
  if (process.env.BENCH_SKIP_VSCODE === '1') return { skipped: 'BENCH_SKIP_VSCODE=1' };
  if (!realVsCodeReady()) return { skipped: 'run npm run setup:vscode' };
  if (!fs.existsSync(path.join(outDir, 'test', 'realvscode', 'harness.js')))
    return { skipped: 'out/test/realvscode/harness.js is missing (npx tsc -p . failed?)' };
  const vsix = path.join(root, 'dist', 'factify-api-keys.vsix');
  log('  packaging the .vsix…');
  if (!runCommand('npm run package', 'npm', ['run', '--silent', 'package'], { tailLines: 6 })) {
    // `package` type-checks first; the bundle is already built, so package it as it is.
    log('  (type-check failed: packaging the already built bundle with vsce directly)');
    if (!runCommand('vsce package', 'npx', ['vsce', 'package', '--no-dependencies', '--out', vsix]))
      return { failed: 'could not package the .vsix' };
  }
  try {
    return await runWorker(
      'vscode.cjs',
      { outDir, vsix, keys: VSCODE_KEYS, bigKeys: VSCODE_BIG_KEYS, runs: VSCODE_RUNS },
      { timeoutMs: 420_000, label: 'vscode' },
    );
  } catch (error) {
    return { failed: String(error.message ?? error).slice(0, 4000) };
  }
}

// ----------------------------------------------------------------------------------------------------- main

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  if (PROFILE) fs.mkdirSync(profileDir, { recursive: true });
  log(`Factify API Keys benchmark — node ${process.version}, ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
  log(`sizes ${SIZES.join(', ')}; ${COLD_RUNS} cold runs (fresh processes) and ${WARM_RUNS} warm runs each; medians and p90`);
  log(
    `load average at start: ${loadAverage()}${os.loadavg()[0] > os.cpus().length * 0.5 ? ' — the machine is busy: expect noisy figures' : ''}\n`,
  );

  log('build:');
  if (process.env.BENCH_SKIP_BUILD !== '1') {
    if (!runCommand('npm run build:prod', 'npm', ['run', '--silent', 'build:prod']))
      throw new Error('the production bundle could not be built');
    if (!runCommand('npx tsc -p .', 'npx', ['tsc', '-p', '.']))
      log('       (type errors: out/ was emitted anyway; measuring what was emitted)');
  }
  for (const file of [bundle, path.join(outDir, 'src', 'core', 'client.js'), path.join(outDir, 'test', 'server', 'factifyServer.js')]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(root, file)} is missing`);
  }
  // What activation loads: the entry VS Code requires and the extension it loads (dist/shell.js).
  const entryBytes = fs.statSync(bundle).size;
  const shellFile = path.join(path.dirname(bundle), 'shell.js');
  const bundleBytes = entryBytes + (fs.existsSync(shellFile) ? fs.statSync(shellFile).size : 0);

  let activation;
  if (PARTS.has('activation')) {
    log(`\nactivation (${ACTIVATION_RUNS} fresh processes)…`);
    activation = await measureActivation();
    log(
      `  require(bundle) ${fmt(activation.loadMs.median, 1)} ms + activate() ${fmt(activation.activateMs.median, 1)} ms = ${fmt(activation.totalMs.median, 1)} ms (p90 ${fmt(activation.totalMs.p90, 1)}; first start, no code cache yet: ${fmt(activation.firstStartMs, 1)} ms); undici loaded: ${activation.undiciLoaded} [${elapsed()}]`,
    );
    if (activation.standInMissing.length)
      log(`  note: the extension touched vscode members the stand-in does not provide: ${activation.standInMissing.join(', ')}`);
  }

  const network = [];
  for (const n of PARTS.has('network') ? SIZES.filter((size) => size <= NETWORK_MAX_KEYS) : []) {
    log(`\n${fmtN(n)} keys over TLS with a ${2 * NETWORK_DELAY_MS} ms round trip…`);
    const result = await measureNetwork(n);
    network.push(result);
    log(`  first list ${fmt(result.cold.median)} ms vs raw ${fmt(result.rawCold.median)} ms = ${fmtRatio(result.ratio)} [${elapsed()}]`);
  }

  const sizes = [];
  for (const n of PARTS.has('local') ? SIZES : []) {
    log(`\n${fmtN(n)} keys…`);
    const result = await measureSize(n);
    sizes.push(result);
    log(
      `  cold ${fmt(result.cold.median)} ms vs raw ${fmt(result.rawCold.median)} ms; warm ${fmt(result.warm.median)} ms vs raw ${fmt(result.rawWarm.median)} ms; tree ${fmt(result.tree.median, 1)} ms; max stall ${fmt(result.maxStallMs)} ms [${elapsed()}]`,
    );
  }

  if (PARTS.has('leaks')) log('\nleak detection (10 000 generated files)…');
  const leaks = PARTS.has('leaks') ? await measureLeaks() : { skipped: 'not in BENCH_PARTS' };
  if (!leaks.skipped) log(`  ${describeLeaks(leaks)} [${elapsed()}]`);

  log('\nreal VS Code (code-server + Chromium)…');
  const vscode = PARTS.has('vscode') ? await measureVsCode() : { skipped: 'not in BENCH_PARTS' };
  if (vscode.skipped) log(`vscode: skipped (${vscode.skipped})`);
  else if (vscode.failed) log(`vscode: FAILED: ${vscode.failed}`);
  else log(`  done [${elapsed()}]`);

  report({ bundleBytes, entryBytes, activation, network, sizes, vscode, leaks });
}

function loadAverage() {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
}

function report({ bundleBytes, entryBytes, activation, network, sizes, vscode, leaks }) {
  const bySize = new Map(sizes.map((s) => [s.n, s]));
  const s10k = bySize.get(10_000);
  const s100k = bySize.get(100_000);
  const net100 = network.find((s) => s.n === 100);
  const net10k = network.find((s) => s.n === 10_000);

  if (network.length) {
    log(
      `\n== First list over TLS with a ${2 * NETWORK_DELAY_MS} ms round trip, extension vs raw node:https + JSON.parse, fresh processes — medians (p90) ==`,
    );
    printTable(
      ['N', 'keys sent', 'first list ms', 'raw ms', 'ratio'],
      network.map((s) => [
        fmtN(s.n),
        fmtN(s.keysSent),
        `${fmt(s.cold.median)} (${fmt(s.cold.p90)})`,
        `${fmt(s.rawCold.median)} (${fmt(s.rawCold.p90)})`,
        fmtRatio(s.ratio),
      ]),
    );
    log(
      'first list = view shown → token read, HTTP stack loaded, TLS connect, request, parse, validate, tree items of the first page built;',
    );
    log('raw = require node:https, TLS connect, GET, JSON.parse.');
    const fmtPair = ({ ext, raw }) => `${fmt(ext)} vs ${fmt(raw)}`;
    for (const s of network) {
      const { timeline } = s;
      log(
        `at ${fmtN(s.n)} (medians, ms from the start, extension vs raw): connected ${fmtPair(timeline.connectedMs)}; request sent ${fmtPair(timeline.sentMs)}; the answer's headers ${fmtPair(timeline.headersMs)}; its last byte ${fmtPair(timeline.lastByteMs)}; done ${fmt(s.cold.median)} vs ${fmt(s.rawCold.median)}, so ${fmt(s.cold.median - timeline.lastByteMs.ext)} vs ${fmt(s.rawCold.median - timeline.lastByteMs.raw)} after the last byte`,
      );
    }
    for (const s of network) {
      const extra = s.minorPageFaults - s.rawMinorPageFaults;
      log(
        `in that time at ${fmtN(s.n)}: page faults ${fmtN(s.minorPageFaults)} vs raw ${fmtN(s.rawMinorPageFaults)}` +
          (s.pageFaultUs === undefined
            ? ''
            : `; ${fmtN(extra)} more at ${fmt(s.pageFaultUs, 2)} µs each on this machine ≈ ${fmt((extra * s.pageFaultUs) / 1000, 1)} ms`),
      );
    }
  }

  if (sizes.length) {
    log('\n== Refresh, extension (bundle over the vscode stand-in) vs raw node:http + JSON.parse — medians (p90) ==');
    const header = [
      'N',
      'keys sent',
      'cold ms',
      'raw cold ms',
      'ratio',
      'warm ms',
      'raw warm ms',
      'ratio',
      'tree ms',
      'peak RSS MB',
      'raw RSS MB',
      'max stall ms',
    ];
    const rows = sizes.map((s) => [
      fmtN(s.n),
      fmtN(s.keysSent),
      `${fmt(s.cold.median)} (${fmt(s.cold.p90)})`,
      `${fmt(s.rawCold.median)} (${fmt(s.rawCold.p90)})`,
      fmtRatio(s.coldRatio),
      `${fmt(s.warm.median)} (${fmt(s.warm.p90)})`,
      `${fmt(s.rawWarm.median)} (${fmt(s.rawWarm.p90)})`,
      fmtRatio(s.warmRatio),
      `${fmt(s.tree.median, 1)} (${fmt(s.tree.p90, 1)})`,
      fmt(s.peakRssMb),
      fmt(s.rawPeakRssMb),
      fmt(s.maxStallMs),
    ]);
    printTable(header, rows);
    log('cold = fresh process, view shown → HTTP stack loaded, request, parse, validate, tree items of the first page built;');
    log(
      'warm = "Factify: Refresh" → tree items rebuilt (connection reused); tree = groupByState + keyRow for the first page of every group;',
    );
    log(
      'peak RSS and max stall (longest event-loop stall, timer-gap sampler) from the extension processes; raw RSS from the raw cold processes.',
    );

    log('\n== Same path through the compiled core (out/src/core), with where the cold time goes — medians ==');
    printTable(
      ['N', 'cold ms', 'ratio', '= load core', '+ list (undici, request, parse, validate)', '+ tree', 'warm ms', 'ratio', 'warm list'],
      sizes.map((s) => [
        fmtN(s.n),
        fmt(s.core.cold.median),
        fmtRatio(s.core.coldRatio),
        fmt(s.core.coldRequireMs, 1),
        fmt(s.core.coldListMs),
        fmt(s.core.coldTreeMs),
        fmt(s.core.warm.median),
        fmtRatio(s.core.warmRatio),
        fmt(s.core.warmListMs),
      ]),
    );
    log('(the compiled core loads undici from node_modules, ~60 files; the bundle carries it inline, as users run it)');
  }

  if (activation) {
    log('\n== Activation ==');
    log(
      `bundle: ${fmtN(bundleBytes)} bytes loaded at activation (dist/extension.js ${fmtN(entryBytes)} + dist/shell.js ${fmtN(bundleBytes - entryBytes)}) (+ dist/httpStack.js ${fmtN(fs.statSync(path.join(path.dirname(bundle), 'httpStack.js')).size)} bytes, loaded on the first request)`,
    );
    log(
      `require(bundle) + activate(): ${fmt(activation.totalMs.median, 1)} ms median (p90 ${fmt(activation.totalMs.p90, 1)}) = load ${fmt(activation.loadMs.median, 1)} + activate ${fmt(activation.activateMs.median, 1)}; the first start, before the code cache is written: ${fmt(activation.firstStartMs, 1)} ms`,
    );
    log(
      `undici (dist/httpStack.js) loaded during activation: ${activation.undiciLoaded} (bundle requires beyond vscode: ${JSON.stringify(activation.probe.bundleRequired)}; in Node's module cache: ${JSON.stringify(activation.probe.httpStackInModuleCache)})`,
    );
    const control = sizes[0]?.undiciProbeAfterRefresh;
    if (control)
      log(
        `control, same probe after the first refresh: undici loaded = ${control.undiciLoaded} (bundle required ${JSON.stringify(control.bundleRequired)}; in module cache: ${JSON.stringify(control.httpStackInModuleCache)})`,
      );
  }

  log('\n== Real VS Code ==');
  if (vscode.skipped) log(`vscode: skipped (${vscode.skipped})`);
  else if (vscode.failed) log(`vscode: FAILED — ${vscode.failed.split('\n')[0]}`);
  else {
    const runs = vscode.refresh.runs.map((run) => fmt(run.ms)).join(', ');
    log(
      `${fmtN(vscode.keys)} keys: Factify: Refresh (palette click) → first key row visible: median ${fmt(vscode.refresh.medianMs)} ms, painted ${fmt(vscode.refresh.medianPaintedMs)} ms (runs: ${runs})`,
    );
    if (vscode.big) {
      log(
        `${fmtN(vscode.bigKeys)} keys: Refresh → first page visible ${fmt(vscode.big.firstPage.ms)} ms; filter (Enter) → filtered rows ${fmt(vscode.big.filter.ms)} ms; Clear Filter → first page ${fmt(vscode.big.clearFilter.ms)} ms`,
      );
      log(
        `   workbench's longest frame gap meanwhile: ${fmt(Math.max(vscode.big.firstPage.maxFrameGapMs, vscode.big.filter.maxFrameGapMs, vscode.big.clearFilter.maxFrameGapMs))} ms; rows: ${JSON.stringify(vscode.big.rows.slice(0, 2))}, filtered: ${JSON.stringify(vscode.big.filteredRows)}`,
      );
    }
  }

  // ------------------------------------------------------------------------------------------------ budgets
  const verdicts = [];
  const verdict = (ok, text) => verdicts.push(`${ok === undefined ? 'n/a ' : ok ? 'PASS' : 'MISS'}  ${text}`);
  verdict(
    activation ? activation.totalMs.median <= BUDGET.activationMs && !activation.undiciLoaded : undefined,
    `activation ≤ ${BUDGET.activationMs} ms with undici not loaded: ${activation ? `${fmt(activation.totalMs.median, 1)} ms, undici loaded: ${activation.undiciLoaded}` : 'not measured'}`,
  );
  for (const [label, s] of [
    ['100', net100],
    ['10 000', net10k],
  ]) {
    verdict(
      s ? s.ratio <= BUDGET.coldRttRatio && s.errors.length === 0 : undefined,
      `first list over TLS, ${2 * NETWORK_DELAY_MS} ms round trip, ${label} keys ≤ ${BUDGET.coldRttRatio}× raw: ${s ? `${fmt(s.cold.median)} ms vs ${fmt(s.rawCold.median)} ms = ${fmtRatio(s.ratio)}` : 'not measured'}`,
    );
  }
  verdict(
    s10k ? s10k.warmRatio <= BUDGET.warmRatio : undefined,
    `warm refresh, 10 000 keys ≤ ${BUDGET.warmRatio}× raw warm: ${s10k ? `${fmt(s10k.warm.median)} ms vs ${fmt(s10k.rawWarm.median)} ms = ${fmtRatio(s10k.warmRatio)}` : 'not measured'}`,
  );
  verdict(
    s10k ? s10k.coldRatio <= BUDGET.coldRatio : undefined,
    `cold first refresh, 10 000 keys ≤ ${BUDGET.coldRatio}× raw cold: ${s10k ? `${fmt(s10k.cold.median)} ms vs ${fmt(s10k.rawCold.median)} ms = ${fmtRatio(s10k.coldRatio)}` : 'not measured'}`,
  );
  const coldAll = sizes.filter((s) => s.coldRatio > BUDGET.coldRatio).map((s) => `${fmtN(s.n)}: ${fmtRatio(s.coldRatio)}`);
  if (sizes.length > 1)
    verdict(coldAll.length === 0, `cold ≤ ${BUDGET.coldRatio}× raw at every N${coldAll.length ? ` (over at ${coldAll.join(', ')})` : ''}`);
  verdict(
    s100k ? s100k.keyRowsBuilt > 0 && s100k.errors.length === 0 : undefined,
    `100 000 keys: refresh completes: ${s100k ? `${fmtN(s100k.keysSent)} keys, ${s100k.keyRowsBuilt} key rows built, first load ${fmt(s100k.cold.median)} ms, refresh ${fmt(s100k.warm.median)} ms` : 'not measured'}`,
  );
  verdict(
    s100k ? s100k.rssRatio <= BUDGET.rssRatio : undefined,
    `100 000 keys: peak RSS ≤ ${BUDGET.rssRatio}× a raw process's: ${s100k ? `${fmt(s100k.peakRssMb)} MB vs ${fmt(s100k.rawPeakRssMb)} MB = ${fmtRatio(s100k.rssRatio)}` : 'not measured'}`,
  );
  verdict(
    s100k ? s100k.maxStallMs <= BUDGET.stallMs : undefined,
    `100 000 keys: longest event-loop stall ≤ ${BUDGET.stallMs} ms: ${s100k ? `${fmt(s100k.maxStallMs)} ms (monitorEventLoopDelay max ${fmt(s100k.maxEventLoopDelayMs)} ms)` : 'not measured'}`,
  );
  const big = vscode.big;
  verdict(
    big ? big.filter.ms <= BUDGET.bigFilterMs : undefined,
    `100 000 keys in VS Code: first page shown and a filter updates the rows within ${BUDGET.bigFilterMs} ms: ${big ? `first page ${fmt(big.firstPage.ms)} ms, filter ${fmt(big.filter.ms)} ms, clear ${fmt(big.clearFilter.ms)} ms` : vscode.skipped ? 'skipped' : 'failed'}`,
  );
  verdicts.push(...leakVerdicts(leaks));
  log('\n== Budgets ==');
  for (const line of verdicts) log(line);
  if (os.loadavg()[0] > os.cpus().length * 0.5)
    log(`(load average ${loadAverage()} on ${os.cpus().length} CPUs: other work was running; ratios and stalls vary from run to run)`);

  const kv = {
    activation_ms: activation ? fmt(activation.totalMs.median, 1) : 'na',
    bundle_bytes: bundleBytes,
    activation_first_start_ms: activation ? fmt(activation.firstStartMs, 1) : 'na',
    undici_at_activation: activation ? activation.undiciLoaded : 'na',
    cold_rtt_ratio_100: net100 ? fmt(net100.ratio, 2) : 'na',
    cold_rtt_ratio_10k: net10k ? fmt(net10k.ratio, 2) : 'na',
    cold_ratio_10k: s10k ? fmt(s10k.coldRatio, 2) : 'na',
    warm_ratio_10k: s10k ? fmt(s10k.warmRatio, 2) : 'na',
    cold_ms_10k: s10k ? fmt(s10k.cold.median) : 'na',
    warm_ms_10k: s10k ? fmt(s10k.warm.median) : 'na',
    tree_ms_100k: s100k ? fmt(s100k.tree.median, 1) : 'na',
    max_stall_ms_100k: s100k ? fmt(s100k.maxStallMs) : 'na',
    peak_rss_mb_100k: s100k ? fmt(s100k.peakRssMb) : 'na',
    rss_ratio_100k: s100k ? fmt(s100k.rssRatio, 2) : 'na',
    vscode_rows_ms_10k: vscode.refresh ? fmt(vscode.refresh.medianMs) : 'na',
    vscode_rows_ms_100k: big ? fmt(big.firstPage.ms) : 'na',
    vscode_filter_ms_100k: big ? fmt(big.filter.ms) : 'na',
    ...leakFigures(leaks),
  };
  const file = path.join(artifacts, 'bench.json');
  fs.writeFileSync(
    file,
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        loadAverageAtEnd: os.loadavg(),
        budgets: BUDGET,
        bundleBytes,
        activation,
        network,
        sizes,
        vscode,
        leaks,
        verdicts,
        line: kv,
      },
      null,
      2,
    )}\n`,
  );
  log(`\nresults: ${path.relative(root, file)}; whole run ${elapsed()}; load average at the end: ${loadAverage()}`);
  log(
    `bench: ${Object.entries(kv)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')}`,
  );
}

async function measureLeaks() {
  try {
    return await runWorker('leaks.cjs', { outDir }, { label: 'leaks' });
  } catch (error) {
    return { failed: String(error.message ?? error).slice(0, 2000) };
  }
}

function printTable(header, rows) {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) =>
    cells.map((cell, i) => (i === 0 ? String(cell).padStart(widths[i]) : String(cell).padStart(widths[i]))).join(' │ ');
  log(line(header));
  log(widths.map((w) => '─'.repeat(w)).join('─┼─'));
  for (const row of rows) log(line(row));
}

main().catch((error) => {
  log(`\nbench failed: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
