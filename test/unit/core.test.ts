/**
 * Unit tests of the pure core (src/core): ids and tokens, key records and states, relative times, text
 * sanitising, the base URL and proxy rules, redaction and the tree model.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { asKeyId, asOrgId, checkToken, explainInvalidOrgId } from '../../src/core/ids';
import { isExpiringSoon, keyState, parseKeyList, parseKeyListInSlices, RECORDS_PER_SLICE, type ApiKey } from '../../src/core/apiKey';
import { FactifyError } from '../../src/core/errors';
import { describeKeyTiming, formatRelative } from '../../src/core/format';
import { displayText, escapeMarkdown } from '../../src/core/text';
import { checkApiBaseUrl } from '../../src/core/baseUrl';
import { chooseProxy, isExcluded, isLocalHost, type ProxySettings } from '../../src/core/proxy';
import { Redactor, redactSecrets } from '../../src/core/redact';
import { filterGroups, groupByState, groupKeys, keyRow, keyTooltipMarkdown, nameSortKey } from '../../src/core/keyTree';

const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** 26 valid lower-case Crockford characters. */
const BODY = '01kdx2z2ab3cd4ef5gh6jk7mn8';
const KEY_ID = `key_${BODY}`;
const ORG_ID = `org_${BODY}`;
const TOKEN_RANDOM = 'Qz7Tr2Wx9Lm4Np6Vb8Hc1Jd3K';
const TOKEN = `ffy_prod_${BODY}${TOKEN_RANDOM}`;

/** A distinct valid key id per number. */
function keyIdFor(n: number): string {
  return `key_${String(n).padStart(26, '0')}`;
}

function makeKey(overrides: Partial<ApiKey> = {}): ApiKey {
  const id = overrides.id ?? KEY_ID;
  return {
    id,
    keyId: asKeyId(id),
    orgId: ORG_ID,
    name: 'CI deploy',
    prefix: 'ffy_prod_01kdx2z2...',
    isActive: true,
    createdAt: '2025-11-01T10:00:00Z',
    updatedAt: '2025-12-01T10:00:00Z',
    expiresAt: undefined,
    revokedAt: undefined,
    revokedBy: undefined,
    revokedComment: undefined,
    ...overrides,
  };
}

/** A raw API record as the server sends it. */
function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: KEY_ID,
    org_id: ORG_ID,
    name: 'CI deploy',
    prefix: 'ffy_prod_01kdx2z2...',
    created_at: '2025-11-01T10:00:00Z',
    updated_at: '2025-12-01T10:00:00.123+01:00',
    is_active: true,
    expires_at: null,
    revoked_at: null,
    revoked_by: null,
    revoked_comment: null,
    ...overrides,
  };
}

