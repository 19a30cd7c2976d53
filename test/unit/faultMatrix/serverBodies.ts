/** Server answers, part one: what a 2xx body can hold, error statuses and problem details (F01–F18). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BODY_BYTES } from '../../../src/core/client';
import { asOrgId, type KeyId } from '../../../src/core/ids';
import { keyRow, keyTooltipMarkdown } from '../../../src/core/keyTree';
import { revokeKeys } from '../../../src/flows/revoke';
import { applyOrganization } from '../../../src/flows/switchOrganization';
import { MemoryOrganizations } from '../helpers/memoryStores';
import { confirm as confirmStep, info as infoStep, input as inputStep, warn as warnStep } from '../helpers/scriptedPrompts';
import {
  evidence,
  noteError,
  server,
  client,
  auth,
  keysStore,
  watch,
  context,
  runFlow,
  script,
  failure,
  explains,
  requestsOf,
  record,
  without,
  parseOne,
  problemBody,
  loadedKey,
} from '../helpers/faultMatrix';

export function faultMatrixServerBodies(): void {
  describe('server answers', () => {
    test('F01 200 with malformed JSON', async () => {
      server.addFault({ fault: { kind: 'malformedJson' } });
      const error = await failure(client(server.url).listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'invalidResponse');
      explains(error, [/not valid JSON/], /Refresh/);
      assert.equal(error.status, 200);
    });

    test('F02 200 with truncated JSON', async () => {
      server.addFault({ fault: { kind: 'truncatedJson' } });
      const store = keysStore(client(server.url), server.tokens.admin);
      await store.refresh();
      const error = store.snapshot.error;
      assert.ok(error);
      noteError(error);
      assert.equal(error.kind, 'invalidResponse');
      explains(error, [/not valid JSON/, /cut off/], /Refresh/);
      assert.equal(store.snapshot.loaded, undefined, 'nothing half-parsed is shown');
      assert.ok(evidence.log.some((line) => line.startsWith('error Listing keys') && line.includes('invalidResponse')));
    });

    test('F03 200 with a non-object body (a list, a string, null)', async () => {
      const c = client(server.url);
      for (const [json, described] of [
        [[{ id: 'key_x' }], 'a list'],
        ['api_keys', 'a string'],
        [null, 'null'],
      ] as const) {
        server.addFault({ fault: { kind: 'body', json }, times: 1 });
        const error = await failure(c.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'invalidResponse');
        explains(error, [new RegExp(`answered with ${described} instead of the list of API keys`)], /factify\.apiBaseUrl/);
      }
    });

    test('F04 200 with "api_keys" not an array', async () => {
      const c = client(server.url);
      for (const json of [{ api_keys: { id: 'key_x' } }, { keys: [] }, { api_keys: 'none' }]) {
        server.addFault({ fault: { kind: 'body', json }, times: 1 });
        const error = await failure(c.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'invalidResponse');
        explains(error, [/"api_keys"/], /factify\.apiBaseUrl/);
      }
    });

    test('F05 200 with records missing required fields (the rest still shown, the skipped ones logged)', async () => {
      const good = record();
      server.addFault({
        fault: {
          kind: 'body',
          json: {
            api_keys: [
              good,
              without(record(), 'prefix'),
              without(record(), 'is_active'),
              without(record(), 'id'),
              without(record(), 'created_at'),
              'a string',
            ],
          },
        },
      });
      const store = keysStore(client(server.url), server.tokens.admin);
      await store.refresh();
      const loaded = store.snapshot.loaded;
      assert.ok(loaded);
      assert.equal(store.snapshot.error, undefined);
      assert.deepEqual(
        loaded.keys.map((key) => key.id),
        [good['id']],
      );
      assert.equal(loaded.rejected.length, 5, 'the view counts the records it could not show');
      for (const field of ['prefix', 'is_active', 'id', 'created_at']) {
        assert.ok(
          evidence.log.some((line) => line.startsWith('warn Skipped record') && line.includes(`"${field}"`)),
          `logged: ${field}`,
        );
      }
    });

    test('F06 200 with records of the wrong types', async () => {
      const good = record();
      const bad = [
        record({ name: 42 }),
        record({ is_active: 'true' }),
        record({ prefix: null }),
        record({ created_at: 1_700_000_000 }),
        record({ expires_at: 'next tuesday' }),
        record({ revoked_at: true }),
        record({ revoked_comment: { text: 'x' } }),
        record({ id: ['key_x'] }),
        record({ org_id: 7 }),
      ];
      server.addFault({ fault: { kind: 'body', json: { api_keys: [good, ...bad] } } });
      const store = keysStore(client(server.url), server.tokens.admin);
      await store.refresh();
      const loaded = store.snapshot.loaded;
      assert.ok(loaded);
      assert.equal(loaded.keys.length, 1);
      assert.equal(loaded.rejected.length, bad.length);
      assert.ok(loaded.rejected.every((rejected) => /wrong type|not a (string|boolean)|missing/.test(rejected.problem)));
    });

    test('F07 200 with extra unknown fields (tolerated)', async () => {
      const extra = record({ scopes: ['read'], owner: { id: 'usr_x' }, 'x-future': null, last_used_at: '2026-01-01T00:00:00Z' });
      server.addFault({ fault: { kind: 'body', json: { api_keys: [extra], next_cursor: 'abc', total: 1 } } });
      const list = await client(server.url).listKeys(auth(server.tokens.admin), { includeRevoked: false });
      assert.equal(list.keys.length, 1);
      assert.deepEqual(list.rejected, []);
      assert.equal(list.keys[0]?.id, extra['id']);
    });

    test('F08 200 with ids failing their pattern (shown, never revocable, no request)', async () => {
      const hostileIds = [
        'key_ABCDEFGHJKMNPQRSTVWXYZ0123',
        'key_../../v1/api-keys',
        'key_01kdx2z2ab3cd4ef5gh6jk7mn8?x=1',
        'org_01kdx2z2ab3cd4ef5gh6jk7mn8',
      ];
      server.addFault({ fault: { kind: 'body', json: { api_keys: hostileIds.map((id, index) => record({ id, name: `odd ${index}` })) } } });
      const c = client(server.url);
      const store = keysStore(c, server.tokens.admin);
      await store.refresh();
      const keys = store.snapshot.loaded?.keys ?? [];
      assert.equal(keys.length, hostileIds.length, 'every such key is still shown');
      for (const key of keys) {
        assert.equal(key.keyId, undefined);
        const row = keyRow(key, Date.now(), 14);
        assert.equal(row.icon, 'unrevocable');
        assert.doesNotMatch(row.contextValue, /revocable/);
        assert.match(keyTooltipMarkdown(key, Date.now(), 14), /cannot be revoked/);
        const outcome = await store.revoke(key, undefined, store.currentAuth());
        assert.equal(outcome.kind, 'failed');
        if (outcome.kind === 'failed') {
          noteError(outcome.error);
          explains(outcome.error, [/cannot be revoked/], /Factify never issues|id/);
        }
        // Even a cast cannot make the client build the request.
        await failure(c.revokeKey(auth(server.tokens.admin), key.id as KeyId, 'x'), 'invalidResponse');
      }
      // The revoke command on such a key explains why, and asks nothing.
      const [first] = keys;
      assert.ok(first);
      const prompts = script(infoStep());
      assert.equal(await runFlow(prompts, () => revokeKeys(context(store, c, prompts), [first])), undefined);
      prompts.assertDone();
      assert.match(prompts.only('info').message, /cannot be revoked/);
      assert.equal(requestsOf('DELETE').length, 0);
    });

    test('F09 200 with a body over the 64 MiB cap', async () => {
      assert.equal(MAX_BODY_BYTES, 64 * 1024 * 1024);
      server.addFault({ fault: { kind: 'hugeBody', bytes: MAX_BODY_BYTES + 1024 * 1024 }, times: 1 });
      const error = await failure(
        client(server.url, { timeoutMs: 30_000 }).listKeys(auth(server.tokens.admin), { includeRevoked: false }),
        'invalidResponse',
      );
      explains(error, [/larger than 64 MiB/, /not read/], /factify\.apiBaseUrl/);

      // Gave up reading: a body that never ends can only end in the cap (the 30 s deadline would be a timeout).
      server.addFault({ fault: { kind: 'hugeBody', bytes: Number.MAX_SAFE_INTEGER } });
      const endless = await failure(
        client(server.url, { timeoutMs: 30_000 }).listKeys(auth(server.tokens.admin), { includeRevoked: false }),
        'invalidResponse',
      );
      explains(endless, [/larger than 64 MiB/, /not read/], /factify\.apiBaseUrl/);
    });

    test('F10 200 with an HTML page instead of JSON (captive portal)', async () => {
      server.addFault({
        fault: { kind: 'status', status: 200, body: '<!doctype html><title>Sign in to Wi-Fi</title>', contentType: 'text/html' },
      });
      const error = await failure(client(server.url).listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'invalidResponse');
      explains(error, [/HTML page/, /instead of Factify's JSON/], /factify\.apiBaseUrl/);
    });

    test('F11 text/html 502 from a proxy', async () => {
      server.addFault({ fault: { kind: 'html502' } });
      const error = await failure(client(server.url).listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'server');
      explains(error, [/502/, /HTML/, /proxy or gateway/], /Refresh/);
      assert.doesNotMatch(error.message, /<|nginx/);
    });

    test('F12 empty 500', async () => {
      server.addFault({ fault: { kind: 'empty500' } });
      const store = keysStore(client(server.url), server.tokens.admin);
      watch(store);
      await store.refresh();
      const error = store.snapshot.error;
      assert.ok(error);
      noteError(error);
      assert.equal(error.kind, 'server');
      explains(error, [/500/, /could not answer/], /Refresh/);
      assert.equal(store.snapshot.loading, false);
    });

    test('F13 400 problem details', async () => {
      server.addFault({
        fault: {
          kind: 'status',
          status: 400,
          contentType: 'application/problem+json',
          body: problemBody(400, 'Request body is malformed or missing required fields.'),
        },
      });
      const error = await failure(client(server.url).listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'badRequest');
      explains(error, [/400/, /malformed or missing required fields/], /Refresh|log/);
    });

    test('F14 401 problem details (token not accepted)', async () => {
      const store = keysStore(client(server.url), server.tokens.unknown);
      await store.refresh();
      const error = store.snapshot.error;
      assert.ok(error);
      noteError(error);
      assert.equal(error.kind, 'unauthorized');
      explains(error, [/401/, /did not accept the API token/], /Set API Token/);
      assert.equal(requestsOf('GET').length, 1);
    });

    test('F15 403 problem details (list refused; revoking needs the admin role)', async () => {
      server.addFault({
        fault: { kind: 'status', status: 403, contentType: 'application/problem+json', body: problemBody(403, 'Access denied.') },
        times: 1,
      });
      const c = client(server.url);
      const listError = await failure(c.listKeys(auth(server.tokens.admin), { includeRevoked: false }), 'forbidden');
      explains(listError, [/403/, /refused/], /Set API Token|token/);

      const memberStore = keysStore(c, server.tokens.member);
      await memberStore.refresh();
      const outcome = await memberStore.revoke(loadedKey(memberStore, 'CI deploy'), 'rotated', memberStore.currentAuth());
      assert.equal(outcome.kind, 'failed');
      if (outcome.kind === 'failed') {
        noteError(outcome.error);
        assert.equal(outcome.error.kind, 'forbidden');
        explains(outcome.error, [/403/, /[Rr]evoking requires the organization admin role/], /admin/);
      }
      assert.equal(requestsOf('DELETE').length, 1);
    });

    test('F16 403 under an organization override (staff only; offers Switch Back)', async () => {
      const c = client(server.url);
      const organizations = new MemoryOrganizations();
      const store = keysStore(c, server.tokens.member, { organizations });
      const prompts = script(warnStep('Switch Back'));
      await runFlow(prompts, () => applyOrganization(context(store, c, prompts, { organizations }), asOrgId(server.orgs.secondary)));
      prompts.assertDone();
      const warning = prompts.only('warn').message;
      assert.match(warning, /Only Factify staff can act as another organization/);
      assert.match(warning, /403/);
      assert.match(warning, new RegExp(server.orgs.secondary));
      assert.match(warning, /Switch back/);
      assert.equal(organizations.current, undefined, 'switched back');
      assert.equal(store.snapshot.error, undefined);
      assert.equal(store.snapshot.loaded?.query.organizationId, undefined);
      const gets = requestsOf('GET');
      assert.equal(gets.length, 2);
      assert.equal(gets[0]?.headers['x-factify-organization-id'], server.orgs.secondary);
      assert.equal(gets[1]?.headers['x-factify-organization-id'], undefined);
    });

    test('F17 404 problem details (revoking a key that is gone)', async () => {
      const c = client(server.url);
      const store = keysStore(c, server.tokens.admin);
      await store.refresh();
      const key = loadedKey(store, 'CI deploy');
      server.setKeys(
        server.orgs.primary,
        server.keysOf(server.orgs.primary).filter((candidate) => candidate.id !== key.id),
      );
      const prompts = script(inputStep(''), confirmStep(true), warnStep());
      await runFlow(prompts, () => revokeKeys(context(store, c, prompts), [key]));
      prompts.assertDone();
      const warning = prompts.only('warn').message;
      assert.match(warning, /404/);
      assert.match(warning, /no longer exists/);
      assert.match(warning, /refresh/);
      assert.equal(requestsOf('DELETE').length, 1);
    });

    test('F18 409 on revoke (already revoked: treated as done)', async () => {
      const c = client(server.url);
      const store = keysStore(c, server.tokens.admin); // revoked keys hidden
      await store.refresh();
      // The key as another window still shows it: revoked there meanwhile.
      const serverRecord = server.keysOf(server.orgs.primary).find((key) => key.name === 'Old CI token');
      assert.ok(serverRecord?.revoked_at);
      const stale = parseOne({ ...serverRecord, revoked_at: null, revoked_by: null, is_active: true });
      const outcome = await store.revoke(stale, undefined, store.currentAuth());
      assert.equal(outcome.kind, 'alreadyRevoked', 'treated as done, not as an error');
      assert.equal(requestsOf('DELETE').length, 1);
      assert.ok(evidence.log.some((line) => line.includes('conflict status=409') && line.includes('already revoked')));
      assert.equal((await store.revoke(stale, undefined, store.currentAuth())).kind, 'alreadyRevoked');
      assert.equal(requestsOf('DELETE').length, 1, 'and never asked again');
    });
  });
}
