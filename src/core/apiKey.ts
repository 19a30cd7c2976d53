/** API key records: validation of what the server sent, and the key-state rules of SPEC section 2. */
import { asKeyId, type KeyId } from './ids';
import { FactifyError } from './errors';
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

export interface RejectedRecord {
  readonly index: number;
  /** The record's id when it had a readable one, for the log. */
  readonly id: string | undefined;
  readonly problem: string;
}

export interface KeyList {
  readonly keys: ApiKey[];
  readonly rejected: RejectedRecord[];
}

const MAX_ID_LENGTH = 200;
const NOT_THE_API = 'Check that “factify.apiBaseUrl” points at the Factify API, then Refresh.';

/**
 * Validates a list answer. A body that is not `{"api_keys": [...]}` is an error; a record that breaks the
 * contract is left out and reported, so one bad record never hides the others.
 */
export function parseKeyList(body: unknown): KeyList {
  if (!isPlainObject(body)) {
    throw new FactifyError('invalidResponse', `The server answered with ${describeJson(body)} instead of the list of API keys. ${NOT_THE_API}`);
  }
  const records = body['api_keys'];
  if (!Array.isArray(records)) {
    throw new FactifyError('invalidResponse', `The server's answer has ${records === undefined ? 'no "api_keys" list' : `"api_keys" as ${describeJson(records)}, not a list`}. ${NOT_THE_API}`);
  }
  const keys: ApiKey[] = [];
  const rejected: RejectedRecord[] = [];
  const seen = new Set<string>();
  for (let index = 0; index < records.length; index++) {
    const record: unknown = records[index];
    const parsed = parseKey(record);
    if (typeof parsed === 'string') {
      // Shown in the log: one line of plain text, so a hostile id cannot forge log lines.
      const id = isPlainObject(record) && typeof record['id'] === 'string' ? displayText(record['id'], MAX_ID_LENGTH) : undefined;
      rejected.push({ index, id, problem: parsed });
    } else if (seen.has(parsed.id)) {
      rejected.push({ index, id: displayText(parsed.id, MAX_ID_LENGTH), problem: 'the same id appears more than once' });
    } else {
      seen.add(parsed.id);
      keys.push(parsed);
    }
  }
  return { keys, rejected };
}

/** One record, or the reason it breaks the contract. */
function parseKey(record: unknown): ApiKey | string {
  if (!isPlainObject(record)) return `it is ${describeJson(record)}, not an object`;
  const { id, name, prefix, is_active: isActive, created_at: createdAt } = record;
  if (typeof id !== 'string' || id === '') return '"id" is missing or not a string';
  if (id.length > MAX_ID_LENGTH) return '"id" is implausibly long';
  if (typeof name !== 'string') return '"name" is missing or not a string';
  if (typeof prefix !== 'string') return '"prefix" is missing or not a string';
  if (typeof isActive !== 'boolean') return '"is_active" is missing or not a boolean';
  if (typeof createdAt !== 'string') return '"created_at" is missing or not a string';
  const orgId = optionalString(record, 'org_id');
  const updatedAt = optionalString(record, 'updated_at');
  const revokedBy = optionalString(record, 'revoked_by');
  const revokedComment = optionalString(record, 'revoked_comment');
  const expiresAt = optionalTimestamp(record, 'expires_at');
  const revokedAt = optionalTimestamp(record, 'revoked_at');
  for (const [field, value] of [['org_id', orgId], ['updated_at', updatedAt], ['revoked_by', revokedBy],
    ['revoked_comment', revokedComment], ['expires_at', expiresAt], ['revoked_at', revokedAt]] as const) {
    if (value === INVALID) return `"${field}" has the wrong type or format`;
  }
  return {
    id, keyId: asKeyId(id), name, prefix, isActive, createdAt,
    orgId: orgId as string | undefined,
    updatedAt: updatedAt as string | undefined,
    expiresAt: expiresAt as number | undefined,
    revokedAt: revokedAt as number | undefined,
    revokedBy: revokedBy as string | undefined,
    revokedComment: revokedComment as string | undefined,
  };
}

const INVALID = Symbol('invalid');

function optionalString(record: Record<string, unknown>, field: string): string | undefined | typeof INVALID {
  const value = record[field];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : INVALID;
}

/** RFC 3339 as the API sends it: a date, `T`, a time, and a zone. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function optionalTimestamp(record: Record<string, unknown>, field: string): number | undefined | typeof INVALID {
  const value = record[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !RFC3339.test(value)) return INVALID;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? INVALID : ms;
}

/** SPEC section 2: revoked wins over everything, then expiry, then the active flag. */
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

/** A few words on what a JSON value is, never its content (it may be hostile or huge). */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'object': return 'an object';
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return 'a boolean';
    default: return 'nothing';
  }
}
