/**
 * The core and the flows rendered in German through l10n/bundle.l10n.de.json: relative times and plurals,
 * key rows, the view's texts, reminders, errors with their remedies, the revoke journey and the scan summary.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useL10nBundle, type L10nBundle } from '../../src/core/l10n';
import { describeKeyTiming, formatRelative } from '../../src/core/format';
import { keyRow, keyTooltipMarkdown, STATE_LABELS } from '../../src/core/keyTree';
import { viewDescription } from '../../src/core/keysViewModel';
import { readExpiryBadge, reminderMessage } from '../../src/core/expiry';
import { pointsToLog, REMEDY_LABELS } from '../../src/core/remedies';
import { FactifyClient } from '../../src/core/client';
import { type FactifyError } from '../../src/core/errors';
import { type ApiToken } from '../../src/core/ids';
import { notificationRemedies } from '../../src/core/remedies';
import { countFindings, leakReason, summarizeScan } from '../../src/core/tokenScan';
import {
  AgentTools,
  describeAgentOrganization,
  describeConfirmedOrganization,
  keyRecord,
  revokeConfirmation,
} from '../../src/core/agentTools';
import { type OrgId } from '../../src/core/ids';
import { signIn } from '../../src/flows/account';
import { revokeKeys } from '../../src/flows/revoke';
import { Redactor } from '../../src/core/redact';
import { startFactifyServer, type FactifyServer } from '../server/factifyServer';
import { NOW, MINUTE, HOUR, DAY, ORG_ID, makeKey } from './helpers/coreFixtures';
import { confirm, info, input, warn } from './helpers/scriptedPrompts';
import { createTestApp, type TestApp } from './helpers/testApp';

const GERMAN = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'l10n', 'bundle.l10n.de.json'), 'utf8')) as L10nBundle;

/** Every test here renders German; the bundle is taken away again so that no other test sees it. */
export function inGerman(): void {
  beforeEach(() => useL10nBundle(GERMAN, 'de'));
  afterEach(() => useL10nBundle(undefined, 'en'));
}

describe('German: relative times', () => {
  inGerman();

  test('the past: one and many of each unit, with the words German has for ±1 day, week, month and year', () => {
    assert.equal(formatRelative(NOW - MINUTE, NOW), 'vor 1 Minute');
    assert.equal(formatRelative(NOW - 5 * MINUTE, NOW), 'vor 5 Minuten');
    assert.equal(formatRelative(NOW - HOUR, NOW), 'vor 1 Stunde');
    assert.equal(formatRelative(NOW - 2 * HOUR, NOW), 'vor 2 Stunden');
    assert.equal(formatRelative(NOW - DAY, NOW), 'gestern');
    assert.equal(formatRelative(NOW - 3 * DAY, NOW), 'vor 3 Tagen');
    assert.equal(formatRelative(NOW - 7 * DAY, NOW), 'letzte Woche');
    assert.equal(formatRelative(NOW - 21 * DAY, NOW), 'vor 3 Wochen');
    assert.equal(formatRelative(NOW - 30 * DAY, NOW), 'letzten Monat');
    assert.equal(formatRelative(NOW - 90 * DAY, NOW), 'vor 3 Monaten');
    assert.equal(formatRelative(NOW - 365 * DAY, NOW), 'letztes Jahr');
    assert.equal(formatRelative(NOW - 800 * DAY, NOW), 'vor 2 Jahren');
  });

  test('the future: one and many of each unit, and now', () => {
    assert.equal(formatRelative(NOW + 30_000, NOW), 'jetzt');
    assert.equal(formatRelative(NOW + MINUTE, NOW), 'in 1 Minute');
    assert.equal(formatRelative(NOW + 45 * MINUTE, NOW), 'in 45 Minuten');
    assert.equal(formatRelative(NOW + HOUR, NOW), 'in 1 Stunde');
    assert.equal(formatRelative(NOW + 5 * HOUR, NOW), 'in 5 Stunden');
    assert.equal(formatRelative(NOW + DAY, NOW), 'morgen');
    assert.equal(formatRelative(NOW + 3 * DAY, NOW), 'in 3 Tagen');
    assert.equal(formatRelative(NOW + 7 * DAY, NOW), 'nächste Woche');
    assert.equal(formatRelative(NOW + 14 * DAY, NOW), 'in 2 Wochen');
    assert.equal(formatRelative(NOW + 30 * DAY, NOW), 'nächsten Monat');
    assert.equal(formatRelative(NOW + 60 * DAY, NOW), 'in 2 Monaten');
    assert.equal(formatRelative(NOW + 365 * DAY, NOW), 'nächstes Jahr');
    assert.equal(formatRelative(NOW + 3 * 365 * DAY, NOW), 'in 3 Jahren');
  });

  test('each state words its time in German order', () => {
    assert.equal(describeKeyTiming(makeKey(), 'active', NOW), 'läuft nie ab');
    assert.equal(describeKeyTiming(makeKey({ expiresAt: NOW + 3 * DAY }), 'active', NOW), 'läuft in 3 Tagen ab');
    assert.equal(describeKeyTiming(makeKey({ expiresAt: NOW - DAY }), 'expired', NOW), 'gestern abgelaufen');
    assert.equal(describeKeyTiming(makeKey({ revokedAt: NOW - 2 * HOUR }), 'revoked', NOW), 'vor 2 Stunden widerrufen');
    assert.equal(describeKeyTiming(makeKey({ isActive: false }), 'inactive', NOW), 'inaktiv');
    assert.equal(
      describeKeyTiming(makeKey({ isActive: false, expiresAt: NOW + 4 * DAY }), 'inactive', NOW),
      'inaktiv, läuft in 4 Tagen ab',
    );
  });
});

