/**
 * The language model tools in the real extension host: listed in `vscode.lm.tools` and invoked with
 * `vscode.lm.invokeTool` as an agent would, against the local Factify server.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  bearer,
  control,
  describeRequest,
  env,
  extension,
  resetAll,
  signInAs,
  tokenOf,
  waitFor,
  waitForKeysOf,
  type RecordedRequest,
  type ServerApiKey,
} from './host';

const LIST = 'factify_listApiKeys';
const FIND = 'factify_findLeakedKeys';
const REVOKE = 'factify_revokeApiKey';
const DATA_BEGIN = '<<<BEGIN FACTIFY DATA>>>';
const DATA_END = '<<<END FACTIFY DATA>>>';

const isDelete = (request: RecordedRequest): boolean => request.method === 'DELETE';

async function invoke(name: string, input: object): Promise<string> {
  const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
  const text = result.content
    .map((part) => (part as { value?: unknown }).value)
    .filter((value) => typeof value === 'string')
    .join('');
  for (const token of Object.values(env.tokens)) assert.ok(!text.includes(token), `a token in the result of ${name}`);
  return text;
}

/** The JSON records between the data delimiters. */
function records(text: string): Array<Record<string, unknown>> {
  const lines = text.split('\n');
  const begin = lines.indexOf(DATA_BEGIN);
  const end = lines.indexOf(DATA_END);
  assert.ok(begin >= 0 && end > begin, `a data block in:\n${text}`);
  return lines.slice(begin + 1, end).map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function serverKey(orgId: string, name: string): Promise<ServerApiKey> {
  const found = (await control.keys(orgId)).find((key) => key.name === name);
  assert.ok(found, `the server has “${name}” in ${orgId}`);
  return found;
}

suite('Agent tools', () => {
  suiteSetup(() => signInAs(env.tokens.admin, env.orgs.primary));
  suiteTeardown(resetAll);

  test('the three tools are in vscode.lm.tools with the contributed descriptions and input schemas', () => {
    const contributed = (
      extension().packageJSON as {
        contributes: { languageModelTools: Array<{ name: string; modelDescription: string; inputSchema: object }> };
      }
    ).contributes.languageModelTools;
    for (const name of [LIST, FIND, REVOKE]) {
      const tool = vscode.lm.tools.find((candidate) => candidate.name === name);
      const declared = contributed.find((candidate) => candidate.name === name);
      assert.ok(tool, `${name} in vscode.lm.tools: ${vscode.lm.tools.map((t) => t.name).join(', ')}`);
      assert.ok(declared);
      assert.equal(tool.description, declared.modelDescription);
      assert.deepEqual(tool.inputSchema, declared.inputSchema);
    }
  });

  test("factify_listApiKeys: the current organization's keys, filtered, named by organization", async () => {
    await control.clearRequests();
    const text = await invoke(LIST, { expiringWithinDays: 7 });
    assert.match(text, new RegExp(`^Factify API keys of organization ${env.orgs.primary}, the token's own organization`));
    const soon = (await control.keys(env.orgs.primary)).filter(
      (key) =>
        !key.revoked_at &&
        key.expires_at &&
        Date.parse(key.expires_at) > Date.now() &&
        Date.parse(key.expires_at) - Date.now() <= 7 * 86_400_000,
    );
    assert.ok(soon.length > 0, 'the seed has a key expiring within a week');
    assert.deepEqual(
      records(text)
        .map((row) => row.id)
        .sort(),
      soon.map((key) => key.id).sort(),
    );
    assert.ok(
      (await control.requests()).some((request) => request.method === 'GET' && request.headers.authorization === bearer(env.tokens.admin)),
      'the list came fresh from the server',
    );

    const invalid = await invoke(LIST, { state: 'everything' });
    assert.match(invalid, /^Invalid input for factify_listApiKeys: "state" must be one of/);
  });

  test('factify_findLeakedKeys: a token in an open file, named by its key and organization, the token masked', async () => {
    const key = await serverKey(env.orgs.primary, 'CI deploy');
    const token = tokenOf(key, 'agent');
    const workspace = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspace, 'a workspace folder');
    const file = path.join(workspace.uri.fsPath, 'agent-leak.ts');
    fs.writeFileSync(file, `export const factifyToken = '${token}';\n`);
    const uri = vscode.Uri.file(file);
    const flagged = () => vscode.languages.getDiagnostics(uri).some((diagnostic) => diagnostic.source === 'Factify');
    try {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      await waitFor(flagged, 'the diagnostic of the open file');
      const text = await invoke(FIND, {});
      assert.match(text, /^Leak detection found 1 Factify token/, text);
      assert.ok(text.includes(env.orgs.primary), text);
      const [finding] = records(text) as Array<{
        file?: string;
        line?: number;
        token?: string;
        key?: { key_id?: string; name?: string; state?: string; live?: boolean };
      }>;
      assert.equal(finding?.file, 'agent-leak.ts');
      assert.equal(finding?.line, 1);
      assert.deepEqual(
        [finding?.key?.key_id, finding?.key?.name, finding?.key?.state, finding?.key?.live],
        [key.id, 'CI deploy', 'active', true],
      );
      assert.ok(
        finding?.token && token.startsWith(finding.token.replace(/…$/, '')) && finding.token.length < token.length,
        `masked: ${finding?.token}`,
      );
      assert.ok(!text.includes(token), 'never the whole token');
      assert.ok(
        !(await control.requests()).some((request) => JSON.stringify(request).includes(token.slice(-16))),
        'the found token was never sent',
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(file, { force: true });
    }
    await waitFor(() => !flagged(), 'the deleted file to take its finding with it');
    assert.match(await invoke(FIND, {}), /^Leak detection found no Factify tokens/);
  });

  test('factify_revokeApiKey, an unknown key: no confirmation is shown, nothing is sent', async () => {
    await control.clearRequests();
    const text = await invoke(REVOKE, { keyId: 'key_0000000000000000000000000z' });
    assert.match(text, /^Not revoked: there is no key key_0000000000000000000000000z in the current list of organization/);
    assert.deepEqual((await control.requests()).filter(isDelete).map(describeRequest), []);
  });

  // In an extension test run VS Code's dialog service answers every confirmation with yes without showing it
  // (it logs "Dialog requested during smoke test"), so Cancel and the dialog's text are proven by the UI
  // journey test/ui/agentTools.test.ts; here prepareInvocation and invoke run as they do after a Yes.
  test('factify_revokeApiKey, confirmed: one DELETE under the token and organization of the confirmation', async () => {
    const target = await serverKey(env.orgs.primary, 'Mobile app backend');
    await control.clearRequests();
    const text = await invoke(REVOKE, { keyId: target.id, reason: 'leaked in a commit' });
    assert.match(text, new RegExp(`^Revoked key ${target.id} in organization ${env.orgs.primary}`));
    const deletes = (await control.requests()).filter(isDelete);
    assert.deepEqual(deletes.map(describeRequest), [`DELETE /v1/api-keys/${target.id}`]);
    assert.equal(deletes[0]?.headers.authorization, bearer(env.tokens.admin));
    assert.equal(deletes[0]?.headers['x-factify-organization-id'], undefined);
    assert.deepEqual(JSON.parse(deletes[0]?.body ?? ''), { reason: 'leaked in a commit' });
    assert.equal((await serverKey(env.orgs.primary, target.name)).revoked_comment, 'leaked in a commit');
    await waitForKeysOf(env.orgs.primary, false);

    await control.clearRequests();
    assert.match(await invoke(REVOKE, { keyId: target.id }), /it may be revoked already/, 'asking again: nothing to confirm, nothing sent');
    assert.deepEqual((await control.requests()).filter(isDelete).map(describeRequest), []);
  });

  test('factify_revokeApiKey as a member without the admin role: the 403 comes back as text the model can relay', async () => {
    await signInAs(env.tokens.member, env.orgs.primary);
    const target = await serverKey(env.orgs.primary, 'CI deploy');
    await control.clearRequests();
    const text = await invoke(REVOKE, { keyId: target.id });
    assert.match(text, /^Not revoked: key .* requires the organization admin role \(403\)/);
    assert.equal((await control.requests()).filter(isDelete).length, 1);
    assert.equal((await serverKey(env.orgs.primary, target.name)).revoked_at, null);
  });
});
