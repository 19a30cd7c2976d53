/** API key records: validation of what the server sent, and the key-state rules. */
import { asKeyId, asOrgId, type KeyId, type OrgId } from './ids';
import { FactifyError } from './errors';
import { t } from './l10n';
import { runText, sameRunText, type RecordRun } from './keyListSlices';
import { displayText } from './text';

export type KeyState = 'active' | 'expired' | 'inactive' | 'revoked';
export const KEY_STATES: readonly KeyState[] = ['active', 'expired', 'inactive', 'revoked'];

export interface ApiKey {
  /** The id exactly as the server sent it (shown, copied, used as the tree item id). */
  readonly id: string;
  /** Set only when `id` matches its pattern; a key without it is shown but can never be revoked. */
  readonly keyId: KeyId | undefined;
  readonly orgId: string | undefined;
  readonly name: string;
  readonly prefix: string;
  readonly isActive: boolean;
  readonly createdAt: string;
  readonly updatedAt: string | undefined;
  /** Epoch milliseconds. Timestamps the state rules need are parsed once; the others only when shown. */
  readonly expiresAt: number | undefined;
  readonly revokedAt: number | undefined;
  readonly revokedBy: string | undefined;
  readonly revokedComment: string | undefined;
}

/** Why a key without a `keyId` (its id does not match the pattern) is never revoked. */
export function unrevocableKeyMessage(): string {
  return t('This key has an id Factify never issues, so it cannot be revoked from here.');
}

export interface RejectedRecord {
  readonly index: number;
  /** The record's id when it had a readable one, for the log. */
  readonly id: string | undefined;
  readonly problem: string;
}

export interface KeyList {
  readonly keys: ApiKey[];
  readonly rejected: RejectedRecord[];
  /** What each record of the answer became, by position: lets the next answer skip records that did not change. */
  readonly answer?: ValidatedAnswer;
}

/**
 * For each record of an answer, by its index: the key it became (undefined when it was rejected) and its
 * timestamps exactly as sent. A record of a later answer at the same index that carries the very same values
 * gives the very same key, so it is reused as it is: the same checks, without redoing them, and no new object.
 */
export interface ValidatedAnswer {
  readonly keys: ReadonlyArray<ApiKey | undefined>;
  readonly expiresAt: readonly unknown[];
  readonly revokedAt: readonly unknown[];
  /** For an answer parsed a run at a time from its text (parseKeyListRuns): the text and its runs. */
  readonly runs?: AnswerRuns;
}

export interface AnswerRuns {
  /** The answer's text or UTF-8 bytes. */
  readonly answer: string | Buffer;
  readonly runs: readonly ParsedRun[];
}

/** A run of the answer's text (see keyListRuns) and the records it held: `count` from index `first`. */
export interface ParsedRun extends RecordRun {
  readonly first: number;
  readonly count: number;
  /** Every record of it was kept: only such a run can be taken as it is by the next answer. */
  readonly kept: boolean;
}

const MAX_ID_LENGTH = 200;
/**
 * The tree's own rows (groups, "show more", recovery actions) have ids that start with this; key rows use
 * the key's id. A record whose id starts with it is refused, so no record can take a row's place.
 */
export const RESERVED_ID_PREFIX = 'factify.';

/**
 * Validates a list answer. A body that is not `{"api_keys": [...]}` is an error; a record that breaks the
 * contract is left out and reported, so one bad record never hides the others.
 */
export function parseKeyList(body: unknown, previous?: KeyList): KeyList {
  const records = apiKeyRecords(body);
  const list = new KeyListBuilder(records.length, previous);
  list.add(records, 0, records.length);
  return list.result();
}

/** Records validated per slice between two turns of the event loop, so a huge list never freezes the host. */
export const RECORDS_PER_SLICE = 20_000;

/** `parseKeyList`, yielding to the event loop between slices of a long list. */
export async function parseKeyListInSlices(body: unknown, previous?: KeyList): Promise<KeyList> {
  const records = apiKeyRecords(body);
  const list = new KeyListBuilder(records.length, previous);
  const long = records.length > RECORDS_PER_SLICE;
  for (let start = 0; start < records.length; start += RECORDS_PER_SLICE) {
    if (long) await yieldToEventLoop();
    list.add(records, start, Math.min(records.length, start + RECORDS_PER_SLICE));
  }
  return list.result();
}

