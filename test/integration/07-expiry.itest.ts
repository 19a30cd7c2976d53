/**
 * Expiry awareness in the real extension host: the view's badge and the once-a-day reminder. The server's
 * seed puts key expiries relative to its clock (the primary organization's "Support dashboard" expires in
 * 3 days, "Analytics export" in 30; the staff organization's "Internal admin tooling" in 115), so the
 * warning window decides which keys count.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { env, input, resetAll, ScriptedWindow, view, waitFor, waitForKeysOf, type PromptCall } from './host';

const SHOW_KEYS = 'Show Keys';

function factify(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('factify');
}

const isReminder = (call: PromptCall): boolean => call.kind === 'info' && /Factify API keys? .* expires?/.test(call.text);

suite('Expiry awareness', () => {
  suiteSetup(async () => {
    await factify().update('expiryReminders', true, vscode.ConfigurationTarget.Global);
  });
  suiteTeardown(async () => {
    await factify().update('expiryReminders', false, vscode.ConfigurationTarget.Global);
    await factify().update('expiryWarningDays', undefined, vscode.ConfigurationTarget.Global);
    await resetAll();
  });

  test('opening an organization with keys expiring soon: one reminder naming them; Show Keys selects the soonest', async () => {
    const keysView = await view();
    const script = new ScriptedWindow([input(env.tokens.admin)], (kind, message) =>
      kind === 'info' && /expires? /.test(message) ? SHOW_KEYS : undefined,
    );
    await script.run(async () => {
      await vscode.commands.executeCommand('factify.signIn');
      await waitForKeysOf(env.orgs.primary, false);
      await waitFor(
        () => keysView.treeView.selection.some((node) => node.key?.name === 'Support dashboard'),
        () => `Show Keys to select “Support dashboard”; messages: ${JSON.stringify(script.calls)}`,
      );
    });
    script.assertDone();
    const reminders = script.calls.filter(isReminder);
    assert.equal(reminders.length, 1, JSON.stringify(script.calls));
    // Three days from the seed's clock, a few milliseconds less by the time the list is shown.
    assert.match(
      reminders[0]?.text ?? '',
      new RegExp(`^Factify API key “Support dashboard” of ${env.orgs.primary} expires in [23] days\\.$`),
    );
    assert.deepEqual(reminders[0]?.buttons, [SHOW_KEYS]);
    assert.ok(keysView.treeView.visible, 'the view is showing');
  });

  test('the badge counts the active keys expiring within factify.expiryWarningDays, and says so', async () => {
    const keysView = await view();
    await waitForKeysOf(env.orgs.primary, false);
    // The badge follows the rows (counting is a pass over the whole list).
    await waitFor(
      () => keysView.treeView.badge?.value === 1,
      () => `a badge of 1, not ${JSON.stringify(keysView.treeView.badge)}`,
    );
    assert.deepEqual(keysView.treeView.badge, { value: 1, tooltip: '1 active key expires within 14 days' });
    await factify().update('expiryWarningDays', 35, vscode.ConfigurationTarget.Global);
    await waitFor(
      () => keysView.treeView.badge?.value === 2,
      () => `a badge of 2, not ${JSON.stringify(keysView.treeView.badge)}`,
    );
    assert.equal(keysView.treeView.badge?.tooltip, '2 active keys expire within 35 days');
    await factify().update('expiryWarningDays', 0, vscode.ConfigurationTarget.Global);
    await waitFor(
      () => keysView.treeView.badge === undefined,
      () => `no badge, not ${JSON.stringify(keysView.treeView.badge)}`,
    );
  });

  test('the same day: a refresh of a reminded organization says nothing; another organization gets its own reminder', async () => {
    await factify().update('expiryWarningDays', 120, vscode.ConfigurationTarget.Global);
    const script = new ScriptedWindow([input(env.tokens.staff)]);
    await script.run(async () => {
      // The primary organization was reminded today: its refresh, with more keys in the window, stays quiet.
      await vscode.commands.executeCommand('factify.refresh');
      await waitForKeysOf(env.orgs.primary, false);
      // The staff organization has not been: it is reminded once its list is open.
      await vscode.commands.executeCommand('factify.signOut');
      await vscode.commands.executeCommand('factify.signIn');
      await waitForKeysOf(env.orgs.staffHome, false);
      await waitFor(
        () => script.calls.some(isReminder),
        () => `a reminder for the staff organization; messages: ${JSON.stringify(script.calls)}`,
      );
      await vscode.commands.executeCommand('factify.refresh');
      await waitForKeysOf(env.orgs.staffHome, false);
    });
    script.assertDone();
    const reminders = script.calls.filter(isReminder).map((call) => call.text);
    assert.deepEqual(
      reminders,
      [`Factify API key “Internal admin tooling” of ${env.orgs.staffHome} expires in 3 months.`],
      'one reminder, for the organization not yet reminded today',
    );
    assert.ok(!reminders.some((text) => text.includes(env.orgs.primary)), 'nothing more about the primary organization today');
  });
});
