/**
 * The UI journeys' session: one local Factify server, one decoy origin, one code-server with the packaged .vsix
 * installed, and one Chromium page on its workbench, per test file; and a journey wrapper that says what the
 * user saw when a journey fails.
 *
 * What the journeys do with it lives beside it, by concern, and is re-exported here: reading the view
 * (./viewState.ts), notifications, menus, input boxes and sign-in (./prompts.ts), the rows the server's
 * records call for (./expectedRows.ts) and the token leak search (./leakSearch.ts). All of it drives the UI
 * as a person would and reads back what a person would see. See test/realvscode/README.md for the harness.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  installLanguagePack,
  installVsix,
  launchBrowser,
  openWorkbench,
  screenshot,
  treeRows,
  type CodeServer,
  startCodeServer,
  UI_TIMEOUT_MS,
} from '../realvscode/harness';
import { startDecoyServer, type DecoyServer } from '../server/decoy';
import { startFactifyServer, type FactifyServer } from '../server/factifyServer';
import { openKeysView, parkMouse, viewMessage, welcomeText } from './viewState';

// What the journeys use besides the session, by concern; all of it importable from here.
export * from './viewState';
export * from './prompts';
export * from './expectedRows';
export * from './leakSearch';

export const ORG_HEADER = 'x-factify-organization-id';

export interface UiSession {
  api: FactifyServer;
  decoy: DecoyServer;
  code: CodeServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  dirs: { base: string; workspaceDir: string; userDataDir: string; extensionsDir: string };
  /** Every token typed into the workbench, for the leak check. */
  tokensUsed: Set<string>;
  /** Browser console lines of every page, for diagnosis. */
  console: string[];
  /** The token the view last listed keys with, as far as the journeys know. */
  signedInAs: string | undefined;
}

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

export const VSIX = path.join(repoRoot(), 'dist', 'factify-api-keys.vsix');

/** What a session's workbench is like beyond its settings. */
export interface SessionOptions {
  /** Display language, e.g. `de`: a test language pack is installed and code-server starts with `--locale`. */
  readonly locale?: string;
}

/** The view's name in a display language, as package.nls(.<locale>).json gives it. */
export function viewNameIn(locale = 'en'): string {
  const file = locale === 'en' ? 'package.nls.json' : `package.nls.${locale}.json`;
  const strings = JSON.parse(fs.readFileSync(path.join(repoRoot(), file), 'utf8')) as Record<string, string>;
  const name = strings['views.apiKeys.name'];
  assert.ok(name, `${file} names the view`);
  return name;
}

/** Starts the servers and code-server with the installed .vsix, opens the workbench and the API Keys view. */
/** `extraVsix`: test-only extensions installed beside it (e.g. one that invokes language model tools). */
export async function startSession(
  settings: Record<string, unknown> = {},
  extraVsix: readonly string[] = [],
  options: SessionOptions = {},
): Promise<UiSession> {
  assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run \`npm run package\` first`);
  const api = await startFactifyServer();
  const decoy = await startDecoyServer();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'factify-ui-'));
  const dirs = {
    base,
    workspaceDir: path.join(base, 'workspace'),
    userDataDir: path.join(base, 'user-data'),
    extensionsDir: path.join(base, 'extensions'),
  };
  for (const dir of [dirs.workspaceDir, dirs.userDataDir, dirs.extensionsDir]) fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dirs.workspaceDir, 'README.md'), '# A workspace for the Factify UI journeys\n');
  await installVsix(VSIX, dirs.extensionsDir);
  for (const vsix of extraVsix) await installVsix(vsix, dirs.extensionsDir);
  if (options.locale) await installLanguagePack(options.locale, dirs.extensionsDir, dirs.userDataDir);
  const code = await startCodeServer({ ...dirs, settings: { 'factify.apiBaseUrl': api.url, ...settings }, locale: options.locale });
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Copy Key ID goes through the browser's clipboard: let the page read it back.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: code.url });
  const session: UiSession = {
    api,
    decoy,
    code,
    browser,
    context,
    page: undefined as unknown as Page,
    dirs,
    tokensUsed: new Set(),
    console: [],
    signedInAs: undefined,
  };
  session.page = await openWindow(session);
  await openKeysView(session.page, viewNameIn(options.locale));
  await widenSideBar(session.page);
  return session;
}

/** A new browser window (page) on the same workbench, console captured. */
export async function openWindow(session: UiSession): Promise<Page> {
  const page = await session.context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  page.on('console', (message) => session.console.push(`[${message.type()}] ${message.text()}`));
  await openWorkbench(page, session.code.url, session.dirs.workspaceDir);
  return page;
}

export async function stopSession(session: UiSession | undefined): Promise<void> {
  if (!session) return;
  await session.browser.close().catch(() => undefined);
  await session.code.stop();
  await session.api.close();
  await session.decoy.close();
  fs.rmSync(session.dirs.base, { recursive: true, force: true });
}

/**
 * One code-server, browser and Factify server for the calling describe(): started before its first test and
 * stopped after its last. `run` wraps a journey (screenshot and context on failure).
 */
export function sharedSession(
  extraVsix: () => readonly string[] = () => [],
  options: SessionOptions & { readonly settings?: Record<string, unknown> } = {},
): {
  session: () => UiSession;
  run: (name: string, body: () => Promise<void>) => Promise<void>;
} {
  let current: UiSession | undefined;
  before(async () => {
    current = await startSession(options.settings, extraVsix(), options);
  });
  after(async () => {
    await stopSession(current);
  });
  return {
    session: () => {
      assert.ok(current, 'the session did not start');
      return current;
    },
    run: (name, body) => journey(() => current, name, body),
  };
}

/**
 * Runs a journey body; on failure saves a screenshot named after it and adds the view's state and the
 * server's requests to the error, so a red run says what the user saw.
 */
export async function journey(session: () => UiSession | undefined, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const s = session();
    let detail = '';
    if (s) {
      const file = await screenshot(s.page, `FAILED-${name}`).catch(() => '(no screenshot)');
      const rows = await treeRows(s.page).catch(() => []);
      detail =
        `\n--- screenshot: ${file}\n--- rows: ${JSON.stringify(rows)}\n--- message: ${await viewMessage(s.page).catch(() => '?')}` +
        `\n--- welcome: ${await welcomeText(s.page).catch(() => '?')}` +
        `\n--- requests: ${JSON.stringify(s.api.requests.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query)}`))}` +
        `\n--- workbench console (Factify lines): ${s.console
          .filter((line) => /factify/i.test(line))
          .slice(-10)
          .join('\n')}`;
    }
    if (error instanceof Error) {
      // The stack was written when the error was made, and it is what the test runner prints.
      if (error.stack) error.stack += detail;
      else error.message += detail;
      throw error;
    }
    throw new Error(`${String(error)}${detail}`, { cause: error });
  }
}

/** Drags the side bar's edge so rows show their whole description (and screenshots read well). */
async function widenSideBar(page: Page): Promise<void> {
  const sash = page.locator('.monaco-sash.primary-sidebar-sash');
  const box = await sash.boundingBox();
  if (!box) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(box.x + 120, y, { steps: 4 });
  await page.mouse.move(box.x + 230, y, { steps: 4 });
  await page.mouse.up();
  await parkMouse(page);
}
