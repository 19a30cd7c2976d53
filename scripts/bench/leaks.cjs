'use strict';
/**
 * Leak detection benchmark (a worker process, run by scripts/bench.mjs through `measureLeaks`):
 *   scan_ratio     Find API Keys in Workspace's scan (out/src/core/workspaceScan.js: ripgrep reports the
 *                  matching lines, the core checks them) vs `rg -l` with the same pattern over the same tree, same run, medians
 *   scan_stall_ms  the longest event-loop stall during the scans (timer-gap sampler)
 *   doc_check_ms   checking a 5 MB open document after an edit (find, classify, place every token), median
 * over a generated workspace: 10 000 text files (~100 MB), a few hundred tokens of live, revoked and
 * unknown keys, a node_modules, a git-ignored .env, a few files over the size limit and a binary file.
 */
const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runWorker, workerArgs, startStallMonitor } = require('./common.cjs');

const FILES = 10_000;
const FILE_BYTES = 10_000;
const RUNS = 5;
const DOC_BYTES = 5 * 1024 * 1024;
const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function rng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
const random = rng(20261201);
const chars = (alphabet, n) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');

function makeKeys(count) {
  const keys = [];
  for (let i = 0; i < count; i++) {
    const stem = `ffy_prod_${chars(BASE32, 8)}`;
    const revoked = i % 3 === 1;
    keys.push({
      id: `key_${chars(BASE32, 26)}`,
      org_id: 'org_01kdx2z2ab3cd4ef5gh6jk7mn8',
      name: `Bench key ${i}`,
      prefix: `${stem}...`,
      created_at: '2026-01-01T00:00:00Z',
      is_active: true,
      revoked_at: revoked ? '2026-06-01T00:00:00Z' : null,
      expires_at: null,
    });
  }
  return keys;
}

const tokenFor = (prefix) => `${prefix.replace(/\.\.\.$/, '')}${chars(BASE32, 18)}${chars(BASE62, 20)}`;
const unknownToken = () => `ffy_prod_${chars(BASE32, 26)}${chars(BASE62, 20)}`;
const filler = (bytes) => {
  const words = ['const', 'value', 'return', 'function', 'import', 'export', '=', '{', '}', '(', ')', ';', 'ffy', 'token', 'config', '\n'];
  let text = '';
  while (text.length < bytes) text += `${words[Math.floor(random() * words.length)]} `;
  return text.slice(0, bytes);
};

/** The generated workspace, made once per machine (it is deterministic) under the OS temp directory. */
function makeWorkspace(keys) {
  const root = path.join(os.tmpdir(), 'factify-bench-leaks-v1');
  const marker = path.join(root, '.complete');
  const manifestFile = path.join(root, '..', 'factify-bench-leaks-v1.json');
  if (fs.existsSync(marker) && fs.existsSync(manifestFile)) return { root, ...JSON.parse(fs.readFileSync(manifestFile, 'utf8')) };
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  const block = filler(FILE_BYTES);
  let tokens = 0;
  for (let i = 0; i < FILES; i++) {
    const dir = path.join(root, 'src', `pkg${i % 100}`, `mod${Math.floor(i / 100) % 10}`);
    fs.mkdirSync(dir, { recursive: true });
    let text = block.slice(i % 500) + block.slice(0, i % 500);
    if (i % 40 === 0) {
      const parts = [];
      for (let k = 0; k < 3; k++) {
        const pick = (i / 40 + k) % 4;
        parts.push(pick === 3 ? unknownToken() : tokenFor(keys[(i + k) % keys.length].prefix));
        tokens++;
      }
      const at = Math.floor(text.length / 2);
      text = `${text.slice(0, at)}\nconst FACTIFY = "${parts.join('", "')}";\n${text.slice(at)}`;
    }
    fs.writeFileSync(path.join(dir, `file${i}.ts`), text);
  }
  // Ignored places, each holding tokens that must not be reported.
  fs.mkdirSync(path.join(root, 'node_modules', 'dep'), { recursive: true });
  for (let i = 0; i < 200; i++)
    fs.writeFileSync(path.join(root, 'node_modules', 'dep', `f${i}.js`), `${block}\n${tokenFor(keys[0].prefix)}\n`);
  fs.writeFileSync(path.join(root, '.env'), `FACTIFY_TOKEN=${tokenFor(keys[0].prefix)}\n`);
  fs.writeFileSync(path.join(root, '.gitignore'), 'node_modules/\n.env\n');
  // Over the size limit and binary: skipped, and counted.
  fs.writeFileSync(path.join(root, 'src', 'big.log'), `${filler(1_200_000)}\n${tokenFor(keys[1].prefix)}\n`);
  fs.writeFileSync(
    path.join(root, 'src', 'blob.bin'),
    Buffer.concat([Buffer.from([0, 1, 2, 3]), Buffer.from(`\n${tokenFor(keys[2].prefix)}\n`)]),
  );
  spawnSync('git', ['init', '-q'], { cwd: root });
  const manifest = { tokens, files: FILES };
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  fs.writeFileSync(marker, '');
  return { root, ...manifest };
}

