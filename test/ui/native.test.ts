/**
 * UI journeys for what makes the view feel native: the expiry badge and reminder, and the keyboard (Delete
 * revokes the selected keys, Ctrl+C copies the key id) in a real VS Code workbench (code-server + Chromium)
 * with the installed .vsix. One code-server, browser and Factify server for the whole file, with expiry
 * reminders on (the harness turns them off for the other files).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readDialog, runCommand, treeRow } from '../realvscode/harness';
import { focusMenuItem, focusTreeRow } from './keyboard';
import {
  clickNotificationButton,
  ensureSignedIn,
  escape,
  inputBoxVisible,
  journey,
  keyNamed,
  readClipboard,
  requestsOf,
  shot,
  signInAndWaitForKeys,
  startSession,
  statusBarText,
  stopSession,
  waitFor,
  waitForInputTitle,
  waitForNotification,
  waitForPrimaryList,
  type UiSession,
} from './session';

describe('Native feel in VS Code (code-server)', { timeout: 300_000 }, () => {
  let current: UiSession | undefined;
  const session = (): UiSession => {
    assert.ok(current, 'the session did not start');
    return current;
  };
  const run = (name: string, body: () => Promise<void>) => journey(() => current, name, body);
  before(async () => {
    current = await startSession({ 'factify.expiryReminders': true });
  });
  after(async () => {
    await stopSession(current);
  });

  test('expiry: the activity bar badge counts keys expiring soon; the reminder names them and Show Keys selects the soonest', () =>
    run('expiry-reminder', async () => {
      const { page, api } = session();
      await signInAndWaitForKeys(session(), api.tokens.admin);
      const reminder = await waitForNotification(page, /^Factify API key /);
      assert.match(reminder, new RegExp(`^Factify API key “Support dashboard” of ${api.orgs.primary} expires in [23] days\\.$`));
      const badge = page.locator('.activitybar .action-item:has(.action-label[aria-label^="Factify"]) .badge-content');
      await waitFor(
        'the badge on the Factify activity bar icon',
        async () => (await badge.isVisible()) && (await badge.innerText()).trim() === '1',
      );
      await shot(page, 'expiry-reminder');
      await clickNotificationButton(page, /^Factify API key “Support dashboard”/, 'Show Keys');
      await waitFor('Support dashboard to be the selected row', async () =>
        (
          await page
            .locator('.pane-body .monaco-list-row.selected')
            .getAttribute('aria-label')
            .catch(() => '')
        )?.startsWith('Support dashboard, '),
      );
    }));

  test('keyboard: Delete opens the revoke prompt for the selected keys (Escape sends nothing); Ctrl+C copies the key id', () =>
    run('keyboard', async () => {
      const { page, api } = session();
      await ensureSignedIn(session());
      // No refresh here: the rows are clicked on a settled list (a refresh landing after the click would
      // leave the extension host without the selection the workbench still shows).
      await waitForPrimaryList(session());

      await treeRow(page, 'Billing webhook').click();
      await page.keyboard.press('Delete');
      assert.equal(await waitForInputTitle(page, /^Revoke/), 'Revoke “Billing webhook”');
      await escape(page);
      await waitFor('the reason box to close', async () => !(await inputBoxVisible(page)));
      assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no confirmation after Escape');

      await treeRow(page, 'Analytics export').click();
      await treeRow(page, 'CI deploy').click({ modifiers: ['Control'] });
      await page.keyboard.press('Delete');
      assert.equal(await waitForInputTitle(page, /^Revoke/), 'Revoke 2 API keys', 'Delete acts on the whole selection');
      await escape(page);
      await waitFor('the reason box to close', async () => !(await inputBoxVisible(page)));
      assert.deepEqual(requestsOf(api, 'DELETE'), [], 'nothing was revoked');

      const key = keyNamed(api, api.orgs.primary, 'CI deploy');
      await page.evaluate("navigator.clipboard.writeText('something else')");
      await treeRow(page, 'CI deploy').click();
      await page.keyboard.press('Control+c');
      await waitFor('the key id on the clipboard', async () => (await readClipboard(page)) === key.id);
      // The clipboard is written first, then the status bar says so: wait for both.
      await waitFor('the status bar to confirm the copy', async () => (await statusBarText(page)).includes(`Copied key ID ${key.id}`));
    }));

  test('keyboard only: the palette, a row, its context menu, the reason and the confirmation, without the pointer', () =>
    run('keyboard-only', async () => {
      const { page, api } = session();
      await ensureSignedIn(session());
      await waitForPrimaryList(session());
      api.clearRequests();

      await runCommand(page, 'Focus on API Keys View');
      await focusTreeRow(page, 'Analytics export');
      await page.keyboard.press('Shift+F10');
      await focusMenuItem(page, /^Revoke API Key…/);
      await page.keyboard.press('Enter');
      assert.equal(await waitForInputTitle(page, /^Revoke/), 'Revoke “Analytics export”');
      await page.keyboard.type('rotated by keyboard');
      await page.keyboard.press('Enter');
      assert.match(await readDialog(page), /“Analytics export”/);
      const focusedButton = await page.evaluate<string | undefined>('document.activeElement?.textContent?.trim()');
      assert.equal(focusedButton, 'Revoke Key', 'the dialog opens with its action under the keyboard focus');
      await page.keyboard.press('Enter');

      const revoke = await waitFor('the DELETE', async () => requestsOf(api, 'DELETE')[0]);
      assert.equal(revoke.path, `/v1/api-keys/${keyNamed(api, api.orgs.primary, 'Analytics export').id}`);
      assert.deepEqual(JSON.parse(revoke.body), { reason: 'rotated by keyboard' });
      await waitFor('the revoked key to leave the active rows', async () =>
        (await treeRow(page, 'Analytics export').count()) === 0 ? true : undefined,
      );
    }));
});
