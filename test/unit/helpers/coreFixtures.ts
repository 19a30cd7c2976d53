/** Values and records the unit tests of the pure core share: ids, tokens, keys, server records, hostile text. */
import assert from 'node:assert/strict';
import { asKeyId } from '../../../src/core/ids';
import { type ApiKey } from '../../../src/core/apiKey';

export const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** 26 valid lower-case Crockford characters. */
export const BODY = '01kdx2z2ab3cd4ef5gh6jk7mn8';
export const KEY_ID = `key_${BODY}`;
export const ORG_ID = `org_${BODY}`;
export const TOKEN_RANDOM = 'Qz7Tr2Wx9Lm4Np6Vb8Hc1Jd3K';
export const TOKEN = `ffy_prod_${BODY}${TOKEN_RANDOM}`;

/** A distinct valid key id per number. */
export function keyIdFor(n: number): string {
  return `key_${String(n).padStart(26, '0')}`;
}

export function makeKey(overrides: Partial<ApiKey> = {}): ApiKey {
  const id = overrides.id ?? KEY_ID;
  return {
    id,
    keyId: asKeyId(id),
    orgId: ORG_ID,
    name: 'CI deploy',
    prefix: 'ffy_prod_01kdx2z2...',
    isActive: true,
    createdAt: '2025-11-01T10:00:00Z',
    updatedAt: '2025-12-01T10:00:00Z',
    expiresAt: undefined,
    revokedAt: undefined,
    revokedBy: undefined,
    revokedComment: undefined,
    ...overrides,
  };
}

/** A raw API record as the server sends it. */
export function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: KEY_ID,
    org_id: ORG_ID,
    name: 'CI deploy',
    prefix: 'ffy_prod_01kdx2z2...',
    created_at: '2025-11-01T10:00:00Z',
    updated_at: '2025-12-01T10:00:00.123+01:00',
    is_active: true,
    expires_at: null,
    revoked_at: null,
    revoked_by: null,
    revoked_comment: null,
    ...overrides,
  };
}

const PUNCTUATION = /[!-/:-@[-`{-~]/;

/** Every ASCII punctuation character in `markdown` is backslash-escaped, so nothing in it is Markdown syntax. */
export function assertFullyEscaped(markdown: string): void {
  for (let i = 0; i < markdown.length; i++) {
    const char = markdown[i] ?? '';
    if (char === '\\') {
      assert.match(markdown[i + 1] ?? '', PUNCTUATION, `a backslash at ${i} must escape punctuation: ${markdown}`);
      i++;
    } else {
      assert.doesNotMatch(char, PUNCTUATION, `unescaped "${char}" at ${i} in ${markdown}`);
    }
  }
}

export function unescapeMarkdown(markdown: string): string {
  return markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/** User data that would be Markdown, HTML, a link or a command link if it were not escaped. */
export const hostileNames = [
  '[x](command:foo)',
  '[click](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D)',
  '<img src=x onerror=alert(1)>',
  '<a href="https://evil.example">hi</a>',
  '![img](https://evil.example/pixel.png)',
  'https://evil.example/phish and www.evil.example',
  'mail admin@evil.example',
  '`code` ``` fenced ```',
  '**bold** _em_ ~~strike~~ # heading',
  '> quote\n- list\n1. item\n---\n| a | b |',
  '[ref]: https://evil.example\n[ref]',
  '&lt;b&gt; &#x3C;script&#x3E;',
  'back\\slash\\[x](command:foo)',
];
