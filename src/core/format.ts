/** Relative times for key rows, in the display language: "expires in 3 days", "revoked 2 hours ago". */
import { type ApiKey, type KeyState } from './apiKey';
import { t } from './l10n';

type Unit = 'year' | 'month' | 'week' | 'day' | 'hour' | 'minute';

const UNITS: ReadonlyArray<readonly [unit: Unit, size: number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/**
 * "in 3 days", "2 hours ago", "tomorrow", "now" in the display language; in English exactly as
 * `Intl.RelativeTimeFormat('en', { numeric: 'auto' })` words it (±1 day, week, month and year have words of
 * their own). Written out, one message per unit, direction and number, because creating an Intl formatter
 * loads ICU data (~9 ms), which a first refresh should not pay.
 */
export function formatRelative(targetMs: number, nowMs: number): string {
  const delta = targetMs - nowMs;
  for (const [unit, size] of UNITS) {
    if (Math.abs(delta) < size) continue;
    const count = Math.trunc(delta / size);
    return count < 0 ? ago(unit, -count) : ahead(unit, count);
  }
  return t('now');
}

/**
 * Until when (exclusive, from `nowMs` on) `formatRelative(targetMs, t)` says the same as at `nowMs`: the words
 * change only when the count of their unit does, or the unit itself.
 */
export function relativeTextStableUntil(targetMs: number, nowMs: number): number {
  const delta = targetMs - nowMs;
  if (Math.abs(delta) < MINUTE_MS) return targetMs + MINUTE_MS;
  for (let index = 0; index < UNITS.length; index++) {
    const size = UNITS[index]![1];
    if (Math.abs(delta) < size) continue;
    const count = Math.trunc(Math.abs(delta) / size);
    // Ahead: the time left shrinks to `count` units, then fewer (or a smaller unit) show.
    if (delta > 0) return targetMs - count * size;
    // Ago: the time passed grows to `count + 1` units, or to the next bigger unit, whichever comes first.
    const bigger = index > 0 ? UNITS[index - 1]![1] : Infinity;
    return targetMs + Math.min((count + 1) * size, bigger);
  }
  return targetMs + MINUTE_MS;
}

const MINUTE_MS = 60_000;

function ago(unit: Unit, count: number): string {
  const one = count === 1;
  switch (unit) {
    case 'year':
      return one ? t('last year') : t('{0} years ago', count);
    case 'month':
      return one ? t('last month') : t('{0} months ago', count);
    case 'week':
      return one ? t('last week') : t('{0} weeks ago', count);
    case 'day':
      return one ? t('yesterday') : t('{0} days ago', count);
    case 'hour':
      return one ? t('1 hour ago') : t('{0} hours ago', count);
    case 'minute':
      return one ? t('1 minute ago') : t('{0} minutes ago', count);
  }
}

function ahead(unit: Unit, count: number): string {
  const one = count === 1;
  switch (unit) {
    case 'year':
      return one ? t('next year') : t('in {0} years', count);
    case 'month':
      return one ? t('next month') : t('in {0} months', count);
    case 'week':
      return one ? t('next week') : t('in {0} weeks', count);
    case 'day':
      return one ? t('tomorrow') : t('in {0} days', count);
    case 'hour':
      return one ? t('in 1 hour') : t('in {0} hours', count);
    case 'minute':
      return one ? t('in 1 minute') : t('in {0} minutes', count);
  }
}

/** The time part of a key row's description, by state: "revoked 2 hours ago", "expires in 3 days". */
export function describeKeyTiming(key: ApiKey, state: KeyState, nowMs: number): string {
  switch (state) {
    case 'revoked':
      return t('revoked {0}', formatRelative(key.revokedAt ?? nowMs, nowMs));
    case 'expired':
      return t('expired {0}', formatRelative(key.expiresAt ?? nowMs, nowMs));
    case 'inactive':
      return key.expiresAt === undefined ? t('inactive') : t('inactive, expires {0}', formatRelative(key.expiresAt, nowMs));
    case 'active':
      return describeExpiry(key, nowMs);
  }
}

/** When the key expires, whatever its state: "never expires", "expires in 3 days". */
export function describeExpiry(key: ApiKey, nowMs: number): string {
  return key.expiresAt === undefined ? t('never expires') : t('expires {0}', formatRelative(key.expiresAt, nowMs));
}

/** An absolute time for tooltips, in UTC so that every reader sees the same value. */
export function formatTimestamp(value: string | number | undefined): string {
  if (value === undefined) return '—';
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) return typeof value === 'string' ? value : '—';
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}
