/** Typed ids and the token check (src/core/ids.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { asKeyId, asOrgId, checkToken, explainInvalidOrgId } from '../../src/core/ids';
import { BODY, KEY_ID, ORG_ID, TOKEN_RANDOM, TOKEN } from './helpers/coreFixtures';

describe('checkToken', () => {
  test('accepts tokens of several environments and trims surrounding whitespace', () => {
    for (const token of [
      TOKEN,
      `ffy_test_${BODY}abcXYZ019`,
      `ffy_staging2_${BODY}${TOKEN_RANDOM}`,
      `ffy_dev1_${BODY}x`,
      `ffy_prod_${BODY.toUpperCase()}${TOKEN_RANDOM}`,
    ]) {
      assert.deepEqual(checkToken(token), { ok: true, token });
      assert.deepEqual(checkToken(`  \t${token}\n `), { ok: true, token });
    }
  });

  const rejections: Array<[string, string, RegExp]> = [
    ['empty', '', /paste/i],
    ['only whitespace', '  \n\t ', /paste/i],
    ['a Bearer header value', `Bearer ${TOKEN}`, /without "Bearer"/],
    ['a lower-case bearer prefix', `bearer ${TOKEN}`, /without "Bearer"/],
    ['inner whitespace', `ffy_prod_${BODY} ${TOKEN_RANDOM}`, /no spaces or line breaks/],
    ['an inner line break', `ffy_prod_${BODY}\n${TOKEN_RANDOM}`, /no spaces or line breaks/],
    ['a wrong prefix', `fy_prod_${BODY}${TOKEN_RANDOM}`, /start with "ffy_"/],
    ['another vendor prefix', `sk_live_${BODY}${TOKEN_RANDOM}`, /start with "ffy_"/],
    ['an upper-case environment', `ffy_PROD_${BODY}${TOKEN_RANDOM}`, /lower-case letters or digits/],
    ['no environment part', `ffy_${BODY}${TOKEN_RANDOM}`, /environment/],
    ['too short (cut off)', `ffy_prod_${BODY.slice(0, 20)}`, /too short/],
    ['punctuation in the body', `ffy_prod_01kdx2z2ab3cd4ef5gh6jk7mn.${TOKEN_RANDOM}`, /characters/],
    ['non-alphanumeric random part', `ffy_prod_${BODY}${TOKEN_RANDOM}-+/=`, /characters/],
    ['implausibly long', `ffy_prod_${BODY}${'A'.repeat(600)}`, /too long/],
  ];
  for (const [what, input, reason] of rejections) {
    test(`rejects ${what} with a reason that never repeats the value`, () => {
      const result = checkToken(input);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.match(result.reason, reason);
      const trimmed = input.trim();
      if (trimmed !== '') assert.ok(!result.reason.includes(trimmed), 'the reason contains the value');
      assert.ok(!result.reason.includes(BODY) && !result.reason.includes(TOKEN_RANDOM), 'the reason contains part of the value');
    });
  }
});

describe('typed ids', () => {
  test('asKeyId / asOrgId accept exactly prefix + 26 lower-case Crockford characters', () => {
    assert.equal(asKeyId(KEY_ID), KEY_ID);
    assert.equal(asOrgId(ORG_ID), ORG_ID);
    assert.equal(asKeyId(ORG_ID), undefined, 'an org id is not a key id');
    assert.equal(asOrgId(KEY_ID), undefined, 'a key id is not an org id');
    for (const bad of ['i', 'l', 'o', 'u', 'A', 'K', '-', '_']) {
      const body = `${bad}${BODY.slice(1)}`;
      assert.equal(asKeyId(`key_${body}`), undefined, `key id with "${bad}"`);
      assert.equal(asOrgId(`org_${body}`), undefined, `org id with "${bad}"`);
    }
    for (const body of [BODY.slice(0, 25), `${BODY}0`, '']) {
      assert.equal(asKeyId(`key_${body}`), undefined, `${body.length} characters`);
      assert.equal(asOrgId(`org_${body}`), undefined, `${body.length} characters`);
    }
    assert.equal(asKeyId(`KEY_${BODY}`), undefined);
    assert.equal(asKeyId(` ${KEY_ID}`), undefined, 'no trimming for ids from the server');
    assert.equal(asKeyId(`${KEY_ID}\n`), undefined, 'a trailing newline does not slip past $');
    assert.equal(asKeyId(`key_${BODY}/../../v1`), undefined);
    assert.equal(asKeyId(42), undefined);
    assert.equal(asOrgId(null), undefined);
  });

  test('explainInvalidOrgId explains each problem and accepts a trimmed valid id', () => {
    assert.equal(explainInvalidOrgId(ORG_ID), undefined);
    assert.equal(explainInvalidOrgId(`  ${ORG_ID} `), undefined);
    assert.match(explainInvalidOrgId('') ?? '', /Enter an organization ID/);
    assert.match(explainInvalidOrgId(KEY_ID) ?? '', /start with "org_"/);
    assert.match(explainInvalidOrgId(`ORG_${BODY}`) ?? '', /start with "org_"/);
    assert.match(explainInvalidOrgId(`org_${BODY.slice(0, 25)}`) ?? '', /26 characters.*has 25/);
    assert.match(explainInvalidOrgId(`org_${BODY}7`) ?? '', /26 characters.*has 27/);
    for (const bad of ['i', 'l', 'o', 'u', 'K']) {
      assert.match(explainInvalidOrgId(`org_${bad}${BODY.slice(1)}`) ?? '', /Crockford/, bad);
    }
  });
});
