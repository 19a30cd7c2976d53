/** What the tree shows, as plain data: groups by state, rows, tooltips. The VS Code shell only maps it. */
import { KEY_STATES, RESERVED_ID_PREFIX, isExpiringSoon, keyState, type ApiKey, type KeyState } from './apiKey';
import { describeExpiry, describeKeyTiming, formatRelative, formatTimestamp, relativeTextStableUntil } from './format';
import { asOrgId } from './ids';
import { displayLanguage, t } from './l10n';
import { displayText, escapeMarkdown } from './text';

/**
 * Rows shown per group before a "Show more…" row. VS Code slows down badly with ~100 000 siblings, and every
 * row of the first pages is built, redacted and sent to the workbench before the first list shows, while a
 * sidebar shows a few dozen at a time: at 10 000 keys, pages of 100 instead of 200 make the first list over a
 * 40 ms round trip ~15 ms sooner.
 */
export const PAGE_SIZE = 100;

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
  /** How many keys `keys` holds. */
  readonly size: number;
  /** Keys in this state before filtering. */
  readonly total: number;
  /** The first `count` of `keys`. While only a page is asked for, the rest of the group is never put in order. */
  first(count: number): readonly ApiKey[];
}

export interface GroupOptions {
  readonly nowMs: number;
  readonly includeRevoked: boolean;
}

/**
 * Groups keys by state (Revoked only while revoked keys are shown), each in name order. Groups without any
 * key are left out. Putting a group in order is the expensive part, so it is done as late as possible: a view
 * that shows the first page of each group only finds the keys of those pages (`first`), and the whole order
 * is made the first time `keys` is read (a filter, "Show more", a reveal).
 * `previous`, the groups of the list this one replaces: the sort keys of keys kept from it at the same position
 * (the same objects, as a refresh gives for unchanged records) are reused.
 */
export function groupByState(keys: readonly ApiKey[], options: GroupOptions, previous?: readonly KeyGroup[]): KeyGroup[] {
  const before = previous && sortKeysOf.get(previous);
  const order = new NameOrder(keys, before);
  // By state, and within a state by the name's first letter (see StateGroup.first).
  const members: number[][] = Array.from({ length: KEY_STATES.length * BUCKETS }, () => []);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    const start = key.name.charCodeAt(0) | 0x20;
    const bucket = start >= 0x61 && start <= 0x7a ? start - 0x61 : OTHER;
    members[STATE_INDEX[keyState(key, options.nowMs)] * BUCKETS + bucket]!.push(index);
  }
  const groups: KeyGroup[] = [];
  KEY_STATES.forEach((state, at) => {
    const buckets = members.slice(at * BUCKETS, (at + 1) * BUCKETS);
    if (buckets.every((bucket) => bucket.length === 0) || (state === 'revoked' && !options.includeRevoked)) return;
    groups.push(new StateGroup(state, order, buckets));
  });
  sortKeysOf.set(groups, order);
  return groups;
}

const STATE_INDEX: Readonly<Record<KeyState, number>> = { active: 0, expired: 1, inactive: 2, revoked: 3 };

/** A bucket per ASCII letter a name can start with (either case), and one for every other start. */
const BUCKETS = 27;
const OTHER = 26;

/** The name order of a grouping's keys, each key's sort key made the first time a comparison needs it. */
const sortKeysOf = new WeakMap<readonly KeyGroup[], NameOrder>();

class NameOrder {
  /** By index in `keys`; filled out of order, so sized up front (a growing array would turn into a slow dictionary). */
  private readonly sortKeys: Array<string | undefined>;

  /** `previous`: the order of the list this one replaces; the sort keys it made for the same keys are kept. */
  constructor(
    readonly keys: readonly ApiKey[],
    previous: NameOrder | undefined,
  ) {
    this.sortKeys = new Array<string | undefined>(keys.length);
    if (previous === undefined) return;
    const known = previous.sortKeys;
    for (let index = 0; index < keys.length && index < known.length; index++)
      if (previous.keys[index] === keys[index]) this.sortKeys[index] = known[index];
  }

