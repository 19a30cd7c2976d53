/**
 * Factify tokens in text: where they are, which listed key each one is, and how serious it is. Pure: no
 * `vscode` import. A found token is a secret: it never leaves this module except as its masked prefix.
 */
import { keyState, type ApiKey, type KeyState } from './apiKey';
import { displayText } from './text';
import { t } from './l10n';

/**
 * `ffy_<env>_` + 26 lower-case Crockford base32 + base62 random. The random part has at least 10 characters,
 * so a key's displayed prefix (`ffy_prod_01kdx2z2...`) or an id-shaped string is never taken for a token.
 * No lookbehind: a pattern that starts with a literal lets the regex engine skip ahead fast, which is what
 * keeps a 5 MB document cheap to check; the characters around a match are checked separately.
 */
const TOKEN_GLOBAL = /ffy_[a-z0-9]{1,32}_[0-9a-hjkmnp-tv-z]{26}[0-9A-Za-z]{10,512}/g;

/** The same shape for ripgrep (Rust regex syntax); the boundaries are checked when the file is read. */
export const TOKEN_SEARCH_PATTERN = 'ffy_[a-z0-9]{1,32}_[0-9a-hjkmnp-tv-z]{26}[0-9A-Za-z]{10,}';

const MARKER = 'ffy_';

/**
 * Characters that make a match part of a longer word: letters, digits, `_` and `-` (base64url and
 * identifiers). A token glued to one of these on either side is a look-alike inside other data.
 */
function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 45;
}

export interface TokenMatch {
  /** Offsets in the text: [start, end). */
  readonly start: number;
  readonly end: number;
  /** The token itself. Secret: only for matching; never stored in a finding, logged or shown. */
  readonly token: string;
}

/** Every token in `text`, in order. */
export function findTokens(text: string): TokenMatch[] {
  const matches: TokenMatch[] = [];
  TOKEN_GLOBAL.lastIndex = 0;
  for (let match = TOKEN_GLOBAL.exec(text); match !== null; match = TOKEN_GLOBAL.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    const before = start > 0 ? text.charCodeAt(start - 1) : 32;
    const after = end < text.length ? text.charCodeAt(end) : 32;
    // The random part is matched greedily up to a non-base62 character, so a word character right after it
    // is `_`, `-`, or more random than any real token has.
    if (!isWordChar(before) && !isWordChar(after)) matches.push({ start, end, token: match[0] });
  }
  return matches;
}

/**
 * The tokens of a document about to be checked, or none: a cheap test first, so that text which merely
 * mentions `ffy_` (a README) is never a reason to list any organization's keys.
 */
export function tokensToCheck(text: string): TokenMatch[] {
  return text.includes('ffy_') ? findTokens(text) : [];
}

/** What may be shown of a token: `ffy_<env>_` and the 8 characters a key's prefix also shows, then `…`. */
export function maskToken(token: string): string {
  const env = /^ffy_[a-z0-9]+_/.exec(token)?.[0] ?? MARKER;
  return `${env}${token.slice(env.length, env.length + 8)}…`;
}

/** A key's prefix without the trailing `...` or `…` the API shows; undefined when too short to identify a key. */
export function prefixStem(prefix: string): string | undefined {
  const stem = prefix.trim().replace(/(\.\.\.|…)$/, '');
  // `ffy_<env>_` and at least four characters of the secret: a shorter stem would match many keys' tokens.
  // At most the 26 typed characters: a longer "prefix" would be (part of) a token's random tail.
  return /^ffy_[a-z0-9]+_[0-9A-Za-z]{4,26}$/.test(stem) ? stem : undefined;
}

/** A listed key and where it comes from. */
export interface DirectoryKey {
  readonly key: ApiKey;
  /** How the key's organization is named (the account's label). */
  readonly organization: string;
}

/** The keys of every signed-in account, indexed by prefix stem so that matching a token costs a few lookups. */
export class KeyIndex {
  private readonly byStem = new Map<string, DirectoryKey>();
  /** Stem lengths present, longest first: the longest matching stem is the most specific key. */
  private readonly lengths: number[];

