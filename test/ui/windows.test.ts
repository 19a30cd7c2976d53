/**
 * UI journeys across windows in a real VS Code workbench (code-server + Chromium) with the installed .vsix:
 * a second browser window on the same workbench after a sign-in in the first, and a window reload in the
 * middle of a slow revoke. One code-server, browser and Factify server for the whole file.
 *
 * code-server cannot show a live follow between windows: its web embedder's SecretStorage provider reads
 * the sealed secrets from localStorage once, when a window loads, keeps them in memory and never listens for
 * changes from other windows, so `SecretStorage.onDidChange` only fires in the window that made the change.
 * The journey below checks for a live follow and skips (saying so) when the platform does not deliver it;
 * the other window then picks the token up on its next load, which is checked.
 */
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Page } from 'playwright-core';
import { clickDialogButton, fillInputBox, readDialog, readNotifications, treeRows } from '../realvscode/harness';
import {
  chooseFromContextMenu,
  clearNotifications,
  ensureSignedIn,
  expectedGroups,
  expectedRowCount,
  findTokenLeaks,
  keyNamed,
  openKeysView,
  openWindow,
  requestsOf,
  resetServerAndView,
  sharedSession,
  shot,
  signInAndWaitForKeys,
  titleAction,
  viewBusy,
  viewMessage,
  waitFor,
  waitForInputTitle,
  waitForRows,
  welcomeText,
} from './session';

const SIGNED_OUT_WELCOME = /Sign in with a Factify API token/;
const LIVE_FOLLOW_WAIT_MS = 6_000;
const SLOW_DELETE_MS = 6_000;

describe('Windows and reloads in VS Code (code-server)', { timeout: 300_000 }, () => {
  const { session, run } = sharedSession();
  let second: Page | undefined;
  const listsKeys = (rows: readonly string[]): boolean => rows.some((row) => /^Active \d/.test(row));

  beforeEach(async () => {
    session().api.reset();
    await clearNotifications(session().page);
  });

  test('a second window follows a sign-in in the first without a reload (SecretStorage onDidChange)', (t) =>
    run('windows-live', async () => {
      const { page, api } = session();
      second = await openWindow(session());
      await openKeysView(second);
      await waitFor(
        'the signed-out welcome in both windows',
        async () => SIGNED_OUT_WELCOME.test(await welcomeText(page)) && SIGNED_OUT_WELCOME.test(await welcomeText(second as Page)),
      );

      await signInAndWaitForKeys(session(), api.tokens.admin);
      const followed = await waitFor(
        'the second window to list keys',
        async () => listsKeys(await treeRows(second as Page)),
        LIVE_FOLLOW_WAIT_MS,
      ).then(
        () => true,
        () => false,
      );
      if (!followed) {
        assert.match(await welcomeText(second), SIGNED_OUT_WELCOME, 'the second window stays as it was, without errors');
        t.skip(
          'not observable in code-server: its SecretStorage provider caches the secrets per window and never ' +
            'hears of changes made by another window, so onDidChange only fires in the window that stored the token',
        );
        return;
      }
      assert.equal(await welcomeText(second), '');
    }));

  test('a second window lists the keys with the stored token once it (re)loads', () =>
    run('windows-reload', async () => {
      const { api } = session();
      await ensureSignedIn(session());
      assert.ok(second, 'the second window is open');
      api.clearRequests();
      await second.reload();
      await second.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      await openKeysView(second);
      const expected = expectedGroups(api.keysOf(api.orgs.primary), false);
      await waitForRows(second, 'the keys in the second window', (rows) => rows.length === expectedRowCount(expected));
      assert.equal(await welcomeText(second), '');
      const gets = requestsOf(api, 'GET');
      assert.ok(gets.length >= 1, 'the second window asked for the list');
      for (const request of gets) assert.equal(request.headers['authorization'], `Bearer ${api.tokens.admin}`);
      await second.close();
      second = undefined;
    }));

  test('a window reload in the middle of a slow revoke: the view loads cleanly afterwards, nothing left hanging', () =>
    run('reload-during-revoke', async () => {
      const { api } = session();
      if (second) {
        await second.close();
        second = undefined;
      }
      await ensureSignedIn(session());
      await resetServerAndView(session());
      let page = session().page;
      const key = keyNamed(api, api.orgs.primary, 'Zapier automation');
      api.addFault({ fault: { kind: 'slowHeaders', delayMs: SLOW_DELETE_MS }, method: 'DELETE', times: 1 });

      await chooseFromContextMenu(page, 'Zapier automation', 'Revoke API Key…');
      await waitForInputTitle(page, /^Revoke “Zapier automation”$/);
      await fillInputBox(page, 'reloaded mid-flight');
      await readDialog(page);
      await clickDialogButton(page, 'Revoke');
      const sentAt = await waitFor('the DELETE to reach the server', async () => requestsOf(api, 'DELETE')[0]?.at);
      await waitFor('the revoke progress on the view', () => viewBusy(page));
      await shot(page, 'revoke-in-flight');

      await page.reload();
      page = session().page;
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      await openKeysView(page);
      const rows = await waitForRows(page, 'the list after the reload', listsKeys);
      await waitFor('the view to stop loading', async () => !(await viewBusy(page)));
      assert.equal(await viewMessage(page), '', 'no error in the view');
      assert.equal(await welcomeText(page), '');
      assert.ok(rows.length > 0);

      // Let the server finish the slow DELETE it was holding, then the list agrees with it.
      await waitFor(
        'the server to complete the revoke it had received',
        async () => key.revoked_at,
        Math.max(0, sentAt + SLOW_DELETE_MS - Date.now()) + 5_000,
      );
      assert.equal(key.revoked_comment, 'reloaded mid-flight');
      await titleAction(page, 'Refresh').click();
      const expected = expectedGroups(api.keysOf(api.orgs.primary), false);
      const after = await waitForRows(
        page,
        'the list without the revoked key',
        (r) => r.length === expectedRowCount(expected) && !r.some((row) => row.startsWith('Zapier automation')),
      );
      assert.ok(after.includes(`Active ${expected.find((group) => group.label === 'Active')?.count}`), after.join('\n'));
      assert.equal(requestsOf(api, 'DELETE').length, 1, 'the revoke was not sent again');
      assert.equal(await viewMessage(page), '');
      const notifications = await readNotifications(page);
      assert.deepEqual(
        notifications.filter((text) => /fail|error|could not|cancel/i.test(text)),
        [],
        `no error left hanging: ${JSON.stringify(notifications)}`,
      );
    }));

  test('no token in user data, logs, browser storage (except SecretStorage), request URLs or bodies, or at the decoy', () =>
    run('leak-check', async () => {
      const report = await findTokenLeaks(session());
      assert.deepEqual(report.leaks, [], `tokens found: ${JSON.stringify(report.leaks)}`);
      assert.ok(report.factifyLogFiles.length > 0, 'the Factify log file was searched');
    }));
});
