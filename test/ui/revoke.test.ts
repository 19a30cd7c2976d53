/**
 * UI journeys for revoking keys in a real VS Code workbench (code-server + Chromium) with the installed .vsix:
 * one key with a reason, cancelled at the reason box or the dialog, an empty reason, several keys with one
 * failure, and a member who may not revoke. One code-server, browser and Factify server for the whole file.
 */
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickDialogButton, fillInputBox, readDialog, treeRow, treeRows } from '../realvscode/harness';
import {
  assertGroups,
  chooseFromContextMenu,
  clearNotifications,
  clickOpenMenuItem,
  delay,
  ensureSignedIn,
  escape,
  expectedGroups,
  expectedRowCount,
  findTokenLeaks,
  inputBoxVisible,
  keyNamed,
  ORG_HEADER,
  parseRows,
  requestsOf,
  resetServerAndView,
  sharedSession,
  shot,
  signInAndWaitForKeys,
  waitFor,
  waitForInputTitle,
  waitForNotification,
  waitForRows,
} from './session';

describe('Revoking API keys in VS Code (code-server)', { timeout: 300_000 }, () => {
  const { session, run } = sharedSession();

  beforeEach(async () => {
    await ensureSignedIn(session());
    await clearNotifications(session().page);
    await resetServerAndView(session());
  });

  const activeNames = (rows: readonly string[]): string[] => parseRows(rows).find((group) => group.label === 'Active')?.names ?? [];

  test('revoke from the context menu with a reason: modal names key, prefix, organization, "permanent"; DELETE with the JSON reason', () =>
    run('revoke-one', async () => {
      const { page, api } = session();
      const key = keyNamed(api, api.orgs.primary, 'CI deploy');
      const activeBefore = expectedGroups(api.keysOf(api.orgs.primary), false).find((group) => group.label === 'Active')?.count ?? 0;

      await chooseFromContextMenu(page, 'CI deploy', 'Revoke API Key…');
      assert.equal(await waitForInputTitle(page, /^Revoke/), 'Revoke “CI deploy”');
      assert.match(await page.locator('.quick-input-widget .quick-input-message').innerText(), /Reason for revoking \(optional\)/);
      await fillInputBox(page, '  rotated after the audit  ');

      const dialog = await readDialog(page);
      assert.match(dialog, /^Revoke API key “CI deploy” \(ffy_prod_\w+\.\.\.\)\?/);
      assert.ok(dialog.includes(key.prefix), dialog);
      assert.ok(dialog.includes(api.orgs.primary), `the dialog names the organization: ${dialog}`);
      assert.match(dialog, /permanent and immediate/);
      const buttons = (await page.locator('.monaco-dialog-box .dialog-buttons .monaco-button').allInnerTexts()).map((text) => text.trim());
      assert.ok(buttons.includes('Cancel'), buttons.join(', '));
      const confirm = buttons.filter((label) => label !== 'Cancel');
      assert.equal(confirm.length, 1);
      assert.match(confirm[0] ?? '', /^Revoke/);
      assert.equal(requestsOf(api, 'DELETE').length, 0, 'nothing is sent before the confirmation');
      await shot(page, 'revoke-dialog');
      await clickDialogButton(page, 'Revoke');

      assert.equal(await waitForNotification(page, /^Revoked /), 'Revoked “CI deploy”.');
      const rows = await waitForRows(page, 'CI deploy gone from Active', (r) => !activeNames(r).includes('CI deploy') && r.length > 0);
      assert.ok(rows.includes(`Active ${activeBefore - 1}`), rows.join('\n'));
      assert.ok(!rows.some((row) => row.startsWith('CI deploy')), 'revoked keys are hidden, so it leaves the list');

      const deletes = requestsOf(api, 'DELETE');
      assert.equal(deletes.length, 1);
      const [del] = deletes;
      assert.equal(del?.path, `/v1/api-keys/${key.id}`);
      assert.deepEqual(del?.query, {});
      assert.equal(del?.headers['authorization'], `Bearer ${api.tokens.admin}`);
      assert.match(del?.headers['content-type'] ?? '', /^application\/json\b/);
      assert.deepEqual(JSON.parse(del?.body ?? ''), { reason: 'rotated after the audit' }, 'the reason is sent trimmed');
      assert.equal(del?.headers[ORG_HEADER], undefined);
      assert.ok(key.revoked_at, 'the server revoked it');
      assert.equal(key.revoked_comment, 'rotated after the audit');
    }));

  test('Escape at the reason box cancels the whole revoke; so does Cancel in the dialog: no DELETE', () =>
    run('revoke-cancel', async () => {
      const { page, api } = session();
      const before = await treeRows(page);

      await chooseFromContextMenu(page, 'Billing webhook', 'Revoke API Key…');
      await waitForInputTitle(page, /^Revoke “Billing webhook”$/);
      await escape(page);
      await waitFor('the reason box to close', async () => !(await inputBoxVisible(page)));
      await delay(500);
      assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no confirmation after Escape');

      await chooseFromContextMenu(page, 'Billing webhook', 'Revoke API Key…');
      await waitForInputTitle(page, /^Revoke “Billing webhook”$/);
      await fillInputBox(page, 'changed my mind');
      await readDialog(page);
      await clickDialogButton(page, 'Cancel');
      await page.locator('.monaco-dialog-box').waitFor({ state: 'hidden' });
      await delay(500);

      assert.equal(requestsOf(api, 'DELETE').length, 0, 'no DELETE was sent');
      assert.equal(keyNamed(api, api.orgs.primary, 'Billing webhook').revoked_at, null);
      assert.deepEqual(await treeRows(page), before);
    }));

  test('an empty reason (inline button): DELETE with no body and no content-type', () =>
    run('revoke-empty-reason', async () => {
      const { page, api } = session();
      const key = keyNamed(api, api.orgs.primary, 'Zapier automation');
      const row = treeRow(page, 'Zapier automation');
      await row.hover();
      // The label starts with the title; VS Code adds the command's keybinding after it.
      const inline = row.locator('.actions .action-label[aria-label^="Revoke API Key…"]');
      await inline.waitFor({ state: 'visible' });
      await inline.click();
      await waitForInputTitle(page, /^Revoke “Zapier automation”$/);
      await fillInputBox(page, '   ');
      assert.match(await readDialog(page), /Zapier automation/);
      await clickDialogButton(page, 'Revoke');
      await waitForNotification(page, /^Revoked “Zapier automation”\.$/);

      const [del] = requestsOf(api, 'DELETE');
      assert.equal(del?.path, `/v1/api-keys/${key.id}`);
      assert.equal(del?.body, '', 'no body');
      assert.equal(del?.headers['content-type'], undefined, 'no content-type without a body');
      assert.ok(key.revoked_at);
      assert.equal(key.revoked_comment, null);
      await waitForRows(page, 'Zapier automation gone', (r) => r.length > 0 && !activeNames(r).includes('Zapier automation'));
    }));

  test('several selected keys: one reason, one confirmation with the count, a summary naming the key that failed', () =>
    run('revoke-many', async () => {
      const { page, api } = session();
      // Keys this file has not revoked before: the extension remembers revocations (they are permanent) until
      // the token or organization changes, even though the test server was reset.
      const [analytics, billing, mobile] = ['Analytics export', 'Billing webhook', 'Mobile app backend'].map((name) =>
        keyNamed(api, api.orgs.primary, name),
      );
      assert.ok(analytics && billing && mobile);
      api.addFault({
        fault: {
          kind: 'status',
          status: 500,
          contentType: 'application/problem+json',
          body: JSON.stringify({
            type: 'about:blank',
            title: 'Internal Server Error',
            status: 500,
            detail: 'The key store is unavailable.',
          }),
        },
        method: 'DELETE',
        pathPrefix: `/v1/api-keys/${billing.id}`,
        times: 1,
      });

      // Click, shift-click the adjacent row, ctrl-click a third.
      await treeRow(page, 'Analytics export').click();
      await treeRow(page, 'Billing webhook').click({ modifiers: ['Shift'] });
      await treeRow(page, 'Mobile app backend').click({ modifiers: ['Control'] });
      const selected = await page
        .locator('.pane-body .monaco-list-row.selected')
        .evaluateAll((rows) => rows.map((row) => (row.getAttribute('aria-label') ?? '').split(', ')[0]));
      assert.deepEqual(selected, ['Analytics export', 'Billing webhook', 'Mobile app backend']);

      await treeRow(page, 'Billing webhook').click({ button: 'right' });
      await shot(page, 'multi-select-menu');
      await clickOpenMenuItem(page, 'Revoke API Key…');
      assert.equal(await waitForInputTitle(page, /^Revoke/), 'Revoke 3 API keys');
      await fillInputBox(page, 'quarterly cleanup');
      const dialog = await readDialog(page);
      assert.match(dialog, /^Revoke 3 API keys\?/);
      for (const name of ['Analytics export', 'Billing webhook', 'Mobile app backend']) assert.ok(dialog.includes(name), dialog);
      assert.ok(dialog.includes(api.orgs.primary));
      assert.match(dialog, /permanent/);
      assert.equal(requestsOf(api, 'DELETE').length, 0);
      await clickDialogButton(page, 'Revoke 3 Keys');

      const summary = await waitForNotification(page, /Revoked 2 of 3/);
      // Which keys were revoked, which were not, and why.
      assert.match(
        summary,
        /^Revoked 2 of 3 API keys: “(Analytics export|Mobile app backend)”, “(Analytics export|Mobile app backend)”\. Failed: “Billing webhook”: Factify could not answer \(500\)\./,
      );
      assert.ok(summary.includes('Analytics export') && summary.includes('Mobile app backend'), summary);
      assert.match(summary, /The key store is unavailable/);

      const deletes = requestsOf(api, 'DELETE');
      assert.deepEqual(
        deletes.map((request) => request.path).sort(),
        [analytics, billing, mobile].map((key) => `/v1/api-keys/${key.id}`).sort(),
      );
      for (const request of deletes) {
        assert.deepEqual(JSON.parse(request.body), { reason: 'quarterly cleanup' });
        assert.match(request.headers['content-type'] ?? '', /^application\/json\b/);
      }
      assert.ok(analytics.revoked_at && mobile.revoked_at);
      assert.equal(billing.revoked_at, null, 'the failed one is untouched on the server');

      const rows = await waitForRows(page, 'the two revoked keys gone', (r) => {
        const active = activeNames(r);
        return active.includes('Billing webhook') && !active.includes('Analytics export') && !active.includes('Mobile app backend');
      });
      assertGroups(rows, expectedGroups(api.keysOf(api.orgs.primary), false));
      await shot(page, 'revoke-summary');
    }));

  test('a member (not an admin) cannot revoke: the error names the admin role and the key stays', () =>
    run('revoke-forbidden', async () => {
      const { page, api } = session();
      await signInAndWaitForKeys(session(), api.tokens.member);
      await clearNotifications(page);
      api.clearRequests();
      const key = keyNamed(api, api.orgs.primary, 'Data warehouse sync');
      const before = structuredClone(key);
      const rowsBefore = await treeRows(page);

      await chooseFromContextMenu(page, 'Data warehouse sync', 'Revoke API Key…');
      await waitForInputTitle(page, /^Revoke “Data warehouse sync”$/);
      await fillInputBox(page, 'not mine to revoke');
      await readDialog(page);
      await clickDialogButton(page, 'Revoke');

      const error = await waitForNotification(page, /admin role/);
      assert.match(error, /^Revoking requires the organization admin role \(403\)\./);
      const [del] = requestsOf(api, 'DELETE');
      assert.equal(del?.path, `/v1/api-keys/${key.id}`);
      assert.equal(del?.headers['authorization'], `Bearer ${api.tokens.member}`);
      assert.deepEqual(key, before, 'the server record is unchanged');
      await waitFor('the list refreshed after the attempt', async () => requestsOf(api, 'GET').length > 0);
      const rows = await waitForRows(page, 'the same list', (r) => r.length === rowsBefore.length);
      assert.deepEqual(rows, rowsBefore, 'the key stays under Active');
      assert.equal(rows.length, expectedRowCount(expectedGroups(api.keysOf(api.orgs.primary), false)));
    }));

  test('no token in user data, logs, browser storage (except SecretStorage), request URLs or bodies, or at the decoy', () =>
    run('leak-check', async () => {
      const report = await findTokenLeaks(session());
      assert.deepEqual(report.leaks, [], `tokens found: ${JSON.stringify(report.leaks)}`);
      assert.ok(report.factifyLogFiles.length > 0, 'the Factify log file was searched');
      assert.ok(session().tokensUsed.has(session().api.tokens.member));
    }));
});
