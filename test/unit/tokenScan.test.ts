/**
 * Finding Factify tokens in text and telling which listed key each one is: every token shape, prefixes with
 * and without `...`/`…`, tokens among punctuation, quotes, URLs and base64 noise, look-alikes; and the key
 * directory against the local Factify-compatible server, proving a found token is never sent.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeyList, type ApiKey } from '../../src/core/apiKey';
import { FactifyClient } from '../../src/core/client';
import { MemoryLog } from './helpers/memoryLog';
import { type ApiToken, type OrgId } from '../../src/core/ids';
import { KeyDirectory, type StoreList } from '../../src/core/keyDirectory';
import {
  KeyIndex,
  classify,
  countFindings,
  findTokens,
  leakReason,
  lineColumns,
  maskToken,
  prefixStem,
  summarizeScan,
  TOKEN_SEARCH_PATTERN,
  tokensToCheck,
  type Finding,
} from '../../src/core/tokenScan';
import { startFactifyServer, type FactifyServer } from '../server/factifyServer';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const B32 = '01kdx2z2ab3cd4ef5gh6jk7mn8';
const RANDOM = 'Zq9XyW3vU7tS5rQ1pO2n';
const TOKEN = `ffy_prod_${B32}${RANDOM}`;

/** What the leak detector finds in a text: the tokens worth checking, each classified against the index. */
function findingsIn(text: string, index: KeyIndex, nowMs: number): Finding[] {
  return tokensToCheck(text).map((match) => classify(match, index, nowMs));
}

function key(fields: Partial<Record<string, unknown>> & { id: string; prefix: string }): ApiKey {
  const list = parseKeyList({
    api_keys: [{ name: 'Key', is_active: true, created_at: '2026-01-01T00:00:00Z', org_id: 'org_01kdx2z2ab3cd4ef5gh6jk7mn8', ...fields }],
  });
  const parsed = list.keys[0];
  assert.ok(parsed, JSON.stringify(list.rejected));
  return parsed;
}

const KEY_ID = (n: number) =>
  `key_01kdx2z2ab3cd4ef5gh6jk7m${String(n)
    .padStart(2, '0')
    .replace(/[ilou]/g, '0')}`;