const PUNCTUATION = /[!-/:-@[-`{-~]/;

/** Every ASCII punctuation character in `markdown` is backslash-escaped, so nothing in it is Markdown syntax. */
function assertFullyEscaped(markdown: string): void {
  for (let i = 0; i < markdown.length; i++) {
    const char = markdown[i] ?? '';
    if (char === '\\') {
      assert.match(markdown[i + 1] ?? '', PUNCTUATION, `a backslash at ${i} must escape punctuation: ${markdown}`);
      i++;
    } else {
      assert.doesNotMatch(char, PUNCTUATION, `unescaped "${char}" at ${i} in ${markdown}`);
    }
  }
}

function unescapeMarkdown(markdown: string): string {
  return markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/** User data that would be Markdown, HTML, a link or a command link if it were not escaped. */
const hostileNames = [
  '[x](command:foo)',
  '[click](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D)',
  '<img src=x onerror=alert(1)>',
  '<a href="https://evil.example">hi</a>',
  '![img](https://evil.example/pixel.png)',
  'https://evil.example/phish and www.evil.example',
  'mail admin@evil.example',
  '`code` ``` fenced ```',
  '**bold** _em_ ~~strike~~ # heading',
  '> quote\n- list\n1. item\n---\n| a | b |',
  '[ref]: https://evil.example\n[ref]',
  '&lt;b&gt; &#x3C;script&#x3E;',
  'back\\slash\\[x](command:foo)',
];

describe('checkToken', () => {
  test('accepts tokens of several environments and trims surrounding whitespace', () => {
    for (const token of [
      TOKEN,
      `ffy_test_${BODY}abcXYZ019`,
      `ffy_staging2_${BODY}${TOKEN_RANDOM}`,
      `ffy_dev1_${BODY}x`,
      `ffy_prod_${BODY.toUpperCase()}${TOKEN_RANDOM}`,
    ]) {
      assert.deepEqual(checkToken(token), { ok: true, token });
      assert.deepEqual(checkToken(`  \t${token}\n `), { ok: true, token });
    }
  });

  const rejections: Array<[string, string, RegExp]> = [
    ['empty', '', /paste/i],
    ['only whitespace', '  \n\t ', /paste/i],
    ['a Bearer header value', `Bearer ${TOKEN}`, /without "Bearer"/],
    ['a lower-case bearer prefix', `bearer ${TOKEN}`, /without "Bearer"/],
    ['inner whitespace', `ffy_prod_${BODY} ${TOKEN_RANDOM}`, /no spaces or line breaks/],
    ['an inner line break', `ffy_prod_${BODY}\n${TOKEN_RANDOM}`, /no spaces or line breaks/],
    ['a wrong prefix', `fy_prod_${BODY}${TOKEN_RANDOM}`, /start with "ffy_"/],
    ['another vendor prefix', `sk_live_${BODY}${TOKEN_RANDOM}`, /start with "ffy_"/],
    ['an upper-case environment', `ffy_PROD_${BODY}${TOKEN_RANDOM}`, /lower-case letters or digits/],
    ['no environment part', `ffy_${BODY}${TOKEN_RANDOM}`, /environment/],
    ['too short (cut off)', `ffy_prod_${BODY.slice(0, 20)}`, /too short/],
    ['punctuation in the body', `ffy_prod_01kdx2z2ab3cd4ef5gh6jk7mn.${TOKEN_RANDOM}`, /characters/],
    ['non-alphanumeric random part', `ffy_prod_${BODY}${TOKEN_RANDOM}-+/=`, /characters/],
    ['implausibly long', `ffy_prod_${BODY}${'A'.repeat(600)}`, /too long/],
  ];
  for (const [what, input, reason] of rejections) {
    test(`rejects ${what} with a reason that never repeats the value`, () => {
      const result = checkToken(input);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.match(result.reason, reason);
      const trimmed = input.trim();
      if (trimmed !== '') assert.ok(!result.reason.includes(trimmed), 'the reason contains the value');
      assert.ok(!result.reason.includes(BODY) && !result.reason.includes(TOKEN_RANDOM), 'the reason contains part of the value');
    });
  }
});

describe('typed ids', () => {
  test('asKeyId / asOrgId accept exactly prefix + 26 lower-case Crockford characters', () => {
    assert.equal(asKeyId(KEY_ID), KEY_ID);
    assert.equal(asOrgId(ORG_ID), ORG_ID);
    assert.equal(asKeyId(ORG_ID), undefined, 'an org id is not a key id');
    assert.equal(asOrgId(KEY_ID), undefined, 'a key id is not an org id');
    for (const bad of ['i', 'l', 'o', 'u', 'A', 'K', '-', '_']) {
      const body = `${bad}${BODY.slice(1)}`;
      assert.equal(asKeyId(`key_${body}`), undefined, `key id with "${bad}"`);
      assert.equal(asOrgId(`org_${body}`), undefined, `org id with "${bad}"`);
    }
    for (const body of [BODY.slice(0, 25), `${BODY}0`, '']) {
      assert.equal(asKeyId(`key_${body}`), undefined, `${body.length} characters`);
      assert.equal(asOrgId(`org_${body}`), undefined, `${body.length} characters`);
    }
    assert.equal(asKeyId(`KEY_${BODY}`), undefined);
    assert.equal(asKeyId(` ${KEY_ID}`), undefined, 'no trimming for ids from the server');
    assert.equal(asKeyId(`${KEY_ID}\n`), undefined, 'a trailing newline does not slip past $');
    assert.equal(asKeyId(`key_${BODY}/../../v1`), undefined);
    assert.equal(asKeyId(42), undefined);
    assert.equal(asOrgId(null), undefined);
  });

  test('explainInvalidOrgId explains each problem and accepts a trimmed valid id', () => {
    assert.equal(explainInvalidOrgId(ORG_ID), undefined);
    assert.equal(explainInvalidOrgId(`  ${ORG_ID} `), undefined);
    assert.match(explainInvalidOrgId('') ?? '', /Enter an organization ID/);
    assert.match(explainInvalidOrgId(KEY_ID) ?? '', /start with "org_"/);
    assert.match(explainInvalidOrgId(`ORG_${BODY}`) ?? '', /start with "org_"/);
    assert.match(explainInvalidOrgId(`org_${BODY.slice(0, 25)}`) ?? '', /26 characters.*has 25/);
    assert.match(explainInvalidOrgId(`org_${BODY}7`) ?? '', /26 characters.*has 27/);
    for (const bad of ['i', 'l', 'o', 'u', 'K']) {
      assert.match(explainInvalidOrgId(`org_${bad}${BODY.slice(1)}`) ?? '', /Crockford/, bad);
    }
  });
});

describe('parseKeyList', () => {
  test('parseKeyListInSlices gives exactly what parseKeyList gives, across slice boundaries, and yields between slices', async () => {
    const records = Array.from({ length: RECORDS_PER_SLICE * 2 + 7 }, (_, i) =>
      i % 1000 === 3
        ? { ...record(), id: 42 }
        : i === RECORDS_PER_SLICE + 1
          ? record({ id: keyIdFor(0) })
          : record({ id: keyIdFor(i), name: `key ${i}` }),
    );
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    const sliced = await parseKeyListInSlices({ api_keys: records });
    clearInterval(timer);
    assert.deepEqual(sliced, parseKeyList({ api_keys: records }));
    assert.ok(sliced.rejected.some((rejected) => rejected.problem === 'the same id appears more than once'));
    assert.ok(turns > 0, 'timers ran while a long list was validated');
  });

  test('with the previous answer: unchanged records give the very same keys, changed ones are validated again', () => {
    const records = Array.from({ length: 40 }, (_, i) =>
      record({ id: keyIdFor(i), name: `key ${i}`, expires_at: i % 3 ? null : '2027-01-01T00:00:00Z' }),
    );
    const first = parseKeyList({ api_keys: records });
    const next = records.map((r) => ({ ...r }));
    next[1] = { ...next[1], name: 'renamed' };
    next[2] = { ...next[2], name: 42 }; // now breaks the contract
    next[3] = { ...next[3], expires_at: '2027-01-01T00:00:00+00:00' }; // same instant, other text
    next[6] = { ...next[6], expires_at: 'soon' };
    next[9] = { ...next[9], revoked_at: '2026-02-01T00:00:00Z' };
    next[12] = { ...next[12], org_id: null, updated_at: undefined }; // absent and null both mean "none"
    next[13] = { ...next[13], id: keyIdFor(0) }; // a duplicate of an unchanged record
    next[14] = { ...next[14], is_active: 'yes' };
    next.push(record({ id: keyIdFor(99), name: 'new' }));
    const reused = parseKeyList({ api_keys: next }, first);
    assert.deepEqual(reused, parseKeyList({ api_keys: next }), 'the same list as without the previous answer');
    const firstById = new Map(first.keys.map((key) => [key.id, key]));
    const changed = new Set([1, 3, 9, 12, 99].map(keyIdFor));
    for (const key of reused.keys) {
      if (changed.has(key.id)) assert.notEqual(key, firstById.get(key.id), `${key.name} was made again`);
      else assert.equal(key, firstById.get(key.id), `${key.name} is the previous object`);
    }
    assert.deepEqual(
      reused.rejected.map((rejected) => rejected.index),
      [2, 6, 13, 14],
    );
    // Shifted records are not at the same index any more: validated again, same outcome.
    const shifted = parseKeyList({ api_keys: [record({ id: keyIdFor(98) }), ...records] }, first);
    assert.deepEqual(shifted, parseKeyList({ api_keys: [record({ id: keyIdFor(98) }), ...records] }));
  });

  test('a body that is not {"api_keys": [...]} is an invalidResponse error', () => {
    for (const body of [null, 'api_keys', 42, [record()], {}, { api_keys: null }, { api_keys: {} }, { api_keys: 'x' }, { keys: [] }]) {
      assert.throws(
        () => parseKeyList(body),
        (error: unknown) => {
          assert.ok(error instanceof FactifyError);
          assert.equal(error.kind, 'invalidResponse');
          return true;
        },
        JSON.stringify(body),
      );
    }
  });

  test('a valid record is mapped field by field; unknown extra fields are tolerated', () => {
    const list = parseKeyList({
      api_keys: [
        record({
          expires_at: '2026-06-01T00:00:00Z',
          revoked_at: '2026-02-01T08:30:00.5+02:00',
          revoked_by: 'usr_01kdx2z2ab3cd4ef5gh6jk7mn8',
          revoked_comment: 'rotated',
          scopes: ['read'],
          owner: { name: 'x' },
        }),
      ],
      next_cursor: null,
    });
    assert.deepEqual(list.rejected, []);
    assert.deepEqual(list.keys, [
      {
        id: KEY_ID,
        keyId: KEY_ID,
        orgId: ORG_ID,
        name: 'CI deploy',
        prefix: 'ffy_prod_01kdx2z2...',
        isActive: true,
        createdAt: '2025-11-01T10:00:00Z',
        updatedAt: '2025-12-01T10:00:00.123+01:00',
        expiresAt: Date.UTC(2026, 5, 1),
        revokedAt: Date.UTC(2026, 1, 1, 6, 30, 0, 500),
        revokedBy: 'usr_01kdx2z2ab3cd4ef5gh6jk7mn8',
        revokedComment: 'rotated',
      },
    ]);
  });

  test('null and absent optional fields both become undefined', () => {
    const absent = record();
    for (const field of ['org_id', 'updated_at', 'expires_at', 'revoked_at', 'revoked_by', 'revoked_comment']) delete absent[field];
    const { keys, rejected } = parseKeyList({ api_keys: [absent, record({ id: keyIdFor(2) })] });
    assert.deepEqual(rejected, []);
    for (const key of keys) {
      assert.equal(key.orgId === undefined, key.id === KEY_ID);
      assert.equal(key.expiresAt, undefined);
      assert.equal(key.revokedAt, undefined);
      assert.equal(key.revokedBy, undefined);
      assert.equal(key.revokedComment, undefined);
    }
  });

  test('bad records are left out with their index and reason; the others are kept', () => {
    const bad: Array<[unknown, RegExp]> = [
      ['just a string', /a string, not an object/],
      [null, /null/],
      [[record()], /a list/],
      [record({ id: undefined }), /"id"/],
      [record({ id: '' }), /"id"/],
      [record({ id: 42 }), /"id"/],
      [record({ name: undefined }), /"name"/],
      [record({ name: 7 }), /"name"/],
      [record({ prefix: null }), /"prefix"/],
      [record({ is_active: 'true' }), /"is_active"/],
      [record({ is_active: undefined }), /"is_active"/],
      [record({ created_at: 1700000000 }), /"created_at"/],
      [record({ org_id: 12 }), /"org_id"/],
      [record({ revoked_comment: { text: 'x' } }), /"revoked_comment"/],
      [record({ expires_at: 'next Tuesday' }), /"expires_at"/],
      [record({ expires_at: '2026-06-01' }), /"expires_at"/],
      [record({ expires_at: '2026-13-01T00:00:00Z' }), /"expires_at"/],
      [record({ expires_at: '2026-06-01T25:00:00Z' }), /"expires_at"/],
      [record({ expires_at: 1780000000000 }), /"expires_at"/],
      [record({ revoked_at: '2026-06-01T00:00:00' }), /"revoked_at"/],
      [record({ revoked_at: true }), /"revoked_at"/],
    ];
    const records: unknown[] = [];
    bad.forEach(([value], i) => {
      records.push(record({ id: keyIdFor(1000 + i), name: `good ${i}` }));
      records.push(value);
    });
    const { keys, rejected } = parseKeyList({ api_keys: records });
    assert.deepEqual(
      keys.map((key) => key.name),
      bad.map((_, i) => `good ${i}`),
    );
    assert.equal(rejected.length, bad.length);
    bad.forEach(([, problem], i) => {
      const entry = rejected[i];
      assert.ok(entry);
      assert.equal(entry.index, 2 * i + 1);
      assert.match(entry.problem, problem, `record #${entry.index}`);
    });
    assert.equal(rejected.find((entry) => entry.index === 2 * 9 + 1)?.id, KEY_ID, 'the readable id is kept for the log');
  });

  test('a duplicate id is rejected; the first occurrence is kept', () => {
    const { keys, rejected } = parseKeyList({
      api_keys: [record({ name: 'first' }), record({ id: keyIdFor(2) }), record({ name: 'second' })],
    });
    assert.deepEqual(
      keys.map((key) => key.name),
      ['first', 'CI deploy'],
    );
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]?.index, 2);
    assert.equal(rejected[0]?.id, KEY_ID);
    assert.match(rejected[0]?.problem ?? '', /more than once/);
  });

  test('an id failing the key id pattern is kept for display, without a keyId', () => {
    const { keys, rejected } = parseKeyList({
      api_keys: [record({ id: 'key_SHOUTING' }), record({ id: 'legacy-42' }), record({ id: `key_${BODY}/../x` })],
    });
    assert.deepEqual(rejected, []);
    assert.deepEqual(
      keys.map((key) => [key.id, key.keyId]),
      [
        ['key_SHOUTING', undefined],
        ['legacy-42', undefined],
        [`key_${BODY}/../x`, undefined],
      ],
    );
  });
});

