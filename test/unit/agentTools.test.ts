/**
 * The agent tools over a real store and client (src/core/agentTools.ts), against the local Factify server:
 * revoking only what the user confirmed, under the account and organization they confirmed it for.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentTools, type LeakFindingsSource } from '../../src/core/agentTools';
import { asOrgId, type ApiToken } from '../../src/core/ids';
import { Redactor } from '../../src/core/redact';
import { startFactifyServer, type FactifyServer, type ServerApiKey } from '../server/factifyServer';
import { createTestApp, type TestApp } from './helpers/testApp';
import { INJECTION, prose, records } from './helpers/agentToolText';

const QUICK = { timeout: 10_000 };

let server: FactifyServer;
let apps: TestApp[] = [];

before(async () => {
  server = await startFactifyServer();
});
after(() => server.close());
beforeEach(() => server.reset());
afterEach(async () => {
  for (const app of apps) await app.close();
  apps = [];
});

interface ToolsHarness {
  readonly app: TestApp;
  readonly tools: AgentTools;
  readonly redactor: Redactor;
  leaks: LeakFindingsSource | undefined;
}

function harness(options: { token?: string; organization?: string; includeRevoked?: boolean } = {}): ToolsHarness {
  const app = createTestApp({
    baseUrl: server.url,
    token: options.token ?? server.tokens.admin,
    organization: options.organization,
    includeRevoked: options.includeRevoked,
  });
  apps.push(app);
  const redactor = new Redactor();
  for (const token of Object.values(server.tokens)) redactor.addSecret(token);
  const made: ToolsHarness = {
    app,
    redactor,
    leaks: undefined,
    tools: new AgentTools({
      store: app.store,
      auth: async () => {
        await app.tokens.load();
        return app.store.currentAuth();
      },
      leaks: () => made.leaks,
      redact: (text) => redactor.redact(text),
      now: Date.now,
      log: app.log,
    }),
  };
  return made;
}

const deletes = () => server.requests.filter((request) => request.method === 'DELETE');
const serverKeys = (org = server.orgs.primary): ServerApiKey[] => server.keysOf(org);
const liveKey = (org = server.orgs.primary): ServerApiKey => {
  const found = serverKeys(org).find(
    (candidate) =>
      candidate.revoked_at === null &&
      candidate.is_active &&
      (candidate.expires_at === null || Date.parse(candidate.expires_at) > Date.now()),
  );
  assert.ok(found);
  return found;
};

function assertNoToken(text: string): void {
  for (const token of Object.values(server.tokens)) assert.ok(!text.includes(token), 'a token reached a tool result');
}

describe('AgentTools: listing', () => {
  test("lists the current organization's keys, fresh from the server, and names the organization", QUICK, async () => {
    const { tools } = harness();
    const text = await tools.listKeys({});
    assert.match(text, new RegExp(`^Factify API keys of organization ${server.orgs.primary}, the token's own organization`));
    const expected = serverKeys()
      .filter((k) => k.revoked_at === null)
      .map((k) => k.id)
      .sort();
    assert.deepEqual(
      records(text)
        .map((row) => row.id)
        .sort(),
      expected,
    );
    assert.equal(server.requests.filter((request) => request.method === 'GET').length, 1);
    assertNoToken(text);
  });

  test('under an organization override, that organization is named as an override', QUICK, async () => {
    const { tools } = harness({ token: server.tokens.staff, organization: server.orgs.primary });
    const text = await tools.listKeys({ state: 'active' });
    assert.match(text, new RegExp(`^Factify API keys of organization ${server.orgs.primary}, an organization override`));
    assert.equal(server.requests[0]?.headers['x-factify-organization-id'], server.orgs.primary);
  });

  test('a hostile key name from the server is data, not prose', QUICK, async () => {
    const keys = serverKeys();
    server.setKeys(server.orgs.primary, [{ ...(keys[0] as ServerApiKey), name: INJECTION }, ...keys.slice(1)]);
    const { tools } = harness();
    const text = await tools.listKeys({ query: 'ignore previous' });
    assert.ok(!prose(text).includes(INJECTION));
    assert.deepEqual(
      records(text).map((row) => row.name),
      [INJECTION],
    );
  });

  test('invalid input: nothing is requested', QUICK, async () => {
    const { tools } = harness();
    assert.match(await tools.listKeys({ state: 'everything' }), /^Invalid input for factify_listApiKeys: "state" must be one of/);
    assert.equal(server.requests.length, 0);
  });

  test('signed out: says so, nothing is requested', QUICK, async () => {
    const { tools } = harness({ token: '' });
    assert.match(await tools.listKeys({}), /^Not signed in to Factify/);
    assert.equal(server.requests.length, 0);
  });

  test("a 403 under an override: only staff may act as another organization; the server's words only as data", QUICK, async () => {
    const { tools } = harness({ token: server.tokens.member, organization: server.orgs.secondary });
    const text = await tools.listKeys({});
    assert.match(
      prose(text),
      new RegExp(
        `^Could not load the API keys of organization ${server.orgs.secondary}, an organization override.*only Factify staff can act as another organization`,
      ),
    );
    assert.ok(!prose(text).includes('on behalf of'), "the server's detail is not prose");
    assert.match(String(records(text)[0]?.server_said), /on behalf of another organization/);
  });

  test('a 401 on the list becomes a sentence the model can relay, with no token in it', QUICK, async () => {
    const { tools } = harness({ token: server.tokens.unknown });
    const text = await tools.listKeys({});
    assert.match(text, /^Could not load the API keys of the token's own organization: Factify did not accept the API token \(401\)/);
    assertNoToken(text);
  });
});

describe('AgentTools: leaks', () => {
  test('no source: not available; a source: its findings', QUICK, async () => {
    const made = harness();
    assert.match(await made.tools.findLeakedKeys({}), /Leak detection is not available/);
    made.leaks = { findings: async () => [{ file: 'src/a.ts', line: 2, tokenPrefix: `${server.tokens.admin}` }] };
    const text = await made.tools.findLeakedKeys({});
    assertNoToken(text);
    assert.equal(records(text)[0]?.file, 'src/a.ts');
    assert.match(await made.tools.findLeakedKeys({ scan: true }), /^Invalid input for factify_findLeakedKeys/);
    assert.equal(deletes().length, 0);
  });
});

describe('AgentTools: revoking', () => {
  test('prepare asks (naming key, prefix, organization); invoke then sends one DELETE under that auth', QUICK, async () => {
    const { tools } = harness();
    const target = liveKey();
    const prepared = await tools.prepareRevoke({ keyId: target.id, reason: 'leaked' });
    assert.equal(prepared.kind, 'confirm');
    const { plain } = prepared.kind === 'confirm' ? prepared.confirmation : { plain: '' };
    assert.ok(plain.includes(target.name) && plain.includes(target.prefix) && plain.includes(server.orgs.primary), plain);
    assert.match(plain, /permanent and immediate/);
    assert.equal(deletes().length, 0, 'preparing sends nothing');

    const text = await tools.revoke({ keyId: target.id, reason: 'leaked' });
    assert.match(text, new RegExp(`^Revoked key ${target.id} in organization ${server.orgs.primary}`));
    const sent = deletes();
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.path, `/v1/api-keys/${target.id}`);
    assert.equal(sent[0]?.headers.authorization, `Bearer ${server.tokens.admin}`);
    assert.equal(sent[0]?.headers['x-factify-organization-id'], undefined);
    assert.deepEqual(JSON.parse(sent[0]?.body ?? ''), { reason: 'leaked' });
    assert.ok(serverKeys().find((k) => k.id === target.id)?.revoked_at);
  });

  test('an invocation nobody was asked to confirm sends nothing, and a confirmation is used once', QUICK, async () => {
    const { tools } = harness();
    const target = liveKey();
    assert.match(await tools.revoke({ keyId: target.id }), /^Not revoked: the user was not asked to confirm/);
    await tools.prepareRevoke({ keyId: target.id, reason: 'a' });
    assert.match(
      await tools.revoke({ keyId: target.id, reason: 'b' }),
      /not asked to confirm/,
      'a different reason is a different request',
    );
    assert.equal(deletes().length, 0);
    await tools.revoke({ keyId: target.id, reason: 'a' });
    assert.equal(deletes().length, 1);
    server.clearRequests();
    assert.match(await tools.revoke({ keyId: target.id, reason: 'a' }), /revoked keys are not listed: it may be revoked already/);
    assert.equal(deletes().length, 0);
  });

  test('the account or organization changed after the confirmation: nothing is sent', QUICK, async () => {
    const made = harness({ token: server.tokens.staff, organization: server.orgs.primary });
    const target = liveKey();
    assert.equal((await made.tools.prepareRevoke({ keyId: target.id })).kind, 'confirm');
    await made.app.organizations.select(asOrgId(server.orgs.secondary));
    assert.match(
      await made.tools.revoke({ keyId: target.id }),
      /^Not revoked: the Factify account or organization changed after the user confirmed/,
    );

    assert.equal((await made.tools.prepareRevoke({ keyId: liveKey(server.orgs.secondary).id })).kind, 'confirm');
    made.app.tokens.token = server.tokens.otherOrgAdmin as ApiToken;
    assert.match(await made.tools.revoke({ keyId: liveKey(server.orgs.secondary).id }), /account or organization changed/);
    assert.equal(deletes().length, 0);
  });

  test('validated before asking: a bad id, an unknown key and a revoked key get no confirmation', QUICK, async () => {
    const { tools } = harness({ includeRevoked: true });
    assert.equal((await tools.prepareRevoke({ keyId: 'key_../../x' })).kind, 'refused');
    assert.equal(server.requests.length, 0, 'a bad id is refused before any request');
    assert.match(await tools.revoke({ keyId: 'key_../../x' }), /not a Factify key id.*Nothing was sent/);

    const unknown = 'key_01kdx2z2ab3cd4ef5gh6jk7mn8';
    assert.equal((await tools.prepareRevoke({ keyId: unknown })).kind, 'refused');
    assert.match(
      await tools.revoke({ keyId: unknown }),
      new RegExp(`^Not revoked: there is no key ${unknown} in the current list of organization ${server.orgs.primary}`),
    );

    const revoked = serverKeys().find((k) => k.revoked_at !== null);
    assert.ok(revoked);
    assert.equal((await tools.prepareRevoke({ keyId: revoked.id })).kind, 'refused');
    assert.match(await tools.revoke({ keyId: revoked.id }), /is already revoked .*nothing was sent/);
    assert.equal(deletes().length, 0);
  });

  // Every fault's problem details echo the token: the result must not.
  const outcomes: ReadonlyArray<{ name: string; fault?: { status: number }; token?: string; expect: RegExp }> = [
    { name: '403 (no admin role)', token: 'member', expect: /requires the organization admin role \(403\)/ },
    { name: '404', fault: { status: 404 }, expect: /no longer knows key .* \(404\)/ },
    { name: '409', fault: { status: 409 }, expect: /was already revoked; nothing more is needed/ },
    { name: '401', fault: { status: 401 }, expect: /did not accept the API token \(401\)/ },
    { name: '500', fault: { status: 500 }, expect: /^Not revoked: .*\(server, status 500\)/ },
  ];
  for (const outcome of outcomes) {
    test(`outcome ${outcome.name}`, QUICK, async () => {
      const { tools } = harness({ token: outcome.token === 'member' ? server.tokens.member : undefined });
      const target = liveKey();
      assert.equal((await tools.prepareRevoke({ keyId: target.id })).kind, 'confirm');
      if (outcome.fault) {
        server.addFault({
          method: 'DELETE',
          times: 1,
          fault: {
            kind: 'status',
            status: outcome.fault.status,
            contentType: 'application/problem+json',
            body: JSON.stringify({ title: 'Failed', status: outcome.fault.status, detail: `token ${server.tokens.admin} was used` }),
          },
        });
      }
      const text = await tools.revoke({ keyId: target.id });
      assert.match(text, outcome.expect);
      assertNoToken(text);
      assert.equal(deletes().length, 1);
    });
  }

  test('cancelled before sending: nothing is sent', QUICK, async () => {
    const { tools } = harness();
    const target = liveKey();
    await tools.prepareRevoke({ keyId: target.id });
    assert.match(await tools.revoke({ keyId: target.id }, () => true), /cancelled before anything was sent/);
    assert.equal(deletes().length, 0);
  });

  test('the confirmation and the result pass the redactor: a token in a key name is masked', QUICK, async () => {
    const keys = serverKeys();
    const target = { ...(keys[0] as ServerApiKey), name: `deploy ${server.tokens.admin}` };
    server.setKeys(server.orgs.primary, [target, ...keys.slice(1)]);
    const { tools } = harness();
    const prepared = await tools.prepareRevoke({ keyId: target.id });
    assert.equal(prepared.kind, 'confirm');
    const confirmation = prepared.kind === 'confirm' ? prepared.confirmation : undefined;
    assertNoToken(`${confirmation?.plain} ${confirmation?.markdown}`);
    assert.match(confirmation?.plain ?? '', /“deploy (ffy_)?\[redacted\]”/);
    const listed = await tools.listKeys({ query: 'deploy' });
    assertNoToken(listed);
    assertNoToken(await tools.revoke({ keyId: target.id }));
  });

  test('a network failure is reported, never thrown', QUICK, async () => {
    const { tools } = harness();
    const target = liveKey();
    await tools.prepareRevoke({ keyId: target.id });
    server.addFault({ method: 'DELETE', fault: { kind: 'reset' } });
    const text = await tools.revoke({ keyId: target.id });
    assert.match(text, /^Not revoked: key .*\(network\)/);
  });
});

describe('AgentTools: a declined confirmation', () => {
  test('declined, then asked again while the list fails: the invocation sends nothing', QUICK, async () => {
    const { tools } = harness();
    const target = liveKey();
    assert.equal((await tools.prepareRevoke({ keyId: target.id })).kind, 'confirm');
    // The user declined: VS Code never invokes. Later the agent asks again, and the list cannot be loaded.
    server.addFault({ method: 'GET', times: 5, fault: { kind: 'status', status: 500, contentType: 'text/plain', body: 'down' } });
    assert.equal((await tools.prepareRevoke({ keyId: target.id })).kind, 'refused');
    const text = await tools.revoke({ keyId: target.id });
    assert.doesNotMatch(text, /^Revoked/);
    assert.deepEqual(deletes(), []);
  });
});