  /** `accounts`: how many signed-in accounts the entries come from (none: nothing can be told apart). */
  constructor(
    entries: Iterable<DirectoryKey>,
    readonly accounts = 1,
  ) {
    const lengths = new Set<number>();
    for (const entry of entries) {
      const stem = prefixStem(entry.key.prefix);
      if (!stem) continue;
      const existing = this.byStem.get(stem);
      // Two keys with the same stem cannot be told apart; prefer the one that still works.
      if (existing && existing.key.revokedAt === undefined && entry.key.revokedAt !== undefined) continue;
      this.byStem.set(stem, entry);
      lengths.add(stem.length);
    }
    this.lengths = [...lengths].sort((a, b) => b - a);
  }

  get size(): number {
    return this.byStem.size;
  }

  lookup(token: string): DirectoryKey | undefined {
    for (const length of this.lengths) {
      if (length > token.length) continue;
      const entry = this.byStem.get(token.slice(0, length));
      if (entry) return entry;
    }
    return undefined;
  }
}

/** live = still works or could again (active, inactive); the others cannot be used any more, or are not ours. */
export type FindingKind = 'live' | 'revoked' | 'expired' | 'unknown';
export type FindingSeverity = 'warning' | 'information';

export interface Finding {
  readonly start: number;
  readonly end: number;
  readonly kind: FindingKind;
  readonly severity: FindingSeverity;
  /** The key's state; undefined for a token that matches no listed key. */
  readonly state: KeyState | undefined;
  readonly key: ApiKey | undefined;
  readonly organization: string | undefined;
  /** `ffy_prod_01kdx2z2…`: all that is ever shown of the token. */
  readonly masked: string;
  /** Plain text (names are user data, made safe with displayText). */
  readonly message: string;
}

export function classify(match: TokenMatch, index: KeyIndex, nowMs: number): Finding {
  const masked = maskToken(match.token);
  const entry = index.lookup(match.token);
  if (!entry) {
    return {
      start: match.start,
      end: match.end,
      kind: 'unknown',
      severity: 'warning',
      state: undefined,
      key: undefined,
      organization: undefined,
      masked,
      message:
        index.accounts === 0
          ? t(
              'Factify API key {0}: sign in (Factify: Set API Token…) to tell which key it is and whether it still works. Treat it as live.',
              masked,
            )
          : t(
              "Factify API key {0} matches no key listed for your signed-in organizations: it may be another organization's key or a key that is not listed. Treat it as live.",
              masked,
            ),
    };
  }
  const state = keyState(entry.key, nowMs);
  const kind: FindingKind = state === 'revoked' ? 'revoked' : state === 'expired' ? 'expired' : 'live';
  const name = displayText(entry.key.name, 80) || t('(unnamed key)');
  const organization = displayText(entry.organization, 80);
  return {
    start: match.start,
    end: match.end,
    kind,
    severity: kind === 'live' ? 'warning' : 'information',
    state,
    key: entry.key,
    organization: entry.organization,
    masked,
    message: findingMessage(state, name, masked, organization),
  };
}

function findingMessage(state: KeyState, name: string, masked: string, organization: string): string {
  switch (state) {
    case 'active':
      return t('Factify API key “{0}” ({1}) of {2} is active: it works. Revoke it if it should not be here.', name, masked, organization);
    case 'inactive':
      return t(
        'Factify API key “{0}” ({1}) of {2} is inactive, not revoked. Revoke it if it should not be here.',
        name,
        masked,
        organization,
      );
    case 'expired':
      return t('Factify API key “{0}” ({1}) of {2} is expired. It no longer works.', name, masked, organization);
    case 'revoked':
      return t('Factify API key “{0}” ({1}) of {2} is revoked. It no longer works.', name, masked, organization);
  }
}

