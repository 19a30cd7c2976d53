/** Switch Organization: the staff override header, and the 403 path for everyone else. */
import assert from 'node:assert/strict';
import {
  bearer,
  control,
  env,
  input,
  isList,
  pick,
  pickOwnOrganization,
  resetAll,
  runScripted,
  signInAs,
  view,
  waitForKeysOf,
  waitForRequest,
} from './host';

const ORG_HEADER = 'x-factify-organization-id';
const SWITCH_BACK = 'Switch Back';

suite('Switch Organization…', () => {
  suiteTeardown(resetAll);

  test("as staff: an entered organization id is sent as X-Factify-Organization-Id and that organization's keys are shown", async () => {
    await signInAs(env.tokens.staff, env.orgs.staffHome);
    const keysView = await view();
    await control.clearRequests();
    const script = await runScripted('factify.switchOrganization', [
      pick('Enter organization ID'),
      input(env.orgs.secondary, ['org_notvalid', 'key_01k8aaaaaaaaaaaaaaaaaaaaaa']),
    ]);
    const box = script.of('input')[0];
    assert.deepEqual(
      box?.validation?.map((message) => message !== ''),
      [false, true, true],
      `validation: ${JSON.stringify(box?.validation)}`,
    );

    const list = await waitForRequest((r) => isList(r) && r.headers[ORG_HEADER] === env.orgs.secondary, 'a list with the override header');
    assert.equal(list.headers.authorization, bearer(env.tokens.staff));
    await waitForKeysOf(env.orgs.secondary, false);
    assert.match(String(keysView.treeView.description ?? ''), new RegExp(`acting as ${env.orgs.secondary}`), 'the override is visible');
    for (const request of (await control.requests()).filter(isList)) {
      assert.equal(request.headers[ORG_HEADER], env.orgs.secondary, 'every request after the switch carries the override');
    }

    // The organization is now offered as recently used; the token's own organization drops the header.
    await control.clearRequests();
    const back = await runScripted('factify.switchOrganization', [pickOwnOrganization()]);
    assert.ok(
      back.of('pick')[0]?.items?.some((label) => label.includes(env.orgs.secondary)),
      `recent organizations: ${JSON.stringify(back.of('pick')[0]?.items)}`,
    );
    const own = await waitForRequest(isList, 'a list without the override');
    assert.equal(own.headers[ORG_HEADER], undefined);
    await waitForKeysOf(env.orgs.staffHome, false);
    assert.doesNotMatch(String(keysView.treeView.description ?? ''), /acting as/);
  });

  test('as a non-staff token: the override gets 403, the user is told only staff can, and Switch Back returns to the own organization', async () => {
    await signInAs(env.tokens.admin, env.orgs.primary);
    const keysView = await view();
    await control.clearRequests();
    const script = await runScripted('factify.switchOrganization', [pick('Enter organization ID'), input(env.orgs.secondary)], {
      messages: (_kind, _message, actions) => (actions.includes(SWITCH_BACK) ? SWITCH_BACK : undefined),
    });

    const forbidden = await waitForRequest((r) => isList(r) && r.headers[ORG_HEADER] === env.orgs.secondary, 'the list under the override');
    assert.equal(forbidden.headers.authorization, bearer(env.tokens.admin));
    const offer = script.calls.find((call) => call.buttons?.includes(SWITCH_BACK));
    assert.ok(offer, `a message offering ${SWITCH_BACK}: ${JSON.stringify(script.calls)}`);
    assert.match(offer.text, /staff/i);
    assert.match(offer.text, /403/);

    const requests = await control.requests();
    const lastOverride = requests.map((r) => r.headers[ORG_HEADER]).lastIndexOf(env.orgs.secondary);
    const after = requests.slice(lastOverride + 1).filter(isList);
    assert.ok(after.length > 0 && after.every((r) => r.headers[ORG_HEADER] === undefined), 'back to requests without the override');
    await waitForKeysOf(env.orgs.primary, false);
    assert.doesNotMatch(String(keysView.treeView.description ?? ''), /acting as/);
    assert.match(String(keysView.treeView.description ?? ''), new RegExp(env.orgs.primary));
  });
});
