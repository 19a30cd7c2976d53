/** The client side: unusable base URLs, repeated and overlapping actions, the keyring, sign-in (F34–F44), the log (F69) and ids that collide with the tree’s own (F71). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY_STATES } from '../../../src/core/apiKey';
import { checkApiBaseUrl } from '../../../src/core/baseUrl';
import { FactifyClient } from '../../../src/core/client';
import { FactifyError } from '../../../src/core/errors';
import { asOrgId } from '../../../src/core/ids';
import { groupByState, ownTreeItemId } from '../../../src/core/keyTree';
import { Redactor } from '../../../src/core/redact';
import { createSafeLog, type LogChannel } from '../../../src/core/logChannel';
import { signIn } from '../../../src/flows/account';
import { revokeKeys } from '../../../src/flows/revoke';
import { applyOrganization } from '../../../src/flows/switchOrganization';
import { MemoryAccounts, MemoryOrganizations } from '../helpers/memoryStores';
import { confirm as confirmStep, error as errorStep, info as infoStep, input as inputStep } from '../helpers/scriptedPrompts';
import { waitFor } from '../helpers/waitFor';
import {
  evidence,
  noteError,
  MARKER_TOKEN,
  server,
  decoy,
  client,
  keysStore,
  watch,
  context,
  runFlow,
  script,
  explains,
  requestsOf,
  loadedKey,
} from '../helpers/faultMatrix';

export function faultMatrixClientSide(): void {
  describe('client side', () => {
    /** What src/connection.ts does: an unusable base URL becomes an invalidConfig error, and no request. */
    function clientFor(baseUrl: string): () => FactifyClient {
      return () => {
        const checked = checkApiBaseUrl(baseUrl);
        if (!checked.ok) throw new FactifyError('invalidConfig', checked.message);
        return client(checked.origin.href);
      };
    }

    async function refused(baseUrl: string, what: RegExp): Promise<FactifyError> {
      const store = keysStore(clientFor(baseUrl), server.tokens.admin);
      await store.refresh();
      const error = store.snapshot.error;
      assert.ok(error, `${baseUrl} is refused`);
      noteError(error);
      assert.equal(error.kind, 'invalidConfig');
      explains(error, [what], /factify\.apiBaseUrl/);
      return error;
    }

    test('F34 a base URL with http on a non-loopback host (refused with a message)', async () => {
      for (const url of [
        'http://api.factify.com',
        'http://127.0.0.1.nip.io',
        'http://localhost.evil.example',
        'http://10.0.0.5:8080',
        'ftp://api.factify.com',
      ]) {
        await refused(url, /https/);
      }
      for (const url of [
        'https://api.factify.com',
        'http://localhost:8080',
        'http://127.0.0.1:9',
        'http://127.1.2.3',
        'http://[::1]:8080',
        server.url,
      ]) {
        assert.equal(checkApiBaseUrl(url).ok, true, `${url} is allowed`);
      }
      assert.equal(decoy.requests.length, 0);
    });

    test('F35 a base URL with credentials (refused, the password never repeated)', async () => {
      const error = await refused('https://alice:hunter2-Canary-pw@api.factify.com', /user name and password/);
      assert.ok(!error.message.includes('hunter2-Canary-pw'));
      await refused(`http://bob:pw-Canary-2@127.0.0.1:${server.port}`, /user name and password/);
      assert.equal(server.requests.length, 0);
    });

    test('F36 a base URL with a path, query or fragment (refused)', async () => {
      for (const url of [
        'https://api.factify.com/v1',
        `${server.url}/evil/`,
        'https://api.factify.com/?org=x',
        'https://api.factify.com/#x',
      ]) {
        await refused(url, /origin only/);
      }
      assert.equal(server.requests.length, 0);
    });

    test('F37 refresh pressed ten times quickly (one request in flight)', async () => {
      server.setLatency(200);
      const store = keysStore(client(server.url), server.tokens.admin);
      const presses = Array.from({ length: 10 }, () => store.refresh());
      assert.ok(
        presses.every((press) => press === presses[0]),
        'every press joins the request in flight',
      );
      await Promise.all(presses);
      assert.equal(requestsOf('GET').length, 1);
      assert.ok(store.snapshot.loaded);
      assert.equal(store.snapshot.loading, false);
      assert.equal(store.snapshot.error, undefined);
      await store.refresh();
      assert.equal(requestsOf('GET').length, 2, 'a press after the answer asks again');
    });

    test('F38 refresh ten times while the revoked-keys setting flips (last state wins)', async () => {
      server.setLatency(100);
      let includeRevoked = false;
      const store = keysStore(client(server.url), server.tokens.admin, { includeRevoked: () => includeRevoked });
      const seen = watch(store);
      const presses: Promise<void>[] = [];
      for (let press = 0; press < 10; press++) {
        includeRevoked = press % 2 === 1; // the last press asks for revoked keys
        presses.push(store.refresh());
      }
      await Promise.all(presses); // every press's load has settled: no answer can reach the store after this
      const loaded = store.snapshot.loaded;
      assert.ok(loaded);
      assert.equal(loaded.query.includeRevoked, true);
      assert.ok(
        loaded.keys.some((key) => key.revokedAt !== undefined),
        'revoked keys are listed',
      );
      assert.ok(
        seen.every((snapshot) => snapshot.loaded === undefined || snapshot.loaded.query.includeRevoked),
        'no earlier answer was ever shown',
      );
      assert.ok(
        seen.every((snapshot) => snapshot.error === undefined),
        'the superseded requests are not errors',
      );
      const last = requestsOf('GET').at(-1);
      assert.equal(last?.query['include_revoked'], 'true');
    });

    test('F39 revoke while a refresh is running', async () => {
      const store = keysStore(client(server.url), server.tokens.admin);
      const seen = watch(store);
      await store.refresh();
      const key = loadedKey(store, 'CI deploy');
      server.addFault({ fault: { kind: 'slowHeaders', delayMs: 30_000 }, method: 'GET', times: 1 });
      const running = store.refresh();
      await waitFor(() => requestsOf('GET').length === 2, 'the refresh to reach the server');
      assert.equal(store.snapshot.loading, true);
      const outcome = await store.revoke(key, 'rotated', store.currentAuth());
      assert.equal(outcome.kind, 'revoked');
      const afterRevoke = seen.length;
      assert.ok(!store.snapshot.loaded?.keys.some((candidate) => candidate.id === key.id), 'the key leaves the list at once');
      assert.equal(store.snapshot.loading, false);
      await running; // the older list has settled: whatever came of it, nothing of it can reach the store later
      assert.ok(!store.snapshot.loaded?.keys.some((candidate) => candidate.id === key.id), 'the older answer is never shown');
      assert.ok(seen.slice(afterRevoke).every((snapshot) => !snapshot.loaded?.keys.some((candidate) => candidate.id === key.id)));
      assert.equal(store.snapshot.error, undefined);
      const deletes = requestsOf('DELETE');
      assert.equal(deletes.length, 1);
      assert.equal(deletes[0]?.body, '{"reason":"rotated"}');
      await store.refresh();
      assert.ok(!store.snapshot.loaded?.keys.some((candidate) => candidate.id === key.id), 'and the server agrees');
    });

    test('F40 organization switched while a list is in flight (the old answer is never shown)', async () => {
      const c = client(server.url);
      const organizations = new MemoryOrganizations();
      const store = keysStore(c, server.tokens.staff, { organizations });
      const seen = watch(store);
      server.addFault({ fault: { kind: 'slowHeaders', delayMs: 30_000 }, method: 'GET', times: 1 });
      const ownList = store.refresh();
      await waitFor(() => requestsOf('GET').length === 1, 'the first list to reach the server');
      const prompts = script();
      const switched = seen.length;
      await runFlow(prompts, () => applyOrganization(context(store, c, prompts, { organizations }), asOrgId(server.orgs.secondary)));
      await ownList; // the old list has settled: nothing of it can reach the store later
      const loaded = store.snapshot.loaded;
      assert.ok(loaded);
      assert.equal(loaded.query.organizationId, server.orgs.secondary);
      assert.ok(loaded.keys.length > 0 && loaded.keys.every((key) => key.orgId === server.orgs.secondary));
      for (const snapshot of seen.slice(switched)) {
        assert.ok(
          snapshot.loaded === undefined || snapshot.loaded.keys.every((key) => key.orgId === server.orgs.secondary),
          "never the staff home organization's keys under the new organization",
        );
      }
      assert.equal(store.snapshot.error, undefined);
      const last = requestsOf('GET').at(-1);
      assert.equal(last?.headers['x-factify-organization-id'], server.orgs.secondary);
    });

    test('F41 the same key revoked twice at once (one DELETE)', async () => {
      const store = keysStore(client(server.url), server.tokens.admin, { includeRevoked: () => true });
      await store.refresh();
      const key = loadedKey(store, 'Billing webhook');
      const outcomes = await Promise.all([
        store.revoke(key, undefined, store.currentAuth()),
        store.revoke(key, undefined, store.currentAuth()),
      ]);
      assert.equal(outcomes[0]?.kind, 'revoked');
      assert.ok(outcomes[1]?.kind === 'revoked' || outcomes[1]?.kind === 'alreadyRevoked', 'the second joins or is a no-op');
      assert.equal(requestsOf('DELETE').length, 1);
      assert.notEqual(loadedKey(store, 'Billing webhook').revokedAt, undefined);
    });

    test('F42 the same key revoked again after it was revoked (a no-op, no second DELETE)', async () => {
      const c = client(server.url);
      const store = keysStore(c, server.tokens.admin); // revoked keys hidden: the key leaves the list
      await store.refresh();
      const key = loadedKey(store, 'Data warehouse sync');
      assert.equal((await store.revoke(key, undefined, store.currentAuth())).kind, 'revoked');
      assert.equal((await store.revoke(key, undefined, store.currentAuth())).kind, 'alreadyRevoked', 'the stale tree item asks again');
      // The command from a stale tree item, too.
      const prompts = script(inputStep(''), confirmStep(true), infoStep());
      await runFlow(prompts, () => revokeKeys(context(store, c, prompts), [key]));
      assert.equal(requestsOf('DELETE').length, 1);
    });

    test('F43 a keyring failure on secrets.store (explained, never a plain-text fallback)', async () => {
      server.addFault({ fault: { kind: 'body', json: { api_keys: [] } }, method: 'GET', times: 1 }); // the check passes
      const c = client(server.url);
      const tokens = new MemoryAccounts(undefined, { failStore: true });
      const organizations = new MemoryOrganizations();
      const store = keysStore(c, MARKER_TOKEN);
      const prompts = script(inputStep(`  ${MARKER_TOKEN}  `), errorStep());
      const result = await runFlow(prompts, () => signIn(context(store, c, prompts, { tokens, organizations })));
      prompts.assertDone();
      assert.equal(result, 'storeFailed');
      const message = prompts.only('error').message;
      assert.match(message, /could not save the token/);
      assert.match(message, /keychain/);
      assert.match(message, /plain text/);
      assert.match(message, /try again/);
      assert.deepEqual(tokens.stored, [], 'nothing stored');
      assert.equal(tokens.token, undefined);
      assert.deepEqual(organizations.selections, [], 'nothing written to global state either');
      assert.ok(evidence.rawLog.some((line) => line.includes('Storing the token in SecretStorage failed')));
      assert.equal(requestsOf('GET')[0]?.headers['authorization'], `Bearer ${MARKER_TOKEN}`, 'only to the configured origin');
    });

    test('F44 a token Factify rejects at sign-in (401: not stored, told so)', async () => {
      const c = client(server.url);
      const tokens = new MemoryAccounts();
      const store = keysStore(c, server.tokens.unknown);
      const prompts = script(inputStep(server.tokens.unknown), errorStep());
      const result = await runFlow(prompts, () => signIn(context(store, c, prompts, { tokens })));
      prompts.assertDone();
      assert.equal(result, 'rejected');
      assert.match(prompts.only('error').message, /401/);
      assert.match(prompts.only('error').message, /not saved/);
      assert.deepEqual(tokens.stored, []);
    });
  });

  describe('the log', () => {
    test('F69 logging never throws, and nothing is logged after dispose', () => {
      const written: string[] = [];
      let closed = false;
      const channel: LogChannel = {
        trace: (message) => write(`trace ${message}`),
        info: (message) => write(`info ${message}`),
        warn: (message) => write(`warn ${message}`),
        error: (message) => write(`error ${message}`),
        show: () => write('show'),
        dispose: () => {
          closed = true;
        },
      };
      function write(line: string): void {
        if (closed) throw new Error('Channel has been closed');
        written.push(line);
      }
      const redactor = new Redactor();
      redactor.addSecret(MARKER_TOKEN);
      const log = createSafeLog(channel, redactor);
      log.info(`signed in with ${MARKER_TOKEN}`);
      assert.deepEqual(written, ['info signed in with [redacted]']);
      // The channel closes under the log (a window reload): writing must not throw.
      closed = true;
      assert.doesNotThrow(() => log.error('Command factify.revokeKey failed: cancelled'));
      assert.doesNotThrow(() => log.show());
      closed = false;
      log.dispose();
      assert.equal(log.disposed, true);
      assert.equal(closed, true);
      log.error('after dispose');
      log.warn('after dispose');
      log.show();
      assert.deepEqual(written, ['info signed in with [redacted]'], 'nothing written after dispose');
      assert.doesNotThrow(() => log.dispose(), 'disposing twice is harmless');
    });
  });

  describe('ids', () => {
    test("F71 a record whose id equals one of the tree's own rows, or repeats another, cannot drop a group", async () => {
      const live = server.keysOf(server.orgs.primary).filter((key) => key.revoked_at === null);
      const [first, second] = live;
      assert.ok(first && second);
      const ownIds = [
        ...KEY_STATES.map((state) => ownTreeItemId('group', state)),
        ownTreeItemId('more', 'active'),
        ownTreeItemId('action', 'factify.refresh'),
      ];
      const impostors = ownIds.map((id, index) => ({ ...first, id, name: `impostor ${index}` }));
      const duplicate = { ...second, name: 'the same id again' };
      server.setKeys(server.orgs.primary, [...impostors, ...server.keysOf(server.orgs.primary), duplicate]);
      const store = keysStore(client(server.url), server.tokens.admin, { includeRevoked: () => true });
      await store.refresh();
      const loaded = store.snapshot.loaded;
      assert.ok(loaded);
      assert.equal(loaded.keys.filter((key) => key.id === second.id).length, 1, 'a repeated id is shown once');
      assert.equal(loaded.keys.find((key) => key.id === second.id)?.name, second.name, 'the first record wins');
      assert.ok(
        loaded.keys.every((key) => !ownIds.includes(key.id)),
        "no record takes a row's id",
      );
      assert.deepEqual(
        loaded.rejected.map((rejected) => rejected.id),
        [...ownIds, second.id],
      );
      for (const id of ownIds) {
        assert.ok(
          evidence.rawLog.some((line) => line.includes(`(${id})`) && line.includes('keeps for its own rows')),
          `logged: ${id}`,
        );
      }
      assert.ok(evidence.rawLog.some((line) => line.includes(`(${second.id})`) && line.includes('more than once')));

      // Every id the tree would give VS Code is unique, and every group is there.
      const groups = groupByState(loaded.keys, { nowMs: Date.now(), includeRevoked: true });
      const treeIds = [
        ...groups.map((group) => ownTreeItemId('group', group.state)),
        ...groups.map((group) => ownTreeItemId('more', group.state)),
        ...['factify.refresh', 'factify.signIn', 'factify.showLog'].map((command) => ownTreeItemId('action', command)),
        ...loaded.keys.map((key) => key.id),
      ];
      assert.equal(new Set(treeIds).size, treeIds.length, 'no two rows share an id');
      assert.deepEqual(
        groups.filter((group) => group.keys.length > 0).map((group) => group.state),
        ['active', 'expired', 'inactive', 'revoked'],
      );
    });
  });
}
