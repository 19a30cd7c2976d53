/**
 * The translator every user-facing string goes through. The English text is the key, as in VS Code's
 * `l10n/bundle.l10n.json`; the shell hands over the bundle VS Code loaded for the display language, and the
 * core (which must not import `vscode`) looks strings up here. `npm run l10n` writes the English bundle from
 * the calls to `t`; a unit test fails when a bundle misses a string or carries one nothing uses.
 *
 * Placeholders are `{0}`, `{1}`… (positional arguments) or `{name}` (one object argument). Arguments are
 * inserted in one pass, so braces inside an argument (a key name from the server) are never expanded.
 */

export type L10nBundle = Readonly<Record<string, string | { readonly message: string }>>;
type Argument = string | number | boolean;

let active: { bundle: L10nBundle | undefined; language: string } = { bundle: undefined, language: 'en' };

/** Sets the bundle for the display language (`vscode.l10n.bundle`, `vscode.env.language`). */
export function useL10nBundle(bundle: L10nBundle | undefined, language: string): void {
  active = { bundle, language };
}

/** The display language the bundle is for ("en" until the shell says otherwise). */
export function displayLanguage(): string {
  return active.language;
}

/**
 * Runs `task` with the English messages whatever the display language: for text a language model reads
 * (it answers the user in their language itself).
 */
export function inEnglish<T>(task: () => T): T {
  const saved = active;
  active = { bundle: undefined, language: 'en' };
  try {
    return task();
  } finally {
    active = saved;
  }
}

export function t(message: string, ...args: Argument[]): string;
export function t(message: string, args: Readonly<Record<string, Argument>>): string;
export function t(message: string, ...rest: Array<Argument | Readonly<Record<string, Argument>>>): string {
  const entry = active.bundle && Object.hasOwn(active.bundle, message) ? active.bundle[message] : undefined;
  const template = entry === undefined ? message : typeof entry === 'string' ? entry : entry.message;
  // Most messages have no placeholder, and a long list's rows ask for them thousands of times.
  if (!template.includes('{')) return template;
  const first = rest[0];
  const named = rest.length === 1 && typeof first === 'object' ? first : undefined;
  // `{name}` (letters, digits, `_`) replaced in one scan, left as it is when there is no such argument.
  let result = '';
  let copied = 0;
  let open = template.indexOf('{');
  while (open !== -1) {
    let end = open + 1;
    while (end < template.length && isWordCharacter(template.charCodeAt(end))) end++;
    if (end === open + 1 || template.charCodeAt(end) !== CLOSING_BRACE) {
      open = template.indexOf('{', open + 1);
      continue;
    }
    const name = template.slice(open + 1, end);
    const value = named ? (Object.hasOwn(named, name) ? named[name] : undefined) : isNumber(name) ? rest[Number(name)] : undefined;
    if (value !== undefined && typeof value !== 'object') {
      result += template.slice(copied, open) + String(value);
      copied = end + 1;
    }
    open = template.indexOf('{', end + 1);
  }
  return copied === 0 ? template : result + template.slice(copied);
}

const CLOSING_BRACE = 0x7d;

function isWordCharacter(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

function isNumber(name: string): boolean {
  for (let at = 0; at < name.length; at++) if (name.charCodeAt(at) < 0x30 || name.charCodeAt(at) > 0x39) return false;
  return true;
}
