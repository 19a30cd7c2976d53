/**
 * A list answer like the previous one, parsed by runs of records (keyListRuns, withAnswerRuns,
 * parseKeyListRuns): runs with the very same text as the previous answer's give back its keys, the others are
 * parsed, and the list is always the one a whole parse gives, or a SyntaxError that sends the caller to the
 * whole parse. Seeded, so a failure reproduces.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeyList, parseKeyListRuns, withAnswerRuns, type KeyList } from '../../src/core/apiKey';
import { keyListRuns, keyListSlices } from '../../src/core/keyListSlices';
import { generateKeys } from '../server/seed';
import { auth, makeClient, server, useClientServers } from './helpers/clientServers';
import { keyIdFor, record } from './helpers/coreFixtures';

useClientServers();

const RUN_CHARS = 400;

function seeded(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/** Records with what a cut trips on: `},{` in strings, escapes, nesting; some broken, some duplicated. */
function records(n: number, random: () => number, tricky = 1): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const overrides: Record<string, unknown> = { id: keyIdFor(i), name: `key ${i}` };
    const roll = random() / tricky;
    if (roll < 0.05) overrides['name'] = `a"},{"id":"key_forged",\\"},{ ${i}`;
    else if (roll < 0.08) overrides['revoked_comment'] = `nested },{ "quotes" \\ ünïcødé ${i}`;
    else if (roll < 0.1) overrides['extra'] = { list: [{ a: '},{' }, { b: [1, { c: '}' }] }] };
    else if (roll < 0.12)
      overrides['name'] = 42; // refused, at its own index
    else if (roll < 0.14) overrides['id'] = keyIdFor(Math.floor(random() * n)); // maybe a duplicate
    return record(overrides);
  });
}

/** One change a poll could bring: a rename, a key added or gone, a duplicate id, a broken record, a revoke. */
function edit(list: Record<string, unknown>[], random: () => number, serial: number): Record<string, unknown>[] {
  const next = list.map((item) => ({ ...item }));
  const at = Math.floor(random() * next.length);
  const kind = Math.floor(random() * 7);
  if (next.length === 0 || kind === 0) next.splice(at, 0, record({ id: keyIdFor(10_000 + serial), name: `new ${serial}` }));
  else if (kind === 1) next[at]!['name'] = `${String(next[at]!['name'])} renamed`;
  else if (kind === 2) next.splice(at, 1);
  else if (kind === 3) next[at]!['id'] = next[Math.floor(random() * next.length)]!['id'];
  else if (kind === 4) next[at]!['is_active'] = 'yes';
  else if (kind === 5) next[at]!['revoked_at'] = '2026-11-30T10:00:00Z';
  return next; // kind 6: the same records again
}

function text(list: readonly unknown[]): string {
  return JSON.stringify({ api_keys: list });
}

/** What a poll of `answer` gives after `previous`: by runs when possible, else undefined (the caller parses whole). */
function byRuns(answer: string | Buffer, previous: KeyList): KeyList | undefined {
  const runs = keyListRuns(answer, RUN_CHARS);
  if (!runs) return undefined;
  try {
    return parseKeyListRuns(answer, runs, previous);
  } catch (error) {
    assert.ok(error instanceof SyntaxError, String(error));
    return undefined;
  }
}

