/** What the tree shows, as plain data: groups by state, rows, tooltips. The VS Code shell only maps it. */
import { KEY_STATES, RESERVED_ID_PREFIX, isExpiringSoon, keyState, type ApiKey, type KeyState } from './apiKey';
import { describeExpiry, describeKeyTiming, formatRelative, formatTimestamp, relativeTextStableUntil } from './format';
import { asOrgId } from './ids';
import { displayLanguage, t } from './l10n';
import { displayText, escapeMarkdown } from './text';

/** Rows shown per group before a "Show more…" row: VS Code slows down badly with ~100 000 siblings. */
export const PAGE_SIZE = 500;

/** The groups' labels, in the display language whenever they are read. */
export const STATE_LABELS: Readonly<Record<KeyState, string>> = {
  get active() {
    return t('Active');
  },
  get expired() {
    return t('Expired');
  },
  get inactive() {
    return t('Inactive');
  },
  get revoked() {
    return t('Revoked');
  },
};

/** How a screen reader names a key of each state. */
function spokenKind(state: KeyState): string {
  switch (state) {
    case 'active':
      return t('active API key');
    case 'expired':
      return t('expired API key');
    case 'inactive':
      return t('inactive API key');
    case 'revoked':
      return t('revoked API key');
  }
}

function unnamedOr(name: string): string | undefined {
  return name.trim() === '' ? t('(unnamed key)') : undefined;
}

export interface KeyGroup {
  readonly state: KeyState;
  /** Keys in this state that match the filter, in display order. */
  readonly keys: readonly ApiKey[];
  /** Keys in this state before filtering. */
  readonly total: number;
}

export interface GroupOptions {
  readonly nowMs: number;
  readonly includeRevoked: boolean;
}

/**
 * Groups keys by state (Revoked only while revoked keys are shown), each sorted by name. Groups without any
 * key are left out. The sort is the expensive part, so callers do this once per list and filter afterwards.
 * `previous`, the groups of the list this one replaces: keys kept from it at the same position (the same
 * objects, as a refresh gives for unchanged records) start out in their previous order, so that sorting
 * costs little more than one pass.
 */
export function groupByState(keys: readonly ApiKey[], options: GroupOptions, previous?: readonly KeyGroup[]): KeyGroup[] {
  const before = previous && placements.get(previous);
  const buckets = KEY_STATES.map((state) => ({
    state,
    // Sized up front: filled out of order, a growing array would fall back to a slow dictionary.
    placed: new Array<number | undefined>(before?.sizes[KEY_STATES.indexOf(state)] ?? 0),
    others: [] as number[],
  }));
  const states = new Uint8Array(keys.length);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    const state = STATE_INDEX[keyState(key, options.nowMs)];
    states[index] = state;
    const bucket = buckets[state]!;
    const rank = before !== undefined && before.keys[index] === key && before.states[index] === state ? before.ranks[index]! : -1;
    if (rank >= 0 && rank < bucket.placed.length) bucket.placed[rank] = index;
    else bucket.others.push(index);
  }
  const sortKeys = new Array<string>(keys.length);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    sortKeys[index] = before !== undefined && before.keys[index] === key ? before.sortKeys[index]! : cachedSortKey(key.name);
  }
  const placement: Placement = { keys, states, sortKeys, ranks: new Uint32Array(keys.length), sizes: [] };
  const groups: KeyGroup[] = [];
  for (const { state, placed, others } of buckets) {
    // Holes are keys gone since the previous list; the others go after the placed ones, for the sort to place.
    if (state === 'revoked' && !options.includeRevoked) {
      placement.sizes.push(0);
      continue;
    }
    const indexes = placed.length === 0 ? others : placed.filter((index) => index !== undefined).concat(others);
    const sorted = sortByName(keys, sortKeys, indexes);
    for (let rank = 0; rank < sorted.length; rank++) placement.ranks[sorted[rank]!] = rank;
    placement.sizes.push(sorted.length);
    if (sorted.length === 0) continue;
    groups.push({ state, keys: sorted.map((index) => keys[index]!), total: sorted.length });
  }
  placements.set(groups, placement);
  return groups;
}

const STATE_INDEX: Readonly<Record<KeyState, number>> = { active: 0, expired: 1, inactive: 2, revoked: 3 };

/** Where each key of a grouping went, by its index in the keys grouped: what the next grouping starts from. */
interface Placement {
  readonly keys: readonly ApiKey[];
  readonly states: Uint8Array;
  readonly sortKeys: readonly string[];
  readonly ranks: Uint32Array;
  /** Keys per state, in KEY_STATES order. */
  readonly sizes: number[];
}

const placements = new WeakMap<readonly KeyGroup[], Placement>();

/** The groups with only the keys matching `filter` (order kept; `total` still counts every key). */
export function filterGroups(groups: readonly KeyGroup[], filter: string | undefined): KeyGroup[] {
  const needle = filter?.trim().toLowerCase() || undefined;
  if (needle === undefined) return [...groups];
  return groups.map((group) => ({ ...group, keys: group.keys.filter((key) => matchesFilter(key, needle)) }));
}

