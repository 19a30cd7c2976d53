/** What the tree shows, as plain data: groups by state, rows, tooltips. The VS Code shell only maps it. */
import { KEY_STATES, isExpiringSoon, keyState, type ApiKey, type KeyState } from './apiKey';
import { describeKeyTiming, formatRelative, formatTimestamp } from './format';
import { displayText, escapeMarkdown } from './text';

/** Rows shown per group before a "Show more…" row: VS Code slows down badly with ~100 000 siblings. */
export const PAGE_SIZE = 500;

export const STATE_LABELS: Readonly<Record<KeyState, string>> = {
  active: 'Active', expired: 'Expired', inactive: 'Inactive', revoked: 'Revoked',
};

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
  readonly filter: string | undefined;
}

/**
 * Groups keys by state (Revoked only while revoked keys are shown), filters them and sorts each group by
 * name. Groups without any key in that state are left out.
 */
export function groupKeys(keys: readonly ApiKey[], options: GroupOptions): KeyGroup[] {
  const byState = new Map<KeyState, ApiKey[]>(KEY_STATES.map((state) => [state, []]));
  for (const key of keys) byState.get(keyState(key, options.nowMs))?.push(key);
  const needle = options.filter?.trim().toLowerCase() || undefined;
  const groups: KeyGroup[] = [];
  for (const state of KEY_STATES) {
    if (state === 'revoked' && !options.includeRevoked) continue;
    const all = byState.get(state) ?? [];
    if (all.length === 0) continue;
    const matching = needle === undefined ? all : all.filter((key) => matchesFilter(key, needle));
    groups.push({ state, keys: sortByName(matching), total: all.length });
  }
  return groups;
}

/** Case-insensitive substring match on name, prefix and id; `needle` is already lower-case. */
export function matchesFilter(key: ApiKey, needle: string): boolean {
  return key.name.toLowerCase().includes(needle) || key.prefix.toLowerCase().includes(needle) || key.id.toLowerCase().includes(needle);
}

/** Made on first use: creating a Collator loads ICU data (~9 ms), which activation must not pay. */
let collator: Intl.Collator | undefined;

function sortByName(keys: ApiKey[]): ApiKey[] {
  const byName = (collator ??= new Intl.Collator('en', { sensitivity: 'base', numeric: true }));
  return keys.sort((a, b) => byName.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export type KeyIcon = KeyState | 'expiringSoon' | 'unrevocable';

export interface KeyRow {
  readonly label: string;
  readonly description: string;
  readonly icon: KeyIcon;
  /** `apiKey.<state>`, plus `.revocable` when the revoke command applies (menus key off it). */
  readonly contextValue: string;
}

export function keyRow(key: ApiKey, nowMs: number, warningDays: number): KeyRow {
  const state = keyState(key, nowMs);
  const revocable = state !== 'revoked' && key.keyId !== undefined;
  const soon = isExpiringSoon(key, nowMs, warningDays);
  return {
    label: key.name.trim() === '' ? '(unnamed key)' : displayText(key.name, 120),
    description: `${displayText(key.prefix, 40)} · ${describeKeyTiming(key, state, nowMs)}`,
    icon: key.keyId === undefined ? 'unrevocable' : soon ? 'expiringSoon' : state,
    contextValue: `apiKey.${state}${revocable ? '.revocable' : ''}`,
  };
}

/** Every field, each value escaped: names and comments are user data, never trusted Markdown. */
export function keyTooltipMarkdown(key: ApiKey, nowMs: number, warningDays: number): string {
  const state = keyState(key, nowMs);
  const stateText = isExpiringSoon(key, nowMs, warningDays) ? 'Active — expires soon' : STATE_LABELS[state];
  const when = (ms: number | undefined) => (ms === undefined ? '—' : `${formatTimestamp(ms)} (${formatRelative(ms, nowMs)})`);
  const rows: Array<[string, string]> = [
    ['State', escapeMarkdown(stateText)],
    ['ID', escapeMarkdown(key.id)],
    ['Prefix', escapeMarkdown(key.prefix)],
    ['Organization', escapeMarkdown(key.orgId ?? '—')],
    ['Created', escapeMarkdown(formatTimestamp(key.createdAt))],
    ['Updated', escapeMarkdown(formatTimestamp(key.updatedAt))],
    ['Active flag', key.isActive ? 'true' : 'false'],
    ['Expires', escapeMarkdown(key.expiresAt === undefined ? 'never' : when(key.expiresAt))],
  ];
  if (key.revokedAt !== undefined) {
    rows.push(['Revoked', escapeMarkdown(when(key.revokedAt))]);
    rows.push(['Revoked by', escapeMarkdown(key.revokedBy ?? '—')]);
    rows.push(['Comment', escapeMarkdown(key.revokedComment ?? '—')]);
  }
  if (key.keyId === undefined) rows.push(['Note', 'This id does not match the key id pattern, so the key cannot be revoked here\\.']);
  const title = `**${escapeMarkdown(key.name.trim() === '' ? '(unnamed key)' : key.name, 300)}**`;
  return [title, '', ...rows.map(([name, value]) => `${name}: ${value}`)].join('  \n');
}
