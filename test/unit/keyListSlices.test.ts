/**
 * A long list answer parsed a run of records at a time (src/core/keyListSlices.ts, parseKeyListSlices): the
 * same list as parsing it whole, whatever the records hold, or a SyntaxError that sends the caller to the
 * whole parse; and answers of any other shape are not cut at all.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeyList, parseKeyListSlices } from '../../src/core/apiKey';
import { FactifyClient, type RequestAuth } from '../../src/core/client';
import { type ApiToken } from '../../src/core/ids';
import { keyListSlices } from '../../src/core/keyListSlices';
import { startFactifyServer } from '../server/factifyServer';
import { generateKeys } from '../server/seed';
import { keyIdFor, record } from './helpers/coreFixtures';

/** Records whose text holds what a naive cut would trip on: `},{` in strings, escapes, nesting, other scripts. */
function trickyRecords(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const overrides: Record<string, unknown> = { id: keyIdFor(i), name: `key ${i}` };
    if (i % 7 === 1) overrides['name'] = `a"},{"id":"key_forged",\\"},{ ${i}`;
    if (i % 11 === 2) overrides['revoked_comment'] = `nested },{ "quotes" \\ and ünïcødé ✓ ${i}`;
    if (i % 13 === 3) overrides['extra'] = { list: [{ a: '},{' }, { b: [1, 2, { c: '}' }] }], n: i };
    if (i % 17 === 4) overrides['name'] = 42; // breaks the contract: rejected, at its own index
    if (i % 19 === 5) overrides['id'] = keyIdFor(0); // a duplicate
    return record(overrides);
  });
}

async function parseSliced(text: string, sliceChars: number, previous?: ReturnType<typeof parseKeyList>) {
  const slices = keyListSlices(text, sliceChars);
  assert.ok(slices, 'the answer is cut');
  return parseKeyListSlices(slices, previous);
}

