/**
 * package.json as the manifest tests read it: its shape, lookups of commands and menus, and a small evaluator
 * for the `when` clauses (so a clause is evaluated, not just string-compared).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// out/test/unit/helpers → repository root
export const ROOT = join(__dirname, '..', '..', '..', '..');

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
export interface Keybinding {
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
export interface Manifest {
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

export type Nls = Record<string, string>;
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
export const nls = { en: readJson('package.nls.json') as Nls, de: readJson('package.nls.de.json') as Nls };

/** The manifest as VS Code shows it in a language: every `%key%` replaced from that language's package.nls. */
export function localized(value: unknown, strings: Nls): unknown {
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
export const rawManifest = readJson('package.json') as Manifest & { displayName: string; description: string };
/** package.json as VS Code shows it in English: what the manifest tests check. */
export const manifest = localized(rawManifest, nls.en) as Manifest;
export const { contributes } = manifest;

// ---------------------------------------------------------------------------------------------------------
// A small evaluator for the `when` clause subset the manifest uses: &&, ||, !, ==, !=, =~ /re/flags,
// true/false and context keys. Parentheses and other operators are refused so that the test never guesses.

export type Context = Readonly<Record<string, string | boolean | undefined>>;
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

export function evaluate(clause: string | undefined, context: Context): boolean {
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

export const VIEW = 'factify.apiKeys';

export function command(id: string): Command {
  const found = contributes.commands.find((candidate) => candidate.command === id);
  assert.ok(found, `${id} is not contributed`);
  return found;
}

export function menu(name: string): MenuItem[] {
  const items = contributes.menus[name];
  assert.ok(items, `no ${name} menu`);
  return items;
}
