/**
 * package.json (and .vscodeignore) against SPEC sections 2–4: commands, menus and their `when` clauses
 * (evaluated, not just string-compared), welcome views, settings, activation and packaging.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { parseKeyList, type ApiKey } from '../../src/core/apiKey';
import { keyRow } from '../../src/core/keyTree';
import { SPEC_COMMANDS } from '../integration/specNames';

// out/test/unit → repository root
const ROOT = join(__dirname, '..', '..', '..');

interface Command {
  command: string;
  title: string;
  category?: string;
  icon?: string;
}
interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}
interface Welcome {
  view: string;
  when?: string;
  contents: string;
}
interface Setting {
  type: string;
  default: unknown;
  scope?: string;
}
interface Keybinding {
  command: string;
  key: string;
  mac?: string;
  when?: string;
  args?: unknown;
}
interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string; altText?: string };
  completionEvents?: string[];
}
interface Walkthrough {
  id: string;
  title: string;
  description: string;
  steps: WalkthroughStep[];
}
interface Manifest {
  main: string;
  icon?: string;
  galleryBanner?: { color: string; theme: string };
  repository: { url: string };
  bugs?: { url: string };
  homepage?: string;
  engines: { vscode: string };
  activationEvents?: string[];
  devDependencies: Record<string, string>;
  contributes: {
    commands: Command[];
    menus: Record<string, MenuItem[]>;
    viewsWelcome: Welcome[];
    views: Record<string, Array<{ id: string; name: string }>>;
    viewsContainers: { activitybar: Array<{ id: string; title: string; icon: string }> };
    configuration: { properties: Record<string, Setting> };
    keybindings?: Keybinding[];
    walkthroughs?: Walkthrough[];
    authentication?: Array<{ id: string; label: string }>;
  };
}

type Nls = Record<string, string>;
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
const nls = { en: readJson('package.nls.json') as Nls, de: readJson('package.nls.de.json') as Nls };

/** The manifest as VS Code shows it in a language: every `%key%` replaced from that language's package.nls. */
function localized(value: unknown, strings: Nls): unknown {
  if (typeof value === 'string') {
    const key = /^%([^%]+)%$/.exec(value)?.[1];
    return key !== undefined && Object.hasOwn(strings, key) ? strings[key] : value;
  }
  if (Array.isArray(value)) return value.map((item) => localized(item, strings));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, localized(item, strings)]));
  }
  return value;
}

/** package.json as written, with its `%key%` references. */
const rawManifest = readJson('package.json') as Manifest & { displayName: string; description: string };
/** package.json as VS Code shows it in English: what the tests below check. */
const manifest = localized(rawManifest, nls.en) as Manifest;
const { contributes } = manifest;

// ---------------------------------------------------------------------------------------------------------
// A small evaluator for the `when` clause subset the manifest uses: &&, ||, !, ==, !=, =~ /re/flags,
// true/false and context keys. Parentheses and other operators are refused so that the test never guesses.

type Context = Readonly<Record<string, string | boolean | undefined>>;
type Token =
  { kind: 'op'; value: '&&' | '||' | '!' | '==' | '!=' | '=~' } | { kind: 'word'; value: string } | { kind: 'regex'; value: RegExp };

function tokenize(clause: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < clause.length) {
    const rest = clause.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const op = /^(&&|\|\||==|!=|=~|!)/.exec(rest);
    if (op) {
      tokens.push({ kind: 'op', value: op[1] as '&&' });
      i += op[0].length;
      if (op[1] === '=~') {
        const literal = /^\s*\/((?:\\.|[^/\\])*)\/([a-z]*)/.exec(clause.slice(i));
        assert.ok(literal, `a regex literal must follow =~ in: ${clause}`);
        tokens.push({ kind: 'regex', value: new RegExp(literal[1] as string, literal[2]) });
        i += literal[0].length;
      }
      continue;
    }
    const word = /^[^\s&|!=()<>]+/.exec(rest);
    assert.ok(word, `unsupported when-clause syntax at “${rest}” in: ${clause}`);
    tokens.push({ kind: 'word', value: word[0] });
    i += word[0].length;
  }
  return tokens;
}