describe('keyListSlices', () => {
  test('runs of records give exactly the list the whole answer gives, for any run length', async () => {
    const records = trickyRecords(600);
    const text = JSON.stringify({ api_keys: records });
    const whole = parseKeyList(JSON.parse(text));
    let cutRight = 0;
    for (let sliceChars = 1; sliceChars < text.length; sliceChars = Math.ceil(sliceChars * 1.7)) {
      let sliced;
      try {
        sliced = await parseSliced(text, sliceChars);
      } catch (error) {
        // A cut that fell inside a string or a record: the caller parses the whole answer instead.
        assert.ok(error instanceof SyntaxError, String(error));
        continue;
      }
      assert.deepEqual(sliced, whole, `runs of ${sliceChars} characters`);
      cutRight++;
    }
    assert.ok(cutRight > 0, 'some run lengths cut only between records');
    assert.ok(whole.rejected.length > 0, 'the answer has records that break the contract');
    // Without such names, every run length cuts between records.
    const plain = records.map((r, i) => ({ ...r, name: `plain ${i}`, revoked_comment: null, extra: { n: [i, { m: 'x' }] } }));
    const plainText = JSON.stringify({ api_keys: plain });
    for (const sliceChars of [1, 100, 5000]) assert.deepEqual(await parseSliced(plainText, sliceChars), parseKeyList({ api_keys: plain }));
  });

  test('a cut that falls inside a string is a SyntaxError, never another list', async () => {
    const records = Array.from({ length: 50 }, (_, i) => record({ id: keyIdFor(i), name: `key ${i}` }));
    // The first place a cut is looked for is inside this name.
    records[0] = record({ id: keyIdFor(0), name: `${'x'.repeat(200)}},{"id":"${keyIdFor(999)}"` });
    const text = JSON.stringify({ api_keys: records });
    await assert.rejects(parseSliced(text, 150), SyntaxError);
    const slices = [...(keyListSlices(text, 150) ?? [])];
    assert.ok(slices.length > 1);
  });

  test('unchanged records of the previous answer are reused across runs, as in a whole parse', async () => {
    const records = Array.from({ length: 300 }, (_, i) =>
      record({ id: keyIdFor(i), name: `key ${i}`, expires_at: i % 2 ? null : '2027-01-01T00:00:00Z' }),
    );
    const first = parseKeyList({ api_keys: records });
    const next = records.map((r, i) => (i === 10 ? { ...r, name: 'renamed' } : { ...r }));
    const text = JSON.stringify({ api_keys: next });
    const sliced = await parseSliced(text, 500, first);
    assert.deepEqual(sliced, parseKeyList({ api_keys: next }, first));
    assert.equal(sliced.keys[20], first.keys[20], 'the very same key object');
    assert.notEqual(
      sliced.keys.find((key) => key.name === 'renamed'),
      undefined,
    );
  });

  test('an answer that gives back every key of the previous one, in place, gives back the previous list itself', async () => {
    const records = Array.from({ length: 300 }, (_, i) => record({ id: keyIdFor(i), name: `key ${i}` }));
    const first = parseKeyList({ api_keys: records });
    const text = JSON.stringify({ api_keys: records }, null, 1); // other spacing, same records
    assert.equal(await parseSliced(text, 500, first), first);
    assert.equal(parseKeyList({ api_keys: records.map((r) => ({ ...r })) }, first), first);
    // One record fewer, one more, two swapped, one refused: a new list each time.
    assert.notEqual(parseKeyList({ api_keys: records.slice(1) }, first), first);
    assert.notEqual(parseKeyList({ api_keys: [...records, record({ id: keyIdFor(999) })] }, first), first);
    const swapped = [records[1], records[0], ...records.slice(2)];
    assert.deepEqual(
      parseKeyList({ api_keys: swapped }, first)
        .keys.slice(0, 2)
        .map((key) => key.id),
      [keyIdFor(1), keyIdFor(0)],
    );
    const refused = parseKeyList({ api_keys: [...records, { id: 7 }] }, first);
    assert.notEqual(refused, first);
    assert.equal(refused.rejected.length, 1);
    assert.equal(parseKeyList({ api_keys: [...records, { id: 7 }] }, refused).rejected.length, 1, 'refused again, and said so');
  });

  test('only the contract shape is cut: other members, a byte order mark, other spacing rules, short texts', () => {
    const records = JSON.stringify([record(), record({ id: keyIdFor(1) })]).slice(1, -1);
    const cut = (text: string) => keyListSlices(text, 10);
    assert.ok(cut(`{"api_keys":[${records}]}`));
    assert.ok(cut(` \n{ "api_keys" :\t[ ${records} ] }\r\n`));
    assert.equal(cut(`{"api_keys":[${records}],"next":null}`), undefined);
    assert.equal(cut(`{"next":null,"api_keys":[${records}]}`), undefined);
    assert.equal(cut(`\ufeff{"api_keys":[${records}]}`), undefined);
    assert.equal(cut(`\u00a0{"api_keys":[${records}]}`), undefined);
    assert.equal(cut(`[${records}]`), undefined);
    assert.equal(keyListSlices(`{"api_keys":[${records}]}`), undefined, 'shorter than a run: parsed whole');
  });

  test('an empty list and a list cut off or with a trailing comma', async () => {
    assert.deepEqual(await parseSliced(`{"api_keys":[${' '.repeat(40)}]}`, 10), parseKeyList({ api_keys: [] }));
    const records = JSON.stringify(Array.from({ length: 20 }, (_, i) => record({ id: keyIdFor(i) }))).slice(1, -1);
    await assert.rejects(parseSliced(`{"api_keys":[${records},]}`, 100), SyntaxError);
    await assert.rejects(parseSliced(`{"api_keys":[${records.slice(0, -40)}]}`, 100), SyntaxError);
  });
});

describe('FactifyClient with a long list', () => {
  test('lists a long answer through runs, and one whose runs cannot be cut right as a whole', async (t) => {
    const server = await startFactifyServer();
    const client = new FactifyClient({
      origin: new URL(server.url),
      timeoutMs: 30_000,
      proxy: { proxy: undefined, noProxy: [], strictSSL: true },
      userAgent: 'factify-unit-tests',
      env: {},
    });
    t.after(async () => {
      await client.close();
      await server.close();
    });
    const org = server.orgs.primary;
    const keys = generateKeys(org, 16_000, new Date());
    server.setKeys(org, keys);
    const auth: RequestAuth = { token: server.tokens.admin as ApiToken, organizationId: undefined };
    const listed = await client.listKeys(auth, { includeRevoked: true });
    assert.deepEqual(
      listed.keys.map((key) => key.id),
      keys.map((key) => key.id),
    );
    // Names full of what a cut looks for, everywhere: whichever cut lands in one, the list is still right.
    server.setKeys(
      org,
      keys.map((key, i) => (i % 3 === 0 ? { ...key, name: `"},{"id":"key_x"},{ ${i}` } : key)),
    );
    const again = await client.listKeys(auth, { includeRevoked: true });
    assert.deepEqual(
      again.keys.map((key) => [key.id, key.name]),
      server.keysOf(org).map((key) => [key.id, key.name]),
    );
    assert.equal(again.rejected.length, 0);
  });
});