describe('runs of a list answer', () => {
  test('are where keyListSlices cuts the same text', () => {
    const answer = text(records(60, seeded(3)));
    const runs = keyListRuns(answer, RUN_CHARS);
    assert.ok(runs && runs.length > 3);
    assert.deepEqual(
      runs.map(({ from, until }) => `[${answer.slice(from, until)}]`),
      [...(keyListSlices(answer, RUN_CHARS) ?? [])],
    );
    assert.equal(keyListRuns(' {"api_keys": [] } '), undefined, 'short: parsed whole');
    assert.equal(keyListRuns(`{"api_keys":[${'{},'.repeat(300)}{}],"more":1}`, RUN_CHARS), undefined, 'not the contract shape');
  });

  test('give, poll after poll, exactly the list a whole parse gives, and take unchanged runs as they are', () => {
    const random = seeded(17);
    let polls = 0;
    let byRunsPolls = 0;
    let reusedKeys = 0;
    let keptKeys = 0;
    for (let round = 0; round < 40; round++) {
      // Every other round has few records a cut can trip on, as real lists do: those go by runs.
      let current = records(20 + Math.floor(random() * 80), random, round % 2 ? 0.1 : 1);
      // As the client has them (UTF-8 bytes, cut at byte offsets) in some rounds, as text in the others.
      const asSent = (list: unknown[]) => (round % 4 < 2 ? Buffer.from(text(list)) : text(list));
      let answer = asSent(current);
      let previous: KeyList | undefined = withAnswerRuns(answer, parseKeyList(JSON.parse(answer.toString())), RUN_CHARS);
      for (let step = 0; step < 6; step++) {
        current = edit(current, random, round * 10 + step);
        answer = asSent(current);
        const whole = parseKeyList(JSON.parse(answer.toString()));
        polls++;
        const result = previous && byRuns(answer, previous);
        if (result === undefined) {
          previous = withAnswerRuns(answer, whole, RUN_CHARS);
          continue;
        }
        byRunsPolls++;
        assert.deepEqual(result.keys, whole.keys, `round ${round}, step ${step}`);
        assert.deepEqual(result.rejected, whole.rejected, `round ${round}, step ${step}`);
        const before = new Set(previous!.keys);
        reusedKeys += result.keys.filter((key) => before.has(key)).length;
        keptKeys += result.keys.length;
        previous = result;
      }
    }
    assert.ok(byRunsPolls > polls / 3, `${byRunsPolls} of ${polls} polls went by runs`);
    assert.ok(reusedKeys > keptKeys * 0.6, `${reusedKeys} of ${keptKeys} keys were the previous answer's own`);
  });

  test('a run taken as it is is checked for duplicates again: an id taken by an earlier, changed run is refused', () => {
    const list = Array.from({ length: 40 }, (_, i) => record({ id: keyIdFor(i), name: `key ${i}` }));
    const first = text(list);
    const previous = withAnswerRuns(first, parseKeyList(JSON.parse(first)), RUN_CHARS)!;
    assert.ok(previous.answer?.runs && previous.answer.runs.runs.length > 2);
    // The first record now carries the id of the last one, whose run is unchanged.
    const changed = list.map((item, i) => (i === 0 ? { ...item, id: keyIdFor(39) } : item));
    const answer = text(changed);
    const result = byRuns(answer, previous)!;
    assert.deepEqual(result.rejected, parseKeyList(JSON.parse(answer)).rejected);
    assert.deepEqual(
      result.rejected.map((rejected) => rejected.index),
      [39],
    );
  });

  test('an answer with every key back in place gives the previous keys, with the runs of the new answer only', () => {
    const list = Array.from({ length: 40 }, (_, i) => record({ id: keyIdFor(i), name: `key ${i}` }));
    const first = Buffer.from(text(list));
    const previous = withAnswerRuns(first, parseKeyList(JSON.parse(first.toString())), RUN_CHARS)!;
    // Other spacing in one record: a run to parse again, the same keys.
    const answer = Buffer.from(text(list).replace('"name":"key 20"', '"name": "key 20"'));
    const result = byRuns(answer, previous)!;
    assert.equal(result.keys, previous.keys, 'the very same keys');
    assert.equal(result.answer?.runs?.answer, answer, 'the runs are those of the new answer: the old one is not kept');
  });

  test('an answer whose cut falls inside a string gets no runs; the next poll is parsed whole', () => {
    // Names long enough that the first cut past RUN_CHARS lands on the `},{` inside one.
    const list = Array.from({ length: 30 }, (_, i) => record({ id: keyIdFor(i), name: `${'x'.repeat(380)}"},{"id":"key_forged ${i}` }));
    const answer = text(list);
    assert.equal(withAnswerRuns(answer, parseKeyList(JSON.parse(answer)), RUN_CHARS), undefined);
  });
});

describe('the client, polling a long list', () => {
  test('after the first list has been shown, the next answer takes its unchanged runs; the list stays right', async () => {
    const client = makeClient();
    const org = server.orgs.primary;
    server.setKeys(org, generateKeys(org, 3_000, new Date()));
    const admin = auth(server.tokens.admin);
    const first = await client.listKeys(admin, { includeRevoked: true });
    // Where its runs lie is worked out after the view's turn: a setImmediate, then a setTimeout(0).
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 0));
    server.keysOf(org)[1_500]!.name = 'renamed in the middle';
    const parsed: number[] = [];
    const parse = JSON.parse;
    JSON.parse = (text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      parsed.push(text.length);
      return parse(text, reviver) as unknown;
    };
    let second: KeyList;
    try {
      second = await client.listKeys(admin, { includeRevoked: true });
    } finally {
      JSON.parse = parse;
    }
    assert.equal(parsed.length, 1, `one run parsed, not the whole answer: ${JSON.stringify(parsed)}`);
    assert.deepEqual(
      second.keys.map((key) => [key.id, key.name]),
      server.keysOf(org).map((key) => [key.id, key.name]),
    );
    assert.equal(second.keys[0], first.keys[0], 'a key of an unchanged run is the very same object');
    assert.equal(second.keys.at(-1), first.keys.at(-1));
    assert.notEqual(second.keys[1_500], first.keys[1_500]);
    const same = second.keys.filter((key, i) => key === first.keys[i]).length;
    assert.equal(same, second.keys.length - 1, 'every key but the renamed one is the previous answer’s own');
  });
});
