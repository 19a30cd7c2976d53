/**
 * package.json's commands, menus and keybindings, with their `when` clauses evaluated against the contexts
 * the extension sets. Views and settings are in manifestViews.test.ts; the listing, walkthrough and
 * packaging in manifestListing.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKeyList, type ApiKey } from '../../src/core/apiKey';
import { keyRow } from '../../src/core/keyTree';
import { SPEC_COMMANDS } from '../integration/specNames';
import { ROOT, VIEW, command, contributes, evaluate, menu, type Context, type Keybinding } from './helpers/manifest';

const ITEM_ONLY = ['factify.copyKeyId', 'factify.copyKeyPrefix', 'factify.editFilter', 'factify.showMoreKeys'];

test('the when-clause evaluator itself', () => {
  assert.equal(evaluate('a && !b', { a: true, b: false }), true);
  assert.equal(evaluate('a && !b', { a: true, b: true }), false);
  assert.equal(evaluate('a || b', { a: false, b: true }), true);
  assert.equal(evaluate('x == y', { x: 'y' }), true);
  assert.equal(evaluate('x != y', { x: 'y' }), false);
  assert.equal(evaluate('v =~ /^a\\.b$/', { v: 'a.b' }), true);
  assert.equal(evaluate('v =~ /^a\\.b$/', { v: 'axb' }), false);
  assert.equal(evaluate('false', {}), false);
  assert.throws(() => evaluate('(a)', { a: true }));
});

// ---------------------------------------------------------------------------------------------------------

describe('commands', () => {
  test('every SPEC command with its exact title in category Factify', () => {
    for (const [id, title] of SPEC_COMMANDS) {
      const found = command(id);
      assert.equal(found.title, title, id);
      assert.equal(found.category, 'Factify', id);
    }
  });

  test('every contributed command is in category Factify, once', () => {
    const ids = contributes.commands.map((candidate) => candidate.command);
    assert.equal(new Set(ids).size, ids.length, 'no duplicate command ids');
    for (const candidate of contributes.commands) {
      assert.equal(candidate.category, 'Factify', candidate.command);
      assert.match(candidate.command, /^factify\./);
    }
  });

  test('item-only commands are hidden from the palette (when: false)', () => {
    const palette = menu('commandPalette');
    for (const id of ITEM_ONLY) {
      command(id);
      const entries = palette.filter((entry) => entry.command === id);
      assert.equal(entries.length, 1, `${id} needs one commandPalette entry`);
      assert.equal(entries[0]?.when, 'false', `${id} must be hidden from the palette`);
    }
  });

  test('commands that can ask which key, or need none, are not hidden from the palette', () => {
    const palette = menu('commandPalette');
    for (const [id] of SPEC_COMMANDS) {
      if (ITEM_ONLY.includes(id)) continue;
      for (const entry of palette.filter((candidate) => candidate.command === id)) {
        assert.notEqual(entry.when?.trim(), 'false', `${id} belongs in the palette`);
      }
    }
    // Signed in, the palette offers revoke (it asks which key) and the account commands.
    const signedIn = { 'factify.signedIn': true };
    for (const id of [
      'factify.revokeKey',
      'factify.signOut',
      'factify.refresh',
      'factify.switchOrganization',
      'factify.renameOrganization',
      'factify.filterKeys',
    ]) {
      const entry = palette.find((candidate) => candidate.command === id);
      assert.ok(evaluate(entry?.when, signedIn), `${id} is in the palette when signed in`);
    }
  });
});

describe('key context menu', () => {
  const NOW = Date.parse('2026-03-01T12:00:00Z');
  const day = 86_400_000;
  const iso = (offsetDays: number) => new Date(NOW + offsetDays * day).toISOString();
  const validId = (n: number) => `key_01k8${String(n).padStart(22, '0')}`;
  const record = (n: number, name: string, fields: Record<string, unknown>) => ({
    id: validId(n),
    org_id: `org_${'0'.repeat(26)}`,
    name,
    prefix: `ffy_prod_01k8abc${n}...`,
    created_at: iso(-100),
    updated_at: iso(-10),
    is_active: true,
    expires_at: null,
    revoked_at: null,
    revoked_by: null,
    revoked_comment: null,
    ...fields,
  });
  const cases: ReadonlyArray<readonly [ReturnType<typeof record>, boolean]> = [
    [record(1, 'active', { expires_at: iso(200) }), true],
    [record(2, 'active, never expires', {}), true],
    [record(3, 'expiring soon', { expires_at: iso(3) }), true],
    [record(4, 'expired but is_active', { expires_at: iso(-5) }), true],
    [record(5, 'inactive', { is_active: false, expires_at: iso(60) }), true],
    [record(6, 'revoked', { is_active: false, revoked_at: iso(-12), revoked_by: 'usr_x', revoked_comment: 'rotated' }), false],
    [record(7, 'revoked while is_active', { revoked_at: iso(-45) }), false],
    [record(8, 'revoked and expired', { revoked_at: iso(-45), expires_at: iso(-1) }), false],
    [record(9, 'invalid id, active', { id: 'key_NOT-A-FACTIFY-ID' }), false],
    [record(10, 'invalid id, expired', { id: 'KEY_01K8', expires_at: iso(-5) }), false],
    [record(11, 'invalid id, inactive', { id: `key_${'i'.repeat(26)}`, is_active: false }), false],
  ];
  const list = parseKeyList({ api_keys: cases.map(([raw]) => raw) });
  assert.equal(list.rejected.length, 0, JSON.stringify(list.rejected));
  const rows = list.keys.map((key: ApiKey, index) => ({ key, row: keyRow(key, NOW, 14), revocable: cases[index]?.[1] as boolean }));
  const revokeEntries = menu('view/item/context').filter((entry) => entry.command === 'factify.revokeKey');

  test('revokeKey is in the context menu and inline', () => {
    assert.ok(
      revokeEntries.some((entry) => entry.group === 'inline'),
      'an inline entry',
    );
    assert.ok(
      revokeEntries.some((entry) => entry.group !== undefined && entry.group !== 'inline'),
      'a context-menu entry',
    );
    for (const entry of revokeEntries) assert.match(entry.when ?? '', /viewItem\s*=~\s*\//, 'keyed off the contextValue pattern');
  });

  test('revokeKey shows exactly for revocable contextValues from keyRow()', () => {
    for (const { key, row, revocable } of rows) {
      for (const entry of revokeEntries) {
        assert.equal(
          evaluate(entry.when, { view: VIEW, viewItem: row.contextValue }),
          revocable,
          `${key.name} (${row.contextValue}) ${revocable ? 'must' : 'must not'} offer revoke in group ${entry.group}`,
        );
        assert.equal(evaluate(entry.when, { view: 'explorer', viewItem: row.contextValue }), false, 'only in the Factify view');
      }
    }
  });

  test('the state is part of every contextValue', () => {
    const states = new Set(rows.map(({ row }) => row.contextValue.split('.')[1]));
    assert.deepEqual([...states].sort(), ['active', 'expired', 'inactive', 'revoked']);
  });

  test('copy commands apply to every key, revoked and invalid ids included', () => {
    for (const id of ['factify.copyKeyId', 'factify.copyKeyPrefix']) {
      const entries = menu('view/item/context').filter((entry) => entry.command === id);
      assert.ok(entries.length > 0, `${id} is in the context menu`);
      for (const { row } of rows) {
        assert.ok(
          entries.some((entry) => evaluate(entry.when, { view: VIEW, viewItem: row.contextValue })),
          `${id} for ${row.contextValue}`,
        );
      }
      for (const entry of entries)
        assert.equal(evaluate(entry.when, { view: VIEW, viewItem: 'group.active' }), false, `${id} not on group rows`);
    }
  });
});

describe('view title', () => {
  const visible = (context: Context) =>
    menu('view/title')
      .filter((entry) => evaluate(entry.when, { view: VIEW, ...context }))
      .map((entry) => entry.command);

  test('Show/Hide Revoked Keys: exactly one, toggled by factify.showRevoked', () => {
    for (const showRevoked of [false, true]) {
      const shown = visible({ 'factify.signedIn': true, 'factify.showRevoked': showRevoked }).filter(
        (id) => id === 'factify.showRevokedKeys' || id === 'factify.hideRevokedKeys',
      );
      assert.deepEqual(shown, [showRevoked ? 'factify.hideRevokedKeys' : 'factify.showRevokedKeys'], `showRevoked=${showRevoked}`);
    }
    for (const showRevoked of [false, true]) {
      const palette = menu('commandPalette').filter(
        (entry) =>
          (entry.command === 'factify.showRevokedKeys' || entry.command === 'factify.hideRevokedKeys') &&
          evaluate(entry.when, { 'factify.signedIn': true, 'factify.showRevoked': showRevoked }),
      );
      assert.equal(palette.length, 1, `one of show/hide in the palette (showRevoked=${showRevoked})`);
    }
  });

  test('Filter Keys… vs the filled filter icon, by factify.filterActive', () => {
    assert.equal(command('factify.filterKeys').icon, '$(filter)');
    assert.equal(command('factify.editFilter').icon, '$(filter-filled)');
    assert.equal(command('factify.editFilter').title, 'Filter Keys…');
    for (const filterActive of [false, true]) {
      const shown = visible({ 'factify.signedIn': true, 'factify.filterActive': filterActive }).filter(
        (id) => id === 'factify.filterKeys' || id === 'factify.editFilter',
      );
      assert.deepEqual(shown, [filterActive ? 'factify.editFilter' : 'factify.filterKeys'], `filterActive=${filterActive}`);
      assert.equal(
        visible({ 'factify.signedIn': true, 'factify.filterActive': filterActive }).includes('factify.clearFilter'),
        filterActive,
      );
    }
  });

  test('refresh and switch organization in the title while signed in; sign-in always in the view menu', () => {
    const signedIn = visible({ 'factify.signedIn': true });
    for (const id of ['factify.refresh', 'factify.switchOrganization', 'factify.signIn', 'factify.signOut'])
      assert.ok(signedIn.includes(id), id);
    const signedOut = visible({ 'factify.signedIn': false });
    assert.ok(signedOut.includes('factify.signIn'));
    assert.ok(!signedOut.includes('factify.signOut'));
    assert.ok(!signedOut.includes('factify.refresh'));
  });
});

describe('keys in files', () => {
  test('the commands, where they show, and the settings', () => {
    assert.equal(command('factify.findKeysInWorkspace').title, 'Find API Keys in Workspace');
    assert.equal(command('factify.showKeyLocations').title, 'Show Where This Key Appears');
    const palette = menu('commandPalette');
    assert.ok(
      !palette.some((entry) => entry.command === 'factify.findKeysInWorkspace' && entry.when === 'false'),
      'the scan is in the palette',
    );
    assert.equal(
      palette.find((entry) => entry.command === 'factify.showKeyLocations')?.when,
      'false',
      'locations need a key: not in the palette',
    );
    const title = menu('view/title').find((entry) => entry.command === 'factify.findKeysInWorkspace');
    assert.ok(title && evaluate(title.when, { view: VIEW }), 'the scan is in the view title menu');
    const properties = contributes.configuration.properties;
    assert.equal(properties['factify.leakDetection.enabled']?.type, 'boolean');
    assert.equal(properties['factify.leakDetection.enabled']?.default, true);
    assert.equal(properties['factify.leakDetection.maxFileSizeKB']?.type, 'integer');
    assert.equal(properties['factify.leakDetection.maxFileSizeKB']?.default, 1024);
  });

  test('Show Where This Key Appears is on found keys only; revoke still on every revocable key, found or not', () => {
    const key = parseKeyList({
      api_keys: [
        { id: `key_01k8${'0'.repeat(22)}`, name: 'k', prefix: 'ffy_prod_01k8abcd...', is_active: true, created_at: '2026-01-01T00:00:00Z' },
      ],
    }).keys[0];
    assert.ok(key);
    const now = Date.parse('2026-03-01T00:00:00Z');
    const found = keyRow(key, now, 14, ['src/a.ts:3']);
    const plain = keyRow(key, now, 14);
    assert.match(found.description, /found in a file/);
    assert.ok(!/found/.test(plain.description));
    const items = menu('view/item/context');
    const locations = items.find((entry) => entry.command === 'factify.showKeyLocations');
    assert.ok(locations);
    assert.equal(evaluate(locations.when, { view: VIEW, viewItem: found.contextValue }), true);
    assert.equal(evaluate(locations.when, { view: VIEW, viewItem: plain.contextValue }), false);
    for (const revoke of items.filter((entry) => entry.command === 'factify.revokeKey')) {
      assert.equal(evaluate(revoke.when, { view: VIEW, viewItem: found.contextValue }), true);
      assert.equal(evaluate(revoke.when, { view: VIEW, viewItem: plain.contextValue }), true);
    }
  });
});

describe('keybindings', () => {
  const keybindings = contributes.keybindings ?? [];
  const bound = (command: string): Keybinding => {
    const found = keybindings.filter((binding) => binding.command === command);
    assert.equal(found.length, 1, `one keybinding for ${command}`);
    return found[0] as Keybinding;
  };
  const treeFocused = { focusedView: VIEW, listFocus: true, inputFocus: false };

  test('Delete (Cmd+Backspace on macOS) revokes, Ctrl+C (Cmd+C) copies the key id', () => {
    assert.deepEqual([bound('factify.revokeKey').key, bound('factify.revokeKey').mac], ['delete', 'cmd+backspace']);
    assert.deepEqual([bound('factify.copyKeyId').key, bound('factify.copyKeyId').mac], ['ctrl+c', 'cmd+c']);
  });

  test("only while the API Keys tree has focus: never in an editor, another view, or the tree's find box", () => {
    for (const binding of keybindings) {
      assert.equal(evaluate(binding.when, treeFocused), true, `${binding.command} in the focused tree`);
      assert.equal(
        evaluate(binding.when, { ...treeFocused, focusedView: 'workbench.explorer.fileView' }),
        false,
        `${binding.command} in the Explorer`,
      );
      assert.equal(
        evaluate(binding.when, { listFocus: false, inputFocus: false, editorTextFocus: true }),
        false,
        `${binding.command} in an editor`,
      );
      assert.equal(evaluate(binding.when, { ...treeFocused, inputFocus: true }), false, `${binding.command} while typing in the view`);
      assert.equal(evaluate(binding.when, { ...treeFocused, listFocus: false }), false, `${binding.command} on the view's welcome buttons`);
    }
  });

  test('keybindings pass the marker that makes the command act on the selected rows', () => {
    const source = readFileSync(join(ROOT, 'src', 'commands.ts'), 'utf8');
    for (const binding of keybindings) {
      assert.equal(binding.args, 'selectedKeys', binding.command);
      assert.ok(source.includes(`const SELECTED_KEYS = '${String(binding.args)}'`), 'commands.ts reads the same marker');
    }
  });
});
