/** Relative times for key rows: "expires in 3 days", "revoked 2 hours ago". */
import { type ApiKey, type KeyState } from './apiKey';

const UNITS: ReadonlyArray<readonly [unit: string, size: number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** What `Intl.RelativeTimeFormat('en', { numeric: 'auto' })` says for ±1 of these units. */
const ONE_AWAY: Readonly<Record<string, readonly [past: string, future: string]>> = {
  year: ['last year', 'next year'],
  month: ['last month', 'next month'],
  week: ['last week', 'next week'],
  day: ['yesterday', 'tomorrow'],
};

/**
 * "in 3 days", "2 hours ago", "tomorrow", "now": English, as Intl.RelativeTimeFormat words it. Written out
 * because creating an Intl formatter loads ICU data (~9 ms), which a first refresh should not pay.
 */
export function formatRelative(targetMs: number, nowMs: number): string {
  const delta = targetMs - nowMs;
  for (const [unit, size] of UNITS) {
    if (Math.abs(delta) < size) continue;
    const count = Math.trunc(delta / size);
    const oneAway = ONE_AWAY[unit];
    if (oneAway && Math.abs(count) === 1) return count < 0 ? oneAway[0] : oneAway[1];
    const amount = `${Math.abs(count)} ${unit}${Math.abs(count) === 1 ? '' : 's'}`;
    return count < 0 ? `${amount} ago` : `in ${amount}`;
  }
  return 'now';
}

/** The time part of a key row's description, by state. */
export function describeKeyTiming(key: ApiKey, state: KeyState, nowMs: number): string {
  switch (state) {
    case 'revoked':
      return `revoked ${formatRelative(key.revokedAt ?? nowMs, nowMs)}`;
    case 'expired':
      return `expired ${formatRelative(key.expiresAt ?? nowMs, nowMs)}`;
    case 'inactive':
      return key.expiresAt === undefined ? 'inactive' : `inactive, expires ${formatRelative(key.expiresAt, nowMs)}`;
    case 'active':
      return key.expiresAt === undefined ? 'never expires' : `expires ${formatRelative(key.expiresAt, nowMs)}`;
  }
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