describe('key state (SPEC section 2)', () => {
  test('revoked wins, even with is_active true and a past expiry', () => {
    assert.equal(keyState(makeKey({ revokedAt: NOW - DAY, isActive: true }), NOW), 'revoked');
    assert.equal(keyState(makeKey({ revokedAt: NOW - DAY, expiresAt: NOW - 2 * DAY }), NOW), 'revoked');
    assert.equal(keyState(makeKey({ revokedAt: NOW + DAY, isActive: false }), NOW), 'revoked');
  });

  test('expired beats inactive; inactive needs a non-expired, non-revoked key', () => {
    assert.equal(keyState(makeKey({ expiresAt: NOW - DAY, isActive: false }), NOW), 'expired');
    assert.equal(keyState(makeKey({ expiresAt: NOW - DAY, isActive: true }), NOW), 'expired');
    assert.equal(keyState(makeKey({ expiresAt: NOW + DAY, isActive: false }), NOW), 'inactive');
    assert.equal(keyState(makeKey({ expiresAt: undefined, isActive: false }), NOW), 'inactive');
    assert.equal(keyState(makeKey({ expiresAt: undefined, isActive: true }), NOW), 'active');
  });

  test('expiry boundary: expired at exactly now, active one millisecond before', () => {
    assert.equal(keyState(makeKey({ expiresAt: NOW }), NOW), 'expired');
    assert.equal(keyState(makeKey({ expiresAt: NOW + 1 }), NOW), 'active');
    assert.equal(keyState(makeKey({ expiresAt: NOW - 1 }), NOW), 'expired');
  });

  test('isExpiringSoon: only active keys expiring within the warning days', () => {
    assert.equal(isExpiringSoon(makeKey({ expiresAt: NOW + 3 * DAY }), NOW, 14), true);
    assert.equal(isExpiringSoon(makeKey({ expiresAt: NOW + 14 * DAY }), NOW, 14), true, 'the boundary day counts');
    assert.equal(isExpiringSoon(makeKey({ expiresAt: NOW + 14 * DAY + 1 }), NOW, 14), false);
    assert.equal(isExpiringSoon(makeKey({ expiresAt: NOW + 3 * DAY }), NOW, 2), false);
    assert.equal(isExpiringSoon(makeKey({ expiresAt: NOW + HOUR }), NOW, 0), false, '0 days turns the warning off');
    assert.equal(isExpiringSoon(makeKey({ expiresAt: undefined }), NOW, 3650), false);
    assert.equal(isExpiringSoon(makeKey({ expiresAt: NOW - DAY }), NOW, 14), false, 'expired, not expiring');
    assert.equal(isExpiringSoon(makeKey({ expiresAt: NOW + DAY, isActive: false }), NOW, 14), false, 'inactive');
    assert.equal(isExpiringSoon(makeKey({ expiresAt: NOW + DAY, revokedAt: NOW - DAY }), NOW, 14), false, 'revoked');
  });
});

