/** Typed ids and tokens as the Factify API defines them. Pure: no `vscode` import. */
import { t } from './l10n';

const CROCKFORD = '[0-9a-hjkmnp-tv-z]';

export const KEY_ID_PATTERN = new RegExp(`^key_${CROCKFORD}{26}$`);
export const ORG_ID_PATTERN = new RegExp(`^org_${CROCKFORD}{26}$`);
/**
 * `ffy_<env>_<26 base32><base62 random>`. The body is checked only as base62 of at least 26 characters:
 * refusing a real token would lock its owner out, while a token that merely looks right is refused by the
 * server's 401 at the verifying call anyway.
 */
export const TOKEN_PATTERN = /^ffy_[a-z0-9]+_[0-9A-Za-z]{26,}$/;

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A key id that matched its pattern; only these ever reach a request URL. */
export type KeyId = Brand<string, 'KeyId'>;
/** An organization id that matched its pattern; only these ever reach a request header. */
export type OrgId = Brand<string, 'OrgId'>;
/** A token that looks like a Factify token. It is a secret: never log or show it. */
export type ApiToken = Brand<string, 'ApiToken'>;

export function asKeyId(value: unknown): KeyId | undefined {
  return typeof value === 'string' && KEY_ID_PATTERN.test(value) ? (value as KeyId) : undefined;
}

export function asOrgId(value: unknown): OrgId | undefined {
  return typeof value === 'string' && ORG_ID_PATTERN.test(value) ? (value as OrgId) : undefined;
}

const MAX_TOKEN_LENGTH = 512;

/** Why a typed organization id is refused, or undefined when it is fine (after trimming). */
export function explainInvalidOrgId(input: string): string | undefined {
  const value = input.trim();
  if (value === '') return t('Enter an organization ID such as org_01kdx2z2ab3cd4ef5gh6jk7mn8.');
  if (!value.startsWith('org_')) return t('Organization IDs start with "org_".');
  const rest = value.slice(4);
  if (rest.length !== 26) return t('An organization ID has 26 characters after "org_" (this one has {0}).', rest.length);
  if (!/^[0-9a-hjkmnp-tv-z]+$/.test(rest)) {
    return t('After "org_" only lower-case Crockford base32 is allowed: digits and a–z without i, l, o, u.');
  }
  return undefined;
}

export type TokenCheck = { ok: true; token: ApiToken } | { ok: false; reason: string };

/**
 * Trims and checks a pasted token. The reasons never repeat the value itself, so they are safe to show
 * and to log.
 */
export function checkToken(input: string): TokenCheck {
  const value = input.trim();
  if (value === '') return { ok: false, reason: t('Paste a Factify API token; it starts with "ffy_".') };
  if (/^bearer\s/i.test(value)) return { ok: false, reason: t('Paste the token alone, without "Bearer".') };
  if (/\s/.test(value)) return { ok: false, reason: t('A token has no spaces or line breaks inside it.') };
  if (value.length > MAX_TOKEN_LENGTH)
    return { ok: false, reason: t('That is too long for a Factify token ({0} characters).', value.length) };
  if (!value.startsWith('ffy_')) return { ok: false, reason: t('Factify tokens start with "ffy_" (for example ffy_prod_…).') };
  const parts = /^ffy_([^_]*)_(.*)$/.exec(value);
  if (!parts) return { ok: false, reason: t('A token looks like ffy_<env>_<random>, e.g. ffy_prod_…; this one has no environment part.') };
  const [, env, rest] = parts as unknown as [string, string, string];
  if (!/^[a-z0-9]+$/.test(env)) return { ok: false, reason: t('The environment part after "ffy_" must be lower-case letters or digits.') };
  if (rest.length < 26) return { ok: false, reason: t('The token is too short: it was probably cut off while copying.') };
  if (!TOKEN_PATTERN.test(value))
    return { ok: false, reason: t('The token contains characters a Factify token never has; copy it again.') };
  return { ok: true, token: value as ApiToken };
}