/**
 * `parseKeyList` of an answer given as the texts of consecutive runs of its records (see `keyListSlices`),
 * parsed and validated a few runs per turn of the event loop. Throws the SyntaxError of the first run
 * that is not valid JSON (the caller then parses the whole text instead).
 */
export async function parseKeyListSlices(slices: Iterable<string>, previous?: KeyList): Promise<KeyList> {
  const list = new KeyListBuilder(0, previous);
  let count = 0;
  for (const slice of slices) {
    if (++count % SLICES_PER_TURN === 0) await yieldToEventLoop();
    const records = JSON.parse(slice) as unknown[];
    list.add(records, 0, records.length);
  }
  return list.result();
}

/**
 * `parseKeyList` of an answer given as its text and the runs of records it is cut into (see keyListRuns). A
 * run whose text is the very same as a run of the previous answer's, all of whose records were kept, gives
 * back that run's keys without being parsed or checked again (only the duplicate check, which depends on the
 * rest of the answer, is done again); the other runs are parsed and checked, record by record against the
 * previous answer. A poll that brings back a long list with a key or two changed parses those runs only.
 * Throws the SyntaxError of a run that is not valid JSON (the caller then parses the whole text instead).
 *
 * Why a run taken as it is holds exactly those records: runs are consecutive, the first starts where the
 * records do, and each that was parsed or taken ends between two records; so the next one starts between two
 * records too, and its text is that of a run that, starting at such a place, parsed as a list of records.
 */
export function parseKeyListRuns(answer: string | Buffer, runs: readonly RecordRun[], previous?: KeyList): KeyList {
  const list = new KeyListBuilder(0, previous);
  const before = previous?.answer?.runs;
  const parsed: ParsedRun[] = [];
  // Runs after a change line up with the previous answer's again, a run or so further on or back.
  let offset = 0;
  for (let index = 0; index < runs.length; index++) {
    const run = runs[index]!;
    const { from, until } = run;
    const first = list.added;
    const match = before && matchingRun(answer, run, before, index + offset);
    if (match !== undefined) {
      offset = match.at - index;
      const kept = list.addRun(match.run.first, match.run.count);
      parsed.push({ from, until, first, count: match.run.count, kept });
      continue;
    }
    const records = JSON.parse(runText(answer, run)) as unknown[];
    const refused = list.refused;
    list.add(records, 0, records.length);
    parsed.push({ from, until, first, count: records.length, kept: list.refused === refused });
  }
  const result = list.result({ answer, runs: parsed });
  // The previous list itself (every key back in place) still knows its runs in the previous answer: it now
  // gets this one's, so that only one answer is kept.
  return result === previous ? { ...previous, answer: { ...previous.answer!, runs: { answer, runs: parsed } } } : result;
}

/** The previous answer's run with the very same text as `answer`'s `run`, looked for at `guess` and next to it. */
function matchingRun(
  answer: string | Buffer,
  run: RecordRun,
  before: AnswerRuns,
  guess: number,
): { run: ParsedRun; at: number } | undefined {
  for (const at of [guess, guess + 1, guess - 1]) {
    const candidate = before.runs[at];
    if (candidate !== undefined && candidate.kept && sameRunText(answer, run, before.answer, candidate)) return { run: candidate, at };
  }
  return undefined;
}

/** Runs of records parsed and validated per turn of the event loop (about a megabyte of text). */
const SLICES_PER_TURN = 16;

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function apiKeyRecords(body: unknown): unknown[] {
  if (!isPlainObject(body)) {
    throw new FactifyError(
      'invalidResponse',
      t(
        'The server answered with {0} instead of the list of API keys. Check that “factify.apiBaseUrl” points at the Factify API, then Refresh.',
        spokenJson(body),
      ),
    );
  }
  const records = body['api_keys'];
  if (!Array.isArray(records)) {
    throw new FactifyError(
      'invalidResponse',
      records === undefined
        ? t('The server\'s answer has no "api_keys" list. Check that “factify.apiBaseUrl” points at the Factify API, then Refresh.')
        : t(
            'The server\'s answer has "api_keys" as {0}, not a list. Check that “factify.apiBaseUrl” points at the Factify API, then Refresh.',
            spokenJson(records),
          ),
    );
  }
  return records;
}

