/**
 * Shared set-up and helpers for the UI journeys: one local Factify server, one decoy origin, one code-server
 * with the packaged .vsix installed, and one Chromium page on its workbench, per test file.
 *
 * Everything here drives the UI as a person would (palette, view title buttons, context menus, input
 * boxes, dialogs, notifications) and reads back what a person would see (rows' aria-labels, the view's
 * message and welcome content, the status bar). See test/realvscode/README.md for the harness.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import {
  FACTIFY_VIEW_SELECTOR,
  installLanguagePack,
  installVsix,
  launchBrowser,
  openWorkbench,
  pressEscape,
  readNotifications,
  runCommand,
  screenshot,
  treeRow,
  treeRows,
  fillInputBox,
  type CodeServer,
  startCodeServer,
  escapeRegExp,
  UI_TIMEOUT_MS,
} from '../realvscode/harness';
import { startDecoyServer, type DecoyServer } from '../server/decoy';
import { startFactifyServer, type FactifyServer, type RecordedRequest, type ServerApiKey } from '../server/factifyServer';

export const ORG_HEADER = 'x-factify-organization-id';
export const STATUS_ITEM_SELECTOR = '[id="factify.factify-api-keys.factify.organization"]';

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
 * Runs a journey body; on failure saves a screenshot named after it and adds the view's state and the
 * server's requests to the error, so a red run says what the user saw.
 */
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

// ---------------------------------------------------------------------------------------------------------
// Waiting and reading what the user sees

/** Polls `probe` until it returns a truthy value; fails with `what` and the last value seen. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false | ''>,
  timeoutMs = UI_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined | null | false | '';
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}` +
          (lastError ? `; last error: ${(lastError as Error).message}` : ''),
      );
    }
    await delay(150);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Opens the view through the command VS Code makes for it, which carries the view's name in the display language. */