describe('findTokens', () => {
  test('a document that only mentions ffy_ has nothing to check (so no key list is fetched for it)', () => {
    for (const text of ['', 'Tokens look like ffy_prod_…', 'Set FACTIFY_TOKEN=ffy_<env>_<secret>', `ffy_prod_${B32}`, 'ffy_']) {
      assert.deepEqual(tokensToCheck(text), [], text);
    }
    assert.deepEqual(
      tokensToCheck(`# README\nffy_ tokens go in .env:\nFACTIFY_TOKEN=${TOKEN}\n`).map((match) => match.token),
      [TOKEN],
    );
  });

  test('finds the token shapes of the API: any env, 26 base32 then base62 random', () => {
    for (const token of [
      TOKEN,
      `ffy_test_${B32}${RANDOM}`,
      `ffy_dev2_${B32}abcdefghij`,
      `ffy_x_${B32}${'A'.repeat(40)}`,
      `ffy_staging_${B32}${RANDOM}${RANDOM}`,
    ]) {
      const found = findTokens(`k=${token}\n`);
      assert.equal(found.length, 1, token);
      assert.equal(found[0]?.token, token);
      assert.equal(found[0]?.start, 2);
      assert.equal(found[0]?.end, 2 + token.length);
    }
  });

  test('tokens next to punctuation, quotes, brackets, URLs and line ends', () => {
    const contexts = [
      `"${TOKEN}"`,
      `'${TOKEN}'`,
      `\`${TOKEN}\``,
      `(${TOKEN})`,
      `[${TOKEN}]`,
      `{${TOKEN}}`,
      `<${TOKEN}>`,
      `${TOKEN},`,
      `${TOKEN};`,
      `${TOKEN}.`,
      `${TOKEN}:`,
      `=${TOKEN}`,
      `Bearer ${TOKEN}`,
      `https://api.example.com/v1?token=${TOKEN}&x=1`,
      `https://example.com/${TOKEN}/path`,
      `https://u:${TOKEN}@example.com`,
      `FACTIFY_TOKEN=${TOKEN}\r\n`,
      `\t${TOKEN}`,
      `${TOKEN}`,
      `%22${TOKEN}%22`.replace('%22f', '%22 f'),
      `{"token":"${TOKEN}"}`,
      `token: ${TOKEN} # comment`,
    ];
    for (const text of contexts) {
      const found = findTokens(text);
      assert.deepEqual(
        found.map((match) => match.token),
        [TOKEN],
        text,
      );
      assert.equal(text.slice(found[0]?.start, found[0]?.end), TOKEN);
    }
  });

  test('several tokens, in order, with the right offsets', () => {
    const other = `ffy_test_${B32.replace('01', '02')}${RANDOM}`;
    const text = `a=${TOKEN}\nb=${other} c="${TOKEN}"`;
    const found = findTokens(text);
    assert.deepEqual(
      found.map((match) => text.slice(match.start, match.end)),
      [TOKEN, other, TOKEN],
    );
  });

  test('look-alikes are not tokens', () => {
    const lookAlikes = [
      'ffy_prod_01kdx2z2...',
      'ffy_prod_01kdx2z2…', // displayed key prefixes
      `ffy_prod_${B32}`, // an id-shaped string without the random part
      `ffy_prod_${B32}abc`, // random part too short
      `ffy_Prod_${B32}${RANDOM}`, // upper-case env
      `ffy__${B32}${RANDOM}`, // empty env
      `ffy_prod_${B32.toUpperCase()}${RANDOM}`, // base32 part not lower-case
      `ffy_prod_01kdx2z2ab3cd4ef5gh6jk7mi8${RANDOM}`, // i is not Crockford
      `ffy_prod_01kdx2z2ab3cd4ef5gh6jk7mo8${RANDOM}`, // o is not Crockford
      `FFY_prod_${B32}${RANDOM}`,
      `xffy_prod_${B32}${RANDOM}`, // glued to a word
      `my_ffy_prod_${B32}${RANDOM}`,
      `-ffy_prod_${B32}${RANDOM}`, // inside base64url
      `ffy_prod_${B32}${RANDOM}_suffix`,
      `ffy_prod_${B32}${RANDOM}-more`,
      `ffy_prod_${B32}${'a'.repeat(600)}`, // longer than any token: data, not a key
      'ffy_',
      'ffy_prod_',
      '',
    ];
    for (const text of lookAlikes) assert.deepEqual(findTokens(text), [], text);
  });

  test('base64 noise: tokens glued into base64 are ignored, a token on its own next to it is found', () => {
    const noise = Buffer.from(`ffy_prod_${B32}${RANDOM}`.repeat(20), 'utf8').toString('base64');
    assert.deepEqual(findTokens(noise), []);
    const glued = `QUJDRUZH${TOKEN}QUJD`;
    assert.deepEqual(findTokens(glued), []);
    const base64WithSlashes = `aGVsbG8+/ffy_prod_${B32}${RANDOM}+/=`;
    // `/` and `+` are not word characters: a token between them is a token (e.g. in a URL path).
    assert.equal(findTokens(base64WithSlashes).length, 1);
    const separated = `${noise}\n${TOKEN}\n${noise}`;
    assert.deepEqual(
      findTokens(separated).map((match) => match.token),
      [TOKEN],
    );
  });

  test('the ripgrep pattern has the same shape (without the boundary checks)', () => {
    const pattern = new RegExp(TOKEN_SEARCH_PATTERN);
    assert.ok(pattern.test(TOKEN));
    assert.ok(!pattern.test('ffy_prod_01kdx2z2...'));
    assert.ok(!pattern.test(`ffy_prod_${B32}abc`));
  });
});

