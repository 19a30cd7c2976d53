/**
 * Expiry awareness as plain decisions: the view's badge (active keys expiring within the warning window)
 * and the reminder (at most one a day per organization, only for lists the user has opened).
 */
import { firstOrganizationOfList } from './accounts';
import { isExpiringSoon, type ApiKey } from './apiKey';
import { formatRelative } from './format';
import { asOrgId, type OrgId } from './ids';
import { t } from './l10n';
import { displayText } from './text';

export interface ExpiryBadge {
  readonly value: number;
  readonly tooltip: string;
}

/** Active keys whose expiry falls within `warningDays`, soonest first (then by name). */
export function expiringSoon(keys: readonly ApiKey[], nowMs: number, warningDays: number): ApiKey[] {
  return keys
    .filter((key) => isExpiringSoon(key, nowMs, warningDays))
    .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.id < b.id ? -1 : 1));
}

/** A badge and the span of time it holds for: no key enters or leaves the window in `[fromMs, untilMs)`. */
export interface ExpiryBadgeReading {
  readonly badge: ExpiryBadge | undefined;
  readonly warningDays: number;
  readonly fromMs: number;
  /** The first moment a key crosses into the window or expires; Infinity when none ever will. */
  readonly untilMs: number;
}

const DAY_MS = 86_400_000;

/**
 * The badge of the view at `nowMs` (undefined when no active key expires within the window), and, from the same pass, how long it stays right: an active key counts from
 * `expiresAt - warningDays` days (inclusive) until `expiresAt` (exclusive), as `isExpiringSoon` says, so the
 * count can only change at the nearest of those moments still ahead. Revoked and inactive keys never count.
 */
export function readExpiryBadge(keys: readonly ApiKey[], nowMs: number, warningDays: number): ExpiryBadgeReading {
  const windowMs = warningDays * DAY_MS;
  let count = 0;
  let untilMs = Infinity;
  for (const key of keys) {
    if (isExpiringSoon(key, nowMs, warningDays)) count++;
    const expiresAt = key.expiresAt;
    if (expiresAt === undefined || !key.isActive || key.revokedAt !== undefined || expiresAt <= nowMs) continue;
    const entersAt = expiresAt - windowMs;
    const changesAt = entersAt > nowMs ? entersAt : expiresAt;
    if (changesAt < untilMs) untilMs = changesAt;
  }
  return { badge: count === 0 ? undefined : badgeOf(count, warningDays), warningDays, fromMs: nowMs, untilMs };
}

/**
 * The badge `readExpiryBadge` reads, kept per list and warning window until a key can cross into the window or expire: the view
 * renders several times per load (loading, loaded, accounts…), and each render would otherwise walk every key.
 */
export function cachedExpiryBadge(keys: readonly ApiKey[], nowMs: number, warningDays: number): ExpiryBadge | undefined {
  const known = BADGE_BY_LIST.get(keys);
  if (known && known.warningDays === warningDays && known.fromMs <= nowMs && nowMs < known.untilMs) return known.badge;
  const reading = readExpiryBadge(keys, nowMs, warningDays);
  BADGE_BY_LIST.set(keys, reading);
  return reading.badge;
}

const BADGE_BY_LIST = new WeakMap<readonly ApiKey[], ExpiryBadgeReading>();

function badgeOf(count: number, warningDays: number): ExpiryBadge {
  return {
    value: count,
    tooltip:
      count === 1
        ? warningDays === 1
          ? t('1 active key expires within 1 day')
          : t('1 active key expires within {0} days', warningDays)
        : warningDays === 1
          ? t('{0} active keys expire within 1 day', count)
          : t('{0} active keys expire within {1} days', count, warningDays),
  };
}

/** One organization's list as the view loaded it. */
export interface OpenedList {
  readonly organizationId: string;
  readonly keys: readonly ApiKey[];
}

/** Organization id → the local calendar day (`YYYY-MM-DD`) of its last reminder. Not a secret. */
export type ReminderRecord = Readonly<Record<string, string>>;

