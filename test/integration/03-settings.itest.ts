/** Settings: defaults and scopes, and a workspace that tries to redirect the token. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { bearer, control, env, extension, isList, resetAll, signInAs, waitForRequest } from './host';

const SPEC_SETTINGS: ReadonlyArray<[string, unknown, string]> = [
  ['apiBaseUrl', 'https://api.factify.com', 'application'],
  ['showRevokedKeys', false, 'window'],
  ['expiryWarningDays', 14, 'window'],
  ['autoRefreshSeconds', 0, 'window'],
  ['confirmRevoke', true, 'window'],
  ['requestTimeoutSeconds', 30, 'window'],
];

suite('Settings', () => {
  suiteTeardown(resetAll);

  test('every setting has its SPEC default (configuration.inspect)', () => {
    const config = vscode.workspace.getConfiguration('factify');
    for (const [key, expected] of SPEC_SETTINGS) {
      assert.deepEqual(config.inspect(key)?.defaultValue, expected, `default of factify.${key}`);
    }
  });

  test('the manifest contributes apiBaseUrl with scope application, the others with scope window', () => {
    const properties = extension().packageJSON.contributes.configuration.properties as Record<string, { scope?: string }>;
    for (const [key, , scope] of SPEC_SETTINGS) {
      assert.equal(properties[`factify.${key}`]?.scope, scope, `scope of factify.${key}`);
    }
  });

  test('the user value of apiBaseUrl applies; the workspace value in .vscode/settings.json does not', () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    const onDisk = JSON.parse(fs.readFileSync(path.join(folder.uri.fsPath, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(onDisk['factify.apiBaseUrl'], env.decoyUrl, 'the workspace does try to redirect the token');

    const inspected = vscode.workspace.getConfiguration('factify').inspect<string>('apiBaseUrl');
    assert.equal(inspected?.globalValue, env.serverUrl, 'user value');
    assert.equal(inspected?.workspaceValue, undefined, 'VS Code drops an application-scoped value from workspace settings');
    assert.equal(inspected?.workspaceFolderValue, undefined);
    assert.equal(vscode.workspace.getConfiguration('factify').get('apiBaseUrl'), env.serverUrl, 'effective value');
  });

  test('writing apiBaseUrl at workspace level is refused, and the token still goes only to the user-level server', async () => {
    await signInAs(env.tokens.admin, env.orgs.primary);
    const config = vscode.workspace.getConfiguration('factify');
    let refused: unknown;
    try {
      await config.update('apiBaseUrl', env.decoyUrl, vscode.ConfigurationTarget.Workspace);
    } catch (error) {
      refused = error;
    }
    try {
      assert.ok(refused, 'VS Code accepted a workspace value for an application-scoped setting');
      assert.match(String(refused), /apiBaseUrl/);
    } finally {
      if (!refused) await config.update('apiBaseUrl', undefined, vscode.ConfigurationTarget.Workspace).then(undefined, () => undefined);
    }

    await control.clearRequests();
    await vscode.commands.executeCommand('factify.refresh');
    const list = await waitForRequest(isList, 'a list request after Refresh');
    assert.equal(list.headers.authorization, bearer(env.tokens.admin));
    assert.deepEqual(await control.decoyRequests(), [], 'the decoy (workspace apiBaseUrl) received a request');
  });
});