function evaluate(clause: string | undefined, context: Context): boolean {
  if (clause === undefined) return true;
  const tokens = tokenize(clause);
  let at = 0;
  const peek = () => tokens[at];
  const word = (): string => {
    const token = tokens[at++];
    assert.ok(token?.kind === 'word', `expected a name or value in: ${clause}`);
    return token.value;
  };
  const term = (): boolean => {
    const token = peek();
    if (token?.kind === 'op' && token.value === '!') {
      at++;
      return !term();
    }
    const key = word();
    const next = peek();
    if (next?.kind === 'op' && (next.value === '==' || next.value === '!=')) {
      at++;
      const equal = String(context[key]) === word();
      return next.value === '==' ? equal : !equal;
    }
    if (next?.kind === 'op' && next.value === '=~') {
      at++;
      const regex = tokens[at++];
      assert.ok(regex?.kind === 'regex');
      const value = context[key];
      return typeof value === 'string' && regex.value.test(value);
    }
    if (key === 'true') return true;
    if (key === 'false') return false;
    return Boolean(context[key]);
  };
  const and = (): boolean => {
    let result = term();
    while (peek()?.kind === 'op' && peek()?.value === '&&') {
      at++;
      result = term() && result;
    }
    return result;
  };
  let result = and();
  while (peek()?.kind === 'op' && peek()?.value === '||') {
    at++;
    result = and() || result;
  }
  assert.equal(at, tokens.length, `could not parse the whole clause: ${clause}`);
  return result;
}

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

const ITEM_ONLY = ['factify.copyKeyId', 'factify.copyKeyPrefix', 'factify.editFilter', 'factify.showMoreKeys'];
const VIEW = 'factify.apiKeys';

function command(id: string): Command {
  const found = contributes.commands.find((candidate) => candidate.command === id);
  assert.ok(found, `${id} is not contributed`);
  return found;
}

function menu(name: string): MenuItem[] {
  const items = contributes.menus[name];
  assert.ok(items, `no ${name} menu`);
  return items;
}

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

