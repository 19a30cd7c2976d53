/**
 * The one choke point for secrets in text: every log line and everything a person can read (messages,
 * notifications, the view's message, the status bar, tooltips) passes through here.
 */

/**
 * Anything shaped like a Factify token (the 26-character body is what tells it from a key prefix), also with its
 * underscores escaped for Markdown (`ffy\_prod\_…`), as tooltips and confirmations carry it.
 */
const TOKEN_LIKE = /ffy\\?_[a-z0-9]+\\?_[0-9A-Za-z]{20,}/g;
const BEARER = /\b(Bearer)\s+[^\s"',;]+/gi;
const BEARER_WORD = /bearer/i;
const URL_CREDENTIALS = /(\/\/)[^\s/@]+@/g;
/** A `\uXXXX` or `%XX` escape of a character tokens are made of: digits, letters and `_`. */
const ESCAPED_TOKEN_CHAR = /\\u00(3[0-9]|4[1-9a-f]|5[0-9a]|5f|6[1-9a-f]|7[0-9a])|%(3[0-9]|4[1-9a-f]|5[0-9a]|5f|6[1-9a-f]|7[0-9a])/gi;
const REDACTED = '[redacted]';
/** A run this long of a known secret's secret part is masked even when the rest of the secret is not there. */
const MIN_SECRET_PART = 12;

/** Texts redacted lately, with what they became; forgotten wholesale when it grows past this. */
const REMEMBERED_TEXTS = 20_000;
/** Only short texts (rows, labels) are remembered; log lines and messages are checked each time. */
const REMEMBERED_TEXT_LENGTH = 1_000;

export class Redactor {
  private readonly secrets = new Set<string>();
  /** The secrets in the order they were added, each with what masking it needs worked out once. */
  private readonly known: KnownSecret[] = [];
  /**
   * The view shows the same rows again on every refresh (thousands of them with a long list), and checking a
   * text against every secret costs far more than looking it up. Valid until the next new secret.
   */
  private readonly redacted = new Map<string, string>();

  /** Remembers a secret so that it is masked even if it does not look like a token. */
  addSecret(secret: string | undefined): void {
    if (!secret || secret.length < 8 || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    this.known.push(knownSecret(secret));
    this.redacted.clear();
  }

  redact(text: string): string {
    if (text.length > REMEMBERED_TEXT_LENGTH) return redactKnown(text, this.known);
    let result = this.redacted.get(text);
    if (result === undefined) {
      if (this.redacted.size >= REMEMBERED_TEXTS) this.redacted.clear();
      result = redactKnown(text, this.known);
      this.redacted.set(text, result);
    }
    return result;
  }
}

/**
 * Masks the given secrets (whole, or any long run of their secret part) and anything
 * that looks like a token, a bearer credential or URL credentials. Escapes that spell token characters
 * (`\u005f`, `%5F`) are decoded first, so an escaped token is masked like a plain one.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  const known: KnownSecret[] = [];
  for (const secret of secrets) if (secret) known.push(knownSecret(secret));
  return redactKnown(text, known);
}

function redactKnown(text: string, secrets: readonly KnownSecret[]): string {
  // Each pattern is only run over a text with the character it starts with (or needs): most texts, the rows of
  // a long list among them, have none of them, and a plain search costs a fraction of a regular expression's.
  let result =
    text.includes('\\') || text.includes('%')
      ? text.replace(ESCAPED_TOKEN_CHAR, (_match, unicode?: string, percent?: string) =>
          String.fromCharCode(parseInt(unicode ?? percent ?? '', 16)),
        )
      : text;
  for (let index = 0; index < secrets.length; index++) result = maskSecret(result, secrets[index]!);
  if (result.includes('ffy')) result = result.replace(TOKEN_LIKE, `ffy_${REDACTED}`);
  if (BEARER_WORD.test(result)) result = result.replace(BEARER, `$1 ${REDACTED}`);
  if (result.includes('@')) result = result.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  return result;
}

/** A secret with the searches that mask it, worked out once rather than for every text. */
interface KnownSecret {
  readonly secret: string;
  /**
   * The runs of the secret part searched for, with where each starts in the secret: `MIN_SECRET_PART` long, or
   * the whole part when it is shorter; none when the part is shorter than `CHUNK`.
   */
  readonly windows: readonly { readonly start: number; readonly text: string }[];
  /** Pieces of the secret part, each `CHUNK` long, such that every window contains one of them. */
  readonly chunks: readonly string[];
}

/** Length of the chunks; a window shorter than this is never searched for. */
const CHUNK = 6;

function knownSecret(secret: string): KnownSecret {
  const part = secretPart(secret);
  const offset = secret.length - part.length;
  const size = Math.min(MIN_SECRET_PART, part.length);
  if (size < CHUNK) return { secret, windows: [], chunks: [] };
  const windows: { start: number; text: string }[] = [];
  for (let start = offset; start + size <= secret.length; start++) windows.push({ start, text: secret.slice(start, start + size) });
  // Chunks start at 0, step, 2 * step, ... in the part. A window starting at p in the part has a chunk starting
  // at most step - 1 after p, which ends by p + step - 1 + CHUNK = p + size: inside the window (and inside the
  // part, so it was taken). A part shorter than MIN_SECRET_PART is its one window, and has one chunk, at 0.
  const step = size - CHUNK + 1;
  const chunks = new Set<string>();
  for (let at = 0; at + CHUNK <= part.length; at += step) chunks.add(part.slice(at, at + CHUNK));
  return { secret, windows, chunks: [...chunks] };
}

/**
 * The part of a secret that is actually secret. A token's `ffy_<env>_<26 base32>` start is public (key
 * prefixes and ids repeat it); its random tail is not.
 */
function secretPart(secret: string): string {
  const token = /^ffy_[a-z0-9]+_[0-9a-hjkmnp-tv-z]{26}([0-9A-Za-z]+)$/.exec(secret);
  return token?.[1] ?? secret;
}

/**
 * Masks every occurrence of `secret`, and every run of at least `MIN_SECRET_PART` characters of its secret
 * part (grown to the whole stretch the text shares with the secret, public start included).
 */
function maskSecret(text: string, { secret, windows, chunks }: KnownSecret): string {
  if (chunks.length === 0) return text.includes(secret) ? text.split(secret).join(REDACTED) : text;
  // The secret and every window contain a chunk: a text without any (most texts) has nothing to mask.
  if (!includesAny(text, chunks)) return text;
  let result = text.includes(secret) ? text.split(secret).join(REDACTED) : text;
  for (const { start, text: window } of windows) {
    const size = window.length;
    let at = result.indexOf(window);
    while (at !== -1) {
      let end = at + size;
      let secretEnd = start + size;
      while (end < result.length && secretEnd < secret.length && result[end] === secret[secretEnd]) {
        end++;
        secretEnd++;
      }
      let begin = at;
      let secretBegin = start;
      while (begin > 0 && secretBegin > 0 && result[begin - 1] === secret[secretBegin - 1]) {
        begin--;
        secretBegin--;
      }
      result = `${result.slice(0, begin)}${REDACTED}${result.slice(end)}`;
      at = result.indexOf(window, begin + REDACTED.length);
    }
  }
  return result;
}

function includesAny(text: string, pieces: readonly string[]): boolean {
  for (let index = 0; index < pieces.length; index++) if (text.includes(pieces[index]!)) return true;
  return false;
}

/** A cut can leave the start of something token-shaped at the end (`…ffy_prod_01kd`): mask it. */
export function maskTrailingTokenStart(text: string): string {
  return text.replace(/ffy\\?_[0-9A-Za-z_\\]*$/, `ffy_${REDACTED}`);
}
