/** The keys view model (src/core/keysViewModel.ts): what the view shows in each state, without VS Code. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ApiKey } from '../../src/core/apiKey';
import { FactifyError, type FactifyErrorKind } from '../../src/core/errors';
import { PAGE_SIZE } from '../../src/core/keyTree';
import { type KeysSnapshot, type LoadedKeys } from '../../src/core/keysStore';
import {
  contextKeys,
  KeyGrouping,
  REGROUP_AFTER_MS,
  rootRows,
  rowInputs,
  rowInputsChanged,
  viewDescription,
  viewMessage,
  viewState,
  type ViewInputs,
} from '../../src/core/keysViewModel';
import { makeKey } from './helpers/coreFixtures';

const NOW = Date.UTC(2026, 2, 1, 9, 30, 0);
const BODY = '01kdx2z2m3n4p5q6r7s8t9v0w1';

function key(index: number, overrides: Partial<ApiKey> = {}): ApiKey {
  const id = `key_${BODY.slice(0, -4)}${String(index).padStart(4, '0')}`;
  return makeKey({ id, orgId: `org_${BODY}`, name: `key ${index}`, prefix: `ffy_prod_${index}`, updatedAt: undefined, ...overrides });
}

function loaded(keys: readonly ApiKey[], extra: Partial<LoadedKeys> = {}): LoadedKeys {
  return { keys, rejected: [], query: { includeRevoked: false, organizationId: undefined }, loadedAt: NOW - 60_000, ...extra };
}

const SIGNED_IN: KeysSnapshot = { signedIn: true, loaded: undefined, loading: false, error: undefined, notice: undefined };

/** The inputs as the view builds them: the groups come from the grouping, over the same snapshot and filter. */
function inputs(snapshot: Partial<KeysSnapshot>, filter?: string, accountsLoaded = true): ViewInputs {
  const full = { ...SIGNED_IN, ...snapshot };
  const grouping = new KeyGrouping();
  const shown = grouping.groups(full.loaded, filter, NOW);
  return { accountsLoaded, snapshot: full, filter, shownGroups: shown.length, hadKeys: grouping.hadKeys };
}

const noRedaction = (text: string) => text;
const at = () => '10:29:00';
const message = (input: ViewInputs) => viewMessage(input, viewState(input), noRedaction, at);
const failure = (kind: FactifyErrorKind, text = 'Factify could not be reached.') => new FactifyError(kind, text);

describe('view state', () => {
  test('loading until the accounts have answered, even when the store says signed out', () => {
    assert.equal(viewState(inputs({ signedIn: false }, undefined, false)), 'loading');
  });

  test('signed out', () => {
    assert.equal(viewState(inputs({ signedIn: false })), 'signedOut');
  });

  test('loading while the first list runs, and after a failure that is being retried', () => {
    assert.equal(viewState(inputs({ loading: true })), 'loading');
    assert.equal(viewState(inputs({ loading: true, error: failure('network') })), 'loading');
  });

  test('an error without a kept list, and a kept list despite an error', () => {
    assert.equal(viewState(inputs({ error: failure('network') })), 'error');
    assert.equal(viewState(inputs({ error: failure('network'), loaded: loaded([key(1)]) })), 'ready');
  });

  test('empty, with and without revoked keys shown', () => {
    assert.equal(viewState(inputs({ loaded: loaded([]) })), 'empty');
    const revoked = key(1, { isActive: false, revokedAt: NOW - 1000 });
    // Revoked keys left out of the list leave nothing to show.
    assert.equal(viewState(inputs({ loaded: loaded([revoked]) })), 'empty');
    assert.equal(viewState(inputs({ loaded: loaded([revoked], { query: { includeRevoked: true, organizationId: undefined } }) })), 'ready');
  });

  test('filtered to nothing, and a filter over an empty list', () => {
    assert.equal(viewState(inputs({ loaded: loaded([key(1)]) }, 'no such key')), 'filteredEmpty');
    assert.equal(viewState(inputs({ loaded: loaded([key(1)]) }, 'key 1')), 'ready');
    assert.equal(viewState(inputs({ loaded: loaded([]) }, 'anything')), 'empty');
  });
});

