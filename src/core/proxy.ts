/**
 * Proxy choice for the API origin. undici does not go through VS Code's patched networking, so the
 * extension honours `http.proxy`, `http.noProxy`, `http.proxyStrictSSL` and the usual environment variables
 * itself.
 */
import { t } from './l10n';

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

/**
 * The proxy to use for `target`, or undefined to connect directly. Throws on a proxy URL that cannot work.
 *
 * Only an https origin is ever proxied, and then through a CONNECT tunnel that carries TLS end to end. A
 * plain-http origin (allowed for loopback only) goes direct: through a proxy, its `Authorization` header
 * would cross in clear text. A loopback origin goes direct too: a proxy would resolve it on its own machine.
 */
export function chooseProxy(target: URL, settings: ProxySettings, env: Env): ProxyChoice | undefined {
  if (target.protocol !== 'https:' || isLocalHost(target.hostname)) return undefined;
  const raw =
    settings.proxy?.trim() || envValue(env, target.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY') || envValue(env, 'ALL_PROXY');
  if (!raw) return undefined;
  const exclusions = [...settings.noProxy, ...(envValue(env, 'NO_PROXY')?.split(',') ?? [])];
  if (isExcluded(target, exclusions)) return undefined;
  let proxyUrl: URL;
  try {
    proxyUrl = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new Error(t('The proxy setting (http.proxy or HTTPS_PROXY) is not a valid URL.'));
  }
  if (proxyUrl.protocol !== 'http:' && proxyUrl.protocol !== 'https:') {
    throw new Error(t('Only http and https proxies are supported, not {0}.', proxyUrl.protocol.replace(':', '')));
  }
  return { proxyUrl, strictSSL: settings.strictSSL };
}

/**
 * Hosts that name this machine whatever resolver is asked: `localhost` and its subdomains, 127.0.0.0/8,
 * `0.0.0.0`, and the IPv6 loopback and unspecified addresses, IPv4-mapped forms included. Hostnames as
 * `URL` gives them: lower-case, IPv6 in brackets and IPv4 normalised to dotted decimal.
 */
export function isLocalHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '0.0.0.0') return true;
  if (host === '::1' || host === '::') return true;
  // IPv4-mapped IPv6: `URL` writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(host);
  if (mapped) {
    const high = parseInt(mapped[1] ?? '', 16);
    return high >> 8 === 127 || high === 0;
  }
  return /^::ffff:(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|0\.0\.0\.0)$/.test(host);
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
