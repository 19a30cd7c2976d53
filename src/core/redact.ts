/** The one choke point for secrets in text: every log line and every error shown passes through here. */

/** Anything shaped like a Factify token (the 26-character body is what tells it from a key prefix). */
const TOKEN_LIKE = /ffy_[a-z0-9]+_[0-9A-Za-z]{20,}/g;
const BEARER = /\b(Bearer)\s+[^\s"',;]+/gi;
const URL_CREDENTIALS = /(\/\/)[^\s/@]+@/g;
const REDACTED = '[redacted]';

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remembers a secret so that it is masked even if it does not look like a token. */
  addSecret(secret: string | undefined): void {
    if (secret && secret.length >= 8) this.secrets.add(secret);
  }

  redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }
}

/** Masks the given secrets and anything that looks like a token, a bearer credential or URL credentials. */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result
    .replace(TOKEN_LIKE, `ffy_${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`);
}
