/**
 * UI journeys in a real VS Code workbench (code-server + Chromium), driving the installed .vsix: sign in,
 * the key list, revoked keys, the filter, Copy Key ID, a proxy's 502, sign out, and a search for the token
 * everywhere it must not be. One code-server, browser and Factify server for the whole file.
 */
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fillInputBox, pickQuickPickItem, runCommand, treeRow, treeRows } from '../realvscode/harness';
import {
  assertGroups,
  chooseFromContextMenu,
  clearNotifications,
  clickOpenMenuItem,
  contextMenuItems,
  delay,
  ensureSignedIn,
  escape,
  expectedGroups,
  expectedRowCount,
  findTokenLeaks,
  inputBoxVisible,
  keyNamed,
  ORG_HEADER,
  parkMouse,
  readClipboard,
  readSecretStorageEntry,
  requestsOf,
  resetServerAndView,
  SECRET_STORAGE_ENTRY,
  setToken,
  sharedSession,
  shot,
  SIDE_BAR_CLIP,
  signInAndWaitForKeys,
  statusItem,
  titleAction,
  titleActions,
  typeAndReadValidation,
  viewBusy,
  viewMessage,
  waitFor,
  waitForInputTitle,
  waitForNotification,
  waitForPrimaryList,
  waitForRows,
  welcomeButton,
  welcomeText,
} from './session';

const SIGNED_OUT_WELCOME = /Sign in with a Factify API token to see and manage your organization's API keys/;

