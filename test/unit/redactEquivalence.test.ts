/**
 * The redactor skips the search for each run of a secret when a text has none of a few pieces of it: these tests
 * hold it to the straightforward search it replaced, kept below as the reference, over many generated texts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor, redactSecrets } from '../../src/core/redact';
import { TOKEN } from './helpers/coreFixtures';

// ---- The reference: the redaction as it was before the pieces were worked out per secret, unchanged. ----

const TOKEN_LIKE = /ffy\\?_[a-z0-9]+\\?_[0-9A-Za-z]{20,}/g;
const BEARER = /\b(Bearer)\s+[^\s"',;]+/gi;
const BEARER_WORD = /bearer/i;
const URL_CREDENTIALS = /(\/\/)[^\s/@]+@/g;
const ESCAPED_TOKEN_CHAR = /\\u00(3[0-9]|4[1-9a-f]|5[0-9a]|5f|6[1-9a-f]|7[0-9a])|%(3[0-9]|4[1-9a-f]|5[0-9a]|5f|6[1-9a-f]|7[0-9a])/gi;
const REDACTED = '[redacted]';
const MIN_SECRET_PART = 12;

function referenceRedactSecrets(text: string, secrets: Iterable<string>): string {
  let result =
    text.includes('\\') || text.includes('%')
      ? text.replace(ESCAPED_TOKEN_CHAR, (_match, unicode?: string, percent?: string) =>
          String.fromCharCode(parseInt(unicode ?? percent ?? '', 16)),
        )
      : text;
  for (const secret of secrets) result = referenceMaskSecret(result, secret);
  if (result.includes('ffy')) result = result.replace(TOKEN_LIKE, `ffy_${REDACTED}`);
  if (BEARER_WORD.test(result)) result = result.replace(BEARER, `$1 ${REDACTED}`);
  if (result.includes('@')) result = result.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  return result;
}

function referenceSecretPart(secret: string): string {
  const token = /^ffy_[a-z0-9]+_[0-9a-hjkmnp-tv-z]{26}([0-9A-Za-z]+)$/.exec(secret);
  return token?.[1] ?? secret;
}

function referenceMaskSecret(text: string, secret: string): string {
  if (!secret) return text;
  let result = text.includes(secret) ? text.split(secret).join(REDACTED) : text;
  const part = referenceSecretPart(secret);
  const offset = secret.length - part.length;
  const size = Math.min(MIN_SECRET_PART, part.length);
  if (size < 6) return result;
  for (let start = offset; start + size <= secret.length; start++) {
    const window = secret.slice(start, start + size);
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

/** What `Redactor.addSecret` keeps: secrets of 8 characters or more, each once, in the order added. */
function referenceRedactorSecrets(secrets: readonly string[]): string[] {
  return [...new Set(secrets.filter((secret) => secret.length >= 8))];
}

// ---- Generated texts. ----

/** mulberry32: the same texts on every run, so a failure reproduces. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Pieces that make the other checks (escapes, token shapes, bearer values, URL credentials) fire. */
const NOISE = [
  '\\u005f',
  '\\u005F',
  '%5F',
  '%5f',
  '\\u0041',
  '%41',
  '\\_',
  '_',
  '\\',
  '%',
  'ffy_',
  'ffy\\_prod\\_',
  'Bearer ',
  '//u:p@',
  '@',
  ' ',
  '.',
  '[',
  ']',
];

function token(random: () => number, env: string, tail: number): string {
  let body = '';
  for (let i = 0; i < 26; i++) body += BASE32[Math.floor(random() * BASE32.length)];
  let rest = '';
  for (let i = 0; i < tail; i++) rest += BASE62[Math.floor(random() * BASE62.length)];
  return `ffy_${env}_${body}${rest}`;
}

/** A token character written as an escape the redactor decodes (`\u00XX` or `%XX`, either case). */
function escaped(char: string, random: () => number): string {
  const hex = char.charCodeAt(0).toString(16).padStart(2, '0');
  const cased = random() < 0.5 ? hex : hex.toUpperCase();
  return random() < 0.5 ? `\\u00${cased}` : `%${cased}`;
}

