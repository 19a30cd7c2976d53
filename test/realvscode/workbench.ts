/**
 * Driving a real VS Code workbench in Chromium as a person would, and reading back what they would see: the
 * command palette, input boxes and quick picks, tree rows, dialogs, notifications and screenshots. The
 * processes behind it (code-server, the browser, extension tests) are in ./harness.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Locator, type Page } from 'playwright-core';

const WORKBENCH_TIMEOUT_MS = 60_000;
/** How long a UI state may take on a busy machine. Generous: it only costs time when the state never comes. */
export const UI_TIMEOUT_MS = 30_000;

const NOTIFICATION_MESSAGE = '.notification-list-item-message';

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
