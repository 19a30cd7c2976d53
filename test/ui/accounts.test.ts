/**
 * UI journeys for several organizations in a real VS Code workbench (code-server + Chromium) with the
 * installed .vsix: a second account, Switch Organization… between accounts (the Authorization header changes,
 * no override header), Rename Organization… in the status bar and the quick pick, and the Accounts menu,
 * where signing out is Sign Out of that account. One code-server, browser and Factify server for the file.
 */
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickDialogButton, fillInputBox, pickQuickPickItem, readDialog, runCommand } from '../realvscode/harness';
import {
  chooseFromContextMenu,
  clearNotifications,
  ensureSignedIn,
  escape,
  findTokenLeaks,
  keyNamed,
  ORG_HEADER,
  quickPickRows,
  requestsOf,
  sharedSession,
  shot,
  signInAndWaitForKeys,
  STATUS_ITEM_SELECTOR,
  statusItem,
  viewMessage,
  waitFor,
  waitForInputTitle,
  waitForNotification,
  waitForRows,
} from './session';
import { focusMenuItem } from './keyboard';

describe('Several organizations in VS Code (code-server)', { timeout: 300_000 }, () => {
  const { session, run } = sharedSession();

  beforeEach(async () => {
    await clearNotifications(session().page);
  });

  test('a second organization is a second account; Switch Organization… lists both and switches token, never sending an override', () =>
    run('accounts-switch', async () => {
      const s = session();
      const { page, api } = s;
      await signInAndWaitForKeys(s, api.tokens.admin);
      await signInAndWaitForKeys(s, api.tokens.otherOrgAdmin);
      await waitFor(
        'the second organization in the status bar',
        async () => (await statusItem(page)).text === `Factify: ${api.orgs.secondary}`,
      );
      await clearNotifications(page);
      api.clearRequests();

      await page.locator(STATUS_ITEM_SELECTOR).click();
      await waitForInputTitle(page, /^Factify: Switch Organization$/);
      const items = await quickPickRows(page);
      assert.match(
        items[0] ?? '',
        new RegExp(
          `^${api.orgs.primary} ?test · key “${api.tokenKeys.admin}” \\(ffy_test_\\w+\\.\\.\\.\\) ?Switch to this account's token`,
        ),
      );
      assert.match(
        items[1] ?? '',
        new RegExp(`^${api.orgs.secondary} ?prod · key “${api.tokenKeys.otherOrgAdmin}” .*\\(current\\) ?Token's own organization`),
      );
      assert.ok(
        items.some((item) => /Enter organization ID…/.test(item)),
        items.join('\n'),
      );
      assert.ok(
        items.some((item) => /Rename Organization…/.test(item)),
        items.join('\n'),
      );
      await shot(page, 'organization-pick');
      await pickQuickPickItem(page, api.orgs.primary);

      await waitFor(
        'the first organization in the status bar',
        async () => (await statusItem(page)).text === `Factify: ${api.orgs.primary}`,
      );
      const gets = await waitFor('the list of the other account', async () => {
        const found = requestsOf(api, 'GET');
        return found.length > 0 ? found : undefined;
      });
      for (const request of gets) {
        assert.equal(request.headers['authorization'], `Bearer ${api.tokens.admin}`, 'the Authorization header changed');
        assert.equal(request.headers[ORG_HEADER], undefined, 'no override header');
      }
    }));

  test('Rename Organization… shows the local name in the status bar and the quick pick', () =>
    run('accounts-rename', async () => {
      const { page, api } = session();
      await runCommand(page, 'Rename Organization…');
      await waitForInputTitle(page, /^Factify: Rename Organization$/);
      await pickQuickPickItem(page, api.orgs.primary);
      await waitFor('the name box', async () =>
        /A name for org_/.test(await page.locator('.quick-input-widget .quick-input-message').innerText()),
      );
      await fillInputBox(page, 'Acme Primary');
      await waitFor('the name in the status bar', async () => (await statusItem(page)).text === 'Factify: Acme Primary');

      await page.locator(STATUS_ITEM_SELECTOR).click();
      await waitForInputTitle(page, /^Factify: Switch Organization$/);
      const items = await quickPickRows(page);
      assert.match(items[0] ?? '', /^Acme Primary ?test · key/);
      await escape(page);
    }));

  test('the Accounts menu lists each account as “<organization> (<env>) (Factify)”; signing out there signs out of that account', () =>
    run('accounts-menu', async () => {
      const { page, api } = session();
      await page.locator('.activitybar [aria-label^="Accounts"]').first().click();
      const menu = page.locator('.context-view .monaco-menu').first();
      const primary = menu.locator('.action-item', { hasText: 'Acme Primary (test) (Factify)' }).first();
      await primary.waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await menu.locator('.action-item', { hasText: `${api.orgs.secondary} (prod) (Factify)` }).count(), 1);
      assert.equal(
        await menu.locator('.action-item', { hasText: `${api.orgs.primary} (test) (Factify)` }).count(),
        0,
        'the renamed account is not listed under its old name',
      );
      await shot(page, 'accounts-menu');
      // By keyboard, as a user without a mouse would: a hovered submenu can close under a pointer on a busy machine.
      await focusMenuItem(page, /Acme Primary \(test\) \(Factify\)/);
      await page.keyboard.press('ArrowRight');
      await focusMenuItem(page, /^Sign Out$/);
      await page.keyboard.press('Enter');
      await clickDialogButton(page, 'Sign Out');
      await waitForNotification(page, /Signed out of Factify \(Acme Primary \(test\)\)/);
      await waitFor('the other account in the status bar', async () => (await statusItem(page)).text === `Factify: ${api.orgs.secondary}`);
      const gets = requestsOf(api, 'GET');
      assert.equal(gets.at(-1)?.headers['authorization'], `Bearer ${api.tokens.otherOrgAdmin}`);
    }));

  test('revoking the key this editor is signed in with: the dialog says so; afterwards the account is signed out and the view says why', () =>
    run('accounts-revoke-self', async () => {
      const s = session();
      const { page, api } = s;
      await ensureSignedIn(s, api.tokens.otherOrgAdmin);
      api.clearRequests();
      const own = keyNamed(api, api.orgs.secondary, api.tokenKeys.otherOrgAdmin);
      await chooseFromContextMenu(page, own.name, 'Revoke API Key…');
      await waitForInputTitle(page, /^Revoke/);
      await fillInputBox(page, 'leaked');
      const dialog = await readDialog(page);
      assert.match(
        dialog,
        new RegExp(
          `“${own.name}” is the key this editor is signed in with: after revoking it, VS Code loses access to ${api.orgs.secondary} \\(prod\\)`,
        ),
      );
      await shot(page, 'revoke-own-key-dialog');
      await clickDialogButton(page, 'Revoke');

      const message = await waitFor('the view to say why it is signed out', async () => {
        const text = await viewMessage(page);
        return /was the key this editor was signed in with/.test(text) ? text : undefined;
      });
      assert.equal(
        message,
        `“${own.name}” was the key this editor was signed in with, and it is now revoked. Signed out of ${api.orgs.secondary} (prod).`,
      );
      // The message and the rows are two updates of the view: wait for the rows to follow.
      await waitForRows(page, 'the way back in, as a row under the message', (rows) => rows.length === 1 && rows[0] === 'Set API Token…');
      assert.equal((await statusItem(page)).visible, false, 'no organization shown while signed out');
      assert.ok(own.revoked_at, 'the server revoked it');
      assert.equal(requestsOf(api, 'DELETE').length, 1);
      s.signedInAs = undefined;
      await shot(page, 'revoked-own-key');
    }));

  test('no token anywhere but SecretStorage and the Authorization header', () =>
    run('accounts-leaks', async () => {
      const report = await findTokenLeaks(session());
      assert.deepEqual(report.leaks, []);
      assert.ok(report.globalStateSeen, 'global state (the account metadata) was searched');
    }));
});
