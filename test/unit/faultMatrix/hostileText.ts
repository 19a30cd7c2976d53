/** Server text is data: hostile names and comments (F45–F51), tokens echoed back, org ids and icons (F65–F68), quick picks (F72). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ApiKey } from '../../../src/core/apiKey';
import { describeForLog } from '../../../src/core/errors';
import { keyRow, keyTooltipMarkdown } from '../../../src/core/keyTree';
import { Redactor } from '../../../src/core/redact';
import { displayText, escapeThemeIcons } from '../../../src/core/text';
import { describeOrganization, ownOrganizationId } from '../../../src/flows/organizationLabel';
import { revokeKeys } from '../../../src/flows/revoke';
import { confirm as confirmStep, input as inputStep, pick as pickStep } from '../helpers/scriptedPrompts';
import {
  evidence,
  MARKER_TOKEN,
  CONTROL_OR_BIDI,
  server,
  client,
  auth,
  keysStore,
  context,
  runFlow,
  script,
  failure,
  requestsOf,
  record,
  parseOne,
} from '../helpers/faultMatrix';

export function faultMatrixHostileText(): void {
  describe('injection', () => {
    const NOW = Date.now();

    /** Every ASCII punctuation character of user data in the tooltip is escaped. */
    function assertEscaped(text: string, where: string): void {
      for (let index = 0; index < text.length; index++) {
        const char = text[index] ?? '';
        if (char === '\\') {
          index++;
          continue;
        }
        assert.doesNotMatch(char, /[!-/:-@[-`{-~]/, `unescaped “${char}” in the ${where}: ${text.slice(0, 120)}`);
      }
    }

    /** The tooltip renders user data as text only: no link, command link, HTML, image or formatting. */
    function assertInertTooltip(key: ApiKey): string {
      const markdown = keyTooltipMarkdown(key, NOW, 14);
      const plain = keyTooltipMarkdown(
        { ...key, name: 'plain', revokedComment: key.revokedComment === undefined ? undefined : 'plain' },
        NOW,
        14,
      );
      const lines = markdown.split('  \n');
      assert.equal(lines.length, plain.split('  \n').length, 'no injected line breaks');
      assert.doesNotMatch(lines.join(''), CONTROL_OR_BIDI);
      assert.doesNotMatch(markdown, /command:|javascript:|https?:\/\//i);
      const [title, blank, ...rows] = lines;
      assert.equal(blank, '');
      assert.ok(title?.startsWith('**') && title.endsWith('**'));
      assertEscaped(title.slice(2, -2), 'title');
      for (const row of rows) {
        const [name] = row.split(': ', 1);
        if (name === 'Note' || name === 'Active flag') continue;
        assertEscaped(row.slice((name ?? '').length + 2), `row ${name}`);
      }
      return markdown;
    }

    function assertPlainRow(key: ApiKey): ReturnType<typeof keyRow> {
      const row = keyRow(key, NOW, 14);
      assert.doesNotMatch(row.label, CONTROL_OR_BIDI);
      assert.doesNotMatch(row.description, CONTROL_OR_BIDI);
      assert.ok(row.label.length <= 120 && row.description.length <= 120);
      return row;
    }

    function hostile(name: string, comment: string, prefix?: string): ApiKey {
      return parseOne(
        record({
          name,
          revoked_comment: comment,
          revoked_at: '2026-01-01T00:00:00Z',
          revoked_by: 'usr_x',
          is_active: false,
          ...(prefix === undefined ? {} : { prefix }),
        }),
      );
    }

    test('F45 Markdown in key names and comments (rendered as text)', () => {
      const key = hostile(
        '**bold** _it_ `code` # Heading [link](https://evil.example) ![img](https://evil.example/x.png) > quote',
        '| table | row |\n---\n* list [ref]: https://evil.example',
      );
      assertInertTooltip(key);
      const row = assertPlainRow(key);
      assert.ok(row.label.startsWith('**bold**'), 'a row label is plain text: shown as typed');
    });

    test('F46 HTML in key names and comments', () => {
      const key = hostile(
        '<img src=x onerror=alert(1)><a href="https://evil.example">x</a>',
        '<script>alert(1)</script>&lt;b&gt;',
        'ffy_prod_<b>x</b>...',
      );
      const markdown = assertInertTooltip(key);
      assert.doesNotMatch(markdown.replace(/\\./g, ''), /[<>&]/);
      assertPlainRow(key);
    });

    test('F47 command links in key names and comments', () => {
      const key = hostile(
        '[Sign out](command:factify.signOut) <command:workbench.action.reloadWindow>',
        '[x](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D) command:factify.revokeKey',
      );
      const markdown = assertInertTooltip(key);
      assert.doesNotMatch(markdown, /command:/);
      assert.match(markdown, /command\\:factify\\\.signOut/, 'shown as the literal text');
    });

    test('F48 control characters in key names and comments', () => {
      const key = hostile('evil\nname\r\twith\u0000nul\u001b[31mred\u0007\u007f\u0085', 'line1\nline2\u2028line3\u2029');
      const row = assertPlainRow(key);
      assert.match(row.label, /^evil name/);
      assertInertTooltip(key);
    });

    test('F49 RTL overrides and invisible characters in key names', () => {
      const key = hostile('invoice\u202egpj.exe\u2066x\u2069\u200b\u200d\ufeff\u2060', 'ok\u202d\u202c');
      const row = assertPlainRow(key);
      assert.ok(row.label.includes('\ufffd'), 'replaced, visibly');
      assertInertTooltip(key);
    });

    test('F50 a 10 000-character name', () => {
      const key = hostile('[x](command:y) '.repeat(700).slice(0, 10_000), 'c'.repeat(10_000));
      assert.equal(key.name.length, 10_000);
      const row = assertPlainRow(key);
      assert.ok(row.label.endsWith('…'));
      const markdown = assertInertTooltip(key);
      assert.ok(markdown.length < 5_000, `tooltip of ${markdown.length} characters`);
    });

    test('F51 hostile records served end to end: rows, tooltips and the revoke confirmation stay text', async () => {
      const names = ['[Sign out](command:factify.signOut)', '<img src=x onerror=alert(1)>', 'a\u202eevil\nsecond line', 'x'.repeat(10_000)];
      const keys = server
        .keysOf(server.orgs.primary)
        .slice(0, names.length)
        .map((key, index) => ({ ...key, name: names[index] ?? '' }));
      const forgedId = 'key_bad\n2026-01-01 [error] forged log line';
      server.setKeys(server.orgs.primary, [...keys, { ...keys[0]!, id: forgedId, name: 42 as unknown as string }]);
      const c = client(server.url);
      const store = keysStore(c, server.tokens.admin);
      await store.refresh();
      const listed = store.snapshot.loaded?.keys ?? [];
      assert.equal(listed.length, names.length);
      for (const key of listed) {
        assertPlainRow(key);
        assertInertTooltip(key);
      }
      const skipped = evidence.rawLog.filter((line) => line.includes('forged log line'));
      assert.equal(skipped.length, 1, 'the bad record is logged once');
      assert.doesNotMatch(skipped[0] ?? '', /\n/, 'a hostile id cannot forge log lines');
      const target = listed.find((key) => key.name.startsWith('a\u202e'));
      assert.ok(target);
      const prompts = script(inputStep(''), confirmStep(false));
      assert.equal(await runFlow(prompts, () => revokeKeys(context(store, c, prompts), [target])), undefined);
      prompts.assertDone();
      const question = prompts.only('confirm');
      assert.doesNotMatch(question.message, CONTROL_OR_BIDI);
      assert.doesNotMatch(prompts.only('input').title, CONTROL_OR_BIDI);
      assert.match(question.confirmLabel, /^Revoke/);
      assert.equal(requestsOf('DELETE').length, 0, 'declined: nothing sent');
    });
  });

  describe('server text: tokens echoed back, org ids, icons', () => {
    /** The needles a leak would show: the token, its random part, and long runs of it. */
    const leaks = (text: string, token: string): string[] =>
      [token, token.slice(4), token.slice(-20), token.slice(0, 24), token.slice(10, 26)].filter((needle) => text.includes(needle));
    /** Every escaped spelling a JSON body can give the same token. */
    const escapings = (token: string): string[] => [
      token.replace(/_/g, '\\u005f'),
      token.replace(/_/g, '\\u005F').replace(/f/g, '\\u0066'),
      [...token].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    ];

    test('F65 the token echoed in the Content-Type of a 2xx: masked before the cut, at every offset', async () => {
      const c = client(server.url);
      for (const offset of [0, 1, 17, 30, 40, 45, 50, 55, 58]) {
        const contentType = `text/${'a'.repeat(offset)}${MARKER_TOKEN}; charset=utf-8`;
        server.addFault({ fault: { kind: 'body', json: { api_keys: [] }, contentType }, times: 1 });
        const error = await failure(c.listKeys(auth(MARKER_TOKEN), { includeRevoked: false }), 'invalidResponse');
        const everything = `${error.message} ${describeForLog(error)}`;
        assert.deepEqual(leaks(everything, MARKER_TOKEN), [], `offset ${offset}: ${everything}`);
        assert.doesNotMatch(error.message, /ffy_canary_\w/, `no token-shaped fragment at offset ${offset}: ${error.message}`);
      }
    });

    test('F66 the token in a problem title and detail: JSON-escaped, repeated, at any offset, or long parts of it', async () => {
      const c = client(server.url);
      const shapes = [
        (token: string) => `${token} ${token} ${token}`,
        ...escapings(MARKER_TOKEN).map((escaped) => () => `rejected ${escaped}`),
        (token: string) => `tail only: ${token.slice(4)}`,
        (token: string) => `last part: …${token.slice(-24)}`,
        (token: string) => `${'y'.repeat(250)} ${token}`,
      ];
      for (const shape of shapes) {
        for (const pad of [0, 240, 270, 285, 295]) {
          const said = `${'x'.repeat(pad)}${shape(MARKER_TOKEN)}`;
          const raw = JSON.stringify({ type: 'https://api.factify.com/problems/x', title: said, status: 400, detail: said }).replace(
            /\\\\u/g,
            '\\u',
          ); // the escapes go into the body as JSON escapes, not as literal backslashes
          server.addFault({ fault: { kind: 'status', status: 400, contentType: 'application/problem+json', body: raw }, times: 1 });
          const error = await failure(c.listKeys(auth(MARKER_TOKEN), { includeRevoked: false }), 'badRequest');
          const everything = `${error.message} ${describeForLog(error)} ${JSON.stringify(error.extra)}`;
          assert.deepEqual(leaks(everything, MARKER_TOKEN), [], `pad ${pad}: ${everything.slice(0, 400)}`);
          assert.doesNotMatch(error.message, /ffy_canary_\w/);
        }
      }
      // And what the shell shows and logs, through the shell's redactor that learned the stored token.
      const redactor = new Redactor();
      redactor.addSecret(MARKER_TOKEN);
      for (const escaped of escapings(MARKER_TOKEN)) assert.deepEqual(leaks(redactor.redact(`said: ${escaped}.`), MARKER_TOKEN), []);
      assert.equal(redactor.redact(`x ${MARKER_TOKEN.slice(9)} y`), 'x [redacted] y', 'a long part of a known token');
      assert.equal(
        redactor.redact(`key ffy_prod_a1b2 and ${'z'.repeat(11)}`),
        `key ffy_prod_a1b2 and ${'z'.repeat(11)}`,
        'prefixes and short runs stay',
      );
    });

    test('F67 a cut never leaves part of a token', () => {
      for (let at = 0; at < 60; at++) {
        const text = `${'n'.repeat(at)}${MARKER_TOKEN} after`;
        for (const max of [20, 40, 50, 64]) {
          const shown = displayText(text, max);
          assert.doesNotMatch(shown, /ffy_(?!\[redacted\])\w*…$/, `cut at ${max}, token at ${at}: ${shown}`);
          assert.ok(shown.length <= max + 'ffy_[redacted]'.length, shown);
        }
      }
      assert.equal(displayText('Key ffy_prod_a1b2', 80), 'Key ffy_prod_a1b2', 'an uncut prefix is left alone');
    });

    test('F68 an org_id from the answer is shown only if it matches its pattern; server text never becomes $(icon) syntax', async () => {
      const own = server.orgs.primary;
      const hostile = [
        'org_x\n$(alert) Click [here](command:factify.signOut)',
        `${own}\u202e`,
        '$(warning) Factify: acting as org_evil',
        'ORG_01KDX',
      ];
      for (const orgId of hostile) {
        server.setKeys(
          own,
          server.keysOf(own).map((key, index) => (index === 0 ? { ...key, org_id: orgId } : key)),
        );
        const store = keysStore(client(server.url), server.tokens.admin);
        await store.refresh();
        assert.equal(ownOrganizationId(store.snapshot), own, 'the valid ids still name the organization');
        const hostileKey = store.snapshot.loaded?.keys[0];
        assert.ok(hostileKey);
        const tooltip = keyTooltipMarkdown(hostileKey, Date.now(), 7);
        assert.ok(!tooltip.includes(orgId.slice(0, 8)) || orgId.startsWith(own), `tooltip: ${tooltip}`);
        assert.match(tooltip, /not a valid organization ID/);
        const prompts = script(inputStep(''), confirmStep(false));
        await runFlow(prompts, () => revokeKeys(context(store, client(server.url), prompts), [hostileKey]));
        const detail = prompts.only('confirm').detail;
        assert.match(detail, new RegExp(`^Organization: ${own} \\(the token's own organization\\)\\.`));
        assert.doesNotMatch(detail, /\$\(|command:|\u202e|org_evil|ORG_/);
        server.reset();
      }
      // Every record invalid, or two valid ones disagreeing: no organization id is shown at all.
      server.setKeys(
        own,
        server.keysOf(own).map((key) => ({ ...key, org_id: '$(alert) org' })),
      );
      const store = keysStore(client(server.url), server.tokens.admin);
      await store.refresh();
      assert.equal(ownOrganizationId(store.snapshot), undefined);
      assert.equal(describeOrganization(undefined, store.snapshot), "the token's own organization");
      server.setKeys(
        own,
        server.keysOf(own).map((key, index) => ({ ...key, org_id: index === 0 ? server.orgs.secondary : own })),
      );
      await store.refresh();
      assert.equal(ownOrganizationId(store.snapshot), undefined, 'records that disagree name no organization');

      assert.equal(escapeThemeIcons('$(alert) key $(sync~spin)'), '\\$(alert) key \\$(sync~spin)');
      assert.equal(escapeThemeIcons('already \\$(alert)'), 'already \\$(alert)');
    });
  });

  describe('server text in quick picks', () => {
    test('F72 key names, prefixes and ids in the revoke quick pick never become $(icon) syntax', async () => {
      const own = server.orgs.primary;
      server.setKeys(
        own,
        server
          .keysOf(own)
          .map((key, index) => (index === 0 ? { ...key, name: '$(alert) Urgent: click $(sync~spin)', prefix: '$(key)ffy_' } : key)),
      );
      const c = client(server.url);
      const store = keysStore(c, server.tokens.admin);
      await store.refresh();
      const prompts = script(pickStep('Urgent'), inputStep(undefined));
      await runFlow(prompts, () => revokeKeys(context(store, c, prompts), undefined));
      const items = prompts.only('pick').items;
      const hostile = items.find((item) => item.label.includes('Urgent'));
      assert.ok(hostile);
      assert.equal(hostile.label, '\\$(alert) Urgent: click \\$(sync~spin)');
      assert.equal(hostile.description, '\\$(key)ffy_');
      for (const item of items) assert.doesNotMatch(`${item.label} ${item.description ?? ''} ${item.detail ?? ''}`, /(^|[^\\])\$\(/);
      assert.equal(requestsOf('DELETE').length, 0);
    });
  });
}