class KeyListBuilder {
  private readonly keys: ApiKey[] = [];
  private readonly rejected: RejectedRecord[] = [];
  private readonly seen = new Set<string>();
  private readonly answer: { keys: Array<ApiKey | undefined>; expiresAt: unknown[]; revokedAt: unknown[] };
  /** The position in the answer of the next record added. */
  private next = 0;
  /** Records that gave the previous answer's key at the same position. */
  private reused = 0;
  /** The organizations the kept keys name, noted as they are kept (see organizationsOfList). */
  private lastOrgId: string | undefined;
  private firstOrg: OrgId | undefined;
  private mixedOrgs = false;
  private readonly previous: ValidatedAnswer | undefined;

  /** `records`: how many the answer holds, when known (the arrays are sized once). */
  constructor(
    records: number,
    private readonly previousList: KeyList | undefined,
  ) {
    this.previous = previousList?.answer;
    this.answer = { keys: new Array(records), expiresAt: new Array(records), revokedAt: new Array(records) };
  }

  /** How many records have been added so far: the index of the next one. */
  get added(): number {
    return this.next;
  }

  /** How many records have been refused so far. */
  get refused(): number {
    return this.rejected.length;
  }

  /**
   * Adds, as the next records, the keys the previous answer made of its records `first..first + count`, which
   * were all kept: the same text gives the same keys. Only the duplicate check is done again. Whether every one
   * was kept again.
   */
  addRun(first: number, count: number): boolean {
    const previous = this.previous!;
    const answer = this.answer;
    let allKept = true;
    for (let at = first; at < first + count; at++) {
      const index = this.next++;
      const key = previous.keys[at]!;
      if (this.seen.has(key.id)) {
        this.rejected.push({ index, id: displayText(key.id, MAX_ID_LENGTH), problem: 'the same id appears more than once' });
        answer.keys[index] = answer.expiresAt[index] = answer.revokedAt[index] = undefined;
        allKept = false;
        continue;
      }
      if (at === index) this.reused++;
      this.seen.add(key.id);
      this.keys.push(key);
      if (key.orgId !== this.lastOrgId) this.noteOrganization(key.orgId);
      answer.keys[index] = key;
      answer.expiresAt[index] = previous.expiresAt[at];
      answer.revokedAt[index] = previous.revokedAt[at];
    }
    return allKept;
  }

  /** Adds `records[start..end)`, the next records of the answer. */
  add(records: readonly unknown[], start: number, end: number): void {
    const answer = this.answer;
    for (let at = start; at < end; at++) {
      const index = this.next++;
      const record: unknown = records[at];
      const same = this.unchanged(record, index);
      if (same !== undefined) this.reused++;
      const parsed = same ?? parseKey(record, this.lastOrgId);
      let kept: ApiKey | undefined;
      if (typeof parsed === 'string') {
        // Shown in the log: one line of plain text, so a hostile id cannot forge log lines.
        const id = isPlainObject(record) && typeof record['id'] === 'string' ? displayText(record['id'], MAX_ID_LENGTH) : undefined;
        this.rejected.push({ index, id, problem: parsed });
      } else if (this.seen.size === this.seen.add(parsed.id).size) {
        this.rejected.push({ index, id: displayText(parsed.id, MAX_ID_LENGTH), problem: 'the same id appears more than once' });
      } else {
        this.keys.push(parsed);
        kept = parsed;
        if (parsed.orgId !== this.lastOrgId) this.noteOrganization(parsed.orgId);
      }
      // Every position is written in order, so arrays not sized up front grow without holes.
      answer.keys[index] = kept;
      answer.expiresAt[index] = kept === undefined ? undefined : (record as Record<string, unknown>)['expires_at'];
      answer.revokedAt[index] = kept === undefined ? undefined : (record as Record<string, unknown>)['revoked_at'];
    }
  }

