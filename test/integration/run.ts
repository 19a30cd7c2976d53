/**
 * `npm run test:integration` (after `npm run package && npm run compile`): runs the `*.itest.js` suites
 * inside a real VS Code extension host (code-server, test/realvscode/harness.ts) against the PACKAGED
 * extension, dist/factify-api-keys.vsix unpacked, and the local Factify server.
 *
 * Writes `{"passed": N, "failed": M}` to $FACTIFY_INTEGRATION_REPORT when set (scripts/test-all.mjs) and
 * exits non-zero when anything failed. See README.md.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { runExtensionTests } from '../realvscode/harness';
import { startDecoyServer, type DecoyServer } from '../server/decoy';
import { startFactifyServer, type FactifyServer, type FaultRule } from '../server/factifyServer';
import { listenTracked, readBody, type Listening } from '../server/listening';
import { type Summary } from './index';

const REPO = path.resolve(__dirname, '..', '..', '..');
const VSIX = path.join(REPO, 'dist', 'factify-api-keys.vsix');
const ARTIFACTS = path.join(REPO, '.test-artifacts');
/** Compiled files the extension host loads: the entry, its helpers and the suites. */
const HOST_FILES = (name: string): boolean =>
  ['index.js', 'host.js', 'scriptedWindow.js', 'specNames.js'].includes(name) || name.endsWith('.itest.js');

async function main(): Promise<number> {
  const started = Date.now();
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} does not exist: run \`npm run package\` first`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'factify-itest-'));
  const extensionDir = unpackVsix(VSIX, path.join(scratch, 'vsix'));
  const testsDir = copyHostFiles(path.join(extensionDir, 'itest'));
  const summaryFile = path.join(scratch, 'summary.json');

  const server = await startFactifyServer();
  const decoy = await startDecoyServer();
  const controlServer = await startControlServer(server, decoy);
  // The workspace tries to send the token elsewhere; `factify.apiBaseUrl` is application-scoped, so VS Code
  // and the extension must ignore it (settings.itest.ts checks that nothing reaches the decoy).
  const workspaceDir = path.join(scratch, 'workspace');
  fs.mkdirSync(path.join(workspaceDir, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(workspaceDir, '.vscode', 'settings.json'),
    `${JSON.stringify({ 'factify.apiBaseUrl': decoy.url }, null, 2)}\n`,
  );
  fs.writeFileSync(path.join(workspaceDir, 'README.md'), '# Factify integration test workspace\n');

  console.log(`Integration tests: packaged extension ${path.relative(REPO, VSIX)} (unpacked to ${extensionDir})`);
  console.log(`  Factify server ${server.url}, decoy ${decoy.url}, control ${controlServer.url}`);

  let exitCode = 1;
  let output = '';
  let workbenchLog = '';
  let crash: string | undefined;
  try {
    const result = await runExtensionTests({
      extensionDevelopmentPath: extensionDir,
      extensionTestsPath: path.join(testsDir, 'index.js'),
      workspaceDir,
      settings: { 'factify.apiBaseUrl': server.url },
      env: {
        FACTIFY_ITEST_SERVER_URL: server.url,
        FACTIFY_ITEST_DECOY_URL: decoy.url,
        FACTIFY_ITEST_CONTROL_URL: controlServer.url,
        FACTIFY_ITEST_TOKENS: JSON.stringify(server.tokens),
        FACTIFY_ITEST_ORGS: JSON.stringify(server.orgs),
        FACTIFY_ITEST_MOCHA: require.resolve('mocha'),
        FACTIFY_ITEST_SUMMARY_FILE: summaryFile,
        ...(process.env.FACTIFY_ITEST_GREP ? { FACTIFY_ITEST_GREP: process.env.FACTIFY_ITEST_GREP } : {}),
      },
      timeoutMs: Number(process.env.FACTIFY_ITEST_TIMEOUT_MS ?? 300_000),
    });
    ({ exitCode, output, workbenchLog } = result);
  } catch (error) {
    crash = (error as Error).message;
  } finally {
    await controlServer.close();
    await decoy.close();
    await server.close();
  }

  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const logFile = path.join(ARTIFACTS, 'integration-workbench.log');
  fs.writeFileSync(logFile, crash ?? workbenchLog);
  process.stdout.write(output.endsWith('\n') || output === '' ? output : `${output}\n`);

  const summary = readSummary(summaryFile, output);
  if (crash) {
    // The harness's message, then the test report; the workbench console and code-server output go to the log.
    console.log(crash.split('\n--- workbench console ---')[0]);
    console.log(`(full details in ${path.relative(REPO, logFile)})`);
  }
  const failed = summary.failed > 0 ? summary.failed : exitCode === 0 && !crash ? 0 : 1;
  const counts = { passed: summary.passed, failed };
  if (process.env.FACTIFY_INTEGRATION_REPORT) fs.writeFileSync(process.env.FACTIFY_INTEGRATION_REPORT, `${JSON.stringify(counts)}\n`);
  if (failed > 0 && !crash) console.log(`Workbench console saved to ${path.relative(REPO, logFile)}`);

  if (process.env.FACTIFY_ITEST_KEEP === '1') console.log(`Kept ${scratch}`);
  else fs.rmSync(scratch, { recursive: true, force: true });

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `\nIntegration (real extension host, packaged .vsix): ${counts.passed} passed, ${counts.failed} failed` +
      `${summary.pending ? `, ${summary.pending} pending` : ''} in ${seconds} s`,
  );
  return failed === 0 ? 0 : 1;
}