describe('relative times', () => {
  test('formatRelative words every distance exactly as Intl.RelativeTimeFormat (en, numeric auto) would', () => {
    const intl = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
    const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
      ['year', 365 * DAY],
      ['month', 30 * DAY],
      ['week', 7 * DAY],
      ['day', DAY],
      ['hour', 3_600_000],
      ['minute', 60_000],
    ];
    const reference = (delta: number) => {
      for (const [unit, size] of units) if (Math.abs(delta) >= size) return intl.format(Math.trunc(delta / size), unit);
      return 'now';
    };
    const deltas = [
      0,
      59_999,
      60_000,
      -60_000,
      3_600_000,
      -DAY,
      DAY,
      2 * DAY,
      -7 * DAY,
      13 * DAY,
      30 * DAY,
      -45 * DAY,
      365 * DAY,
      -800 * DAY,
    ];
    for (let exponent = 0; exponent <= 11; exponent += 0.25) deltas.push(10 ** exponent, -(10 ** exponent));
    for (const delta of deltas) assert.equal(formatRelative(NOW + delta, NOW), reference(delta), `delta ${delta}`);
  });

  test('formatRelative picks the largest whole unit, both directions', () => {
    assert.equal(formatRelative(NOW + 3 * DAY, NOW), 'in 3 days');
    assert.equal(formatRelative(NOW - 2 * HOUR, NOW), '2 hours ago');
    assert.equal(formatRelative(NOW + 5 * MINUTE, NOW), 'in 5 minutes');
    assert.equal(formatRelative(NOW - 3 * 7 * DAY, NOW), '3 weeks ago');
    assert.equal(formatRelative(NOW + 90 * DAY, NOW), 'in 3 months');
    assert.equal(formatRelative(NOW - 800 * DAY, NOW), '2 years ago');
    assert.equal(formatRelative(NOW + DAY, NOW), 'tomorrow');
    assert.equal(formatRelative(NOW - DAY, NOW), 'yesterday');
    assert.equal(formatRelative(NOW + 30_000, NOW), 'now');
    assert.equal(formatRelative(NOW - 59_999, NOW), 'now');
  });

  test('describeKeyTiming says what the time means for each state', () => {
    assert.equal(describeKeyTiming(makeKey(), 'active', NOW), 'never expires');
    assert.equal(describeKeyTiming(makeKey({ expiresAt: NOW + 3 * DAY }), 'active', NOW), 'expires in 3 days');
    assert.equal(describeKeyTiming(makeKey({ expiresAt: NOW - 5 * DAY }), 'expired', NOW), 'expired 5 days ago');
    assert.equal(describeKeyTiming(makeKey({ revokedAt: NOW - 2 * HOUR }), 'revoked', NOW), 'revoked 2 hours ago');
    assert.equal(describeKeyTiming(makeKey({ isActive: false }), 'inactive', NOW), 'inactive');
    assert.equal(describeKeyTiming(makeKey({ isActive: false, expiresAt: NOW + 4 * DAY }), 'inactive', NOW), 'inactive, expires in 4 days');
  });
});

