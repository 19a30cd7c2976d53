/** Relative times for key rows: "expires in 3 days", "revoked 2 hours ago". */
import { type ApiKey, type KeyState } from './apiKey';

const UNITS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** Made on first use: creating an Intl formatter loads ICU data (~9 ms), which activation must not pay. */
let relativeFormat: Intl.RelativeTimeFormat | undefined;

/** "in 3 days", "2 hours ago", "now". */
export function formatRelative(targetMs: number, nowMs: number): string {
  const delta = targetMs - nowMs;
  for (const [unit, size] of UNITS) {
    if (Math.abs(delta) >= size) {
      relativeFormat ??= new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
      return relativeFormat.format(Math.trunc(delta / size), unit);
    }
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
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}