  /** The previous answer's key for this index when the record carries exactly the values it was made from. */
  private unchanged(record: unknown, index: number): ApiKey | undefined {
    const key = this.previous?.keys[index];
    if (key === undefined || !isPlainObject(record)) return undefined;
    const previous = this.previous!;
    return record['id'] === key.id &&
      record['name'] === key.name &&
      record['prefix'] === key.prefix &&
      record['is_active'] === key.isActive &&
      record['created_at'] === key.createdAt &&
      sameOptional(record['org_id'], key.orgId) &&
      sameOptional(record['updated_at'], key.updatedAt) &&
      sameOptional(record['revoked_by'], key.revokedBy) &&
      sameOptional(record['revoked_comment'], key.revokedComment) &&
      record['expires_at'] === previous.expiresAt[index] &&
      record['revoked_at'] === previous.revokedAt[index]
      ? key
      : undefined;
  }

  /** Most records name the organization of the one before: only a change is looked at. */
  private noteOrganization(orgId: string | undefined): void {
    this.lastOrgId = orgId;
    const valid = asOrgId(orgId);
    if (valid === undefined) return;
    if (this.firstOrg === undefined) this.firstOrg = valid;
    else if (valid !== this.firstOrg) this.mixedOrgs = true;
  }

  /** The previous list itself when every record gave back its key, in place, and none was refused. */
  result(runs?: AnswerRuns): KeyList {
    const previous = this.previousList;
    if (
      previous?.answer !== undefined &&
      this.rejected.length === 0 &&
      previous.rejected.length === 0 &&
      this.reused === this.keys.length &&
      this.keys.length === previous.keys.length &&
      this.next === previous.answer.keys.length
    )
      return previous;
    ORGANIZATIONS_BY_LIST.set(this.keys, { first: this.firstOrg, agreed: this.mixedOrgs ? undefined : this.firstOrg });
    return { keys: this.keys, rejected: this.rejected, answer: runs === undefined ? this.answer : { ...this.answer, runs } };
  }
}

export interface ListOrganizations {
  /** The first valid org id the keys name, whether or not the others agree. */
  readonly first: OrgId | undefined;
  /** That org id when every valid one the keys name is the same; only a valid org id counts. */
  readonly agreed: OrgId | undefined;
}

/**
 * Per list, since the shell asks for each several times (the view's description on every render, the
 * account's organization, the expiry reminder) and a list is never changed once loaded. A validated list has
 * it from its validation; any other (a list with a key marked revoked, say) is looked through once.
 */
const ORGANIZATIONS_BY_LIST = new WeakMap<readonly ApiKey[], ListOrganizations>();

export function organizationsOfList(keys: readonly ApiKey[]): ListOrganizations {
  let known = ORGANIZATIONS_BY_LIST.get(keys);
  if (!known) ORGANIZATIONS_BY_LIST.set(keys, (known = scanOrganizations(keys)));
  return known;
}

function scanOrganizations(keys: readonly ApiKey[]): ListOrganizations {
  let found: OrgId | undefined;
  for (const key of keys) {
    if (found !== undefined && key.orgId === found) continue; // most records repeat the one already checked
    const orgId = asOrgId(key.orgId);
    if (!orgId) continue;
    if (found && found !== orgId) return { first: found, agreed: undefined };
    found = orgId;
  }
  return { first: found, agreed: found };
}

/** An optional string member against the value it became (absent and null both became undefined). */
function sameOptional(value: unknown, kept: string | undefined): boolean {
  return kept === undefined ? value === undefined || value === null : value === kept;
}

/**
 * One record, or the reason it breaks the contract. `orgIdBefore`: the organization of the key before it. A
 * list's keys mostly share their organization, and a key's update time is often its creation time: those
 * strings are taken from the key before and from the creation time, so that each key does not keep a copy of
 * its own (a long list's keys then cost less to keep, and to move out of the young generation).
 */
