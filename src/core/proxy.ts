/**
 * Proxy choice for the API origin. undici does not go through VS Code's patched networking, so the
 * extension honours `http.proxy`, `http.noProxy`, `http.proxyStrictSSL` and the usual environment variables
 * itself.
 */

export interface ProxySettings {
  /** `http.proxy`; empty means "use the environment". */
  readonly proxy: string | undefined;
  /** `http.noProxy`. */
  readonly noProxy: readonly string[];
  /** `http.proxyStrictSSL`. */
  readonly strictSSL: boolean;
}

export interface ProxyChoice {
  readonly proxyUrl: URL;
  readonly strictSSL: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function envValue(env: Env, name: string): string | undefined {
  const value = env[name] ?? env[name.toLowerCase()];
  return value && value.trim() !== '' ? value.trim() : undefined;
}

/** The proxy to use for `target`, or undefined to connect directly. Throws on a proxy URL that cannot work. */
export function chooseProxy(target: URL, settings: ProxySettings, env: Env): ProxyChoice | undefined {
  const raw = settings.proxy?.trim() || envValue(env, target.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY')
    || envValue(env, 'ALL_PROXY');
  if (!raw) return undefined;
  const exclusions = [...settings.noProxy, ...(envValue(env, 'NO_PROXY')?.split(',') ?? [])];
  if (isExcluded(target, exclusions)) return undefined;
  let proxyUrl: URL;
  try {
    proxyUrl = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new Error('The proxy setting (http.proxy or HTTPS_PROXY) is not a valid URL.');
  }
  if (proxyUrl.protocol !== 'http:' && proxyUrl.protocol !== 'https:') {
    throw new Error(`Only http and https proxies are supported, not ${proxyUrl.protocol.replace(':', '')}.`);
  }
  return { proxyUrl, strictSSL: settings.strictSSL };
}

/** `NO_PROXY` semantics as curl and VS Code read them: `*`, host names, domain suffixes, optional ports. */
export function isExcluded(target: URL, patterns: readonly string[]): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return patterns.some((raw) => {
    const pattern = raw.trim().toLowerCase();
    if (pattern === '') return false;
    if (pattern === '*') return true;
    const [rawHost, patternPort] = splitHostPort(pattern);
    const patternHost = rawHost.replace(/^\*?\./, '.');
    if (patternPort && patternPort !== port) return false;
    if (patternHost.startsWith('.')) return host.endsWith(patternHost) || host === patternHost.slice(1);
    return host === patternHost || host.endsWith(`.${patternHost}`);
  });
}

function splitHostPort(pattern: string): [host: string, port: string | undefined] {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(pattern);
  if (bracketed) return [bracketed[1] ?? '', bracketed[2]];
  if (pattern.indexOf(':') !== pattern.lastIndexOf(':')) return [pattern, undefined]; // a bare IPv6 address
  const hostPort = /^(.*):(\d+)$/.exec(pattern);
  return hostPort ? [hostPort[1] ?? '', hostPort[2]] : [pattern, undefined];
}