describe('masking and prefixes', () => {
  test('maskToken shows ffy_<env>_ and 8 characters, never the rest', () => {
    assert.equal(maskToken(TOKEN), 'ffy_prod_01kdx2z2…');
    assert.ok(!maskToken(TOKEN).includes(RANDOM.slice(0, 4)));
  });

  test('prefixStem drops a trailing ... or …, refuses stems too short to identify a key', () => {
    assert.equal(prefixStem('ffy_prod_01kdx2z2...'), 'ffy_prod_01kdx2z2');
    assert.equal(prefixStem('ffy_prod_01kdx2z2…'), 'ffy_prod_01kdx2z2');
    assert.equal(prefixStem('ffy_prod_01kdx2z2'), 'ffy_prod_01kdx2z2');
    assert.equal(prefixStem(' ffy_prod_01kdx2z2... '), 'ffy_prod_01kdx2z2');
    assert.equal(prefixStem('ffy_prod_...'), undefined);
    assert.equal(prefixStem('ffy_prod_01k...'), undefined);
    assert.equal(prefixStem('ffy_...'), undefined);
    assert.equal(prefixStem('...'), undefined);
    assert.equal(prefixStem(`ffy_prod_${'a'.repeat(26)}...`), `ffy_prod_${'a'.repeat(26)}`);
    assert.equal(prefixStem(`ffy_prod_${'a'.repeat(27)}...`), undefined, "a whole token's length is no prefix");
    assert.equal(prefixStem('sk_live_1234...'), undefined);
  });
});

