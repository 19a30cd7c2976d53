/** The scripted prompts the journey tests run on (helpers/scriptedPrompts.ts): a script that is not followed fails clearly. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { confirm, error, info, input, pick } from './helpers/scriptedPrompts';

describe('scripted prompts (the test double itself)', () => {
  test('an unexpected call, a call of the wrong kind, an unoffered action and an unreached step all fail clearly', async () => {
    const { ScriptedPrompts } = await import('./helpers/scriptedPrompts');
    const finished = new ScriptedPrompts([]);
    await assert.rejects(finished.info('Hello'), /Unexpected info call, the script is finished: “Hello”/);
    assert.throws(() => finished.assertDone(), /Unexpected info call/);

    const wrongKind = new ScriptedPrompts([confirm(true)]);
    await assert.rejects(wrongKind.warn('Careful'), /Expected a confirm call but got warn/);

    const unoffered = new ScriptedPrompts([error('Retry')]);
    await assert.rejects(unoffered.error('Failed', 'Open Log'), /chooses “Retry” but the error message offers \[Open Log\]/);

    const unreached = new ScriptedPrompts([input('a'), info()]);
    assert.equal(await unreached.input({ title: 'T', prompt: 'P', validate: (value) => (value === 'a' ? undefined : 'no') }), 'a');
    assert.throws(() => unreached.assertDone(), /never reached: info/);

    const missingItem = new ScriptedPrompts([pick('Nope')]);
    await assert.rejects(
      missingItem.pick([{ label: 'Yes', value: 1 }], { title: 'T', placeHolder: 'P' }),
      /offered no item whose label contains “Nope”/,
    );
  });
});
