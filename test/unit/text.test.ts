/** Server text as plain text: displayText and escapeMarkdown (src/core/text.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { displayText, escapeMarkdown } from '../../src/core/text';
import { assertFullyEscaped, unescapeMarkdown, hostileNames } from './helpers/coreFixtures';

describe('displayText and escapeMarkdown', () => {
  test('displayText never cuts an emoji in half when it shortens a name', () => {
    const cutInside = displayText(`${'a'.repeat(198)}😀bbb`, 200);
    assert.equal(cutInside, `${'a'.repeat(198)}…`);
    const keptWhole = displayText(`${'a'.repeat(197)}😀bbb`, 200);
    assert.equal(keptWhole, `${'a'.repeat(197)}😀…`);
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(cutInside + keptWhole), 'no lone high surrogate');
  });

  test('displayText flattens line breaks and replaces controls, bidi overrides and zero-width characters', () => {
    assert.equal(displayText('line1\nline2\r\nline3\rline4\tend'), 'line1 line2 line3 line4 end');
    const hostile = 'safe\u202Etxt.exe\u0000\u0007\u001b[31m\u007f\u0085\u200B\u2066x\u2069\uFEFF\u2028';
    const shown = displayText(hostile);
    // eslint-disable-next-line no-control-regex -- control characters are what these assertions look for
    assert.doesNotMatch(shown, /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/);
    assert.equal(shown, 'safe\uFFFDtxt.exe\uFFFD\uFFFD\uFFFD[31m\uFFFD\uFFFD\uFFFD\uFFFDx\uFFFD\uFFFD\uFFFD');
    assert.equal(displayText('Grüße – 鍵 🔑'), 'Grüße – 鍵 🔑', 'ordinary Unicode is untouched');
  });

  test('displayText truncates a 10 000-character name with an ellipsis', () => {
    const shown = displayText('n'.repeat(10_000));
    assert.equal(shown.length, 200);
    assert.ok(shown.endsWith('…'));
    assert.equal(displayText('n'.repeat(10_000), 50).length, 50);
    assert.equal(displayText('n'.repeat(200)), 'n'.repeat(200), 'exactly at the limit: not cut');
  });

  test('escapeMarkdown escapes every Markdown and HTML construct so it reads literally', () => {
    for (const name of hostileNames) {
      const escaped = escapeMarkdown(name);
      assertFullyEscaped(escaped);
      assert.equal(unescapeMarkdown(escaped), displayText(name, 1000), 'the reader sees the same text');
      assert.ok(!escaped.includes('\n'), 'no line can start a block construct');
    }
    assert.equal(escapeMarkdown('[x](command:foo)'), '\\[x\\]\\(command\\:foo\\)');
    assert.equal(escapeMarkdown('<img>'), '\\<img\\>');
    assert.equal(escapeMarkdown('https://x'), 'https\\:\\/\\/x');
    assert.equal(escapeMarkdown('`tick`'), '\\`tick\\`');
  });

  test('escapeMarkdown also sanitises and truncates before escaping', () => {
    const escaped = escapeMarkdown(`\u202E[x](command:foo)${'y'.repeat(2000)}`);
    assert.ok(!escaped.includes('\u202E'));
    assert.ok(escaped.endsWith('…'));
    assert.equal(unescapeMarkdown(escaped).length, 1000);
  });
});