describe('German: key rows and the view', () => {
  inGerman();

  test('the group labels', () => {
    assert.deepEqual({ ...STATE_LABELS }, { active: 'Aktiv', expired: 'Abgelaufen', inactive: 'Inaktiv', revoked: 'Widerrufen' });
  });

  test("a row's description and its accessibility sentence", () => {
    const soon = keyRow(makeKey({ expiresAt: NOW + 2 * DAY }), NOW, 14, ['src/a.ts:3']);
    assert.equal(soon.description, 'ffy_prod_01kdx2z2... · läuft bald ab, in 2 Tagen · ⚠ in einer Datei gefunden');
    assert.equal(
      soon.accessibilityLabel,
      `CI deploy, aktiver API-Schlüssel, läuft bald ab, in 2 Tagen, Präfix ffy_prod_01kdx2z2..., Organisation ${ORG_ID}, in einer Datei gefunden`,
    );
    const revoked = keyRow(makeKey({ revokedAt: NOW - 3 * DAY, orgId: undefined, id: 'key_LEGACY' }), NOW, 14, ['a:1', 'b:2']);
    assert.equal(
      revoked.accessibilityLabel,
      'CI deploy, widerrufener API-Schlüssel, vor 3 Tagen widerrufen, Präfix ffy_prod_01kdx2z2..., Organisation unbekannt, kann hier nicht widerrufen werden, an 2 Stellen gefunden',
    );
    const paused = keyRow(makeKey({ name: ' ', isActive: false, expiresAt: NOW + 60 * DAY }), NOW, 14);
    assert.equal(paused.label, '(unbenannter Schlüssel)');
    assert.match(paused.accessibilityLabel, /^\(unbenannter Schlüssel\), inaktiver API-Schlüssel, läuft in 2 Monaten ab, /);
  });

  test("a row's tooltip names each field in German", () => {
    const tooltip = keyTooltipMarkdown(makeKey({ revokedAt: NOW - HOUR, id: 'key_LEGACY' }), NOW, 14);
    assert.match(tooltip, /^Status: Widerrufen {2}$/m);
    assert.match(tooltip, /^Läuft ab: nie {2}$/m);
    assert.match(tooltip, /^Widerrufen: 2026\\-03\\-01 11\\:00\\:00 UTC \\\(vor 1 Stunde\\\) {2}$/m);
    assert.ok(
      tooltip.endsWith(
        'Hinweis: Diese ID entspricht nicht dem Muster für Schlüssel\\-IDs\\, daher kann der Schlüssel hier nicht widerrufen werden\\.',
      ),
      'our own text is escaped like any value',
    );
  });

  test('the view description while acting as another organization', () => {
    assert.equal(viewDescription(ORG_ID, 'Acme'), '⚠ handelt als Acme');
  });

  test('the badge and the reminder, with one and many keys and days', () => {
    const keys = [
      makeKey({ name: 'A', expiresAt: NOW + DAY }),
      makeKey({ id: 'key_01kdx2z2ab3cd4ef5gh6jk7mn9', name: 'B', expiresAt: NOW + 3 * DAY }),
    ];
    assert.equal(readExpiryBadge(keys.slice(0, 1), NOW, 1).badge?.tooltip, '1 aktiver Schlüssel läuft innerhalb eines Tages ab');
    assert.equal(readExpiryBadge(keys, NOW, 14).badge?.tooltip, '2 aktive Schlüssel laufen innerhalb von 14 Tagen ab');
    assert.equal(
      reminderMessage({ organizationId: ORG_ID, keys: keys.slice(0, 1), day: '2026-03-01' }, NOW, 14, 'Acme'),
      'Factify-API-Schlüssel „A“ von Acme läuft morgen ab.',
    );
    assert.equal(
      reminderMessage({ organizationId: ORG_ID, keys, day: '2026-03-01' }, NOW, 14, 'Acme'),
      '2 Factify-API-Schlüssel von Acme laufen innerhalb von 14 Tagen ab: „A“ (morgen) und „B“ (in 3 Tagen).',
    );
  });

  test('the remedy labels, and a German message that points to the log', () => {
    assert.deepEqual(
      { ...REMEDY_LABELS },
      {
        setToken: 'API-Token festlegen…',
        switchBack: 'Zurückwechseln',
        switchOrganization: 'Organisation wechseln…',
        openSettings: 'Factify-Einstellungen öffnen',
        refresh: 'Aktualisieren',
        showLog: 'Protokoll anzeigen',
      },
    );
    assert.ok(pointsToLog('Die Einzelheiten stehen im Protokoll.'));
    assert.ok(!pointsToLog('Versuchen Sie es gleich noch einmal.'));
  });
});

