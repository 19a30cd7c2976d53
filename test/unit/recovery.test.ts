/** Notifications about an error (src/flows/recovery.ts): the table's buttons, and what choosing one does. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FactifyError } from '../../src/core/errors';
import { notifyError, offerRecovery } from '../../src/flows/recovery';
import { error, escapeInput, warn } from './helpers/scriptedPrompts';
import { createTestApp, type TestApp } from './helpers/testApp';

/** Nothing here reaches a server: the port is closed. */
const CLOSED = 'http://127.0.0.1:9';

function app(script: Parameters<typeof createTestApp>[0]['script'], organization?: string): TestApp & { logShown: () => number } {
  const target = createTestApp({ baseUrl: CLOSED, script, ...(organization ? { organization } : {}) });
  let shown = 0;
  Object.assign(target.log, { show: () => void shown++ });
  return Object.assign(target, { logShown: () => shown });
}

const messages = (target: TestApp) => target.prompts.shown.filter((shown) => shown.kind !== 'input' && shown.kind !== 'pick');

describe('notifications about an error', () => {
  test('a message that says the details are in the log offers Show Log, and Show Log shows it', async () => {
    const target = app([error('Show Log')]);
    const internal = new FactifyError('internal', 'Something unexpected went wrong. Details are in the log (“Factify: Show Log”).');
    await notifyError(target.ctx, internal);
    assert.deepEqual(
      messages(target).map((shown) => (shown.kind === 'error' ? shown.actions : [])),
      [['Show Log']],
    );
    assert.equal(target.logShown(), 1);
  });

  test('an error with nothing to offer has no buttons, and offerRecovery leaves it to the caller', async () => {
    const target = app([error()]);
    const network = new FactifyError('network', 'Factify could not be reached.');
    assert.equal(await offerRecovery(target.ctx, network), false);
    assert.equal(target.prompts.shown.length, 0);
    await notifyError(target.ctx, network);
    const [shown] = messages(target);
    assert.ok(shown && shown.kind === 'error');
    assert.deepEqual(shown.actions, []);
    assert.equal(target.logShown(), 0);
  });

  test('a 401 offers a new token; choosing it asks for the token', async () => {
    const target = app([error('Set API Token…'), escapeInput()]);
    assert.equal(await offerRecovery(target.ctx, new FactifyError('unauthorized', 'Factify did not accept the token (401).')), true);
    const [shown] = messages(target);
    assert.ok(shown && shown.kind === 'error');
    assert.deepEqual(shown.actions, ['Set API Token…']);
    assert.ok(target.prompts.shown.some((step) => step.kind === 'input'));
  });

  test('a 403 under an override is a warning offering the way back', async () => {
    const target = app([warn()], 'org_01kdx2z2m3n4p5q6r7s8t9v0w1');
    assert.equal(
      await offerRecovery(target.ctx, new FactifyError('forbidden', 'Only Factify staff may act as another organization.')),
      true,
    );
    const [shown] = messages(target);
    assert.ok(shown && shown.kind === 'warn');
    assert.deepEqual(shown.actions, ['Switch Back']);
  });
});
