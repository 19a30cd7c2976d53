/**
 * Switch Organization… (src/flows/switchOrganization.ts) with scripted prompts against the local Factify
 * server: the override that is sent, remembered, explained when refused, and cleared.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REMEDY_LABELS } from '../../src/core/remedies';
import { switchOrganization } from '../../src/flows/switchOrganization';
import { input, pick, warn } from './helpers/scriptedPrompts';
import { deferred, waitFor } from './helpers/waitFor';
import { ORG_HEADER, app, lists, loadedApp, server, useFlowServer } from './helpers/flowServer';

useFlowServer();

describe('switchOrganization', () => {
  const badIds = ['', 'acme', 'org_123', `org_${'i'.repeat(26)}`, `ORG_${'0'.repeat(26)}`];

  test('staff: a typed organization id is validated, sent on the next GET and remembered', async () => {
    const target = await loadedApp(server.tokens.staff, {
      script: [pick('Enter organization ID'), input(server.orgs.secondary, badIds)],
    });
    await switchOrganization(target.ctx);
    target.prompts.assertDone();

    const choices = target.prompts.only('pick');
    assert.match(choices.items[0]?.detail ?? '', /^Token's own organization/, 'the account comes first');
    assert.ok(choices.items.some((item) => /Enter organization ID…/.test(item.label)));
    const box = target.prompts.only('input');
    for (const validation of box.validations) {
      if (validation.value === server.orgs.secondary) assert.equal(validation.message, undefined);
      else assert.ok(validation.message && validation.message.length > 10, `“${validation.value}” is refused with a reason`);
    }
    assert.match(box.validations.find((validation) => validation.value === 'acme')?.message ?? '', /org_/);
    assert.match(box.validations.find((validation) => validation.value === 'org_123')?.message ?? '', /26/);

    assert.equal(lists().length, 1);
    assert.equal(lists()[0]?.headers[ORG_HEADER], server.orgs.secondary);
    const loaded = target.store.snapshot.loaded;
    assert.equal(loaded?.query.organizationId, server.orgs.secondary);
    assert.ok(loaded?.keys.length && loaded.keys.every((key) => key.orgId === server.orgs.secondary));
    assert.ok(loaded?.keys.some((key) => key.name === 'Production API'));
    assert.equal(target.organizations.current, server.orgs.secondary);
    assert.equal(target.organizations.recent[0], server.orgs.secondary);
    assert.equal(target.prompts.messages.length, 0);
  });

  test('non-staff: the 403 is explained and “Switch Back” returns to the own organization', async () => {
    const target = await loadedApp(server.tokens.admin, {
      script: [pick('Enter organization ID'), input(server.orgs.secondary), warn(REMEDY_LABELS.switchBack)],
    });
    await switchOrganization(target.ctx);
    target.prompts.assertDone();

    const shown = target.prompts.only('warn');
    assert.match(shown.message, /Only Factify staff/);
    assert.deepEqual(shown.actions, [REMEDY_LABELS.switchBack]);
    assert.equal(lists().length, 2);
    assert.equal(lists()[0]?.headers[ORG_HEADER], server.orgs.secondary);
    assert.equal(lists()[1]?.headers[ORG_HEADER], undefined);
    assert.equal(target.organizations.current, undefined);
    const snapshot = target.store.snapshot;
    assert.equal(snapshot.error, undefined);
    assert.equal(snapshot.loaded?.query.organizationId, undefined);
    assert.ok(snapshot.loaded?.keys.every((key) => key.orgId === server.orgs.primary));
  });

  test('non-staff who keeps the override: the error stays, no other request', async () => {
    const target = await loadedApp(server.tokens.admin, {
      script: [pick('Enter organization ID'), input(server.orgs.secondary), warn()],
    });
    await switchOrganization(target.ctx);
    target.prompts.assertDone();
    assert.equal(lists().length, 1);
    assert.equal(target.organizations.current, server.orgs.secondary);
    assert.equal(target.store.snapshot.error?.kind, 'forbidden');
    assert.equal(target.store.snapshot.loaded, undefined, 'the old organization’s list is not shown under the new one');
  });

  test('choosing the token’s own organization clears the override', async () => {
    const target = await loadedApp(server.tokens.staff, {
      organization: server.orgs.secondary,
      recent: [server.orgs.secondary],
      script: [pick((item) => /^Token's own organization/.test(item.detail ?? ''))],
    });
    assert.equal(target.store.snapshot.loaded?.query.organizationId, server.orgs.secondary);
    await switchOrganization(target.ctx);
    target.prompts.assertDone();

    const recentItem = target.prompts.only('pick').items.find((item) => item.label.includes(server.orgs.secondary));
    assert.ok(recentItem, 'recently used organizations are offered');
    assert.match(recentItem.description ?? '', /current/);
    assert.equal(target.organizations.current, undefined);
    assert.equal(lists().length, 1);
    assert.equal(lists()[0]?.headers[ORG_HEADER], undefined);
    assert.ok(target.store.snapshot.loaded?.keys.every((key) => key.orgId === server.orgs.staffHome));
  });

  test('a list in flight for the old organization is discarded', async () => {
    const target = app({ token: server.tokens.staff, recent: [server.orgs.secondary], script: [pick(server.orgs.secondary)] });
    const seen: Array<string | undefined> = [];
    target.store.onDidChange(() => {
      for (const key of target.store.snapshot.loaded?.keys ?? []) seen.push(key.orgId);
    });
    const oldAnswer = deferred(); // held until the switch is done, however long the switch takes
    server.addFault({ method: 'GET', times: 1, fault: { kind: 'held', until: oldAnswer.promise } });
    try {
      const old = target.store.refresh();
      await waitFor(() => lists().length === 1, 'the first list request');
      await switchOrganization(target.ctx);
      oldAnswer.resolve();
      await old;
    } finally {
      oldAnswer.resolve();
    }
    target.prompts.assertDone();

    assert.equal(lists().length, 2);
    assert.equal(lists()[1]?.headers[ORG_HEADER], server.orgs.secondary);
    const snapshot = target.store.snapshot;
    assert.equal(snapshot.error, undefined);
    assert.equal(snapshot.loaded?.query.organizationId, server.orgs.secondary);
    assert.ok(!seen.includes(server.orgs.staffHome), 'the old organization’s keys were never shown');
    assert.ok(seen.includes(server.orgs.secondary));
    assert.equal(target.organizations.current, server.orgs.secondary);
  });
});