export async function openKeysView(page: Page, viewName = 'API Keys'): Promise<void> {
  await runCommand(page, `Focus on ${viewName} View`);
  await page.locator(`${FACTIFY_VIEW_SELECTOR} .pane-body`).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
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

/** Moves the pointer off the side bar so no hover tooltip covers what a screenshot shows. */
export async function parkMouse(page: Page): Promise<void> {
  await page.mouse.move(1000, 650);
}

/** The rows' aria-labels once `accept` approves them (e.g. the list finished loading). */
export async function waitForRows(page: Page, what: string, accept: (rows: string[]) => boolean): Promise<string[]> {
  return waitFor(`rows: ${what}`, async () => {
    const rows = await treeRows(page);
    return accept(rows) ? rows : undefined;
  });
}

/** The message shown above the tree (errors, "Filtered by …"), '' when hidden. */
export async function viewMessage(page: Page): Promise<string> {
  const message = page.locator(`${FACTIFY_VIEW_SELECTOR} .tree-explorer-viewlet-tree-view > .message`);
  if ((await message.count()) === 0) return '';
  const hidden = await message.evaluate((element) => element.classList.contains('hide') || !element.checkVisibility());
  return hidden ? '' : (await message.innerText()).trim();
}

/** The view's welcome content (viewsWelcome), '' when it is not showing. */
export async function welcomeText(page: Page): Promise<string> {
  const welcome = page.locator(`${FACTIFY_VIEW_SELECTOR} .pane-body.welcome .welcome-view-content`);
  if ((await welcome.count()) === 0 || !(await welcome.isVisible())) return '';
  return (await welcome.innerText()).trim();
}

/** A button of the welcome content. */
export function welcomeButton(page: Page, label: string): Locator {
  return page.locator(`${FACTIFY_VIEW_SELECTOR} .pane-body.welcome .welcome-view-content .monaco-button`, {
    hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`),
  });
}

/**
 * An action of the view's title bar. The Factify container holds one view, so VS Code shows the view's
 * title actions in the side bar's title (the pane header itself is hidden).
 */
export function titleAction(page: Page, label: string): Locator {
  return page.locator(`.part.sidebar .title-actions .action-label[aria-label="${label}"]`);
}

/** aria-label and codicon of every view title action, e.g. ['Refresh codicon-refresh', …]. */
export async function titleActions(page: Page): Promise<string[]> {
  return page.locator('.part.sidebar .title-actions .action-label').evaluateAll((elements) =>
    elements.map((element) => {
      const icon = [...element.classList].find((name) => name.startsWith('codicon-')) ?? '';
      return `${element.getAttribute('aria-label') ?? ''} ${icon}`.trim();
    }),
  );
}

export interface StatusItem {
  visible: boolean;
  text: string;
  background: string;
  classes: string;
}

/** The extension's organization status-bar item. */
export async function statusItem(page: Page): Promise<StatusItem> {
  const item = page.locator(STATUS_ITEM_SELECTOR);
  if ((await item.count()) === 0 || !(await item.isVisible())) return { visible: false, text: '', background: '', classes: '' };
  return {
    visible: true,
    text: (await item.innerText()).trim(),
    background: await item.evaluate((element) => element.ownerDocument.defaultView?.getComputedStyle(element).backgroundColor ?? ''),
    classes: (await item.getAttribute('class')) ?? '',
  };
}

/** True while the view shows its progress bar (loading, revoking). */
export async function viewBusy(page: Page): Promise<boolean> {
  return page.locator('.part.sidebar .monaco-progress-container.active').isVisible();
}

/** Text of the status bar (transient messages such as "Copied key ID …" included). */
export async function statusBarText(page: Page): Promise<string> {
  return (await page.locator('.part.statusbar').innerText()).replace(/\s+/g, ' ');
}

// ---------------------------------------------------------------------------------------------------------
// Notifications

export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Clear All Notifications', 'Notifications');
  await page
    .locator('.notification-toast')
    .first()
    .waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS })
    .catch(() => undefined);
}

/**
 * The first notification whose message matches: toasts first (they show at once), then the notification
 * center (toasts may hide before they are read).
 */
export async function waitForNotification(page: Page, pattern: RegExp, timeoutMs = UI_TIMEOUT_MS): Promise<string> {
  const toasts = page.locator('.notification-toast-container .notification-list-item-message');
  try {
    return await waitFor(
      `a notification matching ${pattern}`,
      async () => (await toasts.allInnerTexts()).map((text) => text.trim()).find((text) => pattern.test(text)),
      timeoutMs,
    );
  } catch (error) {
    const all = await readNotifications(page);
    const found = all.find((text) => pattern.test(text));
    if (found) return found;
    throw new Error(`no notification matches ${pattern}; notifications: ${JSON.stringify(all)}`, { cause: error });
  }
}

/** Clicks a button of the notification whose message matches (in a toast, or else in the center). */
export async function clickNotificationButton(page: Page, pattern: RegExp, button: string): Promise<void> {
  const buttonIn = (scope: string): Locator =>
    page
      .locator(`${scope} .notification-list-item`, { has: page.locator('.notification-list-item-message', { hasText: pattern }) })
      .locator('.notification-list-item-buttons-container .monaco-button', { hasText: new RegExp(`^\\s*${escapeRegExp(button)}\\s*$`) })
      .first();
  const inToast = buttonIn('.notification-toast-container');
  if (await inToast.isVisible()) {
    await inToast.click();
    return;
  }
  await runCommand(page, 'Show Notifications', 'Notifications');
  const inCenter = buttonIn('.notifications-center');
  await inCenter.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await inCenter.click();
  await runCommand(page, 'Hide Notifications', 'Notifications');
}

// ---------------------------------------------------------------------------------------------------------
// Driving

/**
 * Right-clicks the row and chooses a context menu item. A click that lands while the menu is still settling
 * is sometimes dropped, so the choice is retried until the menu closes.
 */
export async function chooseFromContextMenu(page: Page, rowLabel: string, item: string): Promise<void> {
  const row = treeRow(page, rowLabel);
  await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await row.click({ button: 'right' });
  await clickOpenMenuItem(page, item);
}

/** Chooses an item of the open context menu, retrying a dropped click. */
export async function clickOpenMenuItem(page: Page, item: string): Promise<void> {
  const menu = page.locator('.context-view .monaco-menu');
  const entry = menu
    .locator('.action-item', {
      has: page.locator('.action-label', { hasText: new RegExp(`^${escapeRegExp(item)}$`) }),
    })
    .first();
  await entry.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  for (let attempt = 1; ; attempt++) {
    await entry.hover();
    await delay(150);
    await entry.click();
    try {
      // Long enough for a slow machine to close the menu, so a click that did land is never repeated.
      await menu.waitFor({ state: 'hidden', timeout: 8_000 });
      return;
    } catch (error) {
      if (!(await menu.isVisible())) return;
      if (attempt >= 3) throw new Error(`context menu item "${item}" did not run`, { cause: error });
    }
  }
}

/** The labels of the open context menu. */
export async function contextMenuItems(page: Page): Promise<string[]> {
  const labels = page.locator('.context-view .monaco-menu .action-item .action-label');
  await labels.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  return (await labels.allInnerTexts()).map((text) => text.trim()).filter(Boolean);
}

/** Waits for the input box a command opened; returns its title. */
export async function waitForInputTitle(page: Page, pattern: RegExp): Promise<string> {
  return waitFor(`an input box titled ${pattern}`, async () => {
    const widget = page.locator('.quick-input-widget');
    if (!(await widget.isVisible())) return undefined;
    const title = (await widget.locator('.quick-input-title').innerText()).trim();
    return pattern.test(title) ? title : undefined;
  });
}

export async function inputBoxVisible(page: Page): Promise<boolean> {
  return page.locator('.quick-input-widget').isVisible();
}

/** Types into the open input box without accepting; returns the validation message once it shows `pattern`. */
export async function typeAndReadValidation(page: Page, text: string, pattern: RegExp): Promise<string> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(text);
  return waitFor(`the input box message to match ${pattern}`, async () => {
    const message = (await page.locator('.quick-input-widget .quick-input-message').innerText()).trim();
    return pattern.test(message) ? message : undefined;
  });
}

/** Labels (first line) of the open quick pick's rows. */
export async function quickPickRows(page: Page): Promise<string[]> {
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  return (await rows.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
}

/**
 * Sets a token through "Factify: Set API Token…" and waits for the outcome the caller expects: the key list
 * (`expectRows`) or just the input box closing.
 */
export async function setToken(session: UiSession, token: string, typed = token): Promise<void> {
  session.tokensUsed.add(token);
  await runCommand(session.page, 'Set API Token…');
  await waitForInputTitle(session.page, /Set API Token/);
  await fillInputBox(session.page, typed);
  await waitFor('the token input box to close', async () => !(await inputBoxVisible(session.page)));
}

/** Signs in with a token and waits until the list for it shows (its first group row). */
export async function signInAndWaitForKeys(session: UiSession, token: string, typed = token): Promise<string[]> {
  session.signedInAs = undefined;
  await setToken(session, token, typed);
  const rows = await waitForRows(session.page, 'the key list', (rows) => rows.some((row) => /^Active \d/.test(row)));
  session.signedInAs = token;
  return rows;
}

/**
 * Makes sure the view lists keys for `token` (the admin's by default), signing in only when needed, so a
 * journey does not depend on the one before it having passed.
 */
export async function ensureSignedIn(session: UiSession, token = session.api.tokens.admin): Promise<void> {
  if (session.signedInAs === token && (await treeRows(session.page)).some((row) => /^Active \d/.test(row))) return;
  await signInAndWaitForKeys(session, token);
  await clearNotifications(session.page);
}

/** The primary organization's whole list (revoked keys hidden), once every group and row of it shows. */
export function waitForPrimaryList(session: UiSession): Promise<string[]> {
  const expected = expectedGroups(session.api.keysOf(session.api.orgs.primary), false);
  return waitForRows(
    session.page,
    "the primary organization's whole list",
    (rows) => expected.every((group) => rows.includes(`${group.label} ${group.count}`)) && rows.length === expectedRowCount(expected),
  );
}

/** Puts the server back to its seed data and reloads the view, so a journey starts from the full list. */
export async function resetServerAndView(session: UiSession): Promise<string[]> {
  session.api.reset();
  await titleAction(session.page, 'Refresh').click();
  // The list may look the same before and after: wait for this refresh's request and its end, not the rows alone.
  await waitFor('the refresh to reach the server', async () => requestsOf(session.api, 'GET').length > 0);
  const rows = await waitForPrimaryList(session);
  await waitFor('the view to stop loading', async () => !(await viewBusy(session.page)));
  session.api.clearRequests();
  return rows;
}

export async function escape(page: Page): Promise<void> {
  await pressEscape(page);
}

// ---------------------------------------------------------------------------------------------------------
// What the rows should be, from the server's own records (SPEC section 2's state rules)

export type State = 'Active' | 'Expired' | 'Inactive' | 'Revoked';

export function stateOf(key: ServerApiKey, nowMs = Date.now()): State {
  if (key.revoked_at) return 'Revoked';
  if (key.expires_at && Date.parse(key.expires_at) <= nowMs) return 'Expired';
  if (!key.is_active) return 'Inactive';
  return 'Active';
}

export interface ExpectedGroup {
  label: State;
  count: number;
  names: string[];
}

export function expectedGroups(keys: readonly ServerApiKey[], includeRevoked: boolean): ExpectedGroup[] {
  const order: State[] = ['Active', 'Expired', 'Inactive', 'Revoked'];
  return order
    .filter((state) => includeRevoked || state !== 'Revoked')
    .map((state) => {
      const names = keys.filter((key) => stateOf(key) === state).map((key) => key.name);
      return { label: state, count: names.length, names: names.sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })) };
    })
    .filter((group) => group.count > 0);
}

export function expectedRowCount(groups: readonly ExpectedGroup[]): number {
  return groups.reduce((sum, group) => sum + 1 + group.names.length, 0);
}

/** Rows parsed back into groups: `Active 8` starts a group, `<name>, active API key, …` is a key. */
export function parseRows(rows: readonly string[]): { label: string; count: string; names: string[] }[] {
  const groups: { label: string; count: string; names: string[] }[] = [];
  for (const row of rows) {
    const group = /^(Active|Expired|Inactive|Revoked) (\d+(?: of \d+)?)$/.exec(row);
    if (group) {
      groups.push({ label: group[1] as string, count: group[2] as string, names: [] });
      continue;
    }
    const current = groups.at(-1);
    assert.ok(current, `key row before any group row: ${row}`);
    const match = new RegExp(`^(.*), ${current.label.toLowerCase()} API key, (.*)$`).exec(row);
    assert.ok(match, `row "${row}" does not say it is ${current.label}`);
    current.names.push(match[1] as string);
  }
  return groups;
}

/** Asserts that the rows show exactly these groups, counts and key names. */
export function assertGroups(rows: readonly string[], expected: readonly ExpectedGroup[]): void {
  const parsed = parseRows(rows);
  assert.deepEqual(
    parsed.map((group) => ({ label: group.label, count: group.count, names: [...group.names].sort() })),
    expected.map((group) => ({ label: group.label, count: String(group.count), names: [...group.names].sort() })),
  );
}

export function keyNamed(api: FactifyServer, orgId: string, name: string): ServerApiKey {
  const key = api.keysOf(orgId).find((candidate) => candidate.name === name);
  assert.ok(key, `no key named ${name} in ${orgId}`);
  return key;
}

export function requestsOf(api: FactifyServer, method: string): RecordedRequest[] {
  return api.requests.filter((request) => request.method === method);
}

// ---------------------------------------------------------------------------------------------------------
// Screenshots

/** The side bar (view and title actions) and the left of the status bar (the organization item). */
export const SIDE_BAR_CLIP = { x: 0, y: 0, width: 576, height: 800 };

/**
 * A screenshot in .test-artifacts/screenshots/<name>.png: the whole 1280x800 window, or `clip` of it. The
 * pointer is parked out of the way first (hovers a journey wants, such as a tooltip, stay).
 */
export async function shot(page: Page, name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<string> {
  if (!(await page.locator('.monaco-hover:visible').count())) await parkMouse(page);
  // A focused status-bar item shows its hover: after a quick pick opened from it, focus returns there.
  await page.evaluate("document.activeElement?.closest('.part.statusbar') && document.activeElement.blur()");
  await delay(250);
  if (!clip) return screenshot(page, name);
  const file = await screenshot(page, name);
  await page.screenshot({ path: file, clip });
  return file;
}

// ---------------------------------------------------------------------------------------------------------
// Leak check (SPEC section 5)

export interface Leak {
  where: string;
  token: string;
}

function tokenForms(token: string): string[] {
  // The whole token, and its secret tail (the random part after the 26-character id) on its own.
  return [token, token.slice(-20)];
}

function findTokens(text: string, tokens: readonly string[]): string[] {
  return tokens.filter((token) => tokenForms(token).some((form) => text.includes(form)));
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/**
 * Name → text of every localStorage entry and IndexedDB record of the page's origin. A script string: the
 * tests compile without the DOM library.
 */
async function browserStorage(page: Page): Promise<Array<{ where: string; text: string }>> {
  return page.evaluate(`(async () => {
    const out = [];
    const asText = (value) => {
      if (typeof value === 'string') return value;
      if (value instanceof Uint8Array) return new TextDecoder().decode(value);
      if (value instanceof ArrayBuffer) return new TextDecoder().decode(new Uint8Array(value));
      try { return JSON.stringify(value) ?? String(value); } catch { return String(value); }
    };
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i) ?? '';
      out.push({ where: 'localStorage[' + key + ']', text: key + '\\n' + (localStorage.getItem(key) ?? '') });
    }
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open(info.name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const records = await new Promise((resolve, reject) => {
          const transaction = db.transaction(store, 'readonly');
          const keys = transaction.objectStore(store).getAllKeys();
          const values = transaction.objectStore(store).getAll();
          transaction.oncomplete = () => resolve(keys.result.map((key, index) => [key, values.result[index]]));
          transaction.onerror = () => reject(transaction.error);
        });
        for (const [key, value] of records) {
          out.push({ where: 'indexedDB ' + info.name + '/' + store + '[' + asText(key) + ']', text: asText(key) + '\\n' + asText(value) });
        }
      }
      db.close();
    }
    return out;
  })()`);
}

/** The browser's clipboard text (the context was granted clipboard-read). */
export async function readClipboard(page: Page): Promise<string> {
  return page.evaluate('navigator.clipboard.readText()');
}

/** The raw SecretStorage entry of code-server (see SECRET_STORAGE_ENTRY), null when absent. */
export async function readSecretStorageEntry(page: Page): Promise<string | null> {
  return page.evaluate("localStorage.getItem('secrets.provider')");
}

/**
 * Where code-server keeps SecretStorage: its web embedder's secret provider seals the whole secret map
 * with AES-GCM (a key half from the server, `<user-data>/serve-web-key-half`, and a half in the browser)
 * and keeps the sealed blob in the browser's localStorage under this name. It is the one place the token
 * may be, so the leak search leaves it out (and only reports whether it is readable).
 */
export const SECRET_STORAGE_ENTRY = 'localStorage[secrets.provider]';

export interface LeakReport {
  leaks: Leak[];
  /** What was searched, for the test's own sanity checks. */
  filesSearched: string[];
  browserEntriesSearched: number;
  factifyLogFiles: string[];
  /** Whether SecretStorage's entry exists, and whether it holds a token readably (code-server seals it). */
  secretStorageSeen: boolean;
  /**
   * Whether the extension's globalState (context.globalState: the organization override and recent
   * organizations) was among the entries searched. In code-server it lives in the browser's IndexedDB
   * (`vscode-web-state-db-global`), not under the user-data folder.
   */
  globalStateSeen: boolean;
  secretStorageInClear: boolean;
}

/**
 * Searches for every token used: the code-server user-data folder (settings.json, workspace storage, every
 * log file including the Factify output channel's `logs/<time>/exthost<n>/factify.factify-api-keys/Factify.log`),
 * code-server's own output, the browser's storage — localStorage and every IndexedDB database, which in
 * code-server hold the global and workspace state (the extension's globalState included) and the window logs —
 * except SecretStorage's entry, every request the decoy origin received, and every part of the requests to
 * the Factify server except the Authorization header.
 */
export async function findTokenLeaks(session: UiSession, pages: readonly Page[] = [session.page]): Promise<LeakReport> {
  const tokens = [...session.tokensUsed];
  assert.ok(tokens.length > 0, 'no token was used, nothing to search for');
  const leaks: Leak[] = [];
  const add = (where: string, found: string[]): void => {
    for (const token of found) leaks.push({ where, token: `${token.slice(0, 12)}…` });
  };

  const files = filesUnder(session.dirs.userDataDir);
  for (const file of files) {
    add(path.relative(session.dirs.base, file), findTokens(fs.readFileSync(file).toString('latin1'), tokens));
  }
  add('code-server output', findTokens(session.code.logs(), tokens));

  let browserEntriesSearched = 0;
  let secretStorageSeen = false;
  let secretStorageInClear = false;
  let globalStateSeen = false;
  for (const page of pages) {
    for (const entry of await browserStorage(page)) {
      browserEntriesSearched++;
      if (entry.where === SECRET_STORAGE_ENTRY) {
        // SecretStorage itself: the one place the token belongs (SPEC section 5), so it is left out.
        secretStorageSeen = true;
        secretStorageInClear ||= findTokens(entry.text, tokens).length > 0;
        continue;
      }
      globalStateSeen ||= /vscode-web-state-db-global\/ItemTable\[factify\.factify-api-keys\]/.test(entry.where);
      add(entry.where, findTokens(entry.text, tokens));
    }
  }

  for (const request of session.decoy.requests) {
    add(
      `decoy ${request.method} ${request.url}`,
      findTokens(`${request.url}\n${JSON.stringify(request.headers)}\n${request.body}`, tokens),
    );
  }
  for (const request of session.api.requests) {
    const { authorization: _authorization, ...otherHeaders } = request.headers;
    add(
      `Factify ${request.method} ${request.path} (not the Authorization header)`,
      findTokens(`${request.path}\n${JSON.stringify(request.query)}\n${JSON.stringify(otherHeaders)}\n${request.body}`, tokens),
    );
  }
  const factifyLogFiles = files.filter((file) => /factify\.factify-api-keys[\\/]Factify\.log$/.test(file));
  return { leaks, filesSearched: files, browserEntriesSearched, factifyLogFiles, secretStorageSeen, secretStorageInClear, globalStateSeen };
}
