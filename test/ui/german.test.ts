/**
 * UI journeys in German: code-server with German as its display language (a test language pack, see
 * `installLanguagePack`), so VS Code gives the extension `vscode.env.language === 'de'`, the manifest's texts from
 * package.nls.de.json and the bundle l10n/bundle.l10n.de.json. VS Code's own texts stay English (the pack
 * translates none of them): "Cancel", "Focus on … View".
 *
 * Expected texts are read from those files — `nls(key)` for the manifest, `de(english, …args)` for the bundle,
 * which fails when the English message is not in it — so a reworded translation needs no change here, while an
 * English text where a German one belongs fails. The later journeys check texts the core and the flows make (group
 * labels, key rows, the revoke confirmation and its notification).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clickDialogButton, escapeRegExp, fillInputBox, readDialog, runCommand, treeRow } from '../realvscode/harness';
import {
  chooseFromContextMenu,
  clickNotificationButton,
  contextMenuItems,
  expectedGroups,
  expectedRowCount,
  findTokenLeaks,
  keyNamed,
  requestsOf,
  sharedSession,
  shot,
  statusBarText,
  viewNameIn,
  waitFor,
  waitForInputTitle,
  waitForNotification,
  waitForRows,
  welcomeButton,
  welcomeText,
  type UiSession,
} from './session';

const ROOT = path.join(__dirname, '..', '..', '..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, string>;
const BUNDLE_DE = readJson(path.join('l10n', 'bundle.l10n.de.json'));
const NLS_EN = readJson('package.nls.json');
const NLS_DE = readJson('package.nls.de.json');

/** Whether the German bundle translates every one of these English messages. */
function bundleHas(...messages: string[]): boolean {
  return messages.every((message) => Object.hasOwn(BUNDLE_DE, message));
}

/** The German of an English message of the extension, its `{0}`… filled in as the extension does. */
function de(english: string, ...args: Array<string | number>): string {
  assert.ok(bundleHas(english), `“${english}” is not in l10n/bundle.l10n.de.json`);
  const german = BUNDLE_DE[english] as string;
  assert.notEqual(german, english, `“${english}” is not translated`);
  return german.replace(/\{(\d+)\}/g, (whole, index: string) => (args[Number(index)] === undefined ? whole : String(args[Number(index)])));
}

/** A manifest text in German (package.nls.de.json). */
function nls(key: string): string {
  const german = NLS_DE[key];
  assert.ok(german, `${key} is not in package.nls.de.json`);
  return german;
}

