/** The test server's seed data and generated keys (test/server/seed.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEED, generateKeys, seedKeys } from '../server/seed';
import { API_KEY_FIELDS, KEY_ID, NOW, call, keysIn, start } from './helpers/serverCalls';

test('seed covers every key state relative to now', () => {
  const keys = seedKeys(NOW);
  assert.deepEqual([...keys.keys()], [SEED.orgs.primary, SEED.orgs.secondary, SEED.orgs.staffHome]);
  const primary = keys.get(SEED.orgs.primary) ?? [];
  const now = NOW.getTime();
  const day = 86_400_000;
  const revoked = primary.filter((key) => key.revoked_at !== null);
  const rest = primary.filter((key) => key.revoked_at === null);
  const expired = rest.filter((key) => key.expires_at !== null && Date.parse(key.expires_at) < now);
  const inactive = rest.filter((key) => !expired.includes(key) && !key.is_active);
  const active = rest.filter((key) => !expired.includes(key) && key.is_active);
  const soon = active.filter((key) => key.expires_at !== null && Date.parse(key.expires_at) - now < 14 * day);
  assert.ok(primary.length >= 10);
  assert.equal(revoked.length, 2);
  assert.ok(revoked.some((key) => key.revoked_comment !== null));
  assert.ok(
    revoked.some((key) => key.is_active),
    'a revoked key still flagged active',
  );
  assert.ok(revoked.every((key) => key.revoked_by === SEED.users.admin));
  assert.equal(expired.length, 1);
  assert.equal(expired[0].is_active, true);
  assert.equal(inactive.length, 1);
  assert.equal(soon.length, 1);
  assert.ok(active.length >= 5);
  assert.ok(active.some((key) => key.expires_at === null));
  for (const [org, orgKeys] of keys) {
    for (const key of orgKeys) {
      assert.deepEqual(Object.keys(key).sort(), API_KEY_FIELDS);
      assert.equal(key.org_id, org);
      assert.match(key.id, KEY_ID);
      assert.ok(Date.parse(key.created_at) <= Date.parse(key.updated_at));
    }
  }
  assert.ok((keys.get(SEED.orgs.secondary) ?? []).length >= 3);
  assert.deepEqual(seedKeys(NOW), keys, 'deterministic');
});

test('generateKeys is deterministic with mixed states and unique ids', () => {
  const keys = generateKeys(SEED.orgs.primary, 100_000, NOW);
  assert.deepEqual(generateKeys(SEED.orgs.primary, 50, NOW), keys.slice(0, 50));
  assert.equal(new Set(keys.map((key) => key.id)).size, keys.length);
  const now = NOW.getTime();
  const counts = { active: 0, expired: 0, inactive: 0, revoked: 0 };
  for (const key of keys) {
    assert.match(key.id, KEY_ID);
    if (key.revoked_at !== null) counts.revoked++;
    else if (key.expires_at !== null && Date.parse(key.expires_at) < now) counts.expired++;
    else if (!key.is_active) counts.inactive++;
    else counts.active++;
  }
  const share = (count: number): number => count / keys.length;
  assert.ok(Math.abs(share(counts.active) - 0.8) < 0.02, JSON.stringify(counts));
  assert.ok(Math.abs(share(counts.expired) - 0.08) < 0.01, JSON.stringify(counts));
  assert.ok(Math.abs(share(counts.inactive) - 0.06) < 0.01, JSON.stringify(counts));
  assert.ok(Math.abs(share(counts.revoked) - 0.06) < 0.01, JSON.stringify(counts));
});

test('100 000 generated keys: every one listed once, in its organization', async (t) => {
  // How fast the server starts and lists is a benchmark figure (npm run bench), never a timed test.
  const server = await start(t, { generatedKeys: 100_000 });
  const keys = keysIn(await call(server.url, '/v1/api-keys?include_revoked=true', { token: server.tokens.admin }));
  assert.equal(keys.length, 100_000);
  assert.equal(new Set(keys.map((key) => key['id'])).size, 100_000, 'ids are unique');
  assert.ok(keys.every((key) => key['org_id'] === server.orgs.primary));
});
