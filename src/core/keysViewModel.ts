/**
 * What the keys view shows, decided without VS Code: its state (the welcome content keys off it), its message
 * and description, the context keys' values, the rows at its root, and when the rows must be rebuilt. The
 * shell (`src/treeView.ts`) renders it: TreeItems, setContext, progress and the auto-refresh timer.
 */
import { type KeyState } from './apiKey';
import { filterGroups, groupByState, PAGE_SIZE, type KeyGroup } from './keyTree';
import { type KeysSnapshot, type LoadedKeys } from './keysStore';
import { t } from './l10n';
import { viewRemedies, type RowRemedy } from './remedies';
import { displayText } from './text';

/** What the welcome content keys off (`factify.state`). */
export type ViewState = 'signedOut' | 'loading' | 'error' | 'empty' | 'filteredEmpty' | 'ready';

/** How long a grouping by state stays right: a key can expire while the list is shown. */
export const REGROUP_AFTER_MS = 60_000;

/**
 * The groups the view shows, and how far each is paged. Grouping runs once per list (a refresh that brings
 * back the same answer keeps the same list), and again only when a minute has passed, since keys expire with
 * time; each group is put in order only as far as the rows shown need. A filter only narrows the sorted
 * groups; the same filter over the same grouping gives back the same groups, so the rows keep their identity.
 */
export class KeyGrouping {
  private sorted: { keys: LoadedKeys['keys']; includeRevoked: boolean; at: number; groups: KeyGroup[] } | undefined;
  private filtered: { filter: string | undefined; groups: KeyGroup[] } | undefined;
  private readonly pageLimits = new Map<KeyState, number>();

  /** The groups with at least one key left after the filter. */
  groups(loaded: LoadedKeys | undefined, filter: string | undefined, nowMs: number): KeyGroup[] {
    if (!loaded) return [];
    const includeRevoked = loaded.query.includeRevoked;
    let sorted = this.sorted;
    if (!sorted || sorted.keys !== loaded.keys || sorted.includeRevoked !== includeRevoked || nowMs - sorted.at > REGROUP_AFTER_MS) {
      sorted = this.sorted = {
        keys: loaded.keys,
        includeRevoked,
        at: nowMs,
        groups: groupByState(loaded.keys, { nowMs, includeRevoked }, sorted?.groups),
      };
      this.filtered = undefined;
    }
    if (!this.filtered || this.filtered.filter !== filter) {
      this.filtered = { filter, groups: filterGroups(sorted.groups, filter).filter((group) => group.size > 0) };
    }
    return this.filtered.groups;
  }

  /** Whether the last grouping had any group before the filter narrowed it. */
  get hadKeys(): boolean {
    return (this.sorted?.groups.length ?? 0) > 0;
  }

  /** How many keys of a group show before its "Show more…" row. */
  pageLimit(state: KeyState): number {
    return this.pageLimits.get(state) ?? PAGE_SIZE;
  }

  showMore(state: KeyState): void {
    this.pageLimits.set(state, this.pageLimit(state) + PAGE_SIZE);
  }

  /** Pages a group down until the key at `index` shows; true when that changed the group's rows. */
  pageTo(state: KeyState, index: number): boolean {
    if (index < this.pageLimit(state)) return false;
    this.pageLimits.set(state, (Math.floor(index / PAGE_SIZE) + 1) * PAGE_SIZE);
    return true;
  }

  resetPaging(): void {
    this.pageLimits.clear();
  }
}

export interface ViewInputs {
  /** False until SecretStorage has answered once. */
  readonly accountsLoaded: boolean;
  readonly snapshot: KeysSnapshot;
  /** The filter, trimmed; undefined when none. */
  readonly filter: string | undefined;
  /** How many groups show after the filter, and whether there were any before it. */
  readonly shownGroups: number;
  readonly hadKeys: boolean;
}

export function viewState(input: ViewInputs): ViewState {
  const { snapshot } = input;
  // Until SecretStorage has answered, "signed out" would be a guess: say loading instead.
  if (!input.accountsLoaded) return 'loading';
  if (!snapshot.signedIn) return 'signedOut';
  if (!snapshot.loaded) return snapshot.error && !snapshot.loading ? 'error' : 'loading';
  if (input.shownGroups > 0) return 'ready';
  return input.filter !== undefined && input.hadKeys ? 'filteredEmpty' : 'empty';
}

