/** Redaction of tokens and secrets (src/core/redact.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { revokeConfirmation } from '../../src/core/agentTools';
import { keyTooltipMarkdown } from '../../src/core/keyTree';
import { Redactor, redactSecrets } from '../../src/core/redact';
import { escapeMarkdown } from '../../src/core/text';
import { BODY, KEY_ID, NOW, ORG_ID, TOKEN, TOKEN_RANDOM, makeKey } from './helpers/coreFixtures';

describe('redaction', () => {
  test('a known secret is masked wherever it appears, even if it does not look like a token', () => {
    const redactor = new Redactor();
    redactor.addSecret('correct-horse-battery');
    const out = redactor.redact('a correct-horse-battery b "correct-horse-battery"');
    assert.ok(!out.includes('correct-horse-battery'));
    assert.equal(out, 'a [redacted] b "[redacted]"');
  });

  test('a text shown before a secret became known is masked once it is known (nothing stale is remembered)', () => {
    const redactor = new Redactor();
    const row = 'named correct-horse-battery';
    assert.equal(redactor.redact(row), row);
    redactor.addSecret('correct-horse-battery');
    assert.equal(redactor.redact(row), 'named [redacted]');
    assert.equal(redactor.redact(row), 'named [redacted]', 'asked again');
    const long = `${'x'.repeat(2_000)} correct-horse-battery`;
    assert.ok(!redactor.redact(long).includes('correct-horse-battery'), 'a long text too');
  });

  test('token-shaped strings, Bearer values and URL credentials are masked', () => {
    const other = `ffy_test_${BODY}AbCdEfGhIjKlMnOp`;
    const text = [
      `token=${TOKEN}`,
      `{"t":"${other}"}`,
      'Authorization: Bearer abc.def-ghi',
      'authorization: bearer s3cr3t',
      'proxy http://alice:pa55w0rd@proxy.corp:3128/ and https://tok@api.example',
    ].join('\n');
    const out = redactSecrets(text, []);
    for (const secret of [TOKEN, other, BODY, 'abc.def-ghi', 's3cr3t', 'alice', 'pa55w0rd', 'tok@']) {
      assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    }
    assert.match(out, /Bearer \[redacted\]/);
    assert.match(out, /proxy\.corp:3128/, 'the host stays readable');
  });

  test('key prefixes and ids stay readable', () => {
    const text = `Revoked ${KEY_ID} (ffy_prod_01kdx2z2...) and ffy_test_01k8abcd... for ${ORG_ID}`;
    const redactor = new Redactor();
    redactor.addSecret(TOKEN);
    assert.equal(redactor.redact(text), text);
  });

  test('any 12 characters of a token’s random tail are masked, with what the text shares of the token around them', () => {
    const redactor = new Redactor();
    redactor.addSecret(TOKEN);
    for (let start = 0; start + 12 <= TOKEN_RANDOM.length; start++) {
      const run = TOKEN_RANDOM.slice(start, start + 12);
      assert.equal(redactor.redact(`a ${run} b`), 'a [redacted] b', run);
      const short = run.slice(0, 11);
      assert.equal(redactor.redact(`a ${short} b`), `a ${short} b`, 'eleven characters stay');
    }
    assert.equal(redactor.redact(`id ${BODY}${TOKEN_RANDOM.slice(0, 12)}, more`), 'id [redacted], more');
    assert.equal(
      redactor.redact(`${BODY}${TOKEN_RANDOM.slice(0, 11)}`),
      `${BODY}${TOKEN_RANDOM.slice(0, 11)}`,
      'the public start does not count',
    );
  });

  test('a token with a tail under 6 characters, and a secret under 12 characters, are masked only whole', () => {
    const redactor = new Redactor();
    const shortTail = `ffy_prod_${BODY}Qz7T`;
    redactor.addSecret(shortTail);
    assert.equal(redactor.redact(`x ${shortTail} y`), 'x [redacted] y');
    assert.equal(redactor.redact(`x ${BODY}Qz7T y`), `x ${BODY}Qz7T y`);
    redactor.addSecret('hunter2hun');
    assert.equal(redactor.redact('say hunter2hun and hunter2hu'), 'say [redacted] and hunter2hu');
  });

  test('a token escaped for Markdown (tooltips, confirmations) is masked like a plain one', () => {
    const leaked = `ffy_live_${BODY}Zz9Yy8Xx7Ww6Vv5Uu4`;
    assert.ok(!redactSecrets(escapeMarkdown(`leaked: ${leaked}`), []).includes('Zz9Yy8Xx7Ww6Vv5Uu4'));
    const key = makeKey({ revokedAt: NOW - 1000, revokedComment: `found in .env: ${leaked}`, name: `named ${TOKEN}` });
    const redactor = new Redactor();
    const tooltip = redactor.redact(keyTooltipMarkdown(key, NOW, 14));
    const confirmation = revokeConfirmation(makeKey({ name: `named ${leaked}` }), 'organization x', `reason ${leaked}`, false);
    for (const shown of [tooltip, redactor.redact(confirmation.markdown), redactor.redact(confirmation.plain)]) {
      assert.ok(!shown.includes('Zz9Yy8Xx7Ww6Vv5Uu4'), shown);
      assert.ok(!shown.includes(TOKEN_RANDOM), shown);
    }
  });
});