describe('view message', () => {
  test('none while ready, loading, empty or signed out without a notice', () => {
    assert.equal(message(inputs({ loaded: loaded([key(1)]) })), undefined);
    assert.equal(message(inputs({ loading: true })), undefined);
    assert.equal(message(inputs({ loaded: loaded([]) })), undefined);
    assert.equal(message(inputs({ signedIn: false })), undefined);
  });

  test('a notice comes before everything else', () => {
    const notice = 'Factify asked to wait; refreshing again at 10:31.';
    assert.equal(message(inputs({ notice, error: failure('rateLimited'), loaded: loaded([key(1)]) }, 'key')), notice);
    assert.equal(message(inputs({ signedIn: false, notice: 'Signed out of Acme (prod).' })), 'Signed out of Acme (prod).');
  });

  test('an error without a list is the whole message, redacted and cut to 500 characters', () => {
    assert.equal(message(inputs({ error: failure('network') })), 'Factify could not be reached.');
    const long = inputs({ error: failure('server', `secret-123 ${'x'.repeat(600)}`) });
    const shown = viewMessage(long, 'error', (text) => text.replace('secret-123', '[redacted]'), at) ?? '';
    assert.match(shown, /^\[redacted\] x+/);
    assert.ok(shown.length <= 500, `${shown.length} characters`);
  });

  test('a failed refresh over a kept list says when the shown keys were loaded', () => {
    assert.equal(
      message(inputs({ error: failure('network'), loaded: loaded([key(1)]) })),
      '⚠ Refresh failed: Factify could not be reached. Showing the keys loaded 10:29:00.',
    );
    // While the retry runs, the old failure is not repeated.
    assert.equal(message(inputs({ error: failure('network'), loaded: loaded([key(1)]), loading: true })), undefined);
  });

  test('rejected records, one and several', () => {
    const rejected = (count: number) => Array.from({ length: count }, (_, index) => ({ index, id: undefined, problem: 'no name' }));
    assert.equal(
      message(inputs({ loaded: loaded([key(1)], { rejected: rejected(1) }) })),
      '⚠ 1 record from Factify was not valid and is not shown; see the log (Factify: Show Log).',
    );
    assert.equal(
      message(inputs({ loaded: loaded([key(1)], { rejected: rejected(3) }) })),
      '⚠ 3 records from Factify were not valid and are not shown; see the log (Factify: Show Log).',
    );
  });

  test('a filter says what it filters by; filtered to nothing alone is left to the welcome content', () => {
    assert.equal(message(inputs({ loaded: loaded([key(1)]) }, 'key 1')), 'Filtered by “key 1”.');
    assert.equal(message(inputs({ loaded: loaded([key(1)]) }, 'nothing')), undefined);
    assert.equal(
      message(inputs({ loaded: loaded([key(1)], { rejected: [{ index: 0, id: undefined, problem: 'x' }] }) }, 'nothing')),
      '⚠ 1 record from Factify was not valid and is not shown; see the log (Factify: Show Log). No key matches “nothing”.',
    );
    assert.equal(message(inputs({ signedIn: false }, 'key')), undefined);
  });
});

describe('description and context keys', () => {
  test('the organization, and a warning while acting as another', () => {
    assert.equal(viewDescription(undefined, 'Acme'), 'Acme');
    assert.equal(viewDescription(undefined, undefined), undefined);
    assert.equal(viewDescription('org_x', 'Partner'), '⚠ acting as Partner');
    assert.equal(viewDescription('org_x', undefined), '⚠ acting as org_x');
  });

  test('the context keys follow the state, the sign-in, the filter and the setting', () => {
    const input = inputs({ loaded: loaded([key(1)]) }, 'key');
    assert.deepEqual(contextKeys('ready', input, true), {
      'factify.state': 'ready',
      'factify.signedIn': true,
      'factify.filterActive': true,
      'factify.showRevoked': true,
    });
    assert.deepEqual(contextKeys('signedOut', inputs({ signedIn: false }), false), {
      'factify.state': 'signedOut',
      'factify.signedIn': false,
      'factify.filterActive': false,
      'factify.showRevoked': false,
    });
  });
});