  sortKey(index: number): string {
    let sortKey = this.sortKeys[index];
    if (sortKey === undefined) this.sortKeys[index] = sortKey = nameSortKey(this.keys[index]!.name);
    return sortKey;
  }

  /**
   * `indexes` in name order: by sort key, then id (ids are unique in a list, so the order is total). The sort
   * keys are gathered first, so that the comparison the sort calls many times stays small.
   */
  sort(indexes: number[]): number[] {
    const keys = this.keys;
    const sortKeys = this.sortKeys;
    for (const index of indexes) this.sortKey(index);
    return indexes.sort((a, b) => {
      const keyA = sortKeys[a]!;
      const keyB = sortKeys[b]!;
      if (keyA !== keyB) return keyA < keyB ? -1 : 1;
      const idA = keys[a]!.id;
      const idB = keys[b]!.id;
      return idA < idB ? -1 : idA > idB ? 1 : 0;
    });
  }

  /** Whether the key at `index` sorts before (or is) the key at `other`. */
  sortsBefore(index: number, other: number): boolean {
    const key = this.sortKey(index);
    const otherKey = this.sortKey(other);
    return key < otherKey || (key === otherKey && this.keys[index]!.id <= this.keys[other]!.id);
  }
}

class StateGroup implements KeyGroup {
  private ordered: ApiKey[] | undefined;
  /** The first keys in order, when only those were asked for. */
  private head: ApiKey[] = [];
  readonly size: number;

  /** `buckets`: the indexes of the group's keys by the first letter of the name, a–z, then every other start. */
  constructor(
    readonly state: KeyState,
    private readonly order: NameOrder,
    private readonly buckets: readonly number[][],
  ) {
    this.size = buckets.reduce((sum, bucket) => sum + bucket.length, 0);
  }

  get total(): number {
    return this.size;
  }

  get keys(): readonly ApiKey[] {
    if (this.ordered === undefined) {
      const keys = this.order.keys;
      this.ordered = this.order.sort(this.buckets.flat()).map((index) => keys[index]!);
      this.head = [];
    }
    return this.ordered;
  }

  /**
   * A name that starts with an ASCII letter has a sort key that starts with that letter in lower case, so the
   * first `count` keys are among the names of the first letters that hold `count` keys together, and those
   * that start otherwise; the keys of later letters are never looked at.
   */
  first(count: number): readonly ApiKey[] {
    if (this.ordered !== undefined || count * 3 >= this.size) return this.keys.slice(0, count);
    if (count > this.head.length) {
      const candidates = [...this.buckets[OTHER]!];
      for (let letter = 0, letters = 0; letter < OTHER && letters < count; letter++) {
        const bucket = this.buckets[letter]!;
        for (const index of bucket) candidates.push(index);
        letters += bucket.length;
      }
      const head = count * 3 >= candidates.length ? undefined : firstInOrder(this.order, candidates, count);
      this.head = (head ?? this.order.sort(candidates).slice(0, count)).map((index) => this.order.keys[index]!);
    }
    return this.head.slice(0, count);
  }
}

/** Sample size for the cut-off below: enough to place it near where it is aimed, cheap to sort. */
const SAMPLE = 128;

/**
 * The first `count` of `indexes` in `order`, found without ordering the rest: a sample places a cut-off that
 * about twice `count` keys fall before, only those are put in order. Undefined when fewer than `count` fell
 * before it (the caller then orders them all). Every key before the cut-off is compared in full, and every key
 * after it sorts after all of those, so the result is exactly the start of the whole order.
 */