/** Case-insensitive substring match on name, prefix and id; `needle` is already lower-case. */
function matchesFilter(key: ApiKey, needle: string): boolean {
  return key.name.toLowerCase().includes(needle) || key.prefix.toLowerCase().includes(needle) || key.id.toLowerCase().includes(needle);
}

/**
 * A key that orders names as people expect: ignoring case and accents, numbers by value ("key 2" before
 * "key 10"). Comparing these as plain strings is several times faster than Intl.Collator, whose creation
 * alone also costs ~9 ms of ICU loading on a first refresh.
 */
export function nameSortKey(name: string): string {
  let key = name.toLowerCase();
  // eslint-disable-next-line no-control-regex
  if (/[^\u0000-\u007f]/.test(key)) key = key.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return padNumbers(key);
}

const ZERO = 48;
const NINE = 57;
const NUMBER_WIDTH = 16;
const isDigit = (code: number) => code >= ZERO && code <= NINE;

/**
 * Every run of digits without its leading zeros, padded with zeros to 16 digits (longer runs as they are), so
 * that plain comparison orders numbers by value. A scan, not a regular expression with a replacer: a first
 * refresh computes this for every key.
 */
function padNumbers(key: string): string {
  let padded = '';
  let copied = 0;
  for (let at = 0; at < key.length; at++) {
    if (!isDigit(key.charCodeAt(at))) continue;
    let end = at + 1;
    while (end < key.length && isDigit(key.charCodeAt(end))) end++;
    let significant = at;
    while (significant < end - 1 && key.charCodeAt(significant) === ZERO) significant++;
    padded += key.slice(copied, at) + '0'.repeat(Math.max(0, NUMBER_WIDTH - (end - significant))) + key.slice(significant, end);
    copied = end;
    at = end - 1;
  }
  return copied === 0 ? key : padded + key.slice(copied);
}

/**
 * Sort keys of names seen recently: a refresh mostly brings back the same names, and computing a key costs
 * more than sorting by it. Forgotten wholesale when it outgrows what the lists need.
 */
const sortKeyCache = new Map<string, string>();
const SORT_KEY_CACHE_LIMIT = 250_000;

function cachedSortKey(name: string): string {
  let sortKey = sortKeyCache.get(name);
  if (sortKey === undefined) {
    if (sortKeyCache.size >= SORT_KEY_CACHE_LIMIT) sortKeyCache.clear();
    sortKey = nameSortKey(name);
    sortKeyCache.set(name, sortKey);
  }
  return sortKey;
}

