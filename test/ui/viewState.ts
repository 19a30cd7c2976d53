/** Reading what the user sees in the workbench: the API Keys view's rows, message, welcome content and title actions, the status bar, and screenshots of it. */
import { type Locator, type Page } from 'playwright-core';
import { FACTIFY_VIEW_SELECTOR, runCommand, screenshot, treeRows, escapeRegExp, UI_TIMEOUT_MS } from '../realvscode/harness';

export const STATUS_ITEM_SELECTOR = '[id="factify.factify-api-keys.factify.organization"]';

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
