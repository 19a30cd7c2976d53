/** Checks over the whole run. */
import assert from 'node:assert/strict';
import { control } from './host';

suite('Whole run', () => {
  test('nothing ever reached the decoy origin the workspace settings named as apiBaseUrl', async () => {
    assert.deepEqual(await control.decoyRequests(), []);
  });
});
