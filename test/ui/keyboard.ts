/** Driving the workbench by keyboard alone: moving the focus in a tree or a menu until it is on an item. */
import { type Page } from 'playwright-core';
import { escapeRegExp, FACTIFY_VIEW_SELECTOR } from '../realvscode/harness';

const MAX_STEPS = 30;

/** Presses ArrowDown in the open menu (the innermost one) until the focused item reads `label`. */
export async function focusMenuItem(page: Page, label: RegExp): Promise<void> {
  const focused = page.locator('.context-view .monaco-menu .action-item.focused').last();
  await moveFocusUntil(page, label, async () => ((await focused.count()) > 0 ? (await focused.innerText()).trim() : ''), 'menu item');
}

/** Presses Home, then ArrowDown in the focused Factify tree until the focused row's aria-label starts with `name`. */
export async function focusTreeRow(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Home');
  const focused = page.locator(`${FACTIFY_VIEW_SELECTOR} .pane-body .monaco-list-row.focused`).first();
  const label = new RegExp(`^${escapeRegExp(name)}, `);
  await moveFocusUntil(
    page,
    label,
    async () => ((await focused.count()) > 0 ? ((await focused.getAttribute('aria-label')) ?? '') : ''),
    'tree row',
  );
}

async function moveFocusUntil(page: Page, label: RegExp, readFocused: () => Promise<string>, what: string): Promise<void> {
  const seen: string[] = [];
  for (let step = 0; step < MAX_STEPS; step++) {
    const text = await readFocused();
    if (label.test(text)) return;
    seen.push(text);
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`no ${what} ${String(label)} under the keyboard focus; focused in turn: ${JSON.stringify(seen)}`);
}
