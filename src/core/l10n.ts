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
  const entry = active.bundle?.[message];
  const template = entry === undefined ? message : typeof entry === 'string' ? entry : entry.message;
  // Most messages have no placeholder, and a long list's rows ask for them thousands of times.
  if (!template.includes('{')) return template;
  const first = rest[0];
  const named = rest.length === 1 && typeof first === 'object' ? first : undefined;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = named ? (Object.hasOwn(named, name) ? named[name] : undefined) : /^\d+$/.test(name) ? rest[Number(name)] : undefined;
    return value === undefined || typeof value === 'object' ? whole : String(value);
  });
}
