/**
 * Revoking keys (src/flows/revoke.ts) from the tree, the palette and a multi-selection, with scripted prompts
 * against the local Factify server: what the user was asked and told, and which DELETEs the server recorded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ServerApiKey } from '../server/factifyServer';
import { type ApiKey } from '../../src/core/apiKey';
import { REMEDY_LABELS } from '../../src/core/remedies';
import { revokeKeys } from '../../src/flows/revoke';
import { confirm, error, escapeInput, escapePick, info, input, pick, warn } from './helpers/scriptedPrompts';
import {
  ORG_HEADER,
  app,
  assertNoSecretLeaked,
  deletes,
  keyNamed,
  lists,
  loadedApp,
  server,
  serverKey,
  useFlowServer,
} from './helpers/flowServer';

useFlowServer();

describe('revoke one key from the tree', () => {
  test('reason typed, confirmed: DELETE with the reason; the modal names key, prefix, organization, permanence', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input('rotated', ['x'.repeat(501), 'fine']), confirm(true), info()] });
    const key = keyNamed(target, 'CI deploy');
    const results = await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    assert.deepEqual(
      results?.map((result) => result.outcome),
      ['revoked'],
    );

    const reason = target.prompts.only('input');
    assert.match(reason.title, /CI deploy/);
    assert.match(reason.validations[0]?.message ?? '', /500/);
    assert.equal(reason.validations[1]?.message, undefined);
    const modal = target.prompts.only('confirm');
    assert.match(modal.message, /CI deploy/);
    assert.ok(modal.message.includes(key.prefix) || modal.detail.includes(key.prefix), 'the prefix is named');
    assert.ok(`${modal.message} ${modal.detail}`.includes(server.orgs.primary), 'the organization is named');
    assert.match(modal.detail, /permanent/);
    assert.match(modal.detail, /immediate/);
    assert.match(modal.confirmLabel, /^Revoke/);
    assert.match(target.prompts.only('info').message, /Revoked “CI deploy”/);

    assert.equal(deletes().length, 1);
    const [request] = deletes();
    assert.equal(request?.path, `/v1/api-keys/${key.id}`);
    assert.deepEqual(JSON.parse(request?.body ?? ''), { reason: 'rotated' });
    assert.match(request?.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(request?.headers[ORG_HEADER], undefined);
    const record = serverKey(server.orgs.primary, key.id);
    assert.notEqual(record.revoked_at, null);
    assert.equal(record.revoked_comment, 'rotated');
    assert.equal(record.revoked_by, server.users.admin);

    await target.store.refresh();
    assert.ok(
      !target.store.snapshot.loaded?.keys.some((candidate) => candidate.id === key.id),
      'a revoked key leaves the list while revoked keys are hidden',
    );
  });

  test('a prefilled reason (where a leaked key was found) is offered, and what the user makes of it is sent', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input('Found in src/config.ts:3, rotated'), confirm(true), info()] });
    const key = keyNamed(target, 'CI deploy');
    await revokeKeys(target.ctx, [key], { reason: 'Found in src/config.ts:3' });
    target.prompts.assertDone();
    assert.equal(target.prompts.only('input').value, 'Found in src/config.ts:3');
    assert.deepEqual(JSON.parse(deletes()[0]?.body ?? ''), { reason: 'Found in src/config.ts:3, rotated' });
  });

  test('Escape at the reason: nothing else asked, no request', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [escapeInput()] });
    assert.equal(await revokeKeys(target.ctx, [keyNamed(target, 'CI deploy')]), undefined);
    target.prompts.assertDone();
    assert.equal(server.requests.length, 0);
  });

  test('an empty reason sends a DELETE without a body', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input('   '), confirm(true), info()] });
    const key = keyNamed(target, 'Billing webhook');
    await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    const [request] = deletes();
    assert.equal(deletes().length, 1);
    assert.equal(request?.body, '');
    assert.equal(request?.headers['content-type'], undefined);
    assert.equal(serverKey(server.orgs.primary, key.id).revoked_comment, null);
  });

  test('confirmation declined: no request', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input('rotated'), confirm(false)] });
    const key = keyNamed(target, 'CI deploy');
    assert.equal(await revokeKeys(target.ctx, [key]), undefined);
    target.prompts.assertDone();
    assert.equal(server.requests.length, 0);
    assert.equal(serverKey(server.orgs.primary, key.id).revoked_at, null);
  });

  test('factify.confirmRevoke = false: no modal', async () => {
    const target = await loadedApp(server.tokens.admin, { confirmRevoke: false, script: [input('rotated'), info()] });
    await revokeKeys(target.ctx, [keyNamed(target, 'CI deploy')]);
    target.prompts.assertDone();
    assert.equal(target.prompts.ofKind('confirm').length, 0);
    assert.equal(deletes().length, 1);
  });

  test('403 for a member token: the error names the admin role; the key stays unrevoked', async () => {
    const target = await loadedApp(server.tokens.member, { script: [input('rotated'), confirm(true), error()] });
    const key = keyNamed(target, 'CI deploy');
    const results = await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    assert.equal(results?.[0]?.outcome, 'failed');
    assert.match(target.prompts.only('error').message, /admin role/);
    assert.equal(deletes().length, 1);
    assert.equal(serverKey(server.orgs.primary, key.id).revoked_at, null);
    await target.store.refresh();
    assert.ok(target.store.snapshot.loaded?.keys.some((candidate) => candidate.id === key.id && candidate.revokedAt === undefined));
  });

  test('404 (deleted meanwhile): the message says the key is gone', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input(''), confirm(true), warn()] });
    const key = keyNamed(target, 'CI deploy');
    server.setKeys(
      server.orgs.primary,
      server.keysOf(server.orgs.primary).filter((candidate) => candidate.id !== key.id),
    );
    const results = await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    assert.equal(results?.[0]?.outcome, 'failed');
    assert.match(target.prompts.only('warn').message, /no longer exists/);
    assert.match(target.prompts.only('warn').message, /refresh/);
  });

  test('409 (revoked meanwhile): treated as done', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input(''), confirm(true), info()] });
    const key = keyNamed(target, 'CI deploy');
    serverKey(server.orgs.primary, key.id).revoked_at = new Date().toISOString();
    const results = await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    assert.equal(results?.[0]?.outcome, 'alreadyRevoked');
    assert.match(target.prompts.only('info').message, /already revoked/);
    assert.equal(target.prompts.ofKind('error').length + target.prompts.ofKind('warn').length, 0);
    assert.ok(!target.store.snapshot.loaded?.keys.some((candidate) => candidate.id === key.id));
  });

  test('401 (token revoked meanwhile): offers “Set API Token…”, which opens the token box', async () => {
    const target = await loadedApp(server.tokens.admin, {
      script: [input('rotated'), confirm(true), error(REMEDY_LABELS.setToken), escapeInput()],
    });
    const key = keyNamed(target, 'CI deploy');
    target.tokens.token = server.tokens.unknown as typeof target.tokens.token;
    const results = await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    assert.equal(results?.[0]?.outcome, 'failed');
    const shown = target.prompts.only('error');
    assert.match(shown.message, /401/);
    assert.deepEqual(shown.actions, [REMEDY_LABELS.setToken]);
    assert.equal(target.prompts.ofKind('input')[1]?.password, true, 'the token box opened');
    assert.equal(serverKey(server.orgs.primary, key.id).revoked_at, null);
    assertNoSecretLeaked(target, server.tokens.unknown);
  });
});

describe('revoke from the palette', () => {
  test('asks which key, offering only non-revoked keys with valid ids', async () => {
    const records = server.keysOf(server.orgs.primary);
    const template = records[0] as ServerApiKey;
    records.push({ ...template, id: 'key_NOT-A-FACTIFY-ID', name: 'Imported with a bad id' });
    const target = app({
      token: server.tokens.admin,
      includeRevoked: true,
      script: [pick('Zapier automation'), input('no longer used'), confirm(true), info()],
    });
    const expected = records
      .filter((record) => record.revoked_at === null && /^key_[0-9a-hjkmnp-tv-z]{26}$/.test(record.id))
      .map((record) => record.name)
      .sort();
    const results = await revokeKeys(target.ctx, undefined);
    target.prompts.assertDone();

    const offered = target.prompts
      .only('pick')
      .items.map((item) => item.label)
      .sort();
    assert.deepEqual(offered, expected);
    assert.ok(!offered.includes('Imported with a bad id'));
    assert.ok(!offered.includes('Old CI token'), 'revoked keys are not offered');
    assert.ok(offered.includes('Staging smoke tests'), 'expired keys can be revoked');
    assert.ok(offered.includes('Legacy importer'), 'inactive keys can be revoked');

    const zapier = records.find((record) => record.name === 'Zapier automation') as ServerApiKey;
    assert.equal(results?.[0]?.outcome, 'revoked');
    assert.deepEqual(
      deletes().map((request) => request.path),
      [`/v1/api-keys/${zapier.id}`],
    );
    assert.deepEqual(JSON.parse(deletes()[0]?.body ?? ''), { reason: 'no longer used' });
    assert.equal(lists()[0]?.query['include_revoked'], 'true');
    // Revoked keys are shown: the key stays, marked revoked.
    assert.notEqual(target.store.snapshot.loaded?.keys.find((key) => key.id === zapier.id)?.revokedAt, undefined);
  });

  test('the list answers 401: offers “Set API Token…”', async () => {
    const target = app({ token: server.tokens.unknown, script: [error(REMEDY_LABELS.setToken), escapeInput()] });
    assert.equal(await revokeKeys(target.ctx, undefined), undefined);
    target.prompts.assertDone();
    const shown = target.prompts.only('error');
    assert.match(shown.message, /401/);
    assert.deepEqual(shown.actions, [REMEDY_LABELS.setToken]);
    assert.equal(deletes().length, 0);
  });

  test('the list answers 403 under an override (not staff): explained, “Switch Back” offered', async () => {
    const target = app({ token: server.tokens.admin, organization: server.orgs.secondary, script: [warn(REMEDY_LABELS.switchBack)] });
    assert.equal(await revokeKeys(target.ctx, undefined), undefined);
    target.prompts.assertDone();
    const shown = target.prompts.only('warn');
    assert.match(shown.message, /Only Factify staff/);
    assert.deepEqual(shown.actions, [REMEDY_LABELS.switchBack]);
    assert.equal(target.organizations.current, undefined);
    assert.equal(lists().at(-1)?.headers[ORG_HEADER], undefined);
    assert.equal(deletes().length, 0);
  });

  test('staff acting as another organization: the modal names it, the DELETE carries the override', async () => {
    const target = await loadedApp(server.tokens.staff, {
      organization: server.orgs.secondary,
      script: [input('audit'), confirm(true), info()],
    });
    const key = keyNamed(target, 'Production API');
    await revokeKeys(target.ctx, [key]);
    target.prompts.assertDone();
    const modal = target.prompts.only('confirm');
    assert.ok(modal.detail.includes(server.orgs.secondary), modal.detail);
    assert.match(modal.detail, /another organization/);
    assert.equal(deletes()[0]?.headers[ORG_HEADER], server.orgs.secondary);
    assert.equal(serverKey(server.orgs.secondary, key.id).revoked_by, server.users.staff);
  });

  test('Escape at the pick: no DELETE', async () => {
    const target = app({ token: server.tokens.admin, script: [escapePick()] });
    assert.equal(await revokeKeys(target.ctx, undefined), undefined);
    target.prompts.assertDone();
    assert.equal(deletes().length, 0);
  });
});

describe('revoke several selected keys', () => {
  const names = ['CI deploy', 'Billing webhook', 'Staging smoke tests'];

  test('one reason, one confirmation stating the count, one summary', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input('rotated'), confirm(true), info()] });
    const keys = names.map((name) => keyNamed(target, name));
    const results = await revokeKeys(target.ctx, keys);
    target.prompts.assertDone();
    assert.deepEqual(
      results?.map((result) => result.outcome),
      ['revoked', 'revoked', 'revoked'],
    );

    assert.match(target.prompts.only('input').title, /3/);
    const modal = target.prompts.only('confirm');
    assert.match(modal.message, /\b3\b/);
    assert.match(modal.confirmLabel, /^Revoke/);
    assert.match(modal.confirmLabel, /3/);
    for (const key of keys) {
      assert.ok(modal.detail.includes(key.name), `the modal lists ${key.name}`);
      assert.ok(modal.detail.includes(key.prefix), `the modal lists ${key.prefix}`);
    }
    assert.ok(modal.detail.includes(server.orgs.primary));
    assert.match(modal.detail, /permanent/);
    assert.match(target.prompts.only('info').message, /Revoked 3 API keys/);

    assert.deepEqual(
      deletes()
        .map((request) => request.path)
        .sort(),
      keys.map((key) => `/v1/api-keys/${key.id}`).sort(),
    );
    for (const request of deletes()) assert.deepEqual(JSON.parse(request.body), { reason: 'rotated' });
    for (const key of keys) assert.equal(serverKey(server.orgs.primary, key.id).revoked_comment, 'rotated');
  });

  test('partial failure (one deleted on the server → 404): the summary names the failed key and why', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input(''), confirm(true), warn()] });
    const keys = names.map((name) => keyNamed(target, name));
    const gone = keys[1] as ApiKey;
    server.setKeys(
      server.orgs.primary,
      server.keysOf(server.orgs.primary).filter((record) => record.id !== gone.id),
    );
    const results = await revokeKeys(target.ctx, keys);
    target.prompts.assertDone();
    assert.deepEqual(
      results?.map((result) => result.outcome),
      ['revoked', 'failed', 'revoked'],
    );
    const message = target.prompts.only('warn').message;
    assert.match(message, /2 of 3/);
    const failedPart = message.slice(message.indexOf('Failed'));
    assert.ok(failedPart.includes('Billing webhook'), message);
    assert.match(failedPart, /no longer exists|404/);
    assert.ok(!failedPart.includes('CI deploy') && !failedPart.includes('Staging smoke tests'), message);
  });

  test('partial failure (a proxy error page for one key): the summary names the failed key and why', async () => {
    const target = await loadedApp(server.tokens.admin, { script: [input('rotated'), confirm(true), warn()] });
    const keys = names.map((name) => keyNamed(target, name));
    const broken = keys[2] as ApiKey;
    server.addFault({ method: 'DELETE', pathPrefix: `/v1/api-keys/${broken.id}`, fault: { kind: 'html502' } });
    const results = await revokeKeys(target.ctx, keys);
    target.prompts.assertDone();
    assert.deepEqual(
      results?.map((result) => result.outcome),
      ['revoked', 'revoked', 'failed'],
    );
    const message = target.prompts.only('warn').message;
    const failedPart = message.slice(message.indexOf('Failed'));
    assert.ok(failedPart.includes('Staging smoke tests'), message);
    assert.match(failedPart, /502/);
    assert.equal(serverKey(server.orgs.primary, broken.id).revoked_at, null);
    assert.notEqual(serverKey(server.orgs.primary, (keys[0] as ApiKey).id).revoked_at, null);
  });
});
