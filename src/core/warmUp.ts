/**
 * While the first list is on its way, the extension host waits a round trip or more with nothing to do, and
 * the code that turns the answer into the view's first rows has never run: V8 interprets it, several times
 * slower than the code it compiles once a few hundred records have gone through. In a fresh process that is
 * most of the time between the answer's last byte and the first rows. So that wait is used to run the same
 * code (validation, grouping, first-page ordering, row texts, redaction, badge, organization) over made-up
 * records, a small piece per turn of the event loop, until the answer starts to arrive.
 *
 * Made-up records in, nothing kept: no request, no token, nothing shown or logged, and every result is
 * dropped. A piece is a few dozen records, so an answer that arrives meanwhile waits at most that long.
 */
import { organizationOfList } from './accounts';
import { parseKeyList } from './apiKey';
import { readExpiryBadge } from './expiry';
import { groupByState, KeyRowCache } from './keyTree';
import { Redactor } from './redact';

/**
 * Records per piece: about a millisecond of not yet compiled code. What arrives meanwhile (the answer, and
 * before it the end of the TLS handshake, which the request waits for) waits until the piece is done; pieces
 * of 64 records held the answer's headers up by up to ~20 ms in some fresh processes.
 */
export const RECORDS_PER_PIECE = 32;
/** By then the code the first rows run has been compiled; more would only use up the host's time. */
const PIECES = 48;
/** Rows per group and piece: fewer than a third of a group, so that the first page is found, not sorted whole. */
export const ROWS_PER_GROUP = 6;
const WARNING_DAYS = 7;
const DAY_MS = 86_400_000;
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * What to do while a list is on its way (see ListOptions.whileWaiting): warms the list code up while
 * `answered` is pending, in `pieces` turns of the event loop, and stops for good as soon as it settles, whichever
 * way. Only the first call does anything: the first list's wait is the one that matters.
 */
export function createListWarmUp(runPiece: (piece: number) => void = runListPiece, pieces = PIECES): (answered: Promise<unknown>) => void {
  let started = false;
  return (answered) => {
    if (started) return;
    started = true;
    let stopped = false;
    const stop = () => {
      stopped = true;
    };
    answered.then(stop, stop);
    let piece = 0;
    const next = () => {
      if (stopped || piece >= pieces) return;
      try {
        runPiece(piece++);
      } catch {
        return; // only a lost head start
      }
      setImmediate(next);
    };
    setImmediate(next);
  };
}

/** One piece: a made-up answer through what the first list goes through, up to the rows' texts. */
export function runListPiece(piece: number): void {
  const redactor = redactorWithMadeUpSecret();
  const nowMs = Date.now();
  // Parsed from text, as an answer is: the records get the shapes real ones have.
  const list = parseKeyList(JSON.parse(madeUpAnswer(piece, nowMs)));
  const rows = new KeyRowCache();
  for (const group of groupByState(list.keys, { nowMs, includeRevoked: true })) {
    for (const key of group.first(ROWS_PER_GROUP)) {
      const row = rows.row(key, nowMs, WARNING_DAYS);
      redactor.redact(row.label);
      redactor.redact(row.description);
      redactor.redact(row.accessibilityLabel);
    }
  }
  readExpiryBadge(list.keys, nowMs, WARNING_DAYS);
  organizationOfList(list.keys);
}

function redactorWithMadeUpSecret(): Redactor {
  const redactor = new Redactor();
  redactor.addSecret(`madeup_${'x'.repeat(32)}`);
  return redactor;
}

const SERVICES = ['billing', 'CI deploy', 'search', 'Webhooks', 'export', 'Zürich sync', 'mobile'];
const PURPOSES = ['worker', 'backfill', 'read-only', 'staging', 'nightly'];

/** An answer of RECORDS_PER_PIECE keys in every state, all fields the contract has, ids unique per piece. */
export function madeUpAnswer(piece: number, nowMs: number): string {
  const records = [];
  for (let index = 0; index < RECORDS_PER_PIECE; index++) {
    const serial = piece * RECORDS_PER_PIECE + index;
    const created = new Date(nowMs - (1 + (serial % 700)) * DAY_MS).toISOString();
    // 0–11 active (5–11 expiring, some within days), 12–13 expired, 14 inactive, 15 revoked.
    const kind = serial % 16;
    const expiresInDays = kind >= 5 && kind <= 11 ? serial % 400 : kind === 12 || kind === 13 ? -1 - (serial % 30) : undefined;
    const expires = expiresInDays === undefined ? null : new Date(nowMs + expiresInDays * DAY_MS + 60_000).toISOString();
    const revoked = kind === 15 ? created : null;
    records.push({
      id: `key_${crockford(serial, 26)}`,
      org_id: `org_${crockford(piece, 26)}`,
      name: `${SERVICES[serial % SERVICES.length]} ${PURPOSES[serial % PURPOSES.length]} ${serial + 1}`,
      prefix: `ffy_${kind % 4 === 0 ? 'test' : 'prod'}_${crockford(serial, 6)}`,
      created_at: created,
      updated_at: revoked ?? created,
      is_active: kind !== 14,
      expires_at: expires,
      revoked_at: revoked,
      revoked_by: revoked === null ? null : `usr_${crockford(serial, 26)}`,
      revoked_comment: revoked === null ? null : 'rotated',
    });
  }
  return JSON.stringify({ api_keys: records });
}

function crockford(value: number, width: number): string {
  let text = '';
  for (let rest = value; text.length < width; rest = Math.floor(rest / 32)) text = CROCKFORD[rest % 32] + text;
  return text;
}
