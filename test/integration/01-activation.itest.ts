/** Activation, command registration, and whether the suites can answer the extension's prompts. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { control, delay, describeRequest, extension, escape, ScriptedWindow, waitFor } from './host';
import { SPEC_COMMANDS } from './specNames';

suite('Activation (packaged extension in a real extension host)', () => {
  test('the extension is installed from the unpacked .vsix and not active before anything asks for it', () => {
    const ext = extension();
    assert.equal(ext.packageJSON.name, 'factify-api-keys');
    assert.equal(ext.packageJSON.main, './dist/extension.js');
    assert.match(ext.extensionPath, /[\\/]vsix[\\/]extension$/, `loaded from ${ext.extensionPath}, not the unpacked .vsix`);
    assert.equal(ext.isActive, false, 'something activated the extension before the tests did');
  });

  test('activation does no network work', async () => {
    const api = await extension().activate();
    assert.ok(api.view, 'activate() returns { view }');
    assert.equal(typeof api.view.getChildren, 'function', 'view is the TreeDataProvider');
    await delay(2_000);
    assert.deepEqual((await control.requests()).map(describeRequest), [], 'the Factify server saw requests after activation');
    assert.deepEqual(await control.decoyRequests(), [], 'the decoy saw requests after activation');
  });

  test('every SPEC command id is registered, with its SPEC title and category', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = SPEC_COMMANDS.map(([id]) => id).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], 'SPEC commands not registered');
    const contributed = extension().packageJSON.contributes.commands as Array<{ command: string; title: string; category: string }>;
    for (const [id, title] of SPEC_COMMANDS) {
      const entry = contributed.find((c) => c.command === id);
      assert.ok(entry, `${id} is not contributed`);
      assert.equal(entry.title, title, `title of ${id}`);
      assert.equal(entry.category, 'Factify', `category of ${id}`);
    }
    const unregistered = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(unregistered, [], 'contributed commands without a handler');
  });

  test('prompt stubs on vscode.window reach the extension (the suites share its API object)', async () => {
    // factify.filterKeys calls vscode.window.showInputBox itself. If the extension had its own API object,
    // the real quick input would open instead and the command would wait for it.
    const script = new ScriptedWindow([escape()]);
    const command = script.run(() => vscode.commands.executeCommand('factify.filterKeys'));
    try {
      await waitFor(() => script.calls.length > 0, 'the extension to call the replaced vscode.window.showInputBox');
    } catch {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      assert.fail(
        "the extension did not see the replaced vscode.window.showInputBox: the suites must be loaded from inside the extension's folder",
      );
    }
    await command;
    script.assertDone();
    assert.equal(script.calls[0]?.text.startsWith('Factify: Filter Keys'), true, JSON.stringify(script.calls));
  });
});
