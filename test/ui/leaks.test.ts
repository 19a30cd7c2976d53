/**
 * UI journey for keys in files, in a real VS Code workbench (code-server + Chromium) with the installed
 * .vsix: a file holding a live key shows a Factify problem naming the key; the quick fix menu offers
 * Revoke “<name>”…, Reveal in Factify View and Copy Key ID; revoking from there opens the reason box
 * prefilled with where the key was found, then the usual confirmation, then the DELETE; nothing of the file
 * and no found token reaches the server.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Page } from 'playwright-core';
import { clickDialogButton, readDialog } from '../realvscode/harness';
import { ensureSignedIn, keyNamed, readClipboard, requestsOf, sharedSession, shot, waitFor, waitForInputTitle } from './session';

const CONTENT_MARKER = 'uiFileContentMarker_42';

async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ state: 'visible' });
  await input.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor({ state: 'visible' });
}

async function problemsText(page: Page): Promise<string> {
  return (
    await page
      .locator('.markers-panel')
      .innerText()
      .catch(() => '')
  ).replace(/\s+/g, ' ');
}

/**
 * The screen point of the `offset`-th character of `text` in the active editor's rendered lines, when it is
 * inside the editor's visible area; undefined until it is.
 */
async function pointInEditorText(page: Page, text: string, offset: number): Promise<{ x: number; y: number } | undefined> {
  // Runs in the workbench page (this project's TypeScript has no DOM types).
  const script = `(() => {
    const [text, offset] = ${JSON.stringify([text, offset])};
    for (const lines of document.querySelectorAll('.part.editor .monaco-editor .view-lines')) {
      const bounds = lines.closest('.monaco-editor').getBoundingClientRect();
      const walker = document.createTreeWalker(lines, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const start = node.textContent.indexOf(text);
        if (start < 0) continue;
        const range = document.createRange();
        range.setStart(node, start + offset);
        range.setEnd(node, start + offset + 1);
        const box = range.getBoundingClientRect();
        const x = box.left + box.width / 2;
        const y = box.top + box.height / 2;
        if (box.width > 0 && x > bounds.left && x < bounds.right && y > bounds.top && y < bounds.bottom) return { x, y };
      }
    }
    return undefined;
  })()`;
  return page.evaluate<{ x: number; y: number } | undefined>(script);
}