/** Offsets to 0-based line and column, for many offsets in ascending order (one pass over the text). */
export function lineColumns(text: string, offsets: readonly number[]): Array<{ line: number; column: number }> {
  const result: Array<{ line: number; column: number }> = [];
  let line = 0;
  let lineStart = 0;
  let at = 0;
  for (const offset of offsets) {
    while (true) {
      const newline = text.indexOf('\n', at);
      if (newline === -1 || newline >= offset) break;
      line++;
      lineStart = newline + 1;
      at = lineStart;
    }
    result.push({ line, column: offset - lineStart });
  }
  return result;
}

/** A finding with its place, as plain data: what other parts (the agent tools) read. Never the token. */
export interface FindingRecord {
  /** Workspace-relative path when the file is in a workspace folder, else the full path or URI. */
  readonly file: string;
  readonly uri: string;
  /** 1-based. */
  readonly line: number;
  readonly column: number;
  readonly kind: FindingKind;
  readonly state: KeyState | 'unknown';
  readonly keyName: string | undefined;
  readonly keyId: string | undefined;
  readonly organization: string | undefined;
  readonly maskedToken: string;
}

export interface ScanCounts {
  readonly findings: number;
  readonly files: number;
  readonly byKind: Readonly<Record<FindingKind, number>>;
}

export function countFindings(records: readonly Pick<FindingRecord, 'uri' | 'kind'>[]): ScanCounts {
  const byKind: Record<FindingKind, number> = { live: 0, revoked: 0, expired: 0, unknown: 0 };
  for (const record of records) byKind[record.kind]++;
  return { findings: records.length, files: new Set(records.map((record) => record.uri)).size, byKind };
}

export interface SkippedCounts {
  readonly tooLarge: number;
  readonly binary: number;
  readonly unreadable: number;
}

/**
 * "4 Factify keys in 3 files: 2 live, 1 revoked, 1 unknown." plus the files with key-like text that were not
 * checked (too large, binary, unreadable).
 */
export function summarizeScan(counts: ScanCounts, skipped: SkippedCounts, maxFileSizeKB: number): string {
  const byKind = counts.byKind;
  const parts = [
    byKind.live > 0 ? t('{0} live', byKind.live) : undefined,
    byKind.revoked > 0 ? t('{0} revoked', byKind.revoked) : undefined,
    byKind.expired > 0 ? t('{0} expired', byKind.expired) : undefined,
    byKind.unknown > 0 ? t('{0} unknown', byKind.unknown) : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  const head =
    counts.findings === 0
      ? t('No Factify keys found in the workspace.')
      : counts.findings === 1
        ? t('1 Factify key in 1 file: {0}.', parts)
        : counts.files === 1
          ? t('{0} Factify keys in 1 file: {1}.', counts.findings, parts)
          : t('{0} Factify keys in {1} files: {2}.', counts.findings, counts.files, parts);
  const notes: string[] = [];
  if (skipped.tooLarge > 0)
    notes.push(
      skipped.tooLarge === 1 ? t('1 file over {0} KB', maxFileSizeKB) : t('{0} files over {1} KB', skipped.tooLarge, maxFileSizeKB),
    );
  if (skipped.binary > 0) notes.push(skipped.binary === 1 ? t('1 binary file') : t('{0} binary files', skipped.binary));
  if (skipped.unreadable > 0) notes.push(skipped.unreadable === 1 ? t('1 unreadable file') : t('{0} unreadable files', skipped.unreadable));
  return notes.length ? t('{0} Not checked: {1} with key-like text (listed in the log).', head, notes.join(', ')) : head;
}

/** The revoke reason offered for a key found in a file; the user can still edit it. */
export function leakReason(places: readonly string[]): string {
  const first = places[0];
  const reason =
    first === undefined
      ? t('Found in a file')
      : places.length === 1
        ? t('Found in {0}', first)
        : places.length === 2
          ? t('Found in {0} and 1 more place', first)
          : t('Found in {0} and {1} more places', first, places.length - 1);
  return displayText(reason, 200);
}