/** `indexes` of `keys`, sorted by the keys' names (then ids). Input that is nearly in order sorts in about one pass. */
function sortByName(keys: readonly ApiKey[], sortKeys: readonly string[], indexes: number[]): number[] {
  return indexes.sort((a, b) => compareStrings(sortKeys[a]!, sortKeys[b]!) || compareStrings(keys[a]!.id, keys[b]!.id));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export type KeyIcon = KeyState | 'expiringSoon' | 'unrevocable';

export interface KeyRow {
  readonly label: string;
  readonly description: string;
  readonly icon: KeyIcon;
  /** `apiKey.<state>`, plus `.revocable` when the revoke command applies (menus key off it). */
  readonly contextValue: string;
  /** What a screen reader says for the row: name, state, expiry, prefix and organization, in words. */
  readonly accessibilityLabel: string;
}

/**
 * `foundIn`: the places (`file:line`) where the key was found in the workspace; a found key is marked in the
 * description and its context value ends in `.found` (Show Where This Key Appears keys off it).
 */
export function keyRow(key: ApiKey, nowMs: number, warningDays: number, foundIn: readonly string[] = []): KeyRow {
  const state = keyState(key, nowMs);
  const revocable = state !== 'revoked' && key.keyId !== undefined;
  const soon = isExpiringSoon(key, nowMs, warningDays);
  const label = unnamedOr(key.name) ?? displayText(key.name, 120);
  const prefix = displayText(key.prefix, 40);
  // The icon and its colour repeat what these words say; they never say it alone.
  const timing = soon ? t('expires soon, {0}', formatRelative(key.expiresAt ?? nowMs, nowMs)) : describeKeyTiming(key, state, nowMs);
  const unrevocable = key.keyId === undefined ? t('cannot be revoked here') : undefined;
  const found = foundIn.length === 0 ? undefined : foundIn.length === 1 ? t('found in a file') : t('found in {0} places', foundIn.length);
  return {
    label,
    description: [`${prefix} · ${timing}`, unrevocable, found && `⚠ ${found}`].filter(Boolean).join(' · '),
    icon: key.keyId === undefined ? 'unrevocable' : soon ? 'expiringSoon' : state,
    contextValue: `apiKey.${state}${revocable ? '.revocable' : ''}${foundIn.length > 0 ? '.found' : ''}`,
    accessibilityLabel: [
      label,
      spokenKind(state),
      state === 'inactive' ? describeExpiry(key, nowMs) : timing,
      t('prefix {0}', prefix),
      key.orgId === undefined ? t('organization unknown') : t('organization {0}', displayText(key.orgId, 80)),
      unrevocable,
      found,
    ]
      .filter(Boolean)
      .join(', '),
  };
}

/**
 * Until when (exclusive, from `nowMs` on) `keyRow(key, t, warningDays, …)` gives the same row as at `nowMs`:
 * the next moment the key's state, its "expires soon", or the relative time of its expiry or revocation may
 * change. Past it, the row is built again.
 */
export function keyRowStableUntil(key: ApiKey, nowMs: number, warningDays: number): number {
  let until = Infinity;
  const upTo = (moment: number) => {
    if (moment > nowMs && moment < until) until = moment;
  };
  if (key.expiresAt !== undefined) {
    upTo(key.expiresAt);
    upTo(key.expiresAt - warningDays * DAY_MS);
    until = Math.min(until, relativeTextStableUntil(key.expiresAt, nowMs));
  }
  if (key.revokedAt !== undefined) until = Math.min(until, relativeTextStableUntil(key.revokedAt, nowMs));
  return until;
}

const DAY_MS = 86_400_000;

/**
 * The rows of the keys a refresh gives back unchanged (the same objects) are the rows already built, for as
 * long as they say the same (see keyRowStableUntil): a refresh of a long list then builds only the rows of keys
 * that changed, and the texts stay the same strings, which the redactor has already seen.
 */
export class KeyRowCache {
  private readonly rows = new WeakMap<ApiKey, CachedRow>();

  row(key: ApiKey, nowMs: number, warningDays: number, foundIn: readonly string[] = []): KeyRow {
    const cached = this.rows.get(key);
    const language = displayLanguage();
    if (
      cached !== undefined &&
      nowMs >= cached.fromMs &&
      nowMs < cached.untilMs &&
      cached.warningDays === warningDays &&
      cached.language === language &&
      sameStrings(cached.foundIn, foundIn)
    )
      return cached.row;
    const row = keyRow(key, nowMs, warningDays, foundIn);
    this.rows.set(key, {
      row,
      fromMs: nowMs,
      untilMs: keyRowStableUntil(key, nowMs, warningDays),
      warningDays,
      language,
      foundIn: [...foundIn],
    });
    return row;
  }
}

interface CachedRow {
  readonly row: KeyRow;
  readonly fromMs: number;
  readonly untilMs: number;
  readonly warningDays: number;
  readonly language: string;
  readonly foundIn: readonly string[];
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

/** Every field, each value escaped: names and comments are user data, never trusted Markdown. */
export function keyTooltipMarkdown(key: ApiKey, nowMs: number, warningDays: number, foundIn: readonly string[] = []): string {
  const state = keyState(key, nowMs);
  const stateText = isExpiringSoon(key, nowMs, warningDays) ? t('Active — expires soon') : STATE_LABELS[state];
  const when = (ms: number | undefined) => (ms === undefined ? '—' : `${formatTimestamp(ms)} (${formatRelative(ms, nowMs)})`);
  // Each row is "name: value"; the names are ours, the values are escaped (ours too, for a translation's sake).
  const rows: Array<[string, string]> = [
    [t('State'), escapeMarkdown(stateText)],
    [t('ID'), escapeMarkdown(key.id)],
    [t('Prefix'), escapeMarkdown(key.prefix)],
    [t('Organization'), escapeMarkdown(asOrgId(key.orgId) ?? (key.orgId === undefined ? '—' : t('not a valid organization ID')))],
    [t('Created'), escapeMarkdown(formatTimestamp(key.createdAt))],
    [t('Updated'), escapeMarkdown(formatTimestamp(key.updatedAt))],
    // The API's own `is_active` value, as sent.
    [t('Active flag'), key.isActive ? 'true' : 'false'],
    [t('Expires'), escapeMarkdown(key.expiresAt === undefined ? t('never') : when(key.expiresAt))],
  ];
  if (key.revokedAt !== undefined) {
    rows.push([t('Revoked'), escapeMarkdown(when(key.revokedAt))]);
    rows.push([t('Revoked by'), escapeMarkdown(key.revokedBy ?? '—')]);
    rows.push([t('Comment'), escapeMarkdown(key.revokedComment ?? '—')]);
  }
  if (key.keyId === undefined)
    rows.push([t('Note'), escapeMarkdown(t('This id does not match the key id pattern, so the key cannot be revoked here.'))]);
  if (foundIn.length > 0) {
    const shown = foundIn
      .slice(0, 5)
      .map((place) => escapeMarkdown(place, 200))
      .join(', ');
    rows.push([t('Found in'), foundIn.length > 5 ? t('{0}, and {1} more', shown, foundIn.length - 5) : shown]);
  }
  const title = `**${escapeMarkdown(unnamedOr(key.name) ?? key.name, 300)}**`;
  return [title, '', ...rows.map(([name, value]) => `${name}: ${value}`)].join('  \n');
}

/** The id of one of the tree's own rows: in a space no key record can reach (see `RESERVED_ID_PREFIX`). */
export function ownTreeItemId(kind: 'group' | 'more' | 'action', name: string): string {
  return `${RESERVED_ID_PREFIX}${kind}.${name}`;
}