function randomText(random: () => number, secrets: readonly string[], pieces: number): string {
  let text = '';
  for (let i = 0; i < pieces; i++) {
    const roll = random();
    if (roll < 0.35) text += BASE62[Math.floor(random() * BASE62.length)];
    else if (roll < 0.55) text += NOISE[Math.floor(random() * NOISE.length)];
    else if (secrets.length > 0) {
      const secret = secrets[Math.floor(random() * secrets.length)]!;
      const start = Math.floor(random() * secret.length);
      text += secret.slice(start, start + 1 + Math.floor(random() * (secret.length - start)));
    }
  }
  return text;
}

/**
 * For every run of `secret` (every length at every offset): the run between random surroundings, with one of its
 * characters escaped, with its underscores escaped for Markdown, next to a character of the secret that does
 * not continue it, twice over, and beside a run of another of the secrets.
 */
function* runsOf(secret: string, secrets: readonly string[], random: () => number): Generator<string> {
  for (let start = 0; start < secret.length; start++) {
    for (let end = start + 1; end <= secret.length; end++) {
      const run = secret.slice(start, end);
      const before = randomText(random, [], Math.floor(random() * 4));
      const after = randomText(random, [], Math.floor(random() * 4));
      yield `${before}${run}${after}`;
      const at = Math.floor(random() * run.length);
      const char = run[at]!;
      if (/[0-9A-Za-z_]/.test(char)) yield `${before}${run.slice(0, at)}${escaped(char, random)}${run.slice(at + 1)}${after}`;
      if (run.includes('_')) yield `${before}${run.replaceAll('_', '\\_')}${after}`;
      const wrong = secret[(end + 1) % secret.length]!;
      yield `${secret[start - 1] ?? ''}${run}${wrong}`;
      yield `${run} ${before}${run}`;
      const other = secrets[Math.floor(random() * secrets.length)]!;
      const otherStart = Math.floor(random() * other.length);
      yield `${run}${other.slice(otherStart, otherStart + 6 + Math.floor(random() * 20))}${after}`;
    }
  }
}

function secretSets(random: () => number): { name: string; secrets: string[] }[] {
  const shared = token(random, 'prod', 30);
  return [
    { name: 'the long token of the benchmark', secrets: ['ffy_prod_01kn0f1yabcdefghjkmnpqrstvwxABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'] },
    { name: 'a token', secrets: [TOKEN] },
    { name: 'a random token', secrets: [token(random, 'test', 36)] },
    ...[1, 5, 6, 7, 11, 12, 13, 17, 18, 19, 24].map((tail) => ({
      name: `a token with a ${tail}-character tail`,
      secrets: [token(random, 'live', tail)],
    })),
    { name: 'a non-token secret', secrets: ['correct-horse-battery'] },
    { name: 'an 8-character secret', secrets: ['pa55w0rd'] },
    { name: 'an 11-character secret', secrets: ['hunter2hunt'] },
    { name: 'a 12-character secret', secrets: ['hunter2hunte'] },
    { name: 'a secret of one repeated character', secrets: ['aaaaaaaaaaaaaaaaaaaaaaaaa'] },
    { name: 'a periodic secret', secrets: ['abcabcabcabcabcabcabcab'] },
    { name: 'a secret with the mask in it', secrets: ['x[redacted]y-[redacted]-zz'] },
    { name: 'a secret with escapes and underscores', secrets: ['s3cr3t_with\\_esc%5Fand\\u005fmore'] },
    { name: 'a secret shaped like a token but not one', secrets: ['ffy_prod_NOTBASE32NOTBASE32NOTBASE32abcdef'] },
    { name: 'two tokens sharing their public start', secrets: [shared, `${shared.slice(0, 35)}${token(random, 'prod', 30).slice(35)}`] },
    { name: 'a secret inside another', secrets: ['supersecretvalue12345', 'secretvalue1'] },
    { name: 'several secrets', secrets: [TOKEN, 'correct-horse-battery', token(random, 'prod', 12), 'pa55w0rd', 'zzzzzz1zzzzzz'] },
  ];
}

