import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { displayLanguage, t, useL10nBundle } from '../../src/core/l10n';

const ROOT = join(__dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'l10n.mjs');

interface Comparison {
  file?: string;
  missing: string[];
  unused: string[];
  placeholders: string[];
}
interface Report {
  ok: boolean;
  messages: number;
  nonLiteral: string[];
  bundle: Comparison;
  bundleValuesDiffer: string[];
  translations: Comparison[];
  manifest: { missing: string[]; unused: string[] };
  manifestTranslations: Comparison[];
}

function check(root: string): { status: number | null; report: Report } {
  const run = spawnSync(process.execPath, [SCRIPT, '--check', '--root', root], { encoding: 'utf8' });
  return { status: run.status, report: JSON.parse(run.stdout) as Report };
}

describe('t()', () => {
  afterEach(() => useL10nBundle(undefined, 'en'));

  test('without a bundle: the English message with its positional or named arguments', () => {
    assert.equal(t('{0} of {1} keys', 3, 10), '3 of 10 keys');
    assert.equal(t('Signed out of {organization}', { organization: 'Acme' }), 'Signed out of Acme');
    assert.equal(t('Nothing to insert'), 'Nothing to insert');
    assert.equal(t('{0} and {1}', 'one'), 'one and {1}', 'a missing argument leaves its placeholder');
    assert.equal(displayLanguage(), 'en');
  });

  test('a bundle entry replaces the message, in string or object form; arguments are inserted once', () => {
    useL10nBundle({ 'Revoke “{0}”…': '„{0}“ widerrufen…', Refresh: { message: 'Aktualisieren' } }, 'de');
    assert.equal(t('Revoke “{0}”…', 'CI'), '„CI“ widerrufen…');
    assert.equal(t('Refresh'), 'Aktualisieren');
    assert.equal(t('Not in the bundle'), 'Not in the bundle');
    assert.equal(t('Revoke “{0}”…', '{0}{1}'), '„{0}{1}“ widerrufen…', 'braces in an argument are not expanded');
    assert.equal(displayLanguage(), 'de');
  });

  test("a message named like an object's own member is looked up in the bundle only", () => {
    useL10nBundle({ Refresh: 'Aktualisieren' }, 'de');
    assert.equal(t('toString'), 'toString');
    assert.equal(t('constructor'), 'constructor');
    assert.equal(t('__proto__'), '__proto__');
  });
});

describe('the bundles against the code', () => {
  test('every t() message is in l10n/bundle.l10n.json and every bundle and manifest key is used, in English and German', () => {
    const { status, report } = check(ROOT);
    assert.deepEqual(report.nonLiteral, [], 't() with a message that is not a string literal');
    assert.deepEqual(report.bundle, { missing: [], unused: [], placeholders: [] }, 'run `npm run l10n`');
    assert.deepEqual(report.bundleValuesDiffer, []);
    assert.deepEqual(report.manifest, { missing: [], unused: [] });
    assert.deepEqual(
      report.translations.map((b) => b.file),
      ['l10n/bundle.l10n.de.json'],
    );
    assert.deepEqual(
      report.manifestTranslations.map((b) => b.file),
      ['package.nls.de.json'],
    );
    for (const translation of [...report.translations, ...report.manifestTranslations]) {
      assert.deepEqual(translation.missing, [], `${translation.file}: not translated`);
      assert.deepEqual(translation.unused, [], `${translation.file}: nothing uses these`);
      assert.deepEqual(translation.placeholders, [], `${translation.file}: other placeholders than the English`);
    }
    assert.ok(report.messages > 0);
    assert.equal(status, 0);
  });

  test('the check fails on a missing string, an unused one, a changed placeholder and a non-literal message', () => {
    const root = mkdtempSync(join(tmpdir(), 'factify-l10n-'));
    mkdirSync(join(root, 'src'));
    mkdirSync(join(root, 'l10n'));
    writeFileSync(
      join(root, 'src', 'a.ts'),
      "import { t } from './l10n';\nexport const a = [t('Kept {0}', 1), t('New'), t(String(1)), vscode.l10n.t('Shell')];\n",
    );
    const english = { 'Kept {0}': 'Kept {0}', Shell: 'Shell', Gone: 'Gone' };
    writeFileSync(join(root, 'l10n', 'bundle.l10n.json'), JSON.stringify(english));
    writeFileSync(join(root, 'l10n', 'bundle.l10n.de.json'), JSON.stringify({ 'Kept {0}': 'Behalten {1}', Shell: 'Hülle' }));
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({
        contributes: {
          commands: [
            { command: 'x', title: '%x.title%' },
            { command: 'y', title: '%y.title%' },
          ],
        },
      }),
    );
    writeFileSync(join(root, 'package.nls.json'), JSON.stringify({ 'x.title': 'X', 'z.title': 'Z' }));
    writeFileSync(join(root, 'package.nls.de.json'), JSON.stringify({ 'x.title': 'X' }));

    const { status, report } = check(root);
    assert.equal(status, 1);
    assert.deepEqual(report.nonLiteral, ['src/a.ts:2']);
    assert.deepEqual(report.bundle, { missing: ['New'], unused: ['Gone'], placeholders: [] });
    assert.deepEqual(report.translations, [{ file: 'l10n/bundle.l10n.de.json', missing: ['New'], unused: [], placeholders: ['Kept {0}'] }]);
    assert.deepEqual(report.manifest, { missing: ['y.title'], unused: ['z.title'] });
    assert.deepEqual(report.manifestTranslations, [{ file: 'package.nls.de.json', missing: ['z.title'], unused: [], placeholders: [] }]);
  });
});