describe('Factify API Keys view in VS Code (code-server)', { timeout: 300_000 }, () => {
  const { session, run } = sharedSession();

  beforeEach(async () => {
    session().api.reset();
    await clearNotifications(session().page);
  });

  test('signed out → a malformed token is refused in the box → a 401 token is not saved → an admin token lists the keys by state', () =>
    run('sign-in', async () => {
      const { page, api } = session();

      // Signed out: the welcome content says what to do and offers the button.
      await waitFor('the signed-out welcome', async () => SIGNED_OUT_WELCOME.test(await welcomeText(page)));
      assert.match(await welcomeText(page), /kept in VS Code's secret storage/);
      assert.ok(await welcomeButton(page, 'Set API Token…').isVisible(), 'the welcome has a "Set API Token…" button');
      assert.deepEqual(await treeRows(page), []);
      assert.equal((await statusItem(page)).visible, false, 'no organization in the status bar while signed out');
      await shot(page, 'signed-out-welcome');
      const secretsBefore = await readSecretStorageEntry(page);

      // A value that is not a token: the box says why, keeps the value, and nothing is sent or stored.
      await welcomeButton(page, 'Set API Token…').click();
      await waitForInputTitle(page, /^Factify: Set API Token$/);
      assert.equal(await page.locator('.quick-input-widget .quick-input-box input').getAttribute('type'), 'password');
      const notAToken = await typeAndReadValidation(page, 'not-a-token', /start with/);
      assert.match(notAToken, /Factify tokens start with "ffy_"/);
      const bearer = await typeAndReadValidation(page, `Bearer ${api.tokens.admin}`, /without/);
      assert.match(bearer, /without "Bearer"/);
      assert.doesNotMatch(bearer, new RegExp(api.tokens.admin), 'the message never repeats the value');
      await page.locator('.quick-input-widget .quick-input-box input').press('Enter');
      await delay(300);
      assert.ok(await inputBoxVisible(page), 'Enter on an invalid value keeps the box open');
      await escape(page);
      await waitFor('the box to close', async () => !(await inputBoxVisible(page)));
      assert.equal(api.requests.length, 0, 'a malformed token is never sent');
      assert.match(await welcomeText(page), SIGNED_OUT_WELCOME);

      // Well-formed but unknown: checked with one list call, refused (401), not saved, still signed out.
      await setToken(session(), api.tokens.unknown);
      const refused = await waitForNotification(page, /401/);
      assert.match(refused, /did not accept this token \(401\), so it was not saved/);
      assert.equal(api.requests.length, 1, 'one verification request');
      const check = api.requests[0];
      assert.equal(check?.method, 'GET');
      assert.equal(check?.path, '/v1/api-keys');
      assert.deepEqual(check?.query, { include_revoked: 'false' });
      assert.equal(check?.headers['authorization'], `Bearer ${api.tokens.unknown}`);
      assert.equal(check?.headers[ORG_HEADER], undefined);
      assert.equal(check?.body, '');
      assert.match(await welcomeText(page), SIGNED_OUT_WELCOME, 'the welcome remains');
      assert.equal(await readSecretStorageEntry(page), secretsBefore, 'SecretStorage is untouched');
      api.clearRequests();

      // The admin token, pasted with stray whitespace: verified, stored, and the list shows by state.
      await signInAndWaitForKeys(session(), api.tokens.admin, `  ${api.tokens.admin}\t`);
      await waitForNotification(page, /Factify API token saved/);
      const keys = api.keysOf(api.orgs.primary);
      const expected = expectedGroups(keys, false);
      const rows = await waitForRows(page, 'the admin’s keys', (r) => r.length === expectedRowCount(expected));
      assertGroups(rows, expected);
      assert.deepEqual(
        expected.map((group) => group.label),
        ['Active', 'Expired', 'Inactive'],
      );
      assert.ok(
        rows.some((row) =>
          /^Staging smoke tests, expired API key, expired 5 days ago, prefix ffy_test_\w+\.\.\., organization org_\w+$/.test(row),
        ),
        rows.join('\n'),
      );
      assert.ok(
        rows.some((row) => /^Billing webhook, active API key, never expires, prefix ffy_prod_\w+\.\.\., organization org_\w+$/.test(row)),
        rows.join('\n'),
      );
      assert.ok(!rows.some((row) => row.includes('Old CI token')), 'revoked keys are hidden by default');
      assert.equal(await welcomeText(page), '', 'no welcome once keys are listed');
      assert.equal(await viewMessage(page), '');

      const gets = requestsOf(api, 'GET');
      assert.ok(gets.length >= 2, 'one verification, then the list');
      for (const request of api.requests) {
        assert.equal(request.method, 'GET');
        assert.equal(request.path, '/v1/api-keys');
        assert.deepEqual(request.query, { include_revoked: 'false' });
        assert.equal(request.headers['authorization'], `Bearer ${api.tokens.admin}`, 'the token is sent trimmed');
        assert.equal(request.headers[ORG_HEADER], undefined);
        assert.match(request.headers['accept'] ?? '', /application\/json/);
      }
      assert.notEqual(await readSecretStorageEntry(page), secretsBefore, 'the token went to SecretStorage');

      const status = await waitFor('the organization in the status bar', async () => {
        const item = await statusItem(page);
        return item.visible && item.text !== '' ? item : undefined;
      });
      assert.equal(status.text, `Factify: ${api.orgs.primary}`);
      const signedInActions = [
        'Refresh codicon-refresh',
        'Filter Keys… codicon-filter',
        'Show Revoked Keys codicon-eye',
        'Switch Organization… codicon-organization',
      ];
      await waitFor(
        'the signed-in view title actions',
        async () => JSON.stringify((await titleActions(page)).slice(0, 4)) === JSON.stringify(signedInActions),
      );
      await shot(page, 'keys-view', SIDE_BAR_CLIP);
    }));

  test('Show Revoked Keys asks for include_revoked=true and adds the Revoked group; Hide Revoked Keys removes it', () =>
    run('revoked-keys', async () => {
      await ensureSignedIn(session());
      const { page, api, dirs } = session();
      const keys = api.keysOf(api.orgs.primary);
      api.clearRequests();

      await titleAction(page, 'Show Revoked Keys').click();
      const withRevoked = expectedGroups(keys, true);
      const rows = await waitForRows(page, 'the Revoked group', (r) => r.length === expectedRowCount(withRevoked));
      assertGroups(rows, withRevoked);
      assert.ok(rows.includes('Revoked 2'), rows.join('\n'));
      assert.ok(
        rows.some((row) =>
          /^Partner integration \(Acme & Co\.\), revoked API key, revoked last week, prefix ffy_prod_\w+\.\.\., organization org_\w+$/.test(
            row,
          ),
        ),
        rows.join('\n'),
      );
      assert.ok(
        rows.some((row) => /^Old CI token, revoked API key, revoked last month, prefix .*, organization org_\w+$/.test(row)),
        rows.join('\n'),
      );
      const [shown] = requestsOf(api, 'GET');
      assert.deepEqual(shown?.query, { include_revoked: 'true' });
      assert.equal(shown?.headers['authorization'], `Bearer ${api.tokens.admin}`);
      await waitFor('the title button to turn into Hide Revoked Keys', () => titleAction(page, 'Hide Revoked Keys').isVisible());
      await waitFor(
        'factify.showRevokedKeys in the user settings',
        async () =>
          (JSON.parse(fs.readFileSync(`${dirs.userDataDir}/User/settings.json`, 'utf8')) as Record<string, unknown>)[
            'factify.showRevokedKeys'
          ] === true,
      );

      await shot(page, 'keys-view-with-revoked', SIDE_BAR_CLIP);

      // The tooltip has every field; the comment is user data, shown as typed, never as Markdown.
      const partner = keyNamed(api, api.orgs.primary, 'Partner integration (Acme & Co.)');
      await treeRow(page, 'Partner integration').hover();
      const tooltip = await waitFor('the key tooltip', async () => {
        const hover = page.locator('.monaco-hover:visible').filter({ hasText: 'Comment' });
        return (await hover.count()) > 0 ? (await hover.first().innerText()).trim() : undefined;
      });
      for (const field of [
        'State: Revoked',
        `ID: ${partner.id}`,
        `Prefix: ${partner.prefix}`,
        `Organization: ${api.orgs.primary}`,
        'Created:',
        'Updated:',
        'Active flag: false',
        'Expires:',
        'Revoked:',
        `Revoked by: ${api.users.admin}`,
      ]) {
        assert.ok(tooltip.includes(field), `the tooltip shows "${field}":\n${tooltip}`);
      }
      assert.ok(tooltip.startsWith('Partner integration (Acme & Co.)'), tooltip);
      assert.ok(
        tooltip.includes('Comment: Rotated after the contractor *offboarding* <see ticket #4821>'),
        `the comment is shown literally:\n${tooltip}`,
      );
      assert.equal(await page.locator('.monaco-hover:visible a').count(), 0, 'no links in the tooltip');
      await shot(page, 'key-tooltip');
      await parkMouse(page);

      // A revoked key has no Revoke in its context menu, only the copy commands.
      await treeRow(page, 'Old CI token').click({ button: 'right' });
      assert.deepEqual(await contextMenuItems(page), ['Copy Key ID', 'Copy Key Prefix']);
      await escape(page);

      api.clearRequests();
      await runCommand(page, 'Hide Revoked Keys');
      const hidden = expectedGroups(keys, false);
      const after = await waitForRows(page, 'no Revoked group', (r) => r.length === expectedRowCount(hidden));
      assertGroups(after, hidden);
      assert.ok(!after.some((row) => row.startsWith('Revoked')));
      await waitFor('the list request without revoked keys', async () => requestsOf(api, 'GET').length > 0);
      assert.deepEqual(requestsOf(api, 'GET')[0]?.query, { include_revoked: 'false' });
      await waitFor('the Show Revoked Keys button again', () => titleAction(page, 'Show Revoked Keys').isVisible());
    }));

  test('Filter Keys… narrows the rows and says so (filled filter icon); nothing matching offers Clear Filter; Clear Filter restores all', () =>
    run('filter', async () => {
      await ensureSignedIn(session());
      const { page, api } = session();
      const keys = api.keysOf(api.orgs.primary);
      const all = await waitForPrimaryList(session());
      api.clearRequests();

      await titleAction(page, 'Filter Keys…').click();
      await waitForInputTitle(page, /^Factify: Filter Keys$/);
      // A prefix fragment matches keys of two states: the groups say "n of total".
      await fillInputBox(page, 'FFY_TEST_');
      const matching = keys.filter((key) => !key.revoked_at && key.prefix.startsWith('ffy_test_'));
      assert.equal(matching.length, 2);
      const rows = await waitForRows(page, 'the filtered rows', (r) => r.length === 4);
      assert.deepEqual(
        rows.filter((row) => /^(Active|Expired|Inactive) /.test(row)),
        ['Active 1 of 8', 'Expired 1 of 1'],
      );
      assert.deepEqual(
        rows
          .filter((row) => row.includes(', '))
          .map((row) => row.split(', ')[0])
          .sort(),
        matching.map((key) => key.name).sort(),
      );
      assert.equal(await viewMessage(page), 'Filtered by “FFY_TEST_”.');
      const actions = await waitFor('the filled filter icon and Clear Filter in the view title', async () => {
        const current = await titleActions(page);
        return current.includes('Filter Keys… codicon-filter-filled') && current.includes('Clear Filter codicon-clear-all')
          ? current
          : undefined;
      });
      assert.ok(!actions.includes('Filter Keys… codicon-filter'), 'the plain filter icon is replaced');
      await shot(page, 'filtered');

      // Edit the filter (the filled icon): the box holds the current text; nothing matches the new one.
      await titleAction(page, 'Filter Keys…').click();
      await waitForInputTitle(page, /^Factify: Filter Keys$/);
      assert.equal(await page.locator('.quick-input-widget .quick-input-box input').inputValue(), 'FFY_TEST_');
      await fillInputBox(page, 'no such key');
      const nothing = await waitFor('the filtered-to-nothing state', async () => {
        const text = `${await viewMessage(page)} ${await welcomeText(page)}`.trim();
        return /No key matches/.test(text) ? text : undefined;
      });
      assert.match(nothing, /No key matches the filter/);
      assert.deepEqual(await treeRows(page), []);
      assert.ok(await welcomeButton(page, 'Clear Filter').isVisible(), 'filtered to nothing offers Clear Filter');
      assert.equal(api.requests.length, 0, 'filtering never asks the server');

      await welcomeButton(page, 'Clear Filter').click();
      const restored = await waitForRows(page, 'all rows again', (r) => r.length === all.length);
      assert.deepEqual(restored, all);
      assert.equal(await viewMessage(page), '');
      await waitFor('the plain filter icon again, without Clear Filter', async () => {
        const current = await titleActions(page);
        return current.includes('Filter Keys… codicon-filter') && !current.some((action) => action.startsWith('Clear Filter'));
      });
    }));

  test('Copy Key ID and Copy Key Prefix from the context menu put them on the clipboard', () =>
    run('copy', async () => {
      await ensureSignedIn(session());
      const { page, api } = session();
      const key = keyNamed(api, api.orgs.primary, 'CI deploy');
      await treeRow(page, 'CI deploy').click({ button: 'right' });
      assert.deepEqual(await contextMenuItems(page), ['Copy Key ID', 'Copy Key Prefix', 'Revoke API Key…']);
      await shot(page, 'context-menu');
      await clickOpenMenuItem(page, 'Copy Key ID');
      // The clipboard is the state that lasts; the status-bar confirmation is gone after a few seconds.
      await waitFor('the key id on the clipboard', async () => (await readClipboard(page)) === key.id);

      await chooseFromContextMenu(page, 'CI deploy', 'Copy Key Prefix');
      await waitFor('the prefix on the clipboard', async () => (await readClipboard(page)) === key.prefix);
      assert.deepEqual(requestsOf(api, 'DELETE'), []);
    }));

  test('an HTML 502 from a proxy: the view says what happened (kept list, or no list), and Refresh recovers', () =>
    run('server-fault', async () => {
      await ensureSignedIn(session());
      const { page, api } = session();
      // From a known state whatever ran before: the whole list, loaded, and no message left from an earlier failure.
      const full = await resetServerAndView(session());
      await waitFor('no message from an earlier journey', async () => (await viewMessage(page)) === '');

      // While a list is shown: it stays, with a warning that says why the refresh failed.
      api.addFault({ fault: { kind: 'html502' }, times: 1 });
      await titleAction(page, 'Refresh').click();
      const stale = await waitFor('the refresh failure message', async () => {
        const text = await viewMessage(page);
        return /502/.test(text) ? text : undefined;
      });
      assert.match(
        stale,
        /^⚠ Refresh failed: Factify could not answer \(502\)\. The answer was an HTML page, so a proxy or gateway .* may be failing\. Try Refresh/,
      );
      assert.match(stale, /Showing the keys loaded/);
      assert.deepEqual(await treeRows(page), full, 'the last good list stays');
      assert.equal(requestsOf(api, 'GET').length, 1);

      // With no list yet (switching organization drops it): the message says why, rows below offer the ways out.
      api.addFault({ fault: { kind: 'html502' }, times: 1 });
      await runCommand(page, 'Switch Organization…');
      await pickQuickPickItem(page, "Token's own organization");
      // The kept-list warning above also says 502: wait for the state that only the dropped list gives, the
      // error message without the warning and the recovery rows in place of the keys.
      const failed = await waitFor('the error state (no list, recovery rows)', async () => {
        const text = await viewMessage(page);
        const rows = await treeRows(page);
        return /^Factify could not answer \(502\)/.test(text) &&
          JSON.stringify(rows) === JSON.stringify(['Refresh', 'Show Log']) &&
          !(await viewBusy(page))
          ? text
          : undefined;
      });
      assert.deepEqual(await treeRows(page), ['Refresh', 'Show Log'], 'the error offers Refresh and the log as rows');
      assert.match(
        failed,
        /^Factify could not answer \(502\)\. The answer was an HTML page, so a proxy or gateway between you and Factify may be failing\. Try Refresh in a moment\.$/,
      );
      assert.doesNotMatch(failed, /<html|nginx/i, 'the proxy page itself is not shown');
      await shot(page, 'error-502');

      api.clearRequests();
      await treeRow(page, 'Refresh').click();
      const recovered = await waitForRows(page, 'the list after Refresh', (r) => r.length === full.length);
      assert.deepEqual(recovered, full);
      assert.equal(await viewMessage(page), '');
      const [retry] = requestsOf(api, 'GET');
      assert.equal(retry?.headers['authorization'], `Bearer ${api.tokens.admin}`);
      assert.equal(retry?.headers[ORG_HEADER], undefined);
    }));

  test('a redirect to another origin is not followed: the decoy origin never hears from the extension', () =>
    run('redirect', async () => {
      await ensureSignedIn(session());
      const { page, api, decoy } = session();
      api.addFault({ fault: { kind: 'redirect', status: 307, location: `${decoy.url}/v1/api-keys?include_revoked=false` }, times: 1 });
      await titleAction(page, 'Refresh').click();
      const message = await waitFor('the redirect message', async () => {
        const text = await viewMessage(page);
        return /redirect/.test(text) ? text : undefined;
      });
      assert.match(message, /redirect \(307\), which was not followed so that the token is never sent elsewhere/);
      assert.equal(decoy.requests.length, 0, 'nothing reached the other origin');
      await titleAction(page, 'Refresh').click();
      await waitFor('the message to clear', async () => (await viewMessage(page)) === '');
    }));

  test('Sign Out: the welcome content is back, the status bar item goes, nothing more is sent', () =>
    run('sign-out', async () => {
      await ensureSignedIn(session());
      const { page, api } = session();
      await runCommand(page, 'Sign Out');
      await waitForNotification(page, /Signed out of Factify/);
      session().signedInAs = undefined;
      await waitFor('the signed-out welcome', async () => SIGNED_OUT_WELCOME.test(await welcomeText(page)));
      assert.ok(await welcomeButton(page, 'Set API Token…').isVisible());
      assert.deepEqual(await treeRows(page), []);
      await waitFor('the status bar item to go', async () => !(await statusItem(page)).visible);
      assert.equal(await viewMessage(page), '');
      await delay(500);
      assert.equal(api.requests.length, 0, 'signing out sends nothing');
      await shot(page, 'signed-out-again');
    }));

  test('no token anywhere but SecretStorage: user data, logs (Factify channel included), browser storage, decoy, URLs', () =>
    run('leak-check', async () => {
      const s1 = session();
      // Sign in again and write some log lines, then open the log so the channel is flushed to its file.
      await signInAndWaitForKeys(s1, s1.api.tokens.admin);
      await runCommand(s1.page, 'Show Log');
      const shownLog = await waitFor('the Factify output channel', async () => {
        const text = await s1.page
          .locator('.part.panel')
          .innerText()
          .catch(() => '');
        return /Listed\s+\d+\s+keys/.test(text) ? text : undefined;
      });
      for (const token of s1.tokensUsed) assert.ok(!shownLog.includes(token), 'the log channel shows no token');

      const report = await waitFor('the Factify log file on disk', async () => {
        const found = await findTokenLeaks(s1);
        return found.factifyLogFiles.some((file) => /Listed \d+ keys/.test(fs.readFileSync(file, 'utf8'))) ? found : undefined;
      });
      assert.deepEqual(report.leaks, [], `tokens found: ${JSON.stringify(report.leaks)}`);
      assert.ok(report.filesSearched.some((file) => file.endsWith('User/settings.json')));
      assert.ok(report.filesSearched.some((file) => /exthost\d*[\\/]remoteexthost\.log$/.test(file)));
      assert.ok(report.browserEntriesSearched > 0);
      assert.ok(report.secretStorageSeen, `${SECRET_STORAGE_ENTRY} holds SecretStorage`);
      assert.equal(report.secretStorageInClear, false, 'code-server keeps SecretStorage sealed');
      assert.ok(s1.tokensUsed.size >= 2);
    }));
});