describe('German: leak detection and the agent revoke tool', () => {
  inGerman();

  test('the scan summary, with one and many keys, files and skipped files', () => {
    const none = { tooLarge: 0, binary: 0, unreadable: 0 };
    assert.equal(summarizeScan(countFindings([]), none, 1024), 'Im Arbeitsbereich wurden keine Factify-Schlüssel gefunden.');
    assert.equal(summarizeScan(countFindings([{ uri: 'a', kind: 'live' }]), none, 1024), '1 Factify-Schlüssel in 1 Datei: 1 gültig.');
    const records = [
      { uri: 'a', kind: 'live' as const },
      { uri: 'a', kind: 'live' as const },
      { uri: 'b', kind: 'revoked' as const },
      { uri: 'c', kind: 'unknown' as const },
    ];
    assert.equal(
      summarizeScan(countFindings(records), { tooLarge: 2, binary: 1, unreadable: 0 }, 512),
      '4 Factify-Schlüssel in 3 Dateien: 2 gültig, 1 widerrufen, 1 unbekannt. ' +
        'Nicht geprüft: 2 Dateien über 512 KB, 1 Binärdatei mit schlüsselähnlichem Text (im Protokoll aufgeführt).',
    );
    assert.equal(leakReason(['src/a.ts:3', 'src/b.ts:9', 'c:1']), 'Gefunden in src/a.ts:3 und an 2 weiteren Stellen');
  });

  test('the revoke confirmation the user reads is German; the organization is named in German', () => {
    const organization = describeConfirmedOrganization(undefined, [makeKey()], () => 'Acme');
    assert.equal(organization, `Organisation ${ORG_ID} (in diesem Editor "Acme" genannt), die eigene Organisation des Tokens`);
    const confirmation = revokeConfirmation(makeKey({ name: 'CI *deploy*' }), organization, 'offengelegt', true);
    assert.equal(confirmation.title, 'Factify-API-Schlüssel widerrufen?');
    assert.deepEqual(confirmation.plain.split('\n\n'), [
      `Den Factify-API-Schlüssel „CI *deploy*“ (Präfix ffy_prod_01kdx2z2..., ID key_01kdx2z2ab3cd4ef5gh6jk7mn8) widerrufen? Organisation: ${organization}.`,
      'Der Widerruf ist endgültig und sofort wirksam: Alles, was diesen Schlüssel verwendet, funktioniert ab sofort nicht mehr, und er lässt sich nicht rückgängig machen.',
      'Mit diesem Schlüssel meldet sich die Factify-Erweiterung selbst an: Nach dem Widerruf verliert die Erweiterung den Zugriff auf diese Organisation, bis ein neues Token festgelegt wird.',
      'Mit dem Widerruf gespeicherter Grund: „offengelegt“.',
      'Name, Präfix und Grund werden genau so angezeigt, wie sie empfangen wurden; ein KI-Agent hat diesen Widerruf angefordert.',
    ]);
    assert.ok(confirmation.markdown.includes('„CI \\*deploy\\*“'), 'the name is still escaped for Markdown');
    assert.equal(
      describeConfirmedOrganization(ORG_ID as OrgId, undefined),
      `Organisation ${ORG_ID}, eine Organisationsüberschreibung: handelt als andere Organisation`,
    );
  });

  test('what the model reads stays English', () => {
    assert.equal(keyRecord(makeKey({ revokedAt: NOW - 2 * HOUR }), NOW).timing, 'revoked 2 hours ago');
    assert.equal(describeAgentOrganization(undefined, [makeKey()]), `organization ${ORG_ID}, the token's own organization`);
    assert.equal(formatRelative(NOW - 2 * HOUR, NOW), 'vor 2 Stunden', 'and the user still reads German afterwards');
  });
});

