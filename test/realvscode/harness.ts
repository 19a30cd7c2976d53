/**
 * Harness for running the extension in a real VS Code workbench: code-server (VS Code's web workbench with a
 * Node extension host, run under Node 24) driven by Debian Chromium through playwright-core.
 *
 * Prerequisite: `npm run setup:vscode` (scripts/setup-real-vscode.sh), which caches Node 24 and code-server
 * outside the repo and writes env.json with their paths. This module runs under the repo's own Node 20.
 * See test/realvscode/README.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { chromium, type Browser, type ConsoleMessage } from 'playwright-core';

// Driving the workbench's UI: its helpers are in ./workbench.ts, and importable from here too.
export * from './workbench';

export interface RealVsCodeEnv {
  /** Node 24 binary that runs code-server. */
  node: string;
  /** code-server's entry script (out/node/entry.js), run with `node`. */
  codeServer: string;
  /** Chromium binary for Playwright. */
  chromium: string;
}

export interface CodeServerOptions {
  workspaceDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** User settings, merged over quiet defaults and written to `<userDataDir>/User/settings.json`. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server; its extension host inherits it. */
  env?: Record<string, string>;
  /** Needed for development payloads (`extensionTestsPath`); the built workbench ignores them otherwise. */
  smokeTestDriver?: boolean;
  /** A fixed port (the demo prints a URL people type); a free one when absent. */
  port?: number;
  /** Display language (`--locale`), e.g. `de`; other than `en` it needs `installLanguagePack` first. */
  locale?: string;
}

export interface CodeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Everything code-server wrote to stdout and stderr so far. */
  logs(): string;
  /** Stops code-server and every process it started (extension hosts, pty host…). */
  stop(): Promise<void>;
}

export interface ExtensionTestOptions {
  /** Folder of the extension under test (its package.json). */
  extensionDevelopmentPath: string;
  /** Compiled tests entry: a module exporting `run(): Promise<void>`, loaded in the extension host. */
  extensionTestsPath: string;
  workspaceDir: string;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Whole-run deadline; default 120 s. */
  timeoutMs?: number;
}

export interface ExtensionTestResult {
  /** Exit code of the test extension host: 0 when `run()` resolved, 1 when it rejected. */
  exitCode: number;
  /** What the tests entry wrote to the file named by `FACTIFY_TEST_REPORT_FILE` (its reporter's lines). */
  output: string;
  /** The workbench's browser console (its own log lines and the extension host's console), for diagnosis. */
  workbenchLog: string;
}

/** Environment variable naming the file the in-host tests entry writes its report to. */
export const TEST_REPORT_FILE_ENV = 'FACTIFY_TEST_REPORT_FILE';

const CODE_SERVER_FLAGS = ['--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust'];

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Settings that keep the workbench quiet and deterministic; callers' settings override them. */
const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // The expiry reminder is a notification of its own: only the journeys about it turn it on.
  'factify.expiryReminders': false,
  // No fade-outs: screenshots and visibility checks see the settled UI.
  'workbench.reduceMotion': 'on',
};

const SERVER_START_TIMEOUT_MS = 60_000;

/**
 * code-server process groups still running. They are detached from this process, so a Ctrl-C or an exit
 * without stop() would leave them behind: kill them then, and let the signal take its usual course.
 */
const liveProcessGroups = new Set<number>();
const killLiveProcessGroups = (): void => {
  for (const pgid of liveProcessGroups) {
    killGroup(pgid, 'SIGKILL');
  }
  liveProcessGroups.clear();
};
process.on('exit', killLiveProcessGroups);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killLiveProcessGroups();
    process.kill(process.pid, signal);
  });
}

function realVsCodeCacheDir(): string {
  return process.env.FACTIFY_VSCODE_CACHE ?? path.join(os.homedir(), '.cache', 'factify-real-vscode');
}

