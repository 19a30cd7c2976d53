/** The confirmed context: an organization, token or connection change in the middle of a revoke (F62–F64, F73). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ApiKey } from '../../../src/core/apiKey';
import { FactifyClient } from '../../../src/core/client';
import { type ApiToken, type OrgId } from '../../../src/core/ids';
import { KeysStore } from '../../../src/core/keysStore';
import { revokeKeys } from '../../../src/flows/revoke';
import { MemoryAccounts, MemoryOrganizations } from '../helpers/memoryStores';
import { confirm as confirmStep, input as inputStep, warn as warnStep } from '../helpers/scriptedPrompts';
import { server, client, auth, keysStore, context, runFlow, script, failure, requestsOf } from '../helpers/faultMatrix';

export function faultMatrixConfirmedContext(): void {
  describe('confirmed context', () => {
    /** A client whose Nth DELETE first runs `before` (a switch or a token change at exactly that moment). */
    function interceptDeletes(real: FactifyClient, before: (call: number) => void, onWait?: () => void): FactifyClient {
      const wrapped = Object.create(real) as FactifyClient;
      let calls = 0;
      wrapped.revokeKey = (requestAuth, keyId, reason, options = {}) => {
        before(++calls);
        return real.revokeKey(requestAuth, keyId, reason, {
          ...options,
          onRateLimited: (wait) => {
            options.onRateLimited?.(wait);
            onWait?.();
          },
        });
      };
      return wrapped;
    }

    function revocableKeys(store: KeysStore, count: number): ApiKey[] {
      const keys = (store.snapshot.loaded?.keys ?? [])
        .filter((key) => key.keyId !== undefined && key.revokedAt === undefined)
        .slice(0, count);
      assert.equal(keys.length, count);
      return keys;
    }

    test('F62 organization switched in the middle of a six-key revoke: the rest is not sent, the summary says which and why', async () => {
      const organizations = new MemoryOrganizations(server.orgs.primary);
      const real = client(server.url);
      const c = interceptDeletes(real, (call) => {
        if (call === 3) void organizations.select(server.orgs.secondary as OrgId);
      });
      const store = keysStore(c, server.tokens.staff, { organizations });
      await store.refresh();
      const keys = revocableKeys(store, 6);
      const prompts = script(inputStep(''), confirmStep(true), warnStep());
      const results = await runFlow(prompts, () => revokeKeys(context(store, c, prompts, { organizations }), keys));
      prompts.assertDone();
      assert.ok(results);
      assert.deepEqual(
        results.map((result) => result.outcome),
        ['revoked', 'revoked', 'notSent', 'notSent', 'notSent', 'notSent'],
      );
      const deletes = requestsOf('DELETE');
      assert.equal(deletes.length, 2, 'only the two sent before the switch');
      assert.ok(
        deletes.every((request) => request.headers['x-factify-organization-id'] === server.orgs.primary),
        'all under the confirmed organization',
      );
      const confirmation = prompts.only('confirm');
      assert.match(confirmation.detail, new RegExp(`Organization: ${server.orgs.primary}`));
      const summary = prompts.only('warn').message;
      assert.match(
        summary,
        /^Revoked 2 of 6 API keys: “[^”]+”, “[^”]+”\. Not revoked, because the organization changed after you confirmed: /,
      );
      for (const result of results.slice(2)) assert.ok(summary.includes(`“${result.key.name}”`), `names ${result.key.name}`);
      assert.match(summary, /Nothing was sent for them\. .*run Revoke again/);
      for (const key of keys.slice(2)) assert.equal(server.keysOf(server.orgs.primary).find((k) => k.id === key.id)?.revoked_at, null);
    });

    test('F63 the token changed in the middle of a multi-key revoke: nothing goes out with the new token', async () => {
      const accounts = new MemoryAccounts(server.tokens.admin);
      const real = client(server.url);
      const c = interceptDeletes(real, (call) => {
        if (call === 2) accounts.token = server.tokens.otherOrgAdmin as ApiToken; // behind the app's back, as another window does
      });
      const store = keysStore(c, server.tokens.admin, { accounts });
      await store.refresh();
      const keys = revocableKeys(store, 5);
      const prompts = script(inputStep('rotated'), confirmStep(true), warnStep());
      const results = await runFlow(prompts, () => revokeKeys(context(store, c, prompts), keys));
      assert.deepEqual(
        results?.map((result) => result.outcome),
        ['revoked', 'notSent', 'notSent', 'notSent', 'notSent'],
      );
      assert.ok(results?.slice(1).every((result) => result.reason === 'the API token changed after you confirmed'));
      assert.ok(requestsOf('DELETE').every((request) => request.headers['authorization'] === `Bearer ${server.tokens.admin}`));
      assert.equal(requestsOf('DELETE').length, 1);
      assert.match(prompts.only('warn').message, /Not revoked, because the API token changed after you confirmed/);

      // A single revoke confirmed under one token, asked after a sign-out: nothing is sent either.
      const signedOut = keysStore(c, server.tokens.admin, { accounts: new MemoryAccounts() });
      assert.deepEqual(await signedOut.revoke(keys[1] as ApiKey, undefined, auth(server.tokens.admin)), {
        kind: 'notSent',
        reason: 'you signed out after confirming',
      });
      assert.equal(requestsOf('DELETE').length, 1);
    });

    test('F73 the connection settings changed in the middle of a multi-key revoke: what was queued is not sent', async () => {
      let store: KeysStore | undefined;
      const real = client(server.url);
      const c = interceptDeletes(real, (call) => {
        if (call === 2) store?.reset(); // what a change of factify.apiBaseUrl or the proxy settings does
      });
      store = keysStore(c, server.tokens.admin);
      await store.refresh();
      const keys = revocableKeys(store, 5);
      const prompts = script(inputStep(''), confirmStep(true), warnStep());
      const results = await runFlow(prompts, () => revokeKeys(context(store as KeysStore, c, prompts), keys));
      const outcomes = results?.map((result) => result.outcome) ?? [];
      // The one in flight is cancelled by the reset (it may or may not have reached the server); the rest never leave.
      assert.deepEqual(outcomes, ['failed', 'notSent', 'notSent', 'notSent', 'notSent']);
      assert.equal(results?.[0]?.error?.kind, 'cancelled');
      assert.ok(
        results
          ?.filter((result) => result.outcome === 'notSent')
          .every((result) => result.reason === 'the connection settings changed after you confirmed'),
      );
      assert.ok(requestsOf('DELETE').length <= 1, 'at most the one started before the change');
      assert.match(prompts.only('warn').message, /Not revoked, because the connection settings changed after you confirmed/);
    });

    test('F64 an organization switch while a DELETE waits out a 429: the retry is never sent', async () => {
      const organizations = new MemoryOrganizations(server.orgs.primary);
      const real = client(server.url);
      const c = interceptDeletes(
        real,
        () => undefined,
        () => void organizations.select(server.orgs.secondary as OrgId),
      );
      const store = keysStore(c, server.tokens.staff, { organizations });
      await store.refresh();
      const [key] = revocableKeys(store, 1);
      server.addFault({ fault: { kind: 'rateLimit', retryAfter: '1' }, method: 'DELETE', times: 1 });
      const prompts = script(inputStep(''), confirmStep(true), warnStep());
      const results = await runFlow(prompts, () => revokeKeys(context(store, c, prompts, { organizations }), [key as ApiKey]));
      assert.deepEqual(
        results?.map((result) => [result.outcome, result.reason]),
        [['notSent', 'the organization changed after you confirmed']],
      );
      assert.equal(requestsOf('DELETE').length, 1, 'the 429 only; no retry under the new organization');
      assert.equal(requestsOf('DELETE')[0]?.headers['x-factify-organization-id'], server.orgs.primary);
      assert.match(
        prompts.only('warn').message,
        /^“[^”]+” was not revoked: the organization changed after you confirmed\. Nothing was sent for it/,
      );

      // The same for a list: a retry after a 429 wait is not sent once the organization changed.
      await store.refresh();
      server.clearRequests();
      server.addFault({ fault: { kind: 'rateLimit', retryAfter: '0' }, method: 'GET', times: 1 });
      let organization: string | undefined = server.orgs.primary;
      const listed = auth(server.tokens.staff, server.orgs.primary);
      const error = await failure(
        real.listKeys(listed, {
          includeRevoked: false,
          onRateLimited: () => (organization = server.orgs.secondary),
          contextChange: () => (organization === listed.organizationId ? undefined : 'the organization changed'),
        }),
        'notSent',
      );
      assert.match(error.message, /^Not sent: the organization changed\.$/);
      assert.equal(requestsOf('GET').length, 1, 'the 429 only');
    });
  });
}