/** Welcome content or a setting's description as VS Code renders its Markdown: the link text, no `**`/`` ` ``. */
function renderedLines(markdown: string): string[] {
  return markdown
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*|`/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

async function inputMessage(session: UiSession): Promise<string> {
  return (await session.page.locator('.quick-input-widget .quick-input-message').innerText()).trim();
}

/** Signs in through the palette by the command's German title and waits for the whole primary list. */
async function signInInGerman(session: UiSession): Promise<string[]> {
  const { page, api } = session;
  const token = api.tokens.admin;
  session.tokensUsed.add(token);
  await runCommand(page, nls('command.signIn.title'), nls('command.category'));
  await fillInputBox(page, token);
  const expected = expectedGroups(api.keysOf(api.orgs.primary), false);
  const names = expected.flatMap((group) => group.names);
  const rows = await waitForRows(
    page,
    'the whole primary list',
    (rows) => rows.length === expectedRowCount(expected) && names.every((name) => rows.some((row) => row.startsWith(`${name}, `))),
  );
  session.signedInAs = token;
  return rows;
}

describe('In German (code-server with a German display language)', { timeout: 300_000 }, () => {
  // Leak detection is off, so Find API Keys in Workspace answers with the extension's own notification.
  const { session, run } = sharedSession(() => [], { locale: 'de', settings: { 'factify.leakDetection.enabled': false } });

  test('the view, its welcome, the palette, the filter box, a key row, Copy Key ID and a notification are German', () =>
    run('german-shell', async () => {
      const s = session();
      const { page, api } = s;

      // The view and its welcome content, from package.nls.de.json.
      assert.equal(viewNameIn('de'), 'API-Schlüssel');
      await page.locator(`.pane-header[aria-label^="${nls('views.apiKeys.name')}"]`).waitFor({ state: 'attached' });
      const signedOut = renderedLines(nls('viewsWelcome.signedOut'));
      // The loading welcome may show first.
      const welcome = await waitFor('the German signed-out welcome', async () => {
        const text = await welcomeText(page);
        return JSON.stringify(lines(text)) === JSON.stringify(signedOut) ? text : undefined;
      });
      assert.ok(!welcome.includes(renderedLines(NLS_EN['viewsWelcome.signedOut'] as string)[0] as string), 'no English welcome');
      await welcomeButton(page, signedOut[1] as string).waitFor({ state: 'visible' });
      await shot(page, 'german-welcome');

      // A command from the palette by its German title: "Factify: API-Token festlegen…".
      await signInInGerman(s);

      // The filter box (the shell's own texts) and a filtered group row: "<Active> 1 von 8".
      await runCommand(page, nls('command.filterKeys.title'), nls('command.category'));
      assert.equal(await waitForInputTitle(page, new RegExp(`^${escapeRegExp(de('Factify: Filter Keys'))}$`)), de('Factify: Filter Keys'));
      // VS Code adds its own (English) hint after the prompt.
      const prompt = await inputMessage(s);
      assert.ok(prompt.startsWith(de('Show only keys whose name, prefix or id contains this text. Leave empty to show all.')), prompt);
      assert.equal(
        await page.locator('.quick-input-widget .quick-input-box input').getAttribute('placeholder'),
        de('e.g. deploy, ffy_prod_, key_01…'),
      );
      await fillInputBox(page, 'Zapier');
      const active = expectedGroups(api.keysOf(api.orgs.primary), false).find((group) => group.label === 'Active');
      assert.ok(active);
      const filtered = await waitForRows(page, 'only Zapier automation', (rows) => rows.length === 2);
      assert.ok(filtered[0]?.endsWith(` ${de('{0} of {1}', 1, active.count)}`), `the group row counts in German: ${filtered[0]}`);
      assert.match(filtered[1] ?? '', /^Zapier automation, /);
      await shot(page, 'german-filtered');

      // The key row's context menu (command titles from package.nls.de.json) and the status bar message.
      const key = keyNamed(api, api.orgs.primary, 'Zapier automation');
      await treeRow(page, 'Zapier automation').click({ button: 'right' });
      assert.deepEqual(await contextMenuItems(page), [
        nls('command.copyKeyId.title'),
        nls('command.copyKeyPrefix.title'),
        nls('command.revokeKey.title'),
      ]);
      await page.keyboard.press('Escape');
      await chooseFromContextMenu(page, 'Zapier automation', nls('command.copyKeyId.title'));
      await waitFor('the German status bar message', async () => (await statusBarText(page)).includes(de('Copied key ID {0}', key.id)));

      await runCommand(page, nls('command.clearFilter.title'), nls('command.category'));
      await waitForRows(page, 'the whole list again', (rows) => rows.length > 2);

      // A notification of the extension's own, with its button, and the setting it opens described in German.
      await runCommand(page, nls('command.findKeysInWorkspace.title'), nls('command.category'));
      const off = de('Leak detection is turned off (factify.leakDetection.enabled).');
      assert.equal(await waitForNotification(page, new RegExp(`^${escapeRegExp(off)}$`)), off);
      await shot(page, 'german-notification');
      await clickNotificationButton(page, new RegExp(escapeRegExp(off)), de('Open Setting'));
      const description = renderedLines(nls('configuration.leakDetection.enabled.markdownDescription')).join(' ');
      const firstSentence = description.slice(0, description.indexOf(' ('));
      await waitFor('the setting described in German', async () => {
        const texts = await page.locator('.settings-editor .setting-item-description').allInnerTexts();
        return texts.some((text) => text.includes(firstSentence));
      });
      await shot(page, 'german-setting');
      // The settings open over the workbench: Escape clears their search box, then closes them.
      await waitFor('the settings to close', async () => {
        if (!(await page.locator('.settings-editor').isVisible())) return true;
        await page.keyboard.press('Escape');
        return false;
      });
      assert.equal(requestsOf(api, 'DELETE').length, 0);
    }));

  test('group rows and key rows are German (texts of the core)', () =>
    run('german-core', async () => {
      const s = session();
      const { page, api } = s;
      if (s.signedInAs !== api.tokens.admin) await signInInGerman(s);
      const active = expectedGroups(api.keysOf(api.orgs.primary), false).find((group) => group.label === 'Active');
      assert.ok(active);
      const rows = await waitForRows(page, 'the German group row', (rows) => rows.includes(`${de('Active')} ${active.count}`));
      const key = keyNamed(api, api.orgs.primary, 'Zapier automation');
      const row = rows.find((candidate) => candidate.startsWith('Zapier automation, '));
      assert.ok(row?.startsWith(`Zapier automation, ${de('active API key')}, `), row);
      assert.ok(row?.endsWith(`, ${de('prefix {0}', key.prefix)}, ${de('organization {0}', api.orgs.primary)}`), row);
    }));

  test('the revoke confirmation and its notification are German (texts of the flows)', () =>
    run('german-revoke', async () => {
      const s = session();
      const { page, api } = s;
      if (s.signedInAs !== api.tokens.admin) await signInInGerman(s);
      api.clearRequests();
      const key = keyNamed(api, api.orgs.primary, 'CI deploy');
      await chooseFromContextMenu(page, 'CI deploy', nls('command.revokeKey.title'));
      await waitForInputTitle(page, new RegExp(`^${escapeRegExp(de('Revoke “{0}”', 'CI deploy'))}$`));
      await fillInputBox(page, '');
      const dialog = await readDialog(page);
      assert.ok(dialog.startsWith(de('Revoke API key “{0}” ({1})?', 'CI deploy', key.prefix)), dialog);
      await shot(page, 'german-revoke-dialog');
      assert.equal(requestsOf(api, 'DELETE').length, 0, 'nothing is sent before the confirmation');
      await clickDialogButton(page, de('Revoke Key'));
      const revoked = de('Revoked “{0}”.', 'CI deploy');
      assert.equal(await waitForNotification(page, new RegExp(`^${escapeRegExp(revoked)}$`)), revoked);
      assert.equal(requestsOf(api, 'DELETE').length, 1);
    }));

  test('no token in logs, storage or requests (other than the Authorization header)', () =>
    run('german-leaks', async () => {
      if (!session().signedInAs) await signInInGerman(session());
      const report = await findTokenLeaks(session());
      assert.deepEqual(report.leaks, [], `tokens found: ${JSON.stringify(report.leaks)}`);
      assert.ok(report.secretStorageSeen);
    }));
});
