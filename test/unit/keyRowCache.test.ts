/** Rows kept between refreshes (src/core/keyTree.ts KeyRowCache, keyRowStableUntil; format.ts relativeTextStableUntil). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRelative, relativeTextStableUntil } from '../../src/core/format';
import { KeyRowCache, keyRow, keyRowStableUntil } from '../../src/core/keyTree';
import { DAY, HOUR, MINUTE, NOW, keyIdFor, makeKey } from './helpers/coreFixtures';

/** A deterministic stream of numbers in [0, 1), so that a failure can be run again. */
function numbers(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const SPANS = [0, 30_000, MINUTE, 59 * MINUTE, HOUR, 23 * HOUR, DAY, 6 * DAY, 7 * DAY, 29 * DAY, 30 * DAY, 364 * DAY, 365 * DAY, 800 * DAY];

describe('rows kept between refreshes', () => {
  test('relativeTextStableUntil: the words stay the same up to the moment named, and change there', () => {
    const next = numbers(7);
    for (let run = 0; run < 4000; run++) {
      const span = SPANS[Math.floor(next() * SPANS.length)]! + Math.floor(next() * 3 * HOUR) - 1.5 * HOUR;
      const target = NOW + (next() < 0.5 ? span : -span);
      const until = relativeTextStableUntil(target, NOW);
      assert.ok(until > NOW, `progress for ${target - NOW}`);
      const words = formatRelative(target, NOW);
      for (const at of [NOW + 1, until - 1, NOW + Math.floor((until - NOW) * next())])
        if (at >= NOW && at < until) assert.equal(formatRelative(target, at), words, `target ${target - NOW} ms, at +${at - NOW} ms`);
      // Never far too early: the words differ within a millisecond after (the bound is at most 1 ms short).
      assert.notEqual(formatRelative(target, until + 1), words, `target ${target - NOW} ms: still "${words}" after ${until - NOW} ms`);
    }
  });

  test('keyRowStableUntil: the row stays the same up to the moment named', () => {
    const next = numbers(11);
    for (let run = 0; run < 3000; run++) {
      const around = () => NOW + (next() < 0.5 ? 1 : -1) * (SPANS[Math.floor(next() * SPANS.length)]! + Math.floor(next() * HOUR));
      const key = makeKey({
        id: keyIdFor(run),
        isActive: next() < 0.8,
        expiresAt: next() < 0.7 ? around() : undefined,
        revokedAt: next() < 0.2 ? around() : undefined,
      });
      const warningDays = Math.floor(next() * 10);
      const until = keyRowStableUntil(key, NOW, warningDays);
      assert.ok(until > NOW);
      const row = keyRow(key, NOW, warningDays);
      const last = Number.isFinite(until) ? until - 1 : NOW + 1000 * DAY;
      for (const at of [NOW + 1, last, NOW + Math.floor((last - NOW) * next())])
        assert.deepEqual(keyRow(key, at, warningDays), row, `key ${JSON.stringify(key)}, warning ${warningDays} days, at +${at - NOW} ms`);
    }
  });

  test('KeyRowCache gives the row built before while it holds, and builds it again when time, settings or findings change it', () => {
    const cache = new KeyRowCache();
    const LATER = NOW + 4 * DAY;
    const key = makeKey({ id: keyIdFor(1), isActive: true, expiresAt: NOW + 10 * DAY });
    const first = cache.row(key, NOW, 3);
    assert.equal(cache.row(key, NOW + HOUR, 3), first, 'an hour later the row says the same: the same object');
    assert.deepEqual(first, keyRow(key, NOW, 3));

    assert.equal(cache.row(key, NOW + 2 * DAY, 3), first, '8 days left is still "next week"');
    const later = cache.row(key, LATER, 3);
    assert.notEqual(later, first);
    assert.deepEqual(later, keyRow(key, LATER, 3), 'with 6 days left: built again ("in 6 days")');
    assert.match(later.description, /in 6 days/);

    const soon = cache.row(key, LATER, 12);
    assert.deepEqual(soon, keyRow(key, LATER, 12), 'another warning setting: built again (expires soon)');
    assert.equal(soon.icon, 'expiringSoon');

    const found = cache.row(key, LATER, 12, ['a.env:1']);
    assert.deepEqual(found, keyRow(key, LATER, 12, ['a.env:1']), 'found in a file: built again');
    assert.match(found.contextValue, /\.found$/);

    const changed = { ...key, name: 'renamed' };
    assert.equal(cache.row(changed, LATER, 12, ['a.env:1']).label, 'renamed', 'a changed key (another object) gets its own row');

    const expired = cache.row(key, NOW + 10 * DAY, 12, ['a.env:1']);
    assert.equal(expired.icon, 'expired', 'past its expiry: built again');
    assert.deepEqual(cache.row(key, NOW + HOUR, 3), keyRow(key, NOW + HOUR, 3), 'an earlier time than the one kept: built again');
  });
});