function parseKey(record: unknown, orgIdBefore: string | undefined): ApiKey | string {
  if (!isPlainObject(record)) return `it is ${describeJson(record)}, not an object`;
  const { id, name, prefix, is_active: isActive, created_at: createdAt } = record;
  if (typeof id !== 'string' || id === '') return '"id" is missing or not a string';
  if (id.length > MAX_ID_LENGTH) return '"id" is implausibly long';
  if (id.startsWith(RESERVED_ID_PREFIX)) return `"id" starts with "${RESERVED_ID_PREFIX}", which the view keeps for its own rows`;
  if (typeof name !== 'string') return '"name" is missing or not a string';
  if (typeof prefix !== 'string') return '"prefix" is missing or not a string';
  if (typeof isActive !== 'boolean') return '"is_active" is missing or not a boolean';
  if (typeof createdAt !== 'string') return '"created_at" is missing or not a string';
  const orgId = record['org_id'];
  const updatedAt = record['updated_at'];
  const revokedBy = record['revoked_by'];
  const revokedComment = record['revoked_comment'];
  if (!isOptionalString(orgId)) return wrongType('org_id');
  if (!isOptionalString(updatedAt)) return wrongType('updated_at');
  if (!isOptionalString(revokedBy)) return wrongType('revoked_by');
  if (!isOptionalString(revokedComment)) return wrongType('revoked_comment');
  const expiresAt = optionalTimestamp(record['expires_at']);
  if (expiresAt === INVALID) return wrongType('expires_at');
  const revokedAt = optionalTimestamp(record['revoked_at']);
  if (revokedAt === INVALID) return wrongType('revoked_at');
  return {
    id,
    keyId: asKeyId(id),
    name,
    prefix,
    isActive,
    createdAt,
    orgId: orgId === orgIdBefore ? orgIdBefore : (orgId ?? undefined),
    updatedAt: updatedAt === createdAt ? createdAt : (updatedAt ?? undefined),
    expiresAt,
    revokedAt,
    revokedBy: revokedBy ?? undefined,
    revokedComment: revokedComment ?? undefined,
  };
}

function wrongType(field: string): string {
  return `"${field}" has the wrong type or format`;
}

function isOptionalString(value: unknown): value is string | null | undefined {
  return value === undefined || value === null || typeof value === 'string';
}

const INVALID = Symbol('invalid');

/** RFC 3339 as the API sends it: a date, `T`, a time, and a zone. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function optionalTimestamp(value: unknown): number | undefined | typeof INVALID {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !RFC3339.test(value)) return INVALID;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? INVALID : ms;
}

/** A key's state: revoked wins over everything, then expiry, then the active flag. */
export function keyState(key: ApiKey, nowMs: number): KeyState {
  if (key.revokedAt !== undefined) return 'revoked';
  if (key.expiresAt !== undefined && key.expiresAt <= nowMs) return 'expired';
  return key.isActive ? 'active' : 'inactive';
}

const DAY_MS = 86_400_000;

/** An active key whose expiry falls within the warning window. */
export function isExpiringSoon(key: ApiKey, nowMs: number, warningDays: number): boolean {
  return keyState(key, nowMs) === 'active' && key.expiresAt !== undefined && key.expiresAt - nowMs <= warningDays * DAY_MS;
}

/** The key as it is after a successful revoke, until the next list shows the server's own record. */
export function markRevoked(key: ApiKey, nowMs: number, reason: string | undefined): ApiKey {
  return { ...key, isActive: false, revokedAt: nowMs, revokedComment: reason, revokedBy: undefined };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a JSON value is, for a message, never its content: "The server answered with {0}", "… has "api_keys" as {0}". */
function spokenJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return t('a list');
  switch (typeof value) {
    case 'object':
      return t('an object');
    case 'string':
      return t('a string');
    case 'number':
      return t('a number');
    case 'boolean':
      return t('a boolean');
    default:
      return t('nothing');
  }
}

/** A few words on what a JSON value is, never its content (it may be hostile or huge): for the log. */
function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return 'nothing';
  }
}