describe('German: errors and journeys against the local Factify server', () => {
  inGerman();
  let server: FactifyServer;
  const apps: TestApp[] = [];
  before(async () => {
    server = await startFactifyServer();
  });
  after(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await server.close();
  });
  beforeEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    server.reset();
  });
  const app = (token: string | undefined, script: Parameters<typeof createTestApp>[0]['script']) => {
    const created = createTestApp({ baseUrl: server.url, token, script });
    apps.push(created);
    return created;
  };

  test('a 401 says what to do in German, and its remedy button is labelled in German', async () => {
    const client = new FactifyClient({
      origin: new URL(server.url),
      timeoutMs: 5_000,
      proxy: { proxy: undefined, noProxy: [], strictSSL: true },
      userAgent: 'factify-unit-tests',
      env: {},
    });
    const failure = await client
      .listKeys({ token: server.tokens.unknown as ApiToken, organizationId: undefined }, { includeRevoked: false })
      .then(
        () => assert.fail('a 401 was expected'),
        (thrown: FactifyError) => thrown,
      );
    await client.close();
    assert.equal(failure.kind, 'unauthorized');
    assert.equal(
      failure.message,
      'Factify hat das API-Token nicht akzeptiert (401). Legen Sie mit „Factify: API-Token festlegen…“ ein neues fest.',
    );
    assert.deepEqual(
      notificationRemedies(failure, false).map((remedy) => REMEDY_LABELS[remedy]),
      ['API-Token festlegen…'],
    );
  });

  test('the notification after signing in', async () => {
    const target = app(undefined, [input(server.tokens.admin), info()]);
    assert.equal(await signIn(target.ctx), 'stored');
    target.prompts.assertDone();
    assert.deepEqual(target.prompts.progressTitles, ['Token wird bei Factify geprüft…']);
    assert.match(target.prompts.only('info').message, /^Factify-API-Token für .+ \(test\) gespeichert\. Die Schlüssel werden geladen\.$/);
  });

  test('revoking one key: the reason box, the confirmation and the summary', async () => {
    const target = app(server.tokens.admin, [input('rotiert'), confirm(true), info()]);
    await target.store.refresh();
    const key = target.store.snapshot.loaded?.keys.find((candidate) => candidate.name === 'CI deploy');
    assert.ok(key);
    await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    const reason = target.prompts.only('input');
    assert.equal(reason.title, '„CI deploy“ widerrufen');
    assert.equal(
      reason.prompt,
      'Grund für den Widerruf (optional). Drücken Sie die EINGABETASTE, um fortzufahren, oder ESC, um abzubrechen.',
    );
    const modal = target.prompts.only('confirm');
    assert.equal(modal.message, `API-Schlüssel „CI deploy“ (${key.prefix}) widerrufen?`);
    assert.equal(
      modal.detail,
      `Organisation: ${server.orgs.primary} (die eigene Organisation des Tokens).\n` +
        'Der Widerruf ist endgültig und sofort wirksam: Alles, was den Schlüssel verwendet, funktioniert ab sofort nicht mehr.',
    );
    assert.equal(modal.confirmLabel, 'Schlüssel widerrufen');
    assert.deepEqual(target.prompts.progressTitles, ['„CI deploy“ wird widerrufen…']);
    assert.equal(target.prompts.only('info').message, '„CI deploy“ widerrufen.');
  });

  test('revoking several keys, one of them gone on the server: the summary, in German', async () => {
    const target = app(server.tokens.admin, [input(''), confirm(true), warn()]);
    await target.store.refresh();
    const keys = ['CI deploy', 'Billing webhook', 'Staging smoke tests'].map((name) => {
      const key = target.store.snapshot.loaded?.keys.find((candidate) => candidate.name === name);
      assert.ok(key, name);
      return key;
    });
    const gone = keys[1]!;
    server.setKeys(
      server.orgs.primary,
      server.keysOf(server.orgs.primary).filter((record) => record.id !== gone.id),
    );
    await revokeKeys(target.ctx, keys);
    target.prompts.assertDone();
    const modal = target.prompts.only('confirm');
    assert.equal(modal.message, '3 API-Schlüssel widerrufen?');
    assert.equal(modal.confirmLabel, '3 Schlüssel widerrufen');
    assert.equal(
      target.prompts.only('warn').message,
      '2 von 3 API-Schlüsseln widerrufen: „CI deploy“, „Staging smoke tests“. ' +
        'Fehlgeschlagen: „Billing webhook“: Dieser Schlüssel existiert in dieser Organisation nicht mehr (404); aktualisieren Sie die Liste.',
    );
  });

  test('the agent revoke tool: German confirmation and invocation message for the user, English result for the model', async () => {
    const target = app(server.tokens.admin, []);
    const tools = new AgentTools({
      store: target.store,
      auth: async () => {
        await target.tokens.load();
        return target.store.currentAuth();
      },
      leaks: () => undefined,
      redact: (text) => new Redactor().redact(text),
      now: Date.now,
      log: target.log,
    });
    const key = server.keysOf(server.orgs.primary).find((candidate) => candidate.name === 'CI deploy');
    assert.ok(key);
    const input = { keyId: key.id, reason: 'offengelegt' };
    const prepared = await tools.prepareRevoke(input);
    assert.equal(prepared.kind, 'confirm');
    assert.equal(prepared.invocationMessage, `Factify-API-Schlüssel ${key.id} wird widerrufen`);
    assert.equal(prepared.confirmation.title, 'Factify-API-Schlüssel widerrufen?');
    assert.ok(
      prepared.confirmation.plain.startsWith(
        `Den Factify-API-Schlüssel „CI deploy“ (Präfix ${key.prefix}, ID ${key.id}) widerrufen? Organisation: Organisation ${server.orgs.primary}, die eigene Organisation des Tokens.`,
      ),
      prepared.confirmation.plain,
    );
    assert.deepEqual(await tools.prepareRevoke({ keyId: 'nonsense' }), {
      kind: 'refused',
      invocationMessage: 'Eine ungültige Widerrufsanfrage wird abgelehnt',
    });
    const result = await tools.revoke(input);
    assert.match(result, new RegExp(`^Revoked key ${key.id} in organization ${server.orgs.primary}, the token's own organization\\.`));
  });
});