describe('matching and classifying', () => {
  const active = key({ id: KEY_ID(1), name: 'CI deploy', prefix: 'ffy_prod_01kdx2z2...' });
  const revoked = key({ id: KEY_ID(2), name: 'Old CI', prefix: 'ffy_prod_01kdx3aa…', revoked_at: '2026-11-01T00:00:00Z' });
  const expired = key({ id: KEY_ID(3), name: 'Staging', prefix: 'ffy_test_01kdx4bb', expires_at: '2026-11-30T00:00:00Z' });
  const inactive = key({ id: KEY_ID(4), name: 'Legacy', prefix: 'ffy_prod_01kdx5cc...', is_active: false });
  const hostile = key({ id: KEY_ID(5), name: 'Evil\u202e name\nwith lines', prefix: 'ffy_prod_01kdx6dd...' });
  const index = new KeyIndex([
    { key: active, organization: 'Acme (org_01…)' },
    { key: revoked, organization: 'Acme' },
    { key: expired, organization: 'Acme' },
    { key: inactive, organization: 'Beta' },
    { key: hostile, organization: 'Beta' },
  ]);
  const tokenFor = (stem: string) =>
    `${stem}${'0123456789abcdefghjkmnpqrstvwxyz'.slice(0, 26 - (stem.length - stem.indexOf('_', 4) - 1))}${RANDOM}`;

  test('a token matches the key whose prefix (less ... or …) starts it', () => {
    assert.equal(index.size, 5);
    assert.equal(index.lookup(tokenFor('ffy_prod_01kdx2z2'))?.key.id, active.id);
    assert.equal(index.lookup(tokenFor('ffy_prod_01kdx3aa'))?.key.id, revoked.id);
    assert.equal(index.lookup(tokenFor('ffy_test_01kdx4bb'))?.key.id, expired.id);
    assert.equal(index.lookup(tokenFor('ffy_prod_01kdx9zz')), undefined);
    // Same characters in another environment are another key.
    assert.equal(index.lookup(tokenFor('ffy_test_01kdx2z2')), undefined);
  });

  test('the longest matching prefix wins; a revoked twin never hides a live key', () => {
    const short = key({ id: KEY_ID(6), name: 'Short', prefix: 'ffy_prod_01kd...' });
    const long = key({ id: KEY_ID(7), name: 'Long', prefix: 'ffy_prod_01kdx2z2ab...' });
    const twinRevoked = key({ id: KEY_ID(8), name: 'Twin', prefix: 'ffy_prod_01kdx2z2ab...', revoked_at: '2026-11-01T00:00:00Z' });
    const both = new KeyIndex([
      { key: short, organization: 'A' },
      { key: long, organization: 'A' },
      { key: twinRevoked, organization: 'A' },
    ]);
    assert.equal(both.lookup(TOKEN)?.key.name, 'Long');
    assert.equal(both.lookup(`ffy_prod_01kdaaaa${B32.slice(8)}${RANDOM}`)?.key.name, 'Short');
  });

  test('live keys are Warnings, revoked and expired Information, unknown a Warning that says so', () => {
    const cases: Array<[string, string, string, string | undefined]> = [
      [tokenFor('ffy_prod_01kdx2z2'), 'live', 'warning', 'active'],
      [tokenFor('ffy_prod_01kdx5cc'), 'live', 'warning', 'inactive'],
      [tokenFor('ffy_prod_01kdx3aa'), 'revoked', 'information', 'revoked'],
      [tokenFor('ffy_test_01kdx4bb'), 'expired', 'information', 'expired'],
      [tokenFor('ffy_prod_01kdx9zz'), 'unknown', 'warning', undefined],
    ];
    for (const [token, kind, severity, state] of cases) {
      const text = `X=${token}`;
      const [finding] = findingsIn(text, index, NOW);
      assert.ok(finding, token);
      assert.equal(finding.kind, kind);
      assert.equal(finding.severity, severity);
      assert.equal(finding.state, state);
      assert.equal(finding.masked, maskToken(token));
      assert.ok(!finding.message.includes(token), 'the message never holds the token');
      assert.ok(!finding.message.includes(token.slice(17)), 'nor any of it beyond the prefix');
      assert.ok(!JSON.stringify(finding).includes(token), 'a finding never carries the token');
    }
  });

  test('messages name the key, the organization and the state; unknown says it matches no listed key', () => {
    const live = classify({ start: 0, end: 1, token: tokenFor('ffy_prod_01kdx2z2') }, index, NOW);
    assert.match(live.message, /“CI deploy”/);
    assert.match(live.message, /Acme \(org_01…\)/);
    assert.match(live.message, /active/);
    assert.match(live.message, /ffy_prod_01kdx2z2…/);
    const revokedFinding = classify({ start: 0, end: 1, token: tokenFor('ffy_prod_01kdx3aa') }, index, NOW);
    assert.match(revokedFinding.message, /revoked/);
    const unknown = classify({ start: 0, end: 1, token: tokenFor('ffy_prod_01kdx9zz') }, index, NOW);
    assert.match(unknown.message, /matches no key listed/);
    assert.match(unknown.message, /another organization/);
  });

  test('key names are user data: controls and line breaks never reach the message', () => {
    const finding = classify({ start: 0, end: 1, token: tokenFor('ffy_prod_01kdx6dd') }, index, NOW);
    assert.ok(!/[\u202e\n]/.test(finding.message), finding.message);
    assert.match(finding.message, /Evil\ufffd name with lines/);
  });

  test('an empty index makes every token unknown; signed out, the message says to sign in', () => {
    const findings = findingsIn(`${TOKEN} ${TOKEN}`, new KeyIndex([]), NOW);
    assert.deepEqual(
      findings.map((finding) => finding.kind),
      ['unknown', 'unknown'],
    );
    const [signedOut] = findingsIn(TOKEN, new KeyIndex([], 0), NOW);
    assert.equal(signedOut?.severity, 'warning');
    assert.match(signedOut?.message ?? '', /sign in/);
  });
});

