/**
 * The list warm-up (src/core/warmUp.ts): pieces run one per turn of the event loop while the answer is
 * pending, none once it has settled (either way), only the first call runs, and a failing piece ends it
 * quietly. The made-up answer takes the paths a real first list takes. Every test waits for pieces or for the
 * settling itself, never for a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeyList, keyState, KEY_STATES } from '../../src/core/apiKey';
import { groupByState } from '../../src/core/keyTree';
import { createListWarmUp, madeUpAnswer, runListPiece, RECORDS_PER_PIECE, ROWS_PER_GROUP } from '../../src/core/warmUp';
import { deferred } from './helpers/waitFor';

/** Resolves after `turns` more turns of the event loop (each a setImmediate, as the pieces are). */
function turns(count: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (left: number) => (left === 0 ? resolve() : setImmediate(() => step(left - 1)));
    step(count);
  });
}

/** A warm-up of 50 recorded pieces, started for `answered`; `reached` settles once `count` of them have run. */
function recordedWarmUp(answered: Promise<unknown>, count: number): { ran: number[]; reached: Promise<void> } {
  const ran: number[] = [];
  const reached = deferred();
  createListWarmUp((piece) => {
    ran.push(piece);
    if (ran.length === count) reached.resolve();
  }, 50)(answered);
  return { ran, reached: reached.promise };
}

test('runs one piece per turn while the answer is pending, and none once it has come', async () => {
  const answer = deferred();
  const { ran, reached } = recordedWarmUp(answer.promise, 3);
  assert.deepEqual(ran, [], 'nothing runs in the turn that handed the request over');
  await reached;
  answer.resolve();
  await answer.promise;
  const atAnswer = ran.length;
  await turns(5);
  assert.equal(ran.length, atAnswer, 'no piece after the answer came');
  assert.deepEqual(
    ran,
    ran.map((_, index) => index),
  );
  assert.ok(atAnswer < 50);
});

test('stops when the request fails too, without an unhandled rejection', async () => {
  const answer = deferred();
  const { ran, reached } = recordedWarmUp(answer.promise, 1);
  await reached;
  answer.reject(new Error('connection reset'));
  await answer.promise.catch(() => undefined);
  const atFailure = ran.length;
  await turns(5);
  assert.equal(ran.length, atFailure);
});

test('runs at most its pieces, and only for the first list', async () => {
  const ran: number[] = [];
  const warmUp = createListWarmUp((piece) => ran.push(piece), 4);
  const never = new Promise<void>(() => undefined);
  warmUp(never);
  warmUp(never);
  await turns(10);
  assert.deepEqual(ran, [0, 1, 2, 3]);
});

test('a piece that throws ends the warm-up quietly', async () => {
  const ran: number[] = [];
  const warmUp = createListWarmUp((piece) => {
    ran.push(piece);
    if (piece === 1) throw new Error('broken');
  }, 10);
  warmUp(new Promise<void>(() => undefined));
  await turns(6);
  assert.deepEqual(ran, [0, 1]);
});

test('the made-up answer is valid whole, has every state, and its first pages are found without a full sort', () => {
  const nowMs = Date.parse('2026-12-02T08:00:00Z');
  for (const piece of [0, 7]) {
    const list = parseKeyList(JSON.parse(madeUpAnswer(piece, nowMs)));
    assert.equal(list.rejected.length, 0, JSON.stringify(list.rejected));
    assert.equal(list.keys.length, RECORDS_PER_PIECE);
    assert.deepEqual(new Set(list.keys.map((key) => keyState(key, nowMs))), new Set(KEY_STATES));
    const groups = groupByState(list.keys, { nowMs, includeRevoked: true });
    const active = groups.find((group) => group.state === 'active')!;
    // A page of fewer than a third of its group is found by the cut-off, as a long list's first page is.
    assert.ok(active.size > 3 * ROWS_PER_GROUP, `active: ${active.size}`);
  }
  assert.notDeepEqual(madeUpAnswer(0, nowMs), madeUpAnswer(1, nowMs), 'each piece is new records, never a cached answer');
});

test('a real piece runs through without throwing', () => {
  runListPiece(0);
  runListPiece(1);
});
