/**
 * UI journeys for Switch Organization… in a real VS Code workbench (code-server + Chromium) with the
 * installed .vsix: an invalid id refused in the box, Factify staff acting as another organization (the
 * header, that organization's keys, the warning-coloured status bar), and a non-staff user's 403 with the
 * offer to switch back. One code-server, browser and Factify server for the whole file.
 */
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fillInputBox, pickQuickPickItem, runCommand } from '../realvscode/harness';
import {
  assertGroups,
  clearNotifications,
  clickNotificationButton,
  delay,
  ensureSignedIn,
  escape,
  expectedGroups,
  expectedRowCount,
  findTokenLeaks,
  inputBoxVisible,
  ORG_HEADER,
  quickPickRows,
  requestsOf,
  sharedSession,
  shot,
  STATUS_ITEM_SELECTOR,
  statusItem,
  titleAction,
  typeAndReadValidation,
  viewMessage,
  waitFor,
  waitForInputTitle,
  waitForNotification,
  waitForRows,
} from './session';

describe('Switching organization in VS Code (code-server)', { timeout: 300_000 }, () => {
  const { session, run } = sharedSession();

  beforeEach(async () => {
    const { api, page } = session();
    api.reset();
    await clearNotifications(page);
    // A journey that failed while acting as another organization must not leave the next one there.
    if ((await statusItem(page)).text.includes('acting as')) {
      await runCommand(page, 'Switch Organization…');
      await pickQuickPickItem(page, "Token's own organization");
      await waitFor('the own organization', async () => !(await statusItem(page)).text.includes('acting as'));
      await clearNotifications(page);
    }
  });

  /** The rows of `orgId`'s keys once they show. */
  const waitForOrgKeys = (orgId: string): Promise<string[]> => {
    const expected = expectedGroups(session().api.keysOf(orgId), false);
    return waitForRows(
      session().page,
      `the keys of ${orgId}`,
      (rows) => rows.length === expectedRowCount(expected) && expected.every((group) => rows.includes(`${group.label} ${group.count}`)),
    );
  };

  /** Signed in with the staff token in its own organization; the status-bar item as it reads there. */
  const signedInAsStaffAtHome = async () => {
    const { page, api } = session();
    await ensureSignedIn(session(), api.tokens.staff);
    const own = await statusItem(page);
    assert.equal(own.text, `Factify: ${api.orgs.staffHome}`);
    api.clearRequests();
    return own;
  };

  test('an invalid organization id is refused under the input box and nothing is sent', () =>
    run('org-invalid', async () => {
      const { page, api } = session();
      const own = await signedInAsStaffAtHome();

      // From the status bar item, as a person would.
      await page.locator(STATUS_ITEM_SELECTOR).click();
      await waitForInputTitle(page, /^Factify: Switch Organization$/);
      const items = await quickPickRows(page);
      // The account first (the token's own organization), then what only Factify staff can use.
      assert.match(
        items[0] ?? '',
        new RegExp(
          `^${api.orgs.staffHome} ?prod · key “Internal admin tooling” \\(ffy_prod_\\w+\\.\\.\\.\\) \\(current\\) ?Token's own organization`,
        ),
      );
      assert.ok(
        items.some((item) => /Enter organization ID…/.test(item)),
        items.join('\n'),
      );
      await pickQuickPickItem(page, 'Enter organization ID…');
      await waitFor('the organization id box', async () =>
        /Organization ID to act as/.test(await page.locator('.quick-input-widget .quick-input-message').innerText()),
      );

      assert.match(await typeAndReadValidation(page, 'org_123', /26 characters/), /has 26 characters after "org_" \(this one has 3\)/);
      assert.match(await typeAndReadValidation(page, 'team_01j8rcdz002qg35pvvp337r86n', /start with/), /start with "org_"/);
      assert.match(await typeAndReadValidation(page, 'org_01J8RCDZ002QG35PVVP337R86N', /base32/), /lower-case Crockford base32/);
      await page.locator('.quick-input-widget .quick-input-box input').press('Enter');
      await delay(300);
      assert.ok(await inputBoxVisible(page), 'Enter on an invalid id keeps the box open');
      await escape(page);
      await waitFor('the box to close', async () => !(await inputBoxVisible(page)));
      await delay(300);

      assert.equal(api.requests.length, 0, 'nothing was sent');
      assert.deepEqual(await statusItem(page), own, 'still the own organization');
    }));

  test('Factify staff acting as another organization: header sent, its keys shown, status bar in warning colour; back to own', () =>
    run('org-staff', async () => {
      const { page, api } = session();
      const own = await signedInAsStaffAtHome();

      await titleAction(page, 'Switch Organization…').click();
      await pickQuickPickItem(page, 'Enter organization ID…');
      await waitFor('the organization id box', async () =>
        /Organization ID to act as/.test(await page.locator('.quick-input-widget .quick-input-message').innerText()),
      );
      await fillInputBox(page, ` ${api.orgs.secondary} `);

      const rows = await waitForOrgKeys(api.orgs.secondary);
      assertGroups(rows, expectedGroups(api.keysOf(api.orgs.secondary), false));
      assert.ok(
        rows.some((row) => row.startsWith('Production API, active API key')),
        rows.join('\n'),
      );
      assert.ok(!rows.some((row) => row.startsWith('Internal admin tooling')), 'the own organization’s keys are gone');

      const gets = requestsOf(api, 'GET');
      assert.ok(gets.length >= 1);
      for (const request of gets) {
        assert.equal(request.headers[ORG_HEADER], api.orgs.secondary);
        assert.equal(request.headers['authorization'], `Bearer ${api.tokens.staff}`);
        assert.deepEqual(request.query, { include_revoked: 'false' });
      }

      const acting = await waitFor('the warning status bar item', async () => {
        const item = await statusItem(page);
        return item.text.includes('acting as') ? item : undefined;
      });
      assert.equal(acting.text, `Factify: acting as ${api.orgs.secondary}`);
      assert.notEqual(acting.background, own.background, 'the status bar item changes colour');
      assert.notEqual(acting.background, 'rgba(0, 0, 0, 0)');
      assert.match(acting.classes, /warning-kind/);
      assert.equal(await viewMessage(page), '');
      await shot(page, 'switched-organization');

      // Back to the token's own organization: no header any more.
      api.clearRequests();
      await runCommand(page, 'Switch Organization…');
      const items = await quickPickRows(page);
      assert.ok(
        items.some((item) => item.includes(api.orgs.secondary) && item.includes('(current)')),
        items.join('\n'),
      );
      await pickQuickPickItem(page, "Token's own organization");
      await waitForOrgKeys(api.orgs.staffHome);
      const back = requestsOf(api, 'GET');
      assert.ok(back.length >= 1);
      for (const request of back) assert.equal(request.headers[ORG_HEADER], undefined);
      await waitFor('the normal status bar item', async () => (await statusItem(page)).text === own.text);
      assert.equal((await statusItem(page)).background, own.background);
    }));

  test('not staff: the 403 says only Factify staff may act as another organization, and Switch Back returns to the own one', () =>
    run('org-forbidden', async () => {
      const { page, api } = session();
      await ensureSignedIn(session(), api.tokens.admin);
      const own = await statusItem(page);
      assert.equal(own.text, `Factify: ${api.orgs.primary}`);
      api.clearRequests();

      await runCommand(page, 'Switch Organization…');
      await pickQuickPickItem(page, 'Enter organization ID…');
      await waitFor('the organization id box', async () =>
        /Organization ID to act as/.test(await page.locator('.quick-input-widget .quick-input-message').innerText()),
      );
      await fillInputBox(page, api.orgs.secondary);

      const warning = await waitForNotification(page, /Only Factify staff/);
      assert.match(
        warning,
        new RegExp(
          `^Only Factify staff can act as another organization: Factify refused the request for ${api.orgs.secondary} \\(403\\)\\.`,
        ),
      );
      const message = await waitFor('the view to explain the 403', async () => {
        const text = await viewMessage(page);
        return /Only Factify staff/.test(text) ? text : undefined;
      });
      assert.match(message, /Switch back/);
      assert.deepEqual(
        await waitForRows(page, 'the ways out of the 403', (rows) => rows.includes('Switch Organization…')),
        ['Refresh', 'Switch Organization…', 'Show Log'],
        'no keys of either organization, only ways out',
      );
      const [refused] = requestsOf(api, 'GET');
      assert.equal(refused?.headers[ORG_HEADER], api.orgs.secondary);
      assert.equal(refused?.headers['authorization'], `Bearer ${api.tokens.admin}`);
      assert.match((await statusItem(page)).text, /acting as/);
      await shot(page, 'organization-forbidden');

      api.clearRequests();
      await clickNotificationButton(page, /Only Factify staff/, 'Switch Back');
      const rows = await waitForOrgKeys(api.orgs.primary);
      assertGroups(rows, expectedGroups(api.keysOf(api.orgs.primary), false));
      assert.equal(await viewMessage(page), '');
      const next = requestsOf(api, 'GET');
      assert.ok(next.length >= 1);
      for (const request of next) assert.equal(request.headers[ORG_HEADER], undefined, 'no override header after switching back');
      await waitFor('the own organization in the status bar', async () => (await statusItem(page)).text === own.text);
      assert.equal((await statusItem(page)).background, own.background);
    }));

  test('no token in user data, logs, browser storage (except SecretStorage), request URLs or bodies, or at the decoy', () =>
    run('leak-check', async () => {
      const report = await findTokenLeaks(session());
      assert.deepEqual(report.leaks, [], `tokens found: ${JSON.stringify(report.leaks)}`);
      assert.ok(report.factifyLogFiles.length > 0, 'the Factify log file was searched');
      assert.ok(report.globalStateSeen, 'the extension’s globalState (recent organizations) was searched');
      assert.ok(session().tokensUsed.has(session().api.tokens.staff));
    }));
});