export interface ReminderClock {
  readonly nowMs: number;
  /** Minutes to add to UTC for the user's local time (`-new Date().getTimezoneOffset()`). */
  readonly utcOffsetMinutes: number;
}

export interface Reminder {
  readonly organizationId: string;
  /** Every key that expires within the window, soonest first. */
  readonly keys: readonly ApiKey[];
  /** The local day the reminder is for; record it before showing. */
  readonly day: string;
}

/** The local calendar day of `nowMs`, as `YYYY-MM-DD`. */
export function localDay(clock: ReminderClock): string {
  return new Date(clock.nowMs + clock.utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/**
 * The reminder to show now, if any: the first opened list with keys expiring within the window whose
 * organization has not been reminded today. One reminder at most per call; the caller shows one at a time.
 */
export function decideReminder(
  lists: readonly OpenedList[],
  clock: ReminderClock,
  warningDays: number,
  record: ReminderRecord,
): Reminder | undefined {
  const day = localDay(clock);
  for (const list of lists) {
    // Only a real organization id may name an organization in a notification or key the stored record.
    if (asOrgId(list.organizationId) === undefined) continue;
    const last = record[list.organizationId];
    // A day later than today (the clock went back) counts as reminded, too.
    if (last !== undefined && last >= day) continue;
    const keys = expiringSoon(list.keys, clock.nowMs, warningDays);
    if (keys.length > 0) return { organizationId: list.organizationId, keys, day };
  }
  return undefined;
}

/**
 * The organization a loaded list belongs to: the one it was asked for, else the one its keys name. An id that
 * is not an organization id (server data) names nothing; undefined means "the token's own organization".
 */
export function listOrganization(requested: string | undefined, keys: readonly ApiKey[]): OrgId | undefined {
  return asOrgId(requested) ?? firstOrganizationOfList(keys);
}

/** The record as it may be stored: only organization ids as keys. */
export function storableReminderRecord(record: ReminderRecord): ReminderRecord {
  return Object.fromEntries(Object.entries(record).filter(([organizationId]) => asOrgId(organizationId) !== undefined));
}

const RECORD_LIMIT = 50;

/** The record with `reminder` in it, keeping only the most recent organizations. */
export function recordReminder(record: ReminderRecord, reminder: Reminder): ReminderRecord {
  const entries = Object.entries({ ...record, [reminder.organizationId]: reminder.day })
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0))
    .slice(0, RECORD_LIMIT);
  return Object.fromEntries(entries);
}

/** A stored record read back defensively: anything that is not org id → day string is dropped. */
export function parseReminderRecord(stored: unknown): ReminderRecord {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return {};
  return Object.fromEntries(
    Object.entries(stored).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(entry[1]),
    ),
  );
}

const NAMED_IN_REMINDER = 3;

/**
 * The notification's text, plain: key names and the organization are user data, shown quoted and cleaned.
 * `organization` is how the organization is called (its id or a local name).
 */
export function reminderMessage(reminder: Reminder, nowMs: number, warningDays: number, organization: string): string {
  const org = displayText(organization, 80);
  const named = reminder.keys
    .slice(0, NAMED_IN_REMINDER)
    .map((key) => t('“{0}” ({1})', keyName(key), formatRelative(key.expiresAt ?? nowMs, nowMs)));
  const more = reminder.keys.length - named.length;
  if (reminder.keys.length === 1) {
    const key = reminder.keys[0] as ApiKey;
    return t('Factify API key “{0}” of {1} expires {2}.', keyName(key), org, formatRelative(key.expiresAt ?? nowMs, nowMs));
  }
  const list =
    more > 0 ? t('{0} and {1} more', named.join(', '), more) : t('{0} and {1}', named.slice(0, -1).join(', '), named.at(-1) ?? '');
  return warningDays === 1
    ? t('{0} Factify API keys of {1} expire within 1 day: {2}.', reminder.keys.length, org, list)
    : t('{0} Factify API keys of {1} expire within {2} days: {3}.', reminder.keys.length, org, warningDays, list);
}

function keyName(key: ApiKey): string {
  return key.name.trim() === '' ? t('(unnamed key)') : displayText(key.name, 60);
}
