/** The table of remedies (src/core/remedies.ts): the view's rows and the notification buttons per error kind. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type FactifyErrorKind } from '../../src/core/errors';
import { notificationRemedies, pointsToLog, REMEDY_LABELS, viewRemedies } from '../../src/core/remedies';

const error = (kind: FactifyErrorKind, message = 'Something failed.') => ({ kind, message });

describe('view rows after an error', () => {
  test('every error offers Refresh first and Show Log last', () => {
    for (const kind of ['badRequest', 'conflict', 'rateLimited', 'server', 'cancelled', 'notSent', 'internal'] as const)
      assert.deepEqual(viewRemedies(error(kind), false), ['refresh', 'showLog'], kind);
    assert.deepEqual(viewRemedies(undefined, false), ['refresh', 'showLog']);
  });

  test('a 401 offers a new token', () => {
    assert.deepEqual(viewRemedies(error('unauthorized'), false), ['refresh', 'setToken', 'showLog']);
  });

  test('a 403 or 404 offers another organization, with or without an override', () => {
    for (const kind of ['forbidden', 'notFound'] as const) {
      assert.deepEqual(viewRemedies(error(kind), false), ['refresh', 'switchOrganization', 'showLog'], kind);
      assert.deepEqual(viewRemedies(error(kind), true), ['refresh', 'switchOrganization', 'showLog'], kind);
    }
  });

  test('errors the settings decide offer the settings', () => {
    for (const kind of ['invalidConfig', 'network', 'tls', 'redirect', 'invalidResponse', 'timeout'] as const)
      assert.deepEqual(viewRemedies(error(kind), false), ['refresh', 'openSettings', 'showLog'], kind);
  });

  test('an override adds Switch Organization… in its place, before the settings', () => {
    assert.deepEqual(viewRemedies(error('network'), true), ['refresh', 'switchOrganization', 'openSettings', 'showLog']);
    assert.deepEqual(viewRemedies(error('unauthorized'), true), ['refresh', 'setToken', 'switchOrganization', 'showLog']);
    assert.deepEqual(viewRemedies(error('server'), true), ['refresh', 'switchOrganization', 'showLog']);
  });
});

describe('notification buttons', () => {
  test('a 401 offers a new token, under an override too', () => {
    assert.deepEqual(notificationRemedies(error('unauthorized'), false), ['setToken']);
    assert.deepEqual(notificationRemedies(error('unauthorized'), true), ['setToken']);
  });

  test('a 403 offers the way back only under an override', () => {
    assert.deepEqual(notificationRemedies(error('forbidden'), true), ['switchBack']);
    assert.deepEqual(notificationRemedies(error('forbidden'), false), []);
    assert.deepEqual(notificationRemedies(error('notFound'), true), []);
  });

  test('a message that points to the log gets Show Log', () => {
    const internal = error('internal', 'Something unexpected went wrong. Details are in the log (“Factify: Show Log”).');
    assert.deepEqual(notificationRemedies(internal, false), ['showLog']);
    assert.deepEqual(notificationRemedies(error('network', 'No connection.'), false), []);
    // The message shown can be a summary about the error rather than its own text.
    assert.deepEqual(notificationRemedies(error('unauthorized'), false, 'Revoked 0 of 7 API keys. …and 2 more (see the log).'), [
      'setToken',
      'showLog',
    ]);
  });

  test('what points to the log', () => {
    assert.equal(pointsToLog('If it keeps happening, see the log.'), true);
    assert.equal(pointsToLog('Not checked: 2 files with key-like text (listed in the log).'), true);
    assert.equal(pointsToLog('Details are in the log (“Factify: Show Log”).'), true);
    assert.equal(pointsToLog('Factify did not accept this token (401).'), false);
    assert.equal(pointsToLog('The catalogue was not found.'), false);
  });

  test('the labels are the words the buttons and rows show', () => {
    assert.deepEqual(REMEDY_LABELS, {
      setToken: 'Set API Token…',
      switchBack: 'Switch Back',
      switchOrganization: 'Switch Organization…',
      openSettings: 'Open Factify Settings',
      refresh: 'Refresh',
      showLog: 'Show Log',
    });
  });
});