describe('accounts', () => {
  test('the authentication provider factify (label Factify) puts the accounts in the Accounts menu', () => {
    assert.deepEqual(contributes.authentication, [{ id: 'factify', label: 'Factify' }]);
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

describe('settings (SPEC section 4)', () => {
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

describe('walkthrough', () => {
  const walkthroughs = contributes.walkthroughs ?? [];
  const contributed = new Set(contributes.commands.map((candidate) => candidate.command));
  const known = (id: string) => contributed.has(id) || id === `${VIEW}.focus`;

  test('one walkthrough: set a token, read the view, revoke, switch organization, find keys in files', () => {
    assert.equal(walkthroughs.length, 1);
    const steps = walkthroughs[0]?.steps ?? [];
    assert.deepEqual(
      steps.map((step) => step.id),
      ['setToken', 'readView', 'revoke', 'switchOrganization', 'findKeysInFiles'],
    );
    for (const step of steps) {
      assert.ok(step.title.length > 5 && step.description.length > 20, `${step.id} says what to do`);
      assert.ok(step.completionEvents && step.completionEvents.length > 0, `${step.id} completes on something the user does`);
    }
  });

  test('completion events and links name contributed commands and views', () => {
    const viewIds = new Set(
      Object.values(contributes.views)
        .flat()
        .map((view) => view.id),
    );
    for (const step of walkthroughs.flatMap((walkthrough) => walkthrough.steps)) {
      for (const event of step.completionEvents ?? []) {
        const [kind, id] = event.split(/:(.*)/s) as [string, string];
        if (kind === 'onCommand') assert.ok(known(id), `${step.id}: ${event} names a command`);
        else if (kind === 'onView') assert.ok(viewIds.has(id), `${step.id}: ${event} names a view`);
        else assert.fail(`${step.id}: unexpected completion event ${event}`);
      }
      const links = [...step.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((match) => match[1] as string);
      assert.equal(links.length, 1, `${step.id} has one button`);
      for (const id of links) assert.ok(known(id), `${step.id} links ${id}`);
    }
  });

  test('every step is a Markdown file under media/walkthrough, and the images it shows exist', () => {
    for (const step of walkthroughs.flatMap((walkthrough) => walkthrough.steps)) {
      const markdown = step.media.markdown;
      assert.match(markdown ?? '', /^media\/walkthrough\/[\w-]+\.md$/, step.id);
      const text = readFileSync(join(ROOT, markdown as string), 'utf8');
      assert.match(text, /^# /, `${markdown} starts with a heading`);
      for (const image of text.matchAll(/!\[([^\]]*)\]\(([^)]+)\)/g)) {
        assert.ok((image[1] ?? '').length > 10, `${markdown}: images have alt text`);
        assert.ok(existsSync(join(ROOT, dirname(markdown as string), image[2] as string)), `${markdown}: ${image[2]} exists`);
      }
    }
  });
});

/** What `vsce package` puts in the .vsix, as `vsce ls` lists it. */
function packagedFiles(): Set<string> {
  const vsce = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(vsce.status, 0, vsce.stderr);
  return new Set(
    vsce.stdout
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean),
  );
}

describe('Marketplace listing', () => {
  test('the icon is a 128×128 PNG in media/', () => {
    assert.match(manifest.icon ?? '', /^media\/[\w-]+\.png$/);
    const png = readFileSync(join(ROOT, manifest.icon as string));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  });

  test('a gallery banner, and bugs and homepage on the repository', () => {
    assert.match(manifest.galleryBanner?.color ?? '', /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(manifest.galleryBanner?.theme ?? ''));
    const repository = manifest.repository.url.replace(/\.git$/, '');
    assert.equal(manifest.bugs?.url, `${repository}/issues`);
    assert.ok(manifest.homepage?.startsWith(repository), manifest.homepage);
  });
});

describe('localization', () => {
  type Json = Record<string, unknown>;
  const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
  const record = (value: unknown): Json => (value && typeof value === 'object' ? (value as Json) : {});

  /** Every place in package.json that VS Code shows to a person, with where it is. */
  function userFacingTexts(pkg: Json): Array<readonly [where: string, text: unknown]> {
    const texts: Array<readonly [string, unknown]> = [];
    const take = (where: string, owner: Json, ...fields: string[]) => {
      for (const field of fields) if (field in owner) texts.push([`${where}.${field}`, owner[field]]);
    };
    const wanted = (where: string, owner: Json, ...fields: string[]) => {
      for (const field of fields) texts.push([`${where}.${field}`, owner[field]]);
    };
    wanted('package', pkg, 'displayName', 'description');
    const c = record(pkg['contributes']);
    for (const [location, containers] of Object.entries(record(c['viewsContainers'])))
      for (const container of list(containers)) wanted(`viewsContainers.${location}.${String(container['id'])}`, container, 'title');
    for (const views of Object.values(record(c['views']))) {
      for (const view of list(views)) {
        wanted(`views.${String(view['id'])}`, view, 'name');
        take(`views.${String(view['id'])}`, view, 'contextualTitle');
      }
    }
    list(c['viewsWelcome']).forEach((welcome, i) => wanted(`viewsWelcome[${i}]`, welcome, 'contents'));
    for (const provider of list(c['authentication'])) wanted(`authentication.${String(provider['id'])}`, provider, 'label');
    for (const command of list(c['commands'])) wanted(`commands.${String(command['command'])}`, command, 'title', 'category');
    for (const walkthrough of list(c['walkthroughs'])) {
      wanted(`walkthroughs.${String(walkthrough['id'])}`, walkthrough, 'title', 'description');
      for (const step of list(walkthrough['steps']))
        wanted(`walkthroughs.${String(walkthrough['id'])}.${String(step['id'])}`, step, 'title', 'description');
    }
    for (const configuration of [c['configuration']].flat()) {
      const section = record(configuration);
      wanted('configuration', section, 'title');
      for (const [name, setting] of Object.entries(record(section['properties']))) {
        const where = `configuration.${name}`;
        take(where, record(setting), 'description', 'markdownDescription', 'deprecationMessage', 'markdownDeprecationMessage');
        for (const field of ['enumDescriptions', 'markdownEnumDescriptions']) {
          list(record(setting)[field]).forEach((text, i) => texts.push([`${where}.${field}[${i}]`, text]));
        }
      }
    }
    for (const tool of list(c['languageModelTools']))
      wanted(`languageModelTools.${String(tool['name'])}`, tool, 'displayName', 'userDescription');
    return texts;
  }

  const texts = userFacingTexts(rawManifest as unknown as Json);
  const keyOf = (text: unknown): string | undefined => (typeof text === 'string' ? /^%([\w.-]+)%$/.exec(text)?.[1] : undefined);
  const links = (text: string | undefined) => [...(text ?? '').matchAll(/\]\((command:[^)]+)\)|`[^`]+`/g)].map((match) => match[0]);

  test('every text the manifest shows is a %key%, never a literal', () => {
    const commands = contributes.commands.length;
    assert.ok(texts.length >= 2 * commands + 10, `the places are found (${texts.length})`);
    const literal = texts.filter(([, text]) => keyOf(text) === undefined).map(([where, text]) => `${where}: ${JSON.stringify(text)}`);
    assert.deepEqual(literal, [], 'these need a %key% in package.nls.json');
  });

  test('every key resolves in package.nls.json and package.nls.de.json, keeping links, settings and code', () => {
    for (const [where, text] of texts) {
      const key = keyOf(text);
      if (key === undefined) continue;
      const english = nls.en[key];
      const german = nls.de[key];
      assert.ok(english, `${where}: ${key} is in package.nls.json`);
      assert.ok(german, `${where}: ${key} is in package.nls.de.json`);
      assert.deepEqual(links(german), links(english), `${where}: the German keeps the English command links and \`code\``);
    }
  });

  test('in German the palette titles, the view and its welcome are German; the category stays Factify', () => {
    const german = localized(rawManifest, nls.de) as Manifest;
    const title = (id: string) => german.contributes.commands.find((candidate) => candidate.command === id)?.title;
    assert.equal(title('factify.signIn'), 'API-Token festlegen…');
    assert.equal(title('factify.revokeKey'), 'API-Schlüssel widerrufen…');
    assert.equal(german.contributes.views['factify']?.[0]?.name, 'API-Schlüssel');
    for (const command of german.contributes.commands) assert.equal(command.category, 'Factify', command.command);
    const english = new Map(contributes.commands.map((candidate) => [candidate.command, candidate.title]));
    const untranslated = german.contributes.commands.filter((candidate) => candidate.title === english.get(candidate.command));
    assert.deepEqual(untranslated, [], 'every command title is translated');
    for (const [i, welcome] of german.contributes.viewsWelcome.entries()) {
      assert.notEqual(welcome.contents, contributes.viewsWelcome[i]?.contents, `welcome ${welcome.when} is translated`);
    }
  });

  test('what only the model reads stays English: modelDescription and the input schema are not %keys%', () => {
    for (const tool of list(record(rawManifest.contributes)['languageModelTools'])) {
      assert.equal(keyOf(tool['modelDescription']), undefined, String(tool['name']));
      assert.match(String(tool['modelDescription']), /^[A-Z][a-z]+s /, `${String(tool['name'])}: plain English for the model`);
      for (const property of Object.values(record(record(tool['inputSchema'])['properties']))) {
        const description = record(property)['description'];
        if (description !== undefined) assert.equal(keyOf(description), undefined);
      }
    }
  });
});

