/** The key tree model: groups, rows, filters, sort keys and tooltips (src/core/keyTree.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ApiKey } from '../../src/core/apiKey';
import { filterGroups, groupByState, keyRow, keyTooltipMarkdown, nameSortKey } from '../../src/core/keyTree';
import { NOW, DAY, KEY_ID, ORG_ID, keyIdFor, makeKey, assertFullyEscaped, unescapeMarkdown, hostileNames } from './helpers/coreFixtures';

describe('key tree', () => {
  test('nameSortKey orders names ignoring case and accents, with numbers by value', () => {
    const names = ['key 10', 'Key 9', 'éclair', 'Eclair 2', 'alpha', 'key 010', 'zulu', 'Ärger', 'key 9a'];
    const sorted = [...names].sort((a, b) => (nameSortKey(a) < nameSortKey(b) ? -1 : nameSortKey(a) > nameSortKey(b) ? 1 : 0));
    assert.deepEqual(sorted, ['alpha', 'Ärger', 'éclair', 'Eclair 2', 'Key 9', 'key 9a', 'key 10', 'key 010', 'zulu']);
  });

  test('nameSortKey pads every run of digits to 16 without its leading zeros, and keeps longer runs', () => {
    // What the sort keys have always been: a plain scan, kept here as the reference.
    const reference = (name: string) => {
      let key = name.toLowerCase();
      // eslint-disable-next-line no-control-regex
      if (/[^\u0000-\u007f]/.test(key)) key = key.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      let padded = '';
      let copied = 0;
      for (let at = 0; at < key.length; at++) {
        if (!/[0-9]/.test(key[at]!)) continue;
        let end = at + 1;
        while (end < key.length && /[0-9]/.test(key[end]!)) end++;
        let significant = at;
        while (significant < end - 1 && key[significant] === '0') significant++;
        padded += key.slice(copied, at) + '0'.repeat(Math.max(0, 16 - (end - significant))) + key.slice(significant, end);
        copied = end;
        at = end - 1;
      }
      return copied === 0 ? key : padded + key.slice(copied);
    };
    let seed = 11;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const pieces = [
      '0',
      '00',
      '007',
      '1',
      '42',
      '9'.repeat(15),
      '1'.repeat(16),
      '0'.repeat(20) + '5',
      '1'.repeat(25),
      'a',
      ' ',
      'Ä',
      '٣',
      '０',
      'x-',
      '',
    ];
    for (let round = 0; round < 3_000; round++) {
      const name = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      assert.equal(nameSortKey(name), reference(name), JSON.stringify(name));
    }
    assert.equal(nameSortKey('Key 007b10'), 'key 0000000000000007b0000000000000010');
  });

  test('grouping from the previous groups gives the same groups as grouping from scratch', () => {
    const many = Array.from({ length: 300 }, (_, i) =>
      makeKey({
        id: keyIdFor(100 + i),
        name: `svc ${(i * 7919) % 300}`,
        isActive: i % 11 !== 0,
        expiresAt: i % 13 === 0 ? NOW - DAY : undefined,
        revokedAt: i % 17 === 0 ? NOW - DAY : undefined,
      }),
    );
    for (const includeRevoked of [false, true]) {
      const first = groupByState(many, { nowMs: NOW, includeRevoked });
      const next = [...many];
      next[5] = { ...next[5]!, name: 'aaa first now' };
      next[6] = { ...next[6]!, revokedAt: NOW - 1 };
      next.splice(40, 3);
      next.push(makeKey({ id: keyIdFor(999), name: 'svc 150' }));
      const names = (groups: readonly { state: string; keys: readonly ApiKey[]; total: number }[]) =>
        groups.map((group) => [group.state, group.total, group.keys.map((key) => key.id)]);
      const regrouped = groupByState(next, { nowMs: NOW, includeRevoked }, first);
      assert.deepEqual(names(regrouped), names(groupByState(next, { nowMs: NOW, includeRevoked })));
      // Time passing moves keys between states: still the same as from scratch.
      const later = NOW + 400 * DAY;
      assert.deepEqual(
        names(groupByState(next, { nowMs: later, includeRevoked }, regrouped)),
        names(groupByState(next, { nowMs: later, includeRevoked })),
      );
      // A previous grouping of an unrelated list is only a hint.
      assert.deepEqual(
        names(groupByState(keys, { nowMs: NOW, includeRevoked }, regrouped)),
        names(groupByState(keys, { nowMs: NOW, includeRevoked })),
      );
    }
  });

  test('names starting with a character next to the letters are never skipped for a later letter', () => {
    // '@', '[' and '`' are one bit away from 'A'…'Z' and 'a'…'z' (the case bit); they sort before every letter.
    const names = [
      ...Array.from({ length: 900 }, (_, i) => `alpha ${i}`),
      ...Array.from({ length: 300 }, (_, i) => `zulu ${i}`),
      '[bracket',
      '@at',
      '`tick',
      '{brace',
      '~tilde',
    ];
    const keys = names.map((name, i) => makeKey({ id: keyIdFor(i), name }));
    const active = groupByState(keys, { nowMs: NOW, includeRevoked: false })[0]!;
    assert.deepEqual(
      active.first(5).map((key) => key.name),
      ['@at', '[bracket', '`tick', 'alpha 0', 'alpha 1'],
    );
    assert.deepEqual(
      active.keys.slice(-2).map((key) => key.name),
      ['{brace', '~tilde'],
    );
  });

  test('the first keys of a group are the start of its whole order, for any names and page sizes', () => {
    // A seeded generator, so a failure reproduces.
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const starts = [
      'a',
      'A',
      'b',
      'Z',
      'z',
      'é',
      'É',
      'Ä',
      '0',
      '9',
      '007',
      ' ',
      '-',
      '_',
      '~',
      '[',
      '',
      'ａ',
      'ß',
      '\u0130',
      'key 1',
      'Key 01',
    ];
    // Names that all start with a letter, as most do: the first page is then told apart by first letters.
    const letters = ['a', 'A', 'b', 'B', 'c', 'm', 'M', 'x', 'z', 'Z'];
    const rests = ['', 'lpha', ' 2', ' 10', ' 010', 'x', 'X', 'éclair', ' 99999999999999999999', ...hostileNames.slice(0, 3)];
    for (let round = 0; round < 40; round++) {
      const size = 1 + Math.floor(random() * 3000);
      const keys = Array.from({ length: size }, (_, i) =>
        makeKey({
          id: keyIdFor(Math.floor(random() * 1_000_000) * 10_000 + i),
          name:
            round % 5 === 0
              ? `Same name ${i % 3}`
              : `${pick(round % 2 === 0 ? letters : starts)}${pick(rests)}${random() < 0.5 ? ` ${Math.floor(random() * 50)}` : ''}`,
          expiresAt: random() < 0.1 ? NOW - DAY : undefined,
        }),
      );
      const reference = [...keys]
        .filter((key) => key.expiresAt === undefined)
        .sort((a, b) => {
          const [keyA, keyB] = [nameSortKey(a.name), nameSortKey(b.name)];
          return keyA < keyB ? -1 : keyA > keyB ? 1 : a.id < b.id ? -1 : 1;
        })
        .map((key) => key.id);
      for (const count of [0, 1, 7, 100, 500, size]) {
        const active = groupByState(keys, { nowMs: NOW, includeRevoked: false }).find((group) => group.state === 'active');
        if (!active) continue;
        assert.equal(active.size, reference.length);
        const first = active.first(count).map((key) => key.id);
        assert.deepEqual(first, reference.slice(0, count), `round ${round}, ${size} keys, first ${count}`);
        assert.deepEqual(
          active.first(Math.floor(count / 2)).map((key) => key.id),
          reference.slice(0, Math.floor(count / 2)),
        );
        assert.deepEqual(
          active.keys.map((key) => key.id),
          reference,
          'the whole order after a first page',
        );
        assert.deepEqual(
          active.first(count).map((key) => key.id),
          reference.slice(0, count),
          'a first page after the whole order',
        );
      }
    }
  });

  test('filterGroups narrows the sorted groups without re-sorting and keeps the totals', () => {
    const groups = groupByState(keys, { nowMs: NOW, includeRevoked: true });
    const filtered = filterGroups(groups, '  BETA ');
    assert.deepEqual(
      filtered.map((group) => [group.state, group.total, group.keys.map((key) => key.name)]),
      [
        ['active', 4, ['beta 9', 'beta 10']],
        ['expired', 1, []],
        ['inactive', 1, []],
        ['revoked', 2, []],
      ],
    );
    assert.deepEqual(filterGroups(groups, undefined), groups);
  });

  const keys: ApiKey[] = [
    makeKey({ id: keyIdFor(1), name: 'zeta service', prefix: 'ffy_prod_aaaa1111...' }),
    makeKey({ id: keyIdFor(2), name: 'Alpha worker', prefix: 'ffy_prod_bbbb2222...', expiresAt: NOW + 2 * DAY }),
    makeKey({ id: keyIdFor(3), name: 'beta 10', prefix: 'ffy_test_cccc3333...' }),
    makeKey({ id: keyIdFor(4), name: 'beta 9', prefix: 'ffy_prod_dddd4444...' }),
    makeKey({ id: keyIdFor(5), name: 'Old expired', expiresAt: NOW - DAY }),
    makeKey({ id: keyIdFor(6), name: 'Paused', isActive: false }),
    makeKey({ id: keyIdFor(7), name: 'Gone', revokedAt: NOW - DAY, isActive: true }),
    makeKey({ id: keyIdFor(8), name: 'Gone too', revokedAt: NOW - 2 * DAY }),
  ];
  const summary = (groups: ReturnType<typeof filterGroups>) =>
    groups.map((group) => [group.state, group.total, group.keys.map((key) => key.name)]);

  test('groups by state in a fixed order; Revoked only when revoked keys are shown; sorted by name', () => {
    assert.deepEqual(summary(filterGroups(groupByState(keys, { nowMs: NOW, includeRevoked: false }), undefined)), [
      ['active', 4, ['Alpha worker', 'beta 9', 'beta 10', 'zeta service']],
      ['expired', 1, ['Old expired']],
      ['inactive', 1, ['Paused']],
    ]);
    assert.deepEqual(summary(filterGroups(groupByState(keys, { nowMs: NOW, includeRevoked: true }), '')).at(-1), [
      'revoked',
      2,
      ['Gone', 'Gone too'],
    ]);
  });

  test('the filter matches name, prefix or id case-insensitively; total counts the unfiltered keys', () => {
    const filtered = (filter: string) => summary(filterGroups(groupByState(keys, { nowMs: NOW, includeRevoked: true }), filter));
    assert.deepEqual(filtered('  BETA '), [
      ['active', 4, ['beta 9', 'beta 10']],
      ['expired', 1, []],
      ['inactive', 1, []],
      ['revoked', 2, []],
    ]);
    assert.deepEqual(filtered('FFY_TEST_')[0], ['active', 4, ['beta 10']]);
    assert.deepEqual(filtered(keyIdFor(7).toUpperCase()).at(-1), ['revoked', 2, ['Gone']]);
    assert.ok(filtered('no such key').every(([, , names]) => (names as string[]).length === 0));
  });

  test('keyRow: label, description, icon and contextValue', () => {
    const row = (key: ApiKey) => keyRow(key, NOW, 14);
    const soon = row(keys[1]!);
    assert.equal(soon.label, 'Alpha worker');
    assert.equal(soon.description, 'ffy_prod_bbbb2222... · expires soon, in 2 days', 'the state in words, not only the warning icon');
    assert.equal(soon.icon, 'expiringSoon');
    assert.equal(soon.contextValue, 'apiKey.active.revocable');
    assert.equal(row(keys[0]!).icon, 'active');
    assert.equal(keyRow(keys[1]!, NOW, 1).icon, 'active', 'outside a 1-day warning window');
    assert.equal(row(keys[4]!).contextValue, 'apiKey.expired.revocable');
    assert.equal(row(keys[5]!).contextValue, 'apiKey.inactive.revocable');
    assert.equal(row(keys[6]!).contextValue, 'apiKey.revoked');
    assert.equal(row(keys[6]!).icon, 'revoked');
    const unrevocable = row(makeKey({ id: 'key_LEGACY' }));
    assert.equal(unrevocable.contextValue, 'apiKey.active', 'an id failing its pattern is never revocable');
    assert.match(unrevocable.contextValue, /^apiKey\./, 'copy commands still apply');
    assert.doesNotMatch(unrevocable.contextValue, /^apiKey\.[a-z]+\.revocable$/);
    assert.match(unrevocable.description, / · cannot be revoked here$/, 'the question-mark icon is said in words too');
  });

  test('keyRow: the accessibility label is a sentence with name, state, expiry, prefix and organization', () => {
    const spoken = (key: ApiKey, warningDays = 14) => keyRow(key, NOW, warningDays).accessibilityLabel;
    assert.equal(spoken(keys[0]!), `zeta service, active API key, never expires, prefix ffy_prod_aaaa1111..., organization ${ORG_ID}`);
    assert.equal(
      spoken(keys[1]!),
      `Alpha worker, active API key, expires soon, in 2 days, prefix ffy_prod_bbbb2222..., organization ${ORG_ID}`,
    );
    assert.equal(
      spoken(keys[1]!, 1),
      `Alpha worker, active API key, expires in 2 days, prefix ffy_prod_bbbb2222..., organization ${ORG_ID}`,
    );
    assert.equal(spoken(keys[4]!), `Old expired, expired API key, expired yesterday, prefix ffy_prod_01kdx2z2..., organization ${ORG_ID}`);
    assert.equal(
      spoken(makeKey({ name: 'Paused', isActive: false, expiresAt: NOW + 60 * DAY })),
      `Paused, inactive API key, expires in 2 months, prefix ffy_prod_01kdx2z2..., organization ${ORG_ID}`,
    );
    assert.equal(spoken(keys[6]!), `Gone, revoked API key, revoked yesterday, prefix ffy_prod_01kdx2z2..., organization ${ORG_ID}`);
    assert.equal(
      spoken(makeKey({ id: 'key_LEGACY', orgId: undefined })),
      'CI deploy, active API key, never expires, prefix ffy_prod_01kdx2z2..., organization unknown, cannot be revoked here',
    );
    const hostile = spoken(makeKey({ name: 'evil\u202E\nname', orgId: 'org\u0000x' }));
    // eslint-disable-next-line no-control-regex -- control characters are what these assertions look for
    assert.ok(!/[\u0000-\u001f\u202e]/.test(hostile), `user data is cleaned: ${JSON.stringify(hostile)}`);
    assert.ok(hostile.startsWith('evil\ufffd name, active API key'), hostile);
  });

  test('keyRow sanitises the label', () => {
    const row = keyRow(makeKey({ name: `evil\u202Egpj.exe\nsecond line ${'x'.repeat(10_000)}` }), NOW, 14);
    assert.ok(!row.label.includes('\u202E') && !row.label.includes('\n'));
    assert.ok(row.label.length <= 120);
    assert.ok(row.label.endsWith('…'));
    assert.equal(keyRow(makeKey({ name: '   ' }), NOW, 14).label, '(unnamed key)');
  });

  test('keyTooltipMarkdown shows every field', () => {
    const key = makeKey({
      name: 'Partner integration (Acme & Co.)',
      expiresAt: NOW + 100 * DAY,
      revokedAt: NOW - 3 * DAY,
      revokedBy: 'usr_01kdx2z2ab3cd4ef5gh6jk7mn8',
      revokedComment: 'rotated after offboarding',
    });
    const plain = unescapeMarkdown(keyTooltipMarkdown(key, NOW, 14));
    for (const expected of [
      '**Partner integration (Acme & Co.)**',
      'State: Revoked',
      `ID: ${KEY_ID}`,
      'Prefix: ffy_prod_01kdx2z2...',
      `Organization: ${ORG_ID}`,
      'Created: 2025-11-01 10:00:00 UTC',
      'Updated: 2025-12-01 10:00:00 UTC',
      'Active flag: true',
      'Expires: 2026-06-09 12:00:00 UTC (in 3 months)',
      'Revoked: 2026-02-26 12:00:00 UTC (3 days ago)',
      'Revoked by: usr_01kdx2z2ab3cd4ef5gh6jk7mn8',
      'Comment: rotated after offboarding',
    ]) {
      assert.ok(plain.includes(expected), `missing "${expected}" in:\n${plain}`);
    }
    const active = unescapeMarkdown(keyTooltipMarkdown(makeKey({ expiresAt: NOW + DAY }), NOW, 14));
    assert.ok(active.includes('State: Active — expires soon'));
    assert.ok(!active.includes('Revoked by'), 'revocation fields only for revoked keys');
    assert.ok(unescapeMarkdown(keyTooltipMarkdown(makeKey(), NOW, 14)).includes('Expires: never'));
    assert.ok(unescapeMarkdown(keyTooltipMarkdown(makeKey({ id: 'legacy-1' }), NOW, 14)).includes('cannot be revoked'));
  });

  test('keyTooltipMarkdown: a hostile name, prefix or comment cannot produce a link, command, HTML or a new line', () => {
    for (const hostile of hostileNames) {
      const key = makeKey({
        name: hostile,
        prefix: hostile,
        revokedAt: NOW - DAY,
        revokedBy: hostile,
        revokedComment: hostile,
        orgId: hostile,
      });
      const markdown = keyTooltipMarkdown(key, NOW, 14);
      const lines = markdown.split('  \n');
      const title = lines[0] ?? '';
      assert.ok(title.startsWith('**') && title.endsWith('**'));
      assertFullyEscaped(title.slice(2, -2));
      assert.equal(lines[1], '');
      for (const line of lines.slice(2)) {
        const match = /^([A-Z][A-Za-z ]+): (.*)$/.exec(line);
        assert.ok(match, `unexpected line structure: ${JSON.stringify(line)}`);
        assertFullyEscaped(match[2] ?? '');
      }
      assert.doesNotMatch(markdown, /(?<!\\)\]\(|(?<!\\)<img|command:|(?<!\\)`/, 'no raw link, HTML, command or code');
    }
  });
});
