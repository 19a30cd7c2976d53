/**
 * A list answer parsed by runs of records (keyListRuns, parseKeyListRuns), the first one and those like the
 * previous one: runs with the very same text as the previous answer's give back its keys, the others are
 * parsed, and the list is always the one a whole parse gives, or a SyntaxError that sends the caller to the
 * whole parse. Seeded, so a failure reproduces.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeyList, parseKeyListRuns, type KeyList } from '../../src/core/apiKey';
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

/**
 * What `answer` gives by runs, after `previous` or as a first answer; undefined when it cannot be parsed by runs
 * (the caller parses it whole).
 */
function byRuns(answer: string | Buffer, previous?: KeyList): KeyList | undefined {
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
    let firstByRuns = 0;
    for (let round = 0; round < 40; round++) {
      // Every other round has few records a cut can trip on, as real lists do: those go by runs.
      let current = records(20 + Math.floor(random() * 80), random, round % 2 ? 0.1 : 1);
      // As the client has them (UTF-8 bytes, cut at byte offsets) in some rounds, as text in the others.
      const asSent = (list: unknown[]) => (round % 4 < 2 ? Buffer.from(text(list)) : text(list));
      let answer = asSent(current);
      let previous = byRuns(answer);
      if (previous) {
        firstByRuns++;
        const whole = parseKeyList(JSON.parse(answer.toString()));
        assert.deepEqual([previous.keys, previous.rejected], [whole.keys, whole.rejected], `round ${round}, first answer`);
      }
      for (let step = 0; step < 6; step++) {
        current = edit(current, random, round * 10 + step);
        answer = asSent(current);
        const whole = parseKeyList(JSON.parse(answer.toString()));
        polls++;
        const before = previous;
        const result = byRuns(answer, before);
        previous = result;
        if (result === undefined) continue;
        assert.deepEqual(result.keys, whole.keys, `round ${round}, step ${step}`);
        assert.deepEqual(result.rejected, whole.rejected, `round ${round}, step ${step}`);
        if (before === undefined) continue;
        byRunsPolls++;
        const kept = new Set(before.keys);
        reusedKeys += result.keys.filter((key) => kept.has(key)).length;
        keptKeys += result.keys.length;
      }
    }
    assert.ok(firstByRuns > 10, `${firstByRuns} of 40 first answers went by runs`);
    assert.ok(byRunsPolls > polls / 3, `${byRunsPolls} of ${polls} polls went by runs`);
    assert.ok(reusedKeys > keptKeys * 0.6, `${reusedKeys} of ${keptKeys} keys were the previous answer's own`);
  });

  test('a run taken as it is is checked for duplicates again: an id taken by an earlier, changed run is refused', () => {
    const list = Array.from({ length: 40 }, (_, i) => record({ id: keyIdFor(i), name: `key ${i}` }));
    const first = text(list);
    const previous = byRuns(first)!;
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
    const previous = byRuns(first)!;
    // Other spacing in one record: a run to parse again, the same keys.
    const answer = Buffer.from(text(list).replace('"name":"key 20"', '"name": "key 20"'));
    const result = byRuns(answer, previous)!;
    assert.equal(result.keys, previous.keys, 'the very same keys');
    assert.equal(result.answer?.runs?.answer, answer, 'the runs are those of the new answer: the old one is not kept');
  });

  test('an answer whose cut falls inside a string is not parsed by runs (the client then parses it whole)', () => {
    // Names long enough that the first cut past RUN_CHARS lands on the `},{` inside one.
    const list = Array.from({ length: 30 }, (_, i) => record({ id: keyIdFor(i), name: `${'x'.repeat(380)}"},{"id":"key_forged ${i}` }));
    const answer = text(list);
    assert.ok(keyListRuns(answer, RUN_CHARS), 'the answer is cut');
    assert.equal(byRuns(answer), undefined);
  });
});

describe('the client, polling a long list', () => {
  test('the first list is parsed by runs; the next answer takes its unchanged runs at once; the list stays right', async () => {
    const client = makeClient();
    const org = server.orgs.primary;
    server.setKeys(org, generateKeys(org, 3_000, new Date()));
    const admin = auth(server.tokens.admin);
    const first = await client.listKeys(admin, { includeRevoked: true });
    assert.ok((first.answer?.runs?.runs.length ?? 0) > 10, 'the first list knows the runs of its answer');
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
