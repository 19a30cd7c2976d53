/** `factify.apiBaseUrl`: where the token may be sent. https only, except loopback hosts. */
import { t } from './l10n';

export type BaseUrlCheck = { ok: true; origin: URL } | { ok: false; message: string };

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

export function checkApiBaseUrl(raw: string): BaseUrlCheck {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, message: t('Check the “factify.apiBaseUrl” setting: it is not a valid URL.') };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: t('Check the “factify.apiBaseUrl” setting: it must start with https://.') };
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return {
      ok: false,
      message: t('Check the “factify.apiBaseUrl” setting: the token is only sent over https (plain http is allowed for localhost only).'),
    };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      message: t(
        'Check the “factify.apiBaseUrl” setting: remove the user name and password from it; the API token is the only credential.',
      ),
    };
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return {
      ok: false,
      message: t('Check the “factify.apiBaseUrl” setting: use the origin only, like https://api.factify.com (no path, query or fragment).'),
    };
  }
  return { ok: true, origin: new URL(url.origin) };
}
