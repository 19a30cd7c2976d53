/** Relative times and key timing in words (src/core/format.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeKeyTiming, formatRelative } from '../../src/core/format';
import { NOW, MINUTE, HOUR, DAY, makeKey } from './helpers/coreFixtures';

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