describe('positions, counts and summaries', () => {
  test('lineColumns maps ascending offsets to lines and columns', () => {
    const text = 'ab\ncd\r\nef\n\ngh';
    assert.deepEqual(lineColumns(text, [0, 1, 3, 7, 11, 12]), [
      { line: 0, column: 0 },
      { line: 0, column: 1 },
      { line: 1, column: 0 },
      { line: 2, column: 0 },
      { line: 4, column: 0 },
      { line: 4, column: 1 },
    ]);
  });

  test('the summary counts keys, files and kinds, and says what was skipped', () => {
    const records = [
      { uri: 'a', kind: 'live' },
      { uri: 'a', kind: 'live' },
      { uri: 'b', kind: 'revoked' },
      { uri: 'c', kind: 'unknown' },
    ] as const;
    const counts = countFindings(records);
    assert.equal(
      summarizeScan(counts, { tooLarge: 0, binary: 0, unreadable: 0 }, 1024),
      '4 Factify keys in 3 files: 2 live, 1 revoked, 1 unknown.',
    );
    assert.equal(
      summarizeScan(countFindings([{ uri: 'a', kind: 'expired' }]), { tooLarge: 2, binary: 1, unreadable: 0 }, 512),
      '1 Factify key in 1 file: 1 expired. Not checked: 2 files over 512 KB, 1 binary file with key-like text (listed in the log).',
    );
    assert.equal(
      summarizeScan(countFindings([]), { tooLarge: 0, binary: 0, unreadable: 1 }, 1024),
      'No Factify keys found in the workspace. Not checked: 1 unreadable file with key-like text (listed in the log).',
    );
  });

  test('the prefilled revoke reason names where the key was found', () => {
    assert.equal(leakReason(['src/config.ts:12']), 'Found in src/config.ts:12');
    assert.equal(leakReason(['a.ts:1', 'b.ts:2', 'c.ts:3']), 'Found in a.ts:1 and 2 more places');
  });
});