function firstInOrder(order: NameOrder, indexes: readonly number[], count: number): number[] | undefined {
  const step = indexes.length / SAMPLE;
  const sample: number[] = [];
  for (let at = 0; at < SAMPLE; at++) sample.push(indexes[Math.floor(at * step)]!);
  const cutOff = order.sort(sample)[Math.min(SAMPLE - 1, Math.ceil(((2 * count) / indexes.length) * SAMPLE))]!;
  // A name that starts with ASCII letters spelling something after the cut-off's sort key sorts after it: its
  // own sort key starts with those letters in lower case (only digits and what accents fold are rewritten).
  // Most keys are told apart so, without making their sort keys; the first letter is checked inline.
  const cutOffKey = order.sortKey(cutOff);
  const cutOffStart = cutOffKey.charCodeAt(0);
  const keys = order.keys;
  const before: number[] = [];
  for (const index of indexes) {
    const name = keys[index]!.name;
    const start = name.charCodeAt(0) | 0x20;
    if (start >= cutOffStart && start >= 0x61 && start <= 0x7a && (start > cutOffStart || lettersSortAfter(name, cutOffKey))) continue;
    if (order.sortsBefore(index, cutOff)) before.push(index);
  }
  if (before.length < count) return undefined;
  return order.sort(before).slice(0, count);
}

/**
 * Whether `name`, whose first character is the same letter as `sortKey`'s, certainly has a greater sort key:
 * its next characters, up to the first that differs from `sortKey`, are ASCII but no digits.
 */
function lettersSortAfter(name: string, sortKey: string): boolean {
  for (let at = 1; at < name.length && at < sortKey.length; at++) {
    let code = name.charCodeAt(at);
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    else if (code >= 0x80 || (code >= ZERO && code <= NINE)) return false;
    const other = sortKey.charCodeAt(at);
    if (code !== other) return code > other;
  }
  return false;
}

/** The groups with only the keys matching `filter` (order kept; `total` still counts every key). */
export function filterGroups(groups: readonly KeyGroup[], filter: string | undefined): KeyGroup[] {
  const needle = filter?.trim().toLowerCase() || undefined;
  if (needle === undefined) return [...groups];
  return groups.map(
    (group) =>
      new FilteredGroup(
        group.state,
        group.keys.filter((key) => matchesFilter(key, needle)),
        group.total,
      ),
  );
}

class FilteredGroup implements KeyGroup {
  constructor(
    readonly state: KeyState,
    readonly keys: readonly ApiKey[],
    readonly total: number,
  ) {}

  get size(): number {
    return this.keys.length;
  }

  first(count: number): readonly ApiKey[] {
    return this.keys.slice(0, count);
  }
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
const ZEROS = '0'.repeat(NUMBER_WIDTH);
const DIGIT_RUN = /[0-9]+/g;

/**
 * Every run of digits without its leading zeros, padded with zeros to 16 digits (longer runs as they are), so
 * that plain comparison orders numbers by value. The runs are found by a regular expression: in a fresh
 * process, where a first list makes the sort keys of its first pages, that costs half what a scan of every
 * character in script does.
 */
function padNumbers(key: string): string {
  return key.replace(DIGIT_RUN, padNumber);
}

function padNumber(run: string): string {
  let significant = 0;
  while (significant < run.length - 1 && run.charCodeAt(significant) === ZERO) significant++;
  const digits = run.length - significant;
  return (digits < NUMBER_WIDTH ? ZEROS.slice(digits) : '') + (significant === 0 ? run : run.slice(significant));
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
  // Joined by hand: a first list builds a row for every key of its first pages.
  const organization = key.orgId === undefined ? t('organization unknown') : t('organization {0}', displayText(key.orgId, 80));
  const spokenTiming = state === 'inactive' ? describeExpiry(key, nowMs) : timing;
  return {
    label,
    description: `${prefix} · ${timing}${unrevocable ? ` · ${unrevocable}` : ''}${found ? ` · ⚠ ${found}` : ''}`,
    icon: key.keyId === undefined ? 'unrevocable' : soon ? 'expiringSoon' : state,
    contextValue: `apiKey.${state}${revocable ? '.revocable' : ''}${foundIn.length > 0 ? '.found' : ''}`,
    accessibilityLabel: `${label}, ${spokenKind(state)}, ${spokenTiming}, ${t('prefix {0}', prefix)}, ${organization}${unrevocable ? `, ${unrevocable}` : ''}${found ? `, ${found}` : ''}`,
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
      foundIn: foundIn.length === 0 ? NOWHERE : [...foundIn],
    });
    return row;
  }
}

const NOWHERE: readonly string[] = [];

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
