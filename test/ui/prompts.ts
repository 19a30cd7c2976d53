/** Notifications, context menus, input boxes and quick picks, driven as a person would; and signing in through them. */
import { type Locator, type Page } from 'playwright-core';
import {
  pressEscape,
  readNotifications,
  runCommand,
  treeRow,
  treeRows,
  fillInputBox,
  escapeRegExp,
  UI_TIMEOUT_MS,
} from '../realvscode/harness';
import { type UiSession } from './session';
import { delay, titleAction, viewBusy, waitFor, waitForRows } from './viewState';
import { expectedGroups, expectedRowCount, requestsOf } from './expectedRows';

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