describe('displayText and escapeMarkdown', () => {
  test('displayText never cuts an emoji in half when it shortens a name', () => {
    const cutInside = displayText(`${'a'.repeat(198)}😀bbb`, 200);
    assert.equal(cutInside, `${'a'.repeat(198)}…`);
    const keptWhole = displayText(`${'a'.repeat(197)}😀bbb`, 200);
    assert.equal(keptWhole, `${'a'.repeat(197)}😀…`);
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(cutInside + keptWhole), 'no lone high surrogate');
  });

  test('displayText flattens line breaks and replaces controls, bidi overrides and zero-width characters', () => {
    assert.equal(displayText('line1\nline2\r\nline3\rline4\tend'), 'line1 line2 line3 line4 end');
    const hostile = 'safe\u202Etxt.exe\u0000\u0007\u001b[31m\u007f\u0085\u200B\u2066x\u2069\uFEFF\u2028';
    const shown = displayText(hostile);
    // eslint-disable-next-line no-control-regex -- control characters are what these assertions look for
    assert.doesNotMatch(shown, /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/);
    assert.equal(shown, 'safe\uFFFDtxt.exe\uFFFD\uFFFD\uFFFD[31m\uFFFD\uFFFD\uFFFD\uFFFDx\uFFFD\uFFFD\uFFFD');
    assert.equal(displayText('Grüße – 鍵 🔑'), 'Grüße – 鍵 🔑', 'ordinary Unicode is untouched');
  });

  test('displayText truncates a 10 000-character name with an ellipsis', () => {
    const shown = displayText('n'.repeat(10_000));
    assert.equal(shown.length, 200);
    assert.ok(shown.endsWith('…'));
    assert.equal(displayText('n'.repeat(10_000), 50).length, 50);
    assert.equal(displayText('n'.repeat(200)), 'n'.repeat(200), 'exactly at the limit: not cut');
  });

  test('escapeMarkdown escapes every Markdown and HTML construct so it reads literally', () => {
    for (const name of hostileNames) {
      const escaped = escapeMarkdown(name);
      assertFullyEscaped(escaped);
      assert.equal(unescapeMarkdown(escaped), displayText(name, 1000), 'the reader sees the same text');
      assert.ok(!escaped.includes('\n'), 'no line can start a block construct');
    }
    assert.equal(escapeMarkdown('[x](command:foo)'), '\\[x\\]\\(command\\:foo\\)');
    assert.equal(escapeMarkdown('<img>'), '\\<img\\>');
    assert.equal(escapeMarkdown('https://x'), 'https\\:\\/\\/x');
    assert.equal(escapeMarkdown('`tick`'), '\\`tick\\`');
  });

  test('escapeMarkdown also sanitises and truncates before escaping', () => {
    const escaped = escapeMarkdown(`\u202E[x](command:foo)${'y'.repeat(2000)}`);
    assert.ok(!escaped.includes('\u202E'));
    assert.ok(escaped.endsWith('…'));
    assert.equal(unescapeMarkdown(escaped).length, 1000);
  });
});