export function loadRealVsCodeEnv(): RealVsCodeEnv {
  const envFile = path.join(realVsCodeCacheDir(), 'env.json');
  const notReady = (why: string): Error =>
    new Error(`Real VS Code is not set up: ${why}. Run \`npm run setup:vscode\` first (3-5 minutes the first time).`);
  if (!fs.existsSync(envFile)) {
    throw notReady(`${envFile} does not exist`);
  }
  const parsed = JSON.parse(fs.readFileSync(envFile, 'utf8')) as Partial<RealVsCodeEnv>;
  const env: RealVsCodeEnv = { node: parsed.node ?? '', codeServer: parsed.codeServer ?? '', chromium: parsed.chromium ?? '' };
  for (const [key, file] of Object.entries(env)) {
    if (!file || !fs.existsSync(file)) {
      throw notReady(`${key} path "${file}" from ${envFile} does not exist`);
    }
  }
  return env;
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const env = loadRealVsCodeEnv();
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  writeUserSettings(opts.userDataDir, opts.settings);
  fs.mkdirSync(opts.extensionsDir, { recursive: true });

  const args = [
    env.codeServer,
    ...CODE_SERVER_FLAGS,
    '--bind-addr',
    `127.0.0.1:${port}`,
    // code-server otherwise creates ~/.config/code-server/config.yaml (with a password) on first start.
    '--config',
    path.join(opts.userDataDir, 'code-server.yaml'),
    '--user-data-dir',
    opts.userDataDir,
    '--extensions-dir',
    opts.extensionsDir,
    '--ignore-last-opened',
    ...(opts.locale ? ['--locale', opts.locale] : []),
    ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    opts.workspaceDir,
  ];
  // detached: code-server leads its own process group, so stop() can end the extension hosts with it.
  const child = spawn(env.node, args, { env: serverEnv(opts.env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pgid = child.pid;
  if (pgid === undefined) {
    throw new Error(`could not start code-server (${env.node} ${env.codeServer})`);
  }
  liveProcessGroups.add(pgid);

  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (liveProcessGroups.delete(pgid)) {
      killGroup(pgid, 'SIGTERM');
      await Promise.race([exited, delay(5_000)]);
      killGroup(pgid, 'SIGKILL');
    }
  };

  try {
    await waitForHttp(`${url}/healthz`, child);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- code-server output ---\n${output}`, { cause: error });
  }
  return { url, port, logs: () => output, stop };
}

export async function installVsix(vsixPath: string, extensionsDir: string): Promise<void> {
  const env = loadRealVsCodeEnv();
  // A throwaway user data folder and config keep the install from touching ~/.local/share or ~/.config.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'factify-vsix-'));
  try {
    const args = [
      env.codeServer,
      '--config',
      path.join(scratch, 'code-server.yaml'),
      '--user-data-dir',
      scratch,
      '--extensions-dir',
      extensionsDir,
      '--install-extension',
      path.resolve(vsixPath),
      '--force',
    ];
    const { code, output } = await runToEnd(env.node, args, serverEnv());
    if (code !== 0 || !/successfully installed/i.test(output)) {
      throw new Error(`installing ${vsixPath} failed (exit ${code}):\n${output}`);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Makes `locale` the display language without the Marketplace: installs a minimal language pack of the tests'
 * own into `extensionsDir` and registers it in `<userDataDir>/languagepacks.json`, where VS Code looks up the
 * pack for `--locale` (an install from another user-data folder does not write it). The pack translates none
 * of VS Code itself, so the workbench stays English; extensions get `vscode.env.language === locale`, their
 * `package.nls.<locale>.json` and their `l10n/bundle.l10n.<locale>.json`. Start code-server with `locale`.
 */
export async function installLanguagePack(locale: string, extensionsDir: string, userDataDir: string): Promise<void> {
  const publisher = 'factify-tests';
  const name = `language-pack-${locale}`;
  const version = '0.0.1';
  const translations = 'translations/main.i18n.json';
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `factify-${name}-`));
  try {
    const manifest = {
      name,
      publisher,
      version,
      displayName: `Test language pack (${locale})`,
      engines: { vscode: '^1.96.0' },
      categories: ['Language Packs'],
      contributes: {
        localizations: [
          {
            languageId: locale,
            languageName: locale,
            localizedLanguageName: locale,
            translations: [{ id: 'vscode', path: `./${translations}` }],
          },
        ],
      },
    };
    const vsix = packVsix(
      scratch,
      { publisher, name, version },
      { 'package.json': JSON.stringify(manifest, null, 2), [translations]: '{ "version": "1.0.0", "contents": {} }' },
    );
    await installVsix(vsix, extensionsDir);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const id = `${publisher}.${name}`;
  const installed = fs.readdirSync(extensionsDir).find((entry) => entry.toLowerCase() === `${id}-${version}`);
  if (!installed) throw new Error(`the language pack ${id} is not in ${extensionsDir} after installing it`);
  const translationsFile = path.join(extensionsDir, installed, translations);
  if (!fs.existsSync(translationsFile)) throw new Error(`${translationsFile} is missing`);
  const languagePacks = {
    [locale]: {
      hash: createHash('md5').update(`${id}@${version}`).digest('hex'),
      extensions: [{ extensionIdentifier: { id }, version }],
      translations: { vscode: translationsFile },
      label: locale,
    },
  };
  fs.mkdirSync(userDataDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), `${JSON.stringify(languagePacks, null, 2)}\n`);
}

/** Who a test extension is, for its .vsix manifest. */
export interface VsixIdentity {
  readonly publisher: string;
  readonly name: string;
  readonly version: string;
  readonly displayName?: string;
  readonly description?: string;
}

/** A .vsix (a zip) of `files` (paths inside the extension folder → contents), packed with `zip` in `dir`. */
export function packVsix(dir: string, identity: VsixIdentity, files: Record<string, string>): string {
  for (const [file, contents] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, 'extension', file)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'extension', file), contents);
  }
  fs.writeFileSync(
    path.join(dir, 'extension.vsixmanifest'),
    `<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011" xmlns:d="http://schemas.microsoft.com/developer/vsx-schema-design/2011">
  <Metadata>
    <Identity Language="en-US" Id="${identity.name}" Version="${identity.version}" Publisher="${identity.publisher}" />
    <DisplayName>${identity.displayName ?? identity.name}</DisplayName>
    <Description xml:space="preserve">${identity.description ?? 'Test only.'}</Description>
    <Properties><Property Id="Microsoft.VisualStudio.Code.Engine" Value="^1.96.0" /></Properties>
  </Metadata>
  <Installation><InstallationTarget Id="Microsoft.VisualStudio.Code" /></Installation>
  <Dependencies />
  <Assets><Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true" /></Assets>
</PackageManifest>
`,
  );
  fs.writeFileSync(
    path.join(dir, '[Content_Types].xml'),
    '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension=".json" ContentType="application/json" />' +
      (Object.keys(files).some((file) => file.endsWith('.js')) ? '<Default Extension=".js" ContentType="application/javascript" />' : '') +
      '<Default Extension=".vsixmanifest" ContentType="text/xml" /></Types>',
  );
  const vsix = path.join(dir, `${identity.name}.vsix`);
  const zip = spawnSync('zip', ['-q', '-r', vsix, '[Content_Types].xml', 'extension.vsixmanifest', 'extension'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (zip.status !== 0) throw new Error(`zip failed: ${zip.error?.message ?? zip.stderr}`);
  return vsix;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: loadRealVsCodeEnv().chromium, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Runs extension integration tests inside a real extension host, as `@vscode/test-electron` would:
 * the workbench opens with a development payload (extensionDevelopmentPath + extensionTestsPath), the
 * extension host loads the tests entry and calls its `run()`, and the workbench reports the end of the
 * test extension host through `window.codeAutomationExit(code)` (0 = run() resolved, 1 = it rejected).
 *
 * Getting the test output back: the extension host is a Node process that code-server forks; its console
 * does not reach code-server's output but is forwarded to the workbench, which logs it mixed with its own
 * lines (and `window.codeAutomationLog` receives it with printf-style arguments flattened). So the harness passes `FACTIFY_TEST_REPORT_FILE` (a fresh
 * file) in code-server's environment, which the extension host inherits, and the tests entry writes its
 * reporter's lines there (e.g. by pointing `Mocha.reporters.Base.consoleLog` at an append to that file);
 * `output` is that file. The browser console is kept separately as `workbenchLog` for diagnosis.
 */
export async function runExtensionTests(opts: ExtensionTestOptions): Promise<ExtensionTestResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'factify-exttest-'));
  const reportFile = path.join(scratch, 'report.log');
  const server = await startCodeServer({
    workspaceDir: opts.workspaceDir,
    userDataDir: path.join(scratch, 'user-data'),
    extensionsDir: path.join(scratch, 'extensions'),
    settings: opts.settings,
    env: { ...opts.env, [TEST_REPORT_FILE_ENV]: reportFile },
    smokeTestDriver: true,
  });
  const browser = await launchBrowser();
  const consoleLines: Promise<string>[] = [];
  const readResults = async (): Promise<{ output: string; workbenchLog: string }> => ({
    output: fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'utf8') : '',
    workbenchLog: (await Promise.all(consoleLines)).join('\n'),
  });
  try {
    const page = await browser.newPage();
    page.on('console', (message) => consoleLines.push(formatConsoleMessage(message)));
    let resolveExit: (code: number) => void = () => undefined;
    const exitCode = new Promise<number>((resolve) => (resolveExit = resolve));
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));

    const remote = (file: string): string => `vscode-remote://localhost:${server.port}${path.resolve(file)}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(opts.extensionDevelopmentPath)],
      ['extensionTestsPath', remote(opts.extensionTestsPath)],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(path.resolve(opts.workspaceDir))}&payload=${encodeURIComponent(payload)}`);

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`extension tests did not finish within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const code = await Promise.race([exitCode, timedOut]);
      return { exitCode: code, ...(await readResults()) };
    } catch (error) {
      const { output, workbenchLog } = await readResults();
      throw new Error(
        `${(error as Error).message}\n--- test report ---\n${output}\n--- workbench console ---\n${workbenchLog}` +
          `\n--- code-server output ---\n${server.logs()}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * A browser console message as text. The workbench's console logger calls
 * `console.log('%c LEVEL', 'color: …', message, ...args)`; this renders it as `LEVEL <formatted message>`.
 */
async function formatConsoleMessage(message: ConsoleMessage): Promise<string> {
  const values = await Promise.all(message.args().map((arg) => arg.jsonValue().catch((): unknown => '[unserializable]')));
  const [first, , ...rest] = values;
  if (typeof first === 'string' && first.startsWith('%c') && values.length >= 2) {
    return `${first.slice(2).trim()} ${util.format(...rest)}`;
  }
  return values.length ? util.format(...values) : message.text();
}

function writeUserSettings(userDataDir: string, settings: Record<string, unknown> = {}): void {
  const userDir = path.join(userDataDir, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'settings.json'), `${JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2)}\n`);
}

/** The runner's environment without variables of an enclosing VS Code, plus `extra`. */
function serverEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VSCODE_') && key !== 'ELECTRON_RUN_AS_NODE') {
      env[key] = value;
    }
  }
  return { ...env, ...extra };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before answering ${url}`);
    }
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      await delay(200);
    }
  }
  throw new Error(`code-server did not answer ${url} within ${SERVER_START_TIMEOUT_MS} ms`);
}

function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw error;
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