/**
 * The view's message, or undefined for none. `redact` is the log's redactor: server-derived text is redacted
 * first, then cut, so a cut never hides a secret from it. The shell redacts the whole message once more.
 */
export function viewMessage(
  input: ViewInputs,
  state: ViewState,
  redact: (text: string) => string,
  timeOfDay: (ms: number) => string = (ms) => new Date(ms).toLocaleTimeString(),
): string | undefined {
  const { snapshot, filter } = input;
  const error = snapshot.error;
  const shown = (text: string, maxLength: number) => displayText(redact(text), maxLength);
  if (snapshot.notice) return snapshot.notice;
  if (state === 'error' && error) return shown(error.message, 500);
  const lines: string[] = [];
  if (error && snapshot.loaded && !snapshot.loading) {
    lines.push(t('⚠ Refresh failed: {0} Showing the keys loaded {1}.', shown(error.message, 400), timeOfDay(snapshot.loaded.loadedAt)));
  }
  const rejected = snapshot.loaded?.rejected.length ?? 0;
  if (rejected > 0) {
    lines.push(
      rejected === 1
        ? t('⚠ 1 record from Factify was not valid and is not shown; see the log (Factify: Show Log).')
        : t('⚠ {0} records from Factify were not valid and are not shown; see the log (Factify: Show Log).', rejected),
    );
  }
  if (filter !== undefined && state !== 'signedOut') {
    // VS Code hides a view's welcome content while the view has a message: filtered-to-nothing alone is
    // left to the welcome content, which also offers Clear Filter and Filter Keys….
    if (state !== 'filteredEmpty') lines.push(t('Filtered by “{0}”.', displayText(filter, 80)));
    else if (lines.length > 0) lines.push(t('No key matches “{0}”.', displayText(filter, 80)));
  }
  return lines.length ? lines.join(' ') : undefined;
}

/** The view's description: the organization, with a warning while acting as another one. */
export function viewDescription(override: string | undefined, organization: string | undefined): string | undefined {
  return override ? t('⚠ acting as {0}', organization ?? override) : organization;
}

/** The values of the context keys the menus and welcome content use. */
export function contextKeys(
  state: ViewState,
  input: Pick<ViewInputs, 'snapshot' | 'filter'>,
  showRevoked: boolean,
): Readonly<Record<string, unknown>> {
  return {
    'factify.state': state,
    'factify.signedIn': input.snapshot.signedIn,
    'factify.filterActive': input.filter !== undefined,
    'factify.showRevoked': showRevoked,
  };
}

/**
 * The rows at the view's root: the key groups, or the ways out of an error (VS Code hides welcome content while
 * a view has a message, and the message is what says what went wrong).
 */
export function rootRows(state: ViewState, snapshot: KeysSnapshot, overrideActive: boolean): { groups: true } | { remedies: RowRemedy[] } {
  // The message says why this editor was signed out; the welcome content that would offer a token is hidden.
  if (state === 'signedOut' && snapshot.notice) return { remedies: ['setToken'] };
  if (state === 'error') return { remedies: viewRemedies(snapshot.error, overrideActive) };
  return { groups: true };
}

/**
 * What the rows are built from. Rebuilding the tree drops VS Code's handles to its rows for a moment (a click on
 * a row's inline action then finds no row): only when one of these changed, e.g. not for a refresh with the
 * same answer.
 */
export function rowInputs(
  state: ViewState,
  input: Pick<ViewInputs, 'snapshot' | 'filter'>,
  override: string | undefined,
  nowMs: number,
  warningDays: number,
): unknown[] {
  const { snapshot } = input;
  return [
    state,
    snapshot.loaded?.keys,
    snapshot.loaded?.query.includeRevoked,
    input.filter,
    snapshot.error?.kind,
    override,
    Math.floor(nowMs / REGROUP_AFTER_MS),
    warningDays,
  ];
}

export function rowInputsChanged(before: readonly unknown[] | undefined, after: readonly unknown[]): boolean {
  return !before || after.length !== before.length || after.some((input, index) => input !== before[index]);
}