describe('Keys in files in VS Code (code-server)', { timeout: 300_000 }, () => {
  const { session, run } = sharedSession();

  test('a live key in a file: a problem naming it, quick fixes, revoke with the prefilled reason', () =>
    run('leak-quick-fix', async () => {
      const s = session();
      const { page, api } = s;
      await ensureSignedIn(s);
      const key = keyNamed(api, api.orgs.primary, 'CI deploy');
      const stem = key.prefix.replace(/(\.\.\.|…)$/, '');
      const token = `${stem}${'k'.repeat(26 - (stem.length - 'ffy_prod_'.length))}UiJourneyRandom12345`;
      s.tokensUsed.add(token);
      const dir = s.dirs.workspaceDir;
      fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'src', 'settings.ts'),
        `// ${CONTENT_MARKER}\nexport const region = 'eu';\nexport const factifyToken = '${token}';\n`,
      );
      fs.writeFileSync(path.join(dir, '.gitignore'), '.env\n');
      execFileSync('git', ['init', '-q'], { cwd: dir });
      api.clearRequests();

      await openFile(page, 'settings.ts');
      await page.keyboard.press('Control+Shift+M');
      await page.locator('.markers-panel').waitFor({ state: 'visible' });
      const problems = await waitFor('the Problems panel to name the key', async () => {
        const text = await problemsText(page);
        return text.includes('CI deploy') ? text : undefined;
      });
      assert.match(problems, /Factify/);
      assert.match(problems, /active/);
      assert.ok(!problems.includes(token), 'the Problems panel never shows the whole token');

      // Hovering the squiggle shows the problem and its Quick Fix… link, which opens the quick fix menu. The
      // pointer goes to the token's third character, found as text in the rendered line: before the line is
      // tokenized it is one span, so an offset into "the span holding the token" could land on `export`.
      const hover = page.locator('.monaco-hover:visible');
      const point = await waitFor('the token on screen', () => pointInEditorText(page, stem.slice(0, 12), 2));
      await page.mouse.move(point.x - 3, point.y);
      await page.mouse.move(point.x, point.y, { steps: 2 });
      await waitFor('the hover naming the key', async () => /CI deploy/.test(await hover.innerText().catch(() => '')));
      await hover
        .locator('a, .action', { hasText: /Quick Fix/ })
        .first()
        .click();
      const menu = page.locator('.action-widget:not(.action-list-submenu-panel)').first();
      await menu.waitFor({ state: 'visible' });
      const items = await waitFor('the quick fixes', async () => {
        const text = (await menu.innerText()).replace(/\s+/g, ' ');
        return text.includes('Copy Key ID') ? text : undefined;
      });
      for (const title of ['Revoke “CI deploy”…', 'Reveal in Factify View', 'Copy Key ID']) assert.ok(items.includes(title), items);
      await shot(page, 'leak-diagnostic');

      await menu.locator('.action-widget-action-label, .monaco-list-row', { hasText: 'Revoke “CI deploy”…' }).first().click();
      assert.equal(await waitForInputTitle(page, /^Revoke/), 'Revoke “CI deploy”');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      assert.equal(await input.inputValue(), 'Found in src/settings.ts:3', 'the reason is prefilled with where the key was found');
      await input.press('Enter');
      assert.match(await readDialog(page), /^Revoke API key “CI deploy”/);
      await clickDialogButton(page, 'Revoke');
      const request = await waitFor('the DELETE', async () => requestsOf(api, 'DELETE')[0]);
      assert.equal(request.path, `/v1/api-keys/${key.id}`);
      assert.deepEqual(JSON.parse(request.body), { reason: 'Found in src/settings.ts:3' });

      // The problem follows the list: the key is revoked now.
      await waitFor('the problem to say revoked', async () => /CI deploy.*revoked/.test(await problemsText(page)));
      const seen = JSON.stringify(api.requests);
      assert.ok(!seen.includes(token) && !seen.includes(token.slice(-16)), 'the found token never reached the server');
      assert.ok(!seen.includes(CONTENT_MARKER), 'the file content never reached the server');
    }));

  test('by keyboard: F8 goes to the problem, Ctrl+. opens its quick fixes, Enter on Copy Key ID copies the id', () =>
    run('leak-quick-fix-keyboard', async () => {
      const { page, api } = session();
      const key = keyNamed(api, api.orgs.primary, 'CI deploy');
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+1');
      await page.locator('.monaco-editor.focused').waitFor({ state: 'visible' });
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('F8');
      const peek = page.locator('.marker-widget');
      await waitFor('the problem under the cursor', async () => /CI deploy/.test(await peek.innerText().catch(() => '')));
      await page.keyboard.press('Escape');
      await peek.waitFor({ state: 'hidden' });
      await page.evaluate("navigator.clipboard.writeText('something else')");
      await page.keyboard.press('Control+.');
      const focused = page.locator('.action-widget .monaco-list-row.focused').first();
      await focused.waitFor({ state: 'visible' });
      const seen: string[] = [];
      for (let step = 0; step < 10 && !/Copy Key ID/.test(seen.at(-1) ?? ''); step++) {
        if (step > 0) await page.keyboard.press('ArrowDown');
        seen.push((await focused.innerText()).trim());
      }
      assert.match(seen.at(-1) ?? '', /Copy Key ID/, `quick fixes focused in turn: ${JSON.stringify(seen)}`);
      await page.keyboard.press('Enter');
      await waitFor('the key id on the clipboard', async () => (await readClipboard(page)) === key.id);
    }));
});
