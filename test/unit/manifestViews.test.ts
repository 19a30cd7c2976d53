/** package.json's accounts, views, welcome content and settings. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VIEW, contributes, evaluate } from './helpers/manifest';

describe('accounts', () => {
  test('the authentication provider factify (label Factify) puts the accounts in the Accounts menu', () => {
    assert.deepEqual(contributes.authentication, [{ id: 'factify', label: 'Factify' }]);
  });
});

describe('views', () => {
  test('activity-bar container factify holds the view factify.apiKeys “API Keys”', () => {
    const container = contributes.viewsContainers.activitybar.find((candidate) => candidate.id === 'factify');
    assert.equal(container?.title, 'Factify');
    assert.match(container?.icon ?? '', /^media\/.+\.svg$/);
    assert.deepEqual(
      contributes.views['factify']?.map((view) => [view.id, view.name]),
      [[VIEW, 'API Keys']],
    );
  });

  // The error state has a message, and VS Code hides welcome content under a message: its ways out are rows.
  test('welcome content for signedOut, loading, empty and filteredEmpty', () => {
    for (const state of ['signedOut', 'loading', 'empty', 'filteredEmpty']) {
      for (const showRevoked of [false, true]) {
        const matching = contributes.viewsWelcome.filter(
          (welcome) => welcome.view === VIEW && evaluate(welcome.when, { 'factify.state': state, 'factify.showRevoked': showRevoked }),
        );
        assert.equal(matching.length, 1, `exactly one welcome for ${state} (showRevoked=${showRevoked})`);
        assert.ok((matching[0]?.contents.trim().length ?? 0) > 10, `${state} says what happened`);
      }
    }
    const signedOut = contributes.viewsWelcome.find((welcome) => evaluate(welcome.when, { 'factify.state': 'signedOut' }));
    assert.match(signedOut?.contents ?? '', /\]\(command:factify\.signIn\)/);
    const loaded = contributes.viewsWelcome.filter((welcome) => evaluate(welcome.when, { 'factify.state': 'loaded' }));
    assert.equal(loaded.length, 0, 'no welcome content over a list');
  });

  test('welcome links point at contributed commands (or settings)', () => {
    const ids = new Set(contributes.commands.map((candidate) => candidate.command));
    for (const welcome of contributes.viewsWelcome) {
      for (const match of welcome.contents.matchAll(/\]\(command:([\w.]+)/g)) {
        const id = match[1] as string;
        assert.ok(ids.has(id) || id.startsWith('workbench.'), `${id} linked from welcome content`);
      }
    }
  });
});

describe('settings: defaults, types and scopes', () => {
  const SETTINGS: ReadonlyArray<readonly [string, string, unknown]> = [
    ['factify.apiBaseUrl', 'string', 'https://api.factify.com'],
    ['factify.showRevokedKeys', 'boolean', false],
    ['factify.expiryWarningDays', 'integer', 14],
    ['factify.autoRefreshSeconds', 'integer', 0],
    ['factify.confirmRevoke', 'boolean', true],
    ['factify.requestTimeoutSeconds', 'integer', 30],
    ['factify.expiryReminders', 'boolean', true],
  ];

  test('every setting with its type and default', () => {
    const properties = contributes.configuration.properties;
    for (const [key, type, defaultValue] of SETTINGS) {
      const setting = properties[key];
      assert.ok(setting, `${key} is contributed`);
      assert.equal(setting.type, type, key);
      assert.deepEqual(setting.default, defaultValue, key);
    }
  });

  test('factify.apiBaseUrl has application scope: a workspace cannot redirect the token', () => {
    assert.equal(contributes.configuration.properties['factify.apiBaseUrl']?.scope, 'application');
  });
});