/** The first text on which the two differ, if any; `masked` counts the texts the secrets themselves changed. */
function firstDifference(texts: Iterable<string>, secrets: readonly string[], actual: (text: string) => string) {
  let compared = 0;
  let masked = 0;
  for (const text of texts) {
    const want = referenceRedactSecrets(text, secrets);
    const got = actual(text);
    if (want !== got) return { compared, masked, text, want, got };
    compared++;
    if (want !== referenceRedactSecrets(text, [])) masked++;
  }
  return { compared, masked };
}

describe('redaction is what the straightforward search gives', () => {
  for (const [index, { name, secrets }] of secretSets(seededRandom(20_260_301)).entries()) {
    test(`${name}: every run of the secrets, and random texts`, () => {
      const random = seededRandom(1_000 + index);
      const texts = function* (): Generator<string> {
        for (const secret of secrets) yield* runsOf(secret, secrets, random);
        for (let i = 0; i < 3_000; i++) yield randomText(random, secrets, 1 + Math.floor(random() * 30));
        for (let i = 0; i < 30; i++) {
          let long = '';
          while (long.length <= 1_000) long += randomText(random, secrets, 20);
          yield long; // longer than the Redactor remembers
        }
      };
      const direct = firstDifference(texts(), secrets, (text) => redactSecrets(text, secrets));
      assert.equal(direct.text, undefined, `redactSecrets differs on ${JSON.stringify(direct.text)}: ${JSON.stringify(direct)}`);
      assert.ok(direct.masked >= 20, `the secrets change some of the texts: ${direct.masked} of ${direct.compared}`);

      const redactor = new Redactor();
      for (const secret of secrets) redactor.addSecret(secret);
      const remembered = firstDifference(texts(), referenceRedactorSecrets(secrets), (text) => redactor.redact(text));
      assert.equal(remembered.text, undefined, `Redactor differs on ${JSON.stringify(remembered.text)}: ${JSON.stringify(remembered)}`);
    });
  }

  test('secrets shorter than the Redactor keeps, and empty ones, as redactSecrets is given them', () => {
    const random = seededRandom(7);
    for (const secrets of [
      [''],
      ['abc'],
      ['abcde'],
      ['abcdef'],
      ['abcdefg'],
      ['', 'abcdef', 'correct-horse-battery'],
      ['abcdef', 'abcdefghijklmnop'],
    ]) {
      const texts = function* (): Generator<string> {
        for (const secret of secrets) yield* runsOf(secret, secrets, random);
        for (let i = 0; i < 500; i++) yield randomText(random, secrets, 1 + Math.floor(random() * 20));
      };
      const result = firstDifference(texts(), secrets, (text) => redactSecrets(text, secrets));
      assert.equal(result.text, undefined, `${JSON.stringify(secrets)}: ${JSON.stringify(result)}`);
    }
  });

  test('secrets are masked in the order they were added, also once some texts were remembered', () => {
    const random = seededRandom(11);
    const secrets = ['supersecretvalue12345', 'secretvalue1', TOKEN, `${TOKEN.slice(0, 40)}Zq`];
    const redactor = new Redactor();
    const added: string[] = [];
    for (const secret of secrets) {
      redactor.addSecret(secret);
      added.push(secret);
      for (let i = 0; i < 500; i++) {
        const text = randomText(random, secrets, 1 + Math.floor(random() * 20));
        assert.equal(redactor.redact(text), referenceRedactSecrets(text, referenceRedactorSecrets(added)), JSON.stringify(text));
        assert.equal(redactor.redact(text), referenceRedactSecrets(text, referenceRedactorSecrets(added)), 'asked again');
      }
    }
  });
});