/** Unzips the .vsix and returns its `extension/` folder, the extension exactly as it would be installed. */
function unpackVsix(vsix: string, into: string): string {
  fs.mkdirSync(into, { recursive: true });
  const unzip = spawnSync('unzip', ['-q', '-o', vsix, '-d', into], { encoding: 'utf8' });
  if (unzip.error || unzip.status !== 0) throw new Error(`unzip ${vsix} failed: ${unzip.error?.message ?? unzip.stderr}`);
  const extensionDir = path.join(into, 'extension');
  if (!fs.existsSync(path.join(extensionDir, 'package.json'))) throw new Error(`${vsix} has no extension/package.json`);
  return extensionDir;
}

/**
 * Puts the compiled entry and suites inside the unpacked extension's folder, as an extension's own tests
 * usually are (out/test/…). VS Code gives every module below an extension's folder that extension's `vscode`
 * API object, so the suites can answer the extension's prompts by replacing `vscode.window.show…`
 * (host.ts). The .vsix's own files are left untouched.
 */
function copyHostFiles(into: string): string {
  fs.mkdirSync(into, { recursive: true });
  const files = fs.readdirSync(__dirname).filter(HOST_FILES);
  if (!files.some((name) => name.endsWith('.itest.js'))) throw new Error(`no *.itest.js in ${__dirname}: run \`npm run compile\``);
  for (const name of files) fs.copyFileSync(path.join(__dirname, name), path.join(into, name));
  return into;
}

/**
 * A loopback control server for the in-host suites: what the Factify server recorded, its seed and its
 * faults, and what the decoy received (never cleared: the last suite checks it stayed empty all run).
 * JSON in and out.
 */
async function startControlServer(server: FactifyServer, decoy: DecoyServer): Promise<Listening> {
  const handler = async (req: http.IncomingMessage): Promise<unknown> => {
    const url = new URL(req.url ?? '/', 'http://control.invalid');
    const route = `${req.method} ${url.pathname}`;
    const body = await readBody(req);
    switch (route) {
      case 'GET /requests':
        return server.requests;
      case 'POST /clear-requests':
        server.clearRequests();
        return undefined;
      case 'POST /reset':
        server.reset();
        return undefined;
      case 'POST /fault':
        server.addFault(JSON.parse(body) as FaultRule);
        return undefined;
      case 'POST /clear-faults':
        server.clearFaults();
        return undefined;
      case 'GET /keys':
        return server.keysOf(url.searchParams.get('org') ?? '');
      case 'GET /decoy-requests':
        return decoy.requests;
      default:
        throw Object.assign(new Error(`no route ${route}`), { status: 404 });
    }
  };
  const control = http.createServer((req, res) => {
    handler(req).then(
      (result) => {
        const text = result === undefined ? '' : JSON.stringify(result);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      },
      (error: Error & { status?: number }) => {
        res.writeHead(error.status ?? 500, { 'content-type': 'text/plain' });
        res.end(error.message);
      },
    );
  });
  return listenTracked(control, 'http', '127.0.0.1', 0);
}

/** The entry's JSON summary; failing that, the spec reporter's "N passing / M failing" lines. */
function readSummary(file: string, output: string): Pick<Summary, 'passed' | 'failed' | 'pending'> {
  if (fs.existsSync(file)) {
    const summary = JSON.parse(fs.readFileSync(file, 'utf8')) as Summary;
    return { passed: summary.passed, failed: summary.failed, pending: summary.pending };
  }
  const count = (word: string): number => Number(new RegExp(`^\\s*(\\d+) ${word}`, 'm').exec(output)?.[1] ?? 0);
  return { passed: count('passing'), failed: count('failing'), pending: count('pending') };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    if (process.env.FACTIFY_INTEGRATION_REPORT)
      fs.writeFileSync(process.env.FACTIFY_INTEGRATION_REPORT, `${JSON.stringify({ passed: 0, failed: 1 })}\n`);
    console.log('\nIntegration (real extension host, packaged .vsix): 0 passed, 1 failed (the run could not start)');
    process.exit(1);
  },
);
