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
import { chromium, type Browser, type ConsoleMessage, type Locator, type Page } from 'playwright-core';

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
const WORKBENCH_TIMEOUT_MS = 60_000;
/** How long a UI state may take on a busy machine. Generous: it only costs time when the state never comes. */
export const UI_TIMEOUT_MS = 30_000;

const NOTIFICATION_MESSAGE = '.notification-list-item-message';

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

/** A .vsix (a zip) of `files` (paths inside the extension folder → contents), packed with `zip` in `dir`. */
function packVsix(dir: string, identity: { publisher: string; name: string; version: string }, files: Record<string, string>): string {
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
    <DisplayName>${identity.name}</DisplayName>
    <Description xml:space="preserve">Test only.</Description>
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
      '<Default Extension=".json" ContentType="application/json" /><Default Extension=".vsixmanifest" ContentType="text/xml" /></Types>',
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

export async function openWorkbench(page: Page, serverUrl: string, workspaceDir: string): Promise<void> {
  await page.goto(`${serverUrl}/?folder=${encodeURIComponent(workspaceDir)}`);
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: WORKBENCH_TIMEOUT_MS });
}

/**
 * Runs a command from the command palette by its title, e.g. `runCommand(page, 'Refresh')` runs
 * "Factify: Refresh". Returns once the command was chosen; the command may then open its own input.
 */
export async function runCommand(page: Page, commandTitle: string, category = 'Factify'): Promise<void> {
  const fullTitle = `${category}: ${commandTitle}`;
  const widget = page.locator('.quick-input-widget');
  const row = widget
    .locator('.monaco-list-row', {
      has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(fullTitle)}$`) }),
    })
    .first();
  // The palette lists the commands known when it opens and does not update while open, and an extension's
  // commands arrive a few seconds after the workbench shows: reopen it until the command is listed.
  const deadline = Date.now() + WORKBENCH_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await widget.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await widget.locator('.quick-input-box input').fill(`>${fullTitle}`);
    try {
      // Each look waits longer, so a slow filter is not mistaken for a missing command over and over.
      await row.waitFor({ state: 'visible', timeout: Math.min(2_000 * attempt, 10_000) });
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`command "${fullTitle}" is not in the command palette`, { cause: error });
      }
      await page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    }
  }
  await row.click();
}

/**
 * Types into the input box a command opened (not the command palette) and accepts it with Enter.
 * The box stays open if the extension's validation rejects the value.
 */
export async function fillInputBox(page: Page, text: string): Promise<void> {
  const input = await waitForInputBox(page);
  await input.fill(text);
  await input.press('Enter');
}

export async function pressEscape(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
}

/** Clicks the first item of the open quick pick (not the command palette) whose row text contains `labelContains`. */
export async function pickQuickPickItem(page: Page, labelContains: string): Promise<void> {
  await waitForInputBox(page);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: labelContains }).first();
  await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await row.click();
}

/** Selector of the Factify "API Keys" view's pane (view id `factify.apiKeys`), "API-Schlüssel" in German. */
export const FACTIFY_VIEW_SELECTOR = '.pane:has(.pane-header[aria-label^="API Keys"], .pane-header[aria-label^="API-Schlüssel"])';

/**
 * aria-labels (trimmed) of the rendered rows of a tree view, the Factify view by default; each holds the
 * item's label and description. The view must be open (e.g. `runCommand(page, 'Focus on API Keys View')`).
 * Rows scrolled out of sight are not rendered and not returned.
 */
export async function treeRows(page: Page, viewSelector = FACTIFY_VIEW_SELECTOR): Promise<string[]> {
  const body = page.locator(`${viewSelector} .pane-body`);
  try {
    await body.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  } catch (error) {
    throw new Error(`no open tree view matches ${viewSelector}; open it first`, { cause: error });
  }
  return body.locator('.monaco-list-row').evaluateAll((rows) => rows.map((row) => (row.getAttribute('aria-label') ?? '').trim()));
}

/** The first rendered row of a tree view (the Factify view by default) whose aria-label contains `labelContains`. */
export function treeRow(page: Page, labelContains: string, viewSelector = FACTIFY_VIEW_SELECTOR): Locator {
  return page.locator(`${viewSelector} .pane-body .monaco-list-row[aria-label*="${cssString(labelContains)}"]`).first();
}

/** Message and detail text of the open modal dialog. */
export async function readDialog(page: Page): Promise<string> {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  return (await dialog.locator('.dialog-message-container').innerText()).trim();
}

/** Clicks the button of the open modal dialog whose label starts with `labelStartsWith`. */
export async function clickDialogButton(page: Page, labelStartsWith: string): Promise<void> {
  const button = page
    .locator('.monaco-dialog-box .dialog-buttons .monaco-button', {
      hasText: new RegExp(`^\\s*${escapeRegExp(labelStartsWith)}`),
    })
    .first();
  await button.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await button.click();
}

/**
 * Texts of the current notifications: the visible toasts plus everything in the notification center
 * (toasts can auto-hide, and may not show at all in development-payload mode). Opens the center through
 * "Notifications: Show Notifications" and closes it again.
 */
export async function readNotifications(page: Page): Promise<string[]> {
  const toasts = await page.locator(`.notification-toast-container ${NOTIFICATION_MESSAGE}`).allInnerTexts();
  await runCommand(page, 'Show Notifications', 'Notifications');
  const center = page.locator('.notifications-center');
  await center.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  const centerTexts = await center.locator(NOTIFICATION_MESSAGE).allInnerTexts();
  await runCommand(page, 'Hide Notifications', 'Notifications');
  await center.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  return [...new Set([...toasts, ...centerTexts].map((text) => text.trim()).filter(Boolean))];
}

/** Saves a full-page PNG into `<repo>/.test-artifacts/screenshots/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = path.join(repoRoot(), '.test-artifacts', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
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

/**
 * Waits for a quick input opened by a command: the shared `.quick-input-widget` is visible and no longer
 * holds the command palette's `>` query (right after a palette choice the palette may still be showing).
 */
async function waitForInputBox(page: Page): Promise<Locator> {
  await page.waitForFunction(
    `(() => {
      const widget = document.querySelector('.quick-input-widget');
      const input = widget && widget.querySelector('.quick-input-box input');
      return !!input && widget.checkVisibility() && !input.value.startsWith('>');
    })()`,
    undefined,
    { timeout: UI_TIMEOUT_MS },
  );
  return page.locator('.quick-input-widget .quick-input-box input');
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

/** `text` as a regular expression that matches exactly it. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` escaped for use inside a double-quoted CSS attribute value. */
function cssString(text: string): string {
  return text.replace(/["\\]/g, '\\$&');
}

/** The nearest folder above this file holding a package.json (the repo, from test/ or out/test/). */
function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no package.json above ${__dirname}`);
    }
    dir = parent;
  }
  return dir;
}