function findRg() {
  const found = spawnSync('rg', ['--version'], { encoding: 'utf8' });
  return found.status === 0 ? { rgPath: 'rg', version: found.stdout.split('\n')[0] } : undefined;
}

function timeRgList(rgPath, root, pattern) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(rgPath, ['-l', '--hidden', pattern, root], { stdio: ['ignore', 'pipe', 'ignore'] });
    let lines = 0;
    child.stdout.on('data', (chunk) => {
      for (const byte of chunk) if (byte === 10) lines++;
    });
    child.once('error', reject);
    child.once('close', () => resolve({ ms: performance.now() - t0, files: lines }));
  });
}

function positionAt(lineStarts, offset) {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low, character: offset - lineStarts[low] };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

async function main() {
  const { outDir } = workerArgs();
  const rg = findRg();
  if (!rg) return { skipped: 'rg is not installed (Debian: apt-get install -y ripgrep)' };
  const { parseKeyList } = require(path.join(outDir, 'src', 'core', 'apiKey.js'));
  const { KeyIndex, TOKEN_SEARCH_PATTERN, classify, countFindings, tokensToCheck } = require(
    path.join(outDir, 'src', 'core', 'tokenScan.js'),
  );
  const { scanWorkspaceWithRipgrep } = require(path.join(outDir, 'src', 'core', 'workspaceScan.js'));

  const records = makeKeys(60);
  const keys = parseKeyList({ api_keys: records }).keys;
  const index = new KeyIndex(keys.map((key) => ({ key, organization: 'Bench org' })));
  const t0 = performance.now();
  const workspace = makeWorkspace(records);
  const generateMs = performance.now() - t0;

  const options = {
    rgPath: rg.rgPath,
    folders: [workspace.root],
    excludes: ['**/node_modules', '**/.git', '**/bower_components', '**/*.code-search'],
    maxFileBytes: 1024 * 1024,
    index,
    nowMs: Date.now(),
  };
  const stall = startStallMonitor();
  const scanMs = [];
  const rgMs = [];
  let stallMs = 0;
  let last;
  let rgFiles = 0;
  // Warm the page cache once for both, then alternate so other load on the machine hits them alike.
  await timeRgList(rg.rgPath, workspace.root, TOKEN_SEARCH_PATTERN);
  await scanWorkspaceWithRipgrep(options);
  for (let run = 0; run < RUNS; run++) {
    const raw = await timeRgList(rg.rgPath, workspace.root, TOKEN_SEARCH_PATTERN);
    rgMs.push(raw.ms);
    rgFiles = raw.files;
    stall.reset();
    const started = performance.now();
    last = await scanWorkspaceWithRipgrep(options);
    scanMs.push(performance.now() - started);
    stallMs = Math.max(stallMs, stall.read().timerGapMaxMs);
  }
  stall.stop();
  const records2 = last.files.flatMap((file) => file.findings.map((finding) => ({ uri: file.fsPath, kind: finding.kind })));
  const counts = countFindings(records2);
  const reportedIgnored = last.files.some((file) => /node_modules|\.env$/.test(file.fsPath));

  // A 5 MB open document with a few tokens; each run edits one character, then checks the whole text.
  let doc = filler(DOC_BYTES);
  for (let i = 1; i <= 20; i++) {
    const at = Math.floor((doc.length * i) / 21);
    doc = `${doc.slice(0, at)} "${i % 2 ? tokenFor(records[i].prefix) : unknownToken()}" ${doc.slice(at)}`;
  }
  // The shell places findings with TextDocument.positionAt, over the line index the editor keeps anyway;
  // a line-start table built outside the timing stands in for it.
  const docMs = [];
  let docFindings = 0;
  for (let run = 0; run < 25; run++) {
    const at = Math.floor(doc.length / 3) + run;
    doc = `${doc.slice(0, at)}x${doc.slice(at + 1)}`;
    const lineStarts = [0];
    for (let i = doc.indexOf('\n'); i !== -1; i = doc.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    const started = performance.now();
    const nowMs = Date.now();
    const findings = tokensToCheck(doc).map((match) => classify(match, index, nowMs));
    for (const finding of findings) {
      positionAt(lineStarts, finding.start);
      positionAt(lineStarts, finding.end);
    }
    docMs.push(performance.now() - started);
    docFindings = findings.length;
  }

  return {
    rg: rg.version,
    generateMs,
    files: workspace.files,
    tokensPlanted: workspace.tokens,
    scanMs: median(scanMs),
    rgMs: median(rgMs),
    scanRatio: median(scanMs) / median(rgMs),
    scanRuns: scanMs,
    rgRuns: rgMs,
    stallMs,
    rgFiles,
    candidates: last.candidates,
    counts,
    notChecked: last.skipped,
    reportedIgnored,
    docMs: median(docMs.slice(5)),
    docFindings,
  };
}

if (require.main === module) runWorker(main);