describe('root rows', () => {
  test('the groups, unless an error or a sign-out notice hides the welcome content', () => {
    assert.deepEqual(rootRows('ready', SIGNED_IN, false), { groups: true });
    assert.deepEqual(rootRows('signedOut', { ...SIGNED_IN, signedIn: false }, false), { groups: true });
    assert.deepEqual(rootRows('signedOut', { ...SIGNED_IN, signedIn: false, notice: 'Signed out.' }, false), { remedies: ['setToken'] });
  });

  test('an error offers its remedies from the table', () => {
    const rows = (kind: FactifyErrorKind, override = false) => rootRows('error', { ...SIGNED_IN, error: failure(kind) }, override);
    assert.deepEqual(rows('unauthorized'), { remedies: ['refresh', 'setToken', 'showLog'] });
    assert.deepEqual(rows('forbidden', true), { remedies: ['refresh', 'switchOrganization', 'showLog'] });
    assert.deepEqual(rows('tls'), { remedies: ['refresh', 'openSettings', 'showLog'] });
    assert.deepEqual(rows('server'), { remedies: ['refresh', 'showLog'] });
    assert.deepEqual(rows('server', true), { remedies: ['refresh', 'switchOrganization', 'showLog'] });
  });
});

describe('grouping and paging', () => {
  const list = loaded([key(1), key(2, { name: 'deploy' }), key(3, { isActive: false })]);

  test('the same list and filter give back the same groups; a new filter narrows them', () => {
    const grouping = new KeyGrouping();
    const first = grouping.groups(list, undefined, NOW);
    assert.equal(grouping.groups(list, undefined, NOW + 1000), first);
    assert.deepEqual(
      first.map((group) => [group.state, group.keys.length]),
      [
        ['active', 2],
        ['inactive', 1],
      ],
    );
    const filtered = grouping.groups(list, 'deploy', NOW);
    assert.deepEqual(
      filtered.map((group) => [group.state, group.keys.length, group.total]),
      [['active', 1, 2]],
    );
    assert.deepEqual(grouping.groups(undefined, undefined, NOW), []);
  });

  test('groups again after a minute, since keys expire with time', () => {
    const expiring = loaded([key(1, { expiresAt: NOW + 30_000 })]);
    const grouping = new KeyGrouping();
    assert.deepEqual(
      grouping.groups(expiring, undefined, NOW).map((group) => group.state),
      ['active'],
    );
    assert.deepEqual(
      grouping.groups(expiring, undefined, NOW + REGROUP_AFTER_MS / 2).map((group) => group.state),
      ['active'],
    );
    assert.deepEqual(
      grouping.groups(expiring, undefined, NOW + REGROUP_AFTER_MS + 1).map((group) => group.state),
      ['expired'],
    );
  });

  test('pages by PAGE_SIZE, pages down to a key, and starts over', () => {
    const grouping = new KeyGrouping();
    assert.equal(grouping.pageLimit('active'), PAGE_SIZE);
    grouping.showMore('active');
    assert.equal(grouping.pageLimit('active'), 2 * PAGE_SIZE);
    assert.equal(grouping.pageTo('active', 10), false);
    assert.equal(grouping.pageTo('expired', PAGE_SIZE * 2 + 3), true);
    assert.equal(grouping.pageLimit('expired'), 3 * PAGE_SIZE);
    grouping.resetPaging();
    assert.equal(grouping.pageLimit('active'), PAGE_SIZE);
    assert.equal(grouping.pageLimit('expired'), PAGE_SIZE);
  });

  test('the rows are rebuilt only when what they show changed', () => {
    const input = inputs({ loaded: list });
    const before = rowInputs('ready', input, undefined, NOW, 14);
    assert.equal(rowInputsChanged(undefined, before), true);
    assert.equal(rowInputsChanged(before, rowInputs('ready', inputs({ loaded: list }), undefined, NOW + 1, 14)), false);
    assert.equal(rowInputsChanged(before, rowInputs('ready', inputs({ loaded: list }, 'key'), undefined, NOW, 14)), true);
    assert.equal(rowInputsChanged(before, rowInputs('ready', input, 'org_x', NOW, 14)), true);
    assert.equal(rowInputsChanged(before, rowInputs('ready', inputs({ loaded: loaded([...list.keys]) }), undefined, NOW, 14)), true);
    assert.equal(rowInputsChanged(before, rowInputs('ready', input, undefined, NOW + REGROUP_AFTER_MS, 14)), true);
    assert.equal(rowInputsChanged(before, rowInputs('ready', input, undefined, NOW, 30)), true, 'the expiry warning changes the rows');
  });
});