describe('activation and packaging', () => {
  test('the .vsix ships every file the manifest and the walkthrough refer to, and the translations', () => {
    const files = packagedFiles();
    const needed = new Set<string>();
    for (const step of (contributes.walkthroughs ?? []).flatMap((walkthrough) => walkthrough.steps)) {
      const markdown = step.media.markdown as string;
      needed.add(markdown);
      for (const image of readFileSync(join(ROOT, markdown), 'utf8').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
        needed.add(normalize(join(dirname(markdown), image[1] as string)));
      }
    }
    for (const container of contributes.viewsContainers.activitybar) needed.add(container.icon);
    needed.add('ThirdPartyNotices.txt');
    if (manifest.icon) needed.add(manifest.icon);
    needed.add('package.nls.json');
    for (const name of readdirSync(ROOT).filter((file) => /^package\.nls\.[\w-]+\.json$/.test(file))) needed.add(name);
    for (const name of readdirSync(join(ROOT, 'l10n')).filter((file) => /^bundle\.l10n(\.[\w-]+)?\.json$/.test(file)))
      needed.add(`l10n/${name}`);
    assert.ok(needed.has('package.nls.de.json') && needed.has('l10n/bundle.l10n.de.json'), 'the German bundles exist');
    for (const file of needed) assert.ok(files.has(file), `${file} is in the .vsix (.vscodeignore lets it in)`);
    for (const file of files) assert.doesNotMatch(file, /^(src|out|test|node_modules|scripts)\//, `${file} is not needed at run time`);
  });

  test('no eager activation', () => {
    for (const event of manifest.activationEvents ?? []) {
      assert.notEqual(event, '*');
      assert.notEqual(event, 'onStartupFinished');
    }
  });

  test('main is the bundle dist/extension.js', () => {
    assert.equal(manifest.main.replace(/^\.\//, ''), 'dist/extension.js');
  });

  test('.vscodeignore is an allow-list: it starts by excluding everything', () => {
    const lines = readFileSync(join(ROOT, '.vscodeignore'), 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    assert.ok(lines[0] === '**' || lines[0] === '**/*', `first rule is ${lines[0]}`);
    assert.ok(lines.includes('!dist/extension.js'), 'the bundle is let back in');
    for (const line of lines.slice(1)) {
      assert.ok(line.startsWith('!'), `after the exclusion only re-inclusions follow: ${line}`);
      assert.ok(!/^!(src|out|test|node_modules)\b/.test(line), `nothing the runtime does not need: ${line}`);
    }
  });

  test('engines.vscode is compatible with @types/vscode (vsce requires types ≤ engines)', () => {
    const parse = (range: string): number[] => {
      const match = /^[\^~]?(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
      assert.ok(match, `cannot read the version ${range}`);
      return [Number(match[1]), Number(match[2]), Number(match[3])];
    };
    const compare = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
    assert.match(manifest.engines.vscode, /^\^\d+\.\d+\.\d+$/);
    const engines = parse(manifest.engines.vscode);
    const declared = manifest.devDependencies['@types/vscode'];
    assert.ok(declared, '@types/vscode is a devDependency');
    const types = parse(declared);
    assert.ok(compare(types, engines) <= 0, `@types/vscode ${declared} must not be newer than engines.vscode ${manifest.engines.vscode}`);
    assert.equal(types.slice(0, 2).join('.'), engines.slice(0, 2).join('.'), 'the API typed against is the minimum engine declared');
    let installed: string | undefined;
    try {
      installed = (JSON.parse(readFileSync(join(ROOT, 'node_modules', '@types', 'vscode', 'package.json'), 'utf8')) as { version: string })
        .version;
    } catch {
      installed = undefined; // not installed: nothing more to check
    }
    if (installed)
      assert.ok(compare(parse(installed), engines) <= 0, `installed @types/vscode ${installed} ≤ engines ${manifest.engines.vscode}`);
  });
});
