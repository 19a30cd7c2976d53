/** Key records from the server and the state rules of a key (src/core/apiKey.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isExpiringSoon,
  keyState,
  organizationsOfList,
  parseKeyList,
  parseKeyListInSlices,
  RECORDS_PER_SLICE,
} from '../../src/core/apiKey';
import { FactifyError } from '../../src/core/errors';
import { NOW, HOUR, DAY, BODY, KEY_ID, ORG_ID, keyIdFor, makeKey, record } from './helpers/coreFixtures';

describe('parseKeyList', () => {
  test('the organizations noted while validating are those a look through the keys finds, for any mix of org ids', () => {
    // A seeded generator, so a failure reproduces.
    let seed = 11;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const ORG_OTHER = `org_${'z'.repeat(26)}`;
    const orgIds = [ORG_ID, ORG_OTHER, 'org_not-valid', undefined, null, `org_${'y'.repeat(26)}`];
    for (let round = 0; round < 300; round++) {
      const length = Math.floor(random() * 12);
      // Long runs of one value, as real lists have, with the odd change.
      let current = orgIds[Math.floor(random() * orgIds.length)];
      const records = Array.from({ length }, (_, i) => {
        if (random() < 0.3) current = orgIds[Math.floor(random() * orgIds.length)];
        return i % 7 === 6 ? { broken: true } : record({ id: keyIdFor(i), org_id: current });
      });
      const list = parseKeyList({ api_keys: records });
      // A copy of the keys is not a validated list: it is looked through.
      assert.deepEqual(organizationsOfList(list.keys), organizationsOfList([...list.keys]), JSON.stringify(records));
    }
  });

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

describe('key state: revoked, expired, inactive, active', () => {
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