describe('checkApiBaseUrl', () => {
  const ok = (raw: string) => {
    const result = checkApiBaseUrl(raw);
    assert.ok(result.ok, `${raw} should be accepted`);
    return result.origin.href;
  };
  const refused = (raw: string, why: RegExp) => {
    const result = checkApiBaseUrl(raw);
    assert.equal(result.ok, false, `${raw} should be refused`);
    if (!result.ok) {
      assert.match(result.message, why, raw);
      assert.match(result.message, /factify\.apiBaseUrl/);
    }
  };

  test('https origins are accepted, with or without a trailing slash', () => {
    assert.equal(ok('https://api.factify.com'), 'https://api.factify.com/');
    assert.equal(ok('https://api.factify.com/'), 'https://api.factify.com/');
    assert.equal(ok(' https://API.Factify.com:8443 '), 'https://api.factify.com:8443/');
  });

  test('http is accepted for loopback hosts only', () => {
    assert.equal(ok('http://localhost:3000'), 'http://localhost:3000/');
    assert.equal(ok('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080/');
    assert.equal(ok('http://127.45.6.7'), 'http://127.45.6.7/');
    assert.equal(ok('http://[::1]:9000'), 'http://[::1]:9000/');
    for (const raw of [
      'http://api.factify.com',
      'http://localhost.evil.example',
      'http://127.0.0.1.nip.io',
      'http://128.0.0.1',
      'http://10.0.0.1',
      'http://[::2]',
      'http://0.0.0.0',
    ]) {
      refused(raw, /https/);
    }
  });

  test('credentials, paths, queries, fragments, other schemes and garbage are refused', () => {
    refused('https://user:pw@api.factify.com', /user name and password/);
    refused('https://user@api.factify.com', /user name and password/);
    refused('https://api.factify.com/v1', /origin only/);
    refused('https://api.factify.com/v1/api-keys/', /origin only/);
    refused('https://api.factify.com/?token=x', /origin only/);
    refused('https://api.factify.com/#x', /origin only/);
    refused('ftp://api.factify.com', /https/);
    refused('file:///etc/passwd', /https/);
    refused('api.factify.com', /not a valid URL/);
    refused('', /not a valid URL/);
  });
});

describe('proxy choice', () => {
  const HTTPS_TARGET = new URL('https://api.factify.com');
  const HTTP_TARGET = new URL('http://localhost:3000');
  const settings = (overrides: Partial<ProxySettings> = {}): ProxySettings => ({
    proxy: undefined,
    noProxy: [],
    strictSSL: true,
    ...overrides,
  });
  const chosen = (target: URL, s: ProxySettings, env: Record<string, string>) => chooseProxy(target, s, env)?.proxyUrl.href;

  test('http.proxy wins over the environment; strictSSL is passed on', () => {
    const choice = chooseProxy(HTTPS_TARGET, settings({ proxy: 'http://corp:3128', strictSSL: false }), { HTTPS_PROXY: 'http://env:8080' });
    assert.equal(choice?.proxyUrl.href, 'http://corp:3128/');
    assert.equal(choice?.strictSSL, false);
  });

  test('environment variables by target scheme, either case; none means direct', () => {
    assert.equal(chosen(HTTPS_TARGET, settings(), { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://p:2' }), 'http://s:1/');
    assert.equal(chosen(HTTPS_TARGET, settings(), { https_proxy: 'http://lower:1' }), 'http://lower:1/');
    assert.equal(
      chosen(HTTP_TARGET, settings(), { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://p:2' }),
      undefined,
      'plain http is never proxied',
    );
    assert.equal(chosen(HTTPS_TARGET, settings(), { HTTP_PROXY: 'http://p:2' }), undefined, 'HTTP_PROXY is not for https targets');
    assert.equal(chosen(HTTPS_TARGET, settings(), { ALL_PROXY: 'http://all:3' }), 'http://all:3/');
    assert.equal(
      chosen(HTTPS_TARGET, settings({ proxy: '   ' }), { HTTPS_PROXY: 'http://s:1' }),
      'http://s:1/',
      'a blank setting falls back',
    );
    assert.equal(chosen(HTTPS_TARGET, settings(), {}), undefined);
    assert.equal(chosen(HTTPS_TARGET, settings({ proxy: 'corp:3128' }), {}), 'http://corp:3128/', 'no scheme means http');
  });

  test('NO_PROXY and http.noProxy exclude the target', () => {
    const proxied = settings({ proxy: 'http://corp:3128' });
    assert.equal(chosen(HTTPS_TARGET, proxied, { NO_PROXY: '*' }), undefined);
    assert.equal(chosen(HTTPS_TARGET, proxied, { no_proxy: 'example.com, factify.com' }), undefined);
    assert.equal(chosen(HTTPS_TARGET, settings({ proxy: 'http://corp:3128', noProxy: ['.factify.com'] }), {}), undefined);
    assert.equal(chosen(HTTPS_TARGET, proxied, { NO_PROXY: 'example.com' }), 'http://corp:3128/');
  });

  test('isExcluded: suffixes, leading dots, wildcards, ports and IPv6', () => {
    const api = new URL('https://api.factify.com');
    assert.equal(isExcluded(api, ['factify.com']), true, 'domain suffix');
    assert.equal(isExcluded(api, ['.factify.com']), true, 'leading dot');
    assert.equal(isExcluded(api, ['*.factify.com']), true, 'wildcard');
    assert.equal(isExcluded(new URL('https://factify.com'), ['.factify.com']), true, 'leading dot matches the domain itself');
    assert.equal(isExcluded(api, ['API.FACTIFY.COM']), true, 'case-insensitive');
    assert.equal(isExcluded(new URL('https://notfactify.com'), ['factify.com']), false, 'not a label boundary');
    assert.equal(isExcluded(new URL('https://factify.com.evil.example'), ['factify.com']), false);
    assert.equal(isExcluded(api, ['api.factify.com:443']), true, 'default https port');
    assert.equal(isExcluded(api, ['api.factify.com:8443']), false, 'other port');
    assert.equal(isExcluded(new URL('https://api.factify.com:8443'), ['api.factify.com:8443']), true);
    assert.equal(isExcluded(new URL('http://[::1]:8080'), ['[::1]']), true);
    assert.equal(isExcluded(new URL('http://[::1]:8080'), ['::1']), true);
    assert.equal(isExcluded(new URL('http://[::1]:8080'), ['[::1]:8080']), true);
    assert.equal(isExcluded(new URL('http://[::1]:8080'), ['[::1]:9090']), false);
    assert.equal(isExcluded(new URL('http://127.0.0.1:8080'), ['127.0.0.1']), true);
    assert.equal(isExcluded(api, ['', '  ', 'other.example']), false);
  });

  test('a loopback or plain-http origin is never proxied, whatever the setting or the environment says', () => {
    const everyForm: Array<[ProxySettings, Record<string, string>]> = [
      [settings({ proxy: 'http://corp:3128' }), {}],
      [settings(), { HTTP_PROXY: 'http://p:2' }],
      [settings(), { http_proxy: 'http://p:2' }],
      [settings(), { HTTPS_PROXY: 'http://s:1' }],
      [settings(), { https_proxy: 'http://s:1' }],
      [settings(), { ALL_PROXY: 'http://all:3' }],
      [settings(), { all_proxy: 'http://all:3' }],
    ];
    const local = [
      'http://localhost:3000',
      'https://localhost:3000',
      'https://LOCALHOST.:8443',
      'https://api.localhost',
      'http://127.0.0.1:8080',
      'https://127.0.0.1',
      'https://127.255.0.9:9',
      'http://[::1]:8080',
      'https://[::1]',
      'https://[0:0:0:0:0:0:0:1]',
      'https://[::ffff:127.0.0.1]:443',
      'https://0.0.0.0:443',
      'https://0x7f000001',
      'https://2130706433',
    ];
    for (const [proxySettings, env] of everyForm) {
      for (const target of local)
        assert.equal(chosen(new URL(target), proxySettings, env), undefined, `${target} via ${JSON.stringify(env)}`);
      assert.equal(chosen(new URL('http://api.factify.com'), proxySettings, env), undefined, 'plain http, even to another host');
      if (!('HTTP_PROXY' in env || 'http_proxy' in env))
        assert.notEqual(chosen(HTTPS_TARGET, proxySettings, env), undefined, 'a remote https origin still is');
    }
    for (const host of ['localhost', 'a.b.localhost', '127.0.0.1', '[::1]', '[::ffff:7f00:1]', '[::ffff:0:0]', '0.0.0.0']) {
      assert.equal(isLocalHost(host), true, host);
    }
    for (const host of ['localhost.example.com', 'notlocalhost', '128.0.0.1', '[::2]', '[::ffff:8000:1]', 'api.factify.com', '10.0.0.1']) {
      assert.equal(isLocalHost(host), false, host);
    }
  });

  test('a proxy URL that cannot work throws', () => {
    assert.throws(() => chooseProxy(HTTPS_TARGET, settings({ proxy: 'http://exa mple:3128' }), {}), /not a valid URL/);
    assert.throws(() => chooseProxy(HTTPS_TARGET, settings(), { HTTPS_PROXY: 'socks5://corp:1080' }), /Only http and https proxies/);
  });
});

describe('redaction', () => {
  test('a known secret is masked wherever it appears, even if it does not look like a token', () => {
    const redactor = new Redactor();
    redactor.addSecret('correct-horse-battery');
    const out = redactor.redact('a correct-horse-battery b "correct-horse-battery"');
    assert.ok(!out.includes('correct-horse-battery'));
    assert.equal(out, 'a [redacted] b "[redacted]"');
  });

  test('token-shaped strings, Bearer values and URL credentials are masked', () => {
    const other = `ffy_test_${BODY}AbCdEfGhIjKlMnOp`;
    const text = [
      `token=${TOKEN}`,
      `{"t":"${other}"}`,
      'Authorization: Bearer abc.def-ghi',
      'authorization: bearer s3cr3t',
      'proxy http://alice:pa55w0rd@proxy.corp:3128/ and https://tok@api.example',
    ].join('\n');
    const out = redactSecrets(text, []);
    for (const secret of [TOKEN, other, BODY, 'abc.def-ghi', 's3cr3t', 'alice', 'pa55w0rd', 'tok@']) {
      assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    }
    assert.match(out, /Bearer \[redacted\]/);
    assert.match(out, /proxy\.corp:3128/, 'the host stays readable');
  });

  test('key prefixes and ids stay readable', () => {
    const text = `Revoked ${KEY_ID} (ffy_prod_01kdx2z2...) and ffy_test_01k8abcd... for ${ORG_ID}`;
    const redactor = new Redactor();
    redactor.addSecret(TOKEN);
    assert.equal(redactor.redact(text), text);
  });
});

describe('key tree', () => {
  test('nameSortKey orders names ignoring case and accents, with numbers by value', () => {
    const names = ['key 10', 'Key 9', 'éclair', 'Eclair 2', 'alpha', 'key 010', 'zulu', 'Ärger', 'key 9a'];
    const sorted = [...names].sort((a, b) => (nameSortKey(a) < nameSortKey(b) ? -1 : nameSortKey(a) > nameSortKey(b) ? 1 : 0));
    assert.deepEqual(sorted, ['alpha', 'Ärger', 'éclair', 'Eclair 2', 'Key 9', 'key 9a', 'key 10', 'key 010', 'zulu']);
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
  const summary = (groups: ReturnType<typeof groupKeys>) =>
    groups.map((group) => [group.state, group.total, group.keys.map((key) => key.name)]);

  test('groups by state in a fixed order; Revoked only when revoked keys are shown; sorted by name', () => {
    assert.deepEqual(summary(groupKeys(keys, { nowMs: NOW, includeRevoked: false, filter: undefined })), [
      ['active', 4, ['Alpha worker', 'beta 9', 'beta 10', 'zeta service']],
      ['expired', 1, ['Old expired']],
      ['inactive', 1, ['Paused']],
    ]);
    assert.deepEqual(summary(groupKeys(keys, { nowMs: NOW, includeRevoked: true, filter: '' })).at(-1), [
      'revoked',
      2,
      ['Gone', 'Gone too'],
    ]);
  });

  test('the filter matches name, prefix or id case-insensitively; total counts the unfiltered keys', () => {
    const filtered = (filter: string) => summary(groupKeys(keys, { nowMs: NOW, includeRevoked: true, filter }));
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