describe('KeyDirectory against the local server', () => {
  let server: FactifyServer;
  let client: FactifyClient;
  const log = new MemoryLog();
  const logs = log.lines;

  before(async () => {
    server = await startFactifyServer();
    client = new FactifyClient({
      origin: new URL(server.url),
      timeoutMs: 5_000,
      proxy: { proxy: undefined, noProxy: [], strictSSL: true },
      userAgent: 'factify-unit-tests',
      env: {},
      retry: { maxAttempts: 2, maxWaitMs: 1_000, baseDelayMs: 10 },
    });
  });
  after(async () => {
    await client.close();
    await server.close();
  });
  beforeEach(() => {
    server.reset();
    logs.length = 0;
  });

  const admin = () => ({ token: server.tokens.admin as ApiToken, organizationId: undefined });
  const other = () => ({ token: server.tokens.otherOrgAdmin as ApiToken, organizationId: undefined });

  /** A token shaped like one of `keyRecord`'s: its prefix stem, base32 to 26, base62 random. */
  function tokenOf(prefix: string): string {
    const stem = prefixStem(prefix);
    assert.ok(stem);
    const env = /^ffy_[a-z0-9]+_/.exec(stem)?.[0] ?? '';
    return `${stem}${'x'.repeat(26 - (stem.length - env.length))}${RANDOM}`;
  }

  test('matches against every account, revoked keys included, with list requests only', async () => {
    const directory = new KeyDirectory({
      accounts: () => [
        { auth: admin(), label: 'Primary' },
        { auth: other(), label: 'Secondary' },
      ],
      storeList: () => undefined,
      client: () => client,
      log,
    });
    const primary = server.keysOf(server.orgs.primary);
    const secondary = server.keysOf(server.orgs.secondary);
    const revokedRecord = primary.find((record) => record.revoked_at);
    const activeRecord = primary.find((record) => !record.revoked_at && record.is_active);
    const secondaryRecord = secondary[0];
    assert.ok(revokedRecord && activeRecord && secondaryRecord);
    const tokens = [
      tokenOf(activeRecord.prefix),
      tokenOf(revokedRecord.prefix),
      tokenOf(secondaryRecord.prefix),
      `ffy_prod_zzzzzzzz${'x'.repeat(18)}${RANDOM}`,
    ];
    const text = `const fileContentMarker = 1;\n${tokens.map((token, i) => `K${i}="${token}"`).join('\n')}`;

    const index = await directory.index();
    const findings = findingsIn(text, index, Date.now());
    assert.deepEqual(
      findings.map((finding) => [finding.key?.id, finding.organization, finding.kind]),
      [
        [activeRecord.id, 'Primary', 'live'],
        [revokedRecord.id, 'Primary', 'revoked'],
        [secondaryRecord.id, 'Secondary', secondaryRecord.revoked_at ? 'revoked' : 'live'],
        [undefined, undefined, 'unknown'],
      ],
    );
    // Cached: a second lookup sends nothing.
    const before = server.requests.length;
    await directory.index();
    assert.equal(server.requests.length, before);

    assert.equal(server.requests.length, 2);
    for (const request of server.requests) {
      assert.equal(request.method, 'GET');
      assert.equal(request.query['include_revoked'], 'true');
      const seen = JSON.stringify(request);
      for (const token of tokens)
        assert.ok(!seen.includes(token) && !seen.includes(token.slice(0, 20)), 'a found token reached the server');
      assert.ok(!seen.includes('fileContentMarker'), 'file content reached the server');
    }
    for (const line of logs) for (const token of tokens) assert.ok(!line.includes(token));
  });

  test('reuses the store list when it includes revoked keys, and rebuilds only when that list changes', async () => {
    const keys = (await client.listKeys(admin(), { includeRevoked: true })).keys;
    let storeList: StoreList | undefined = { auth: admin(), keys, includesRevoked: true };
    let changes = 0;
    const directory = new KeyDirectory({
      accounts: () => [{ auth: admin(), label: 'Primary' }],
      storeList: () => storeList,
      client: () => client,
      log,
    });
    directory.onDidChange(() => changes++);
    server.clearRequests();
    const first = await directory.index();
    assert.equal(first.size > 0, true);
    assert.equal(server.requests.length, 0, 'the store list was reused');

    directory.storeChanged();
    assert.equal(changes, 0, 'same list: nothing to rebuild');
    assert.equal(await directory.index(), first);

    // The store revoked a key (a new list): the directory rebuilds and sees it revoked.
    const target = keys.find((candidate) => candidate.revokedAt === undefined);
    assert.ok(target);
    storeList = {
      ...storeList,
      keys: keys.map((candidate) => (candidate.id === target.id ? { ...candidate, revokedAt: Date.now() } : candidate)),
    };
    directory.storeChanged();
    assert.equal(changes, 1);
    const rebuilt = await directory.index();
    assert.notEqual(rebuilt, first);
    assert.equal(classify({ start: 0, end: 1, token: tokenOf(target.prefix) }, rebuilt, Date.now()).kind, 'revoked');

    // A store list without revoked keys is not enough: the directory asks for the full one itself.
    storeList = { auth: admin(), keys: keys.filter((candidate) => candidate.revokedAt === undefined), includesRevoked: false };
    directory.storeChanged();
    await directory.index();
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]?.query['include_revoked'], 'true');
  });

  test('a list change while the index is being built: the answer is the new build, never an aborted empty one', async () => {
    let storeList: StoreList | undefined;
    const directory = new KeyDirectory({
      accounts: async () => [{ auth: admin(), label: 'Primary' }],
      storeList: () => storeList,
      client: () => client,
      log,
    });
    server.setLatency(150);
    const pending = directory.index();
    storeList = { auth: admin(), keys: [], includesRevoked: false };
    directory.storeChanged();
    const index = await pending;
    assert.ok(index.size > 0, 'the keys of the rebuilt index');
    assert.ok(server.requests.length >= 1);
  });

  test('an account whose list fails adds no keys and is logged without its token', async () => {
    const directory = new KeyDirectory({
      accounts: () => [
        { auth: { token: server.tokens.unknown as ApiToken, organizationId: undefined as OrgId | undefined }, label: 'Broken' },
        { auth: admin(), label: 'Primary' },
      ],
      storeList: () => undefined,
      client: () => client,
      log,
    });
    const index = await directory.index();
    assert.ok(index.size > 0);
    assert.ok(logs.some((line) => /Broken/.test(line)));
    assert.ok(logs.every((line) => !line.includes(server.tokens.unknown)));
  });
});
