/**
 * Keys in files: diagnostics on an open file, the revoke quick fix with its prefilled reason, a git-ignored
 * .env, Find API Keys in Workspace with its summary, the tree's marker and Show Where This Key Appears, the
 * setting that turns it off, and the server's request log proving no found token and no file content left.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  control,
  env,
  extension,
  input,
  modal,
  readTree,
  resetAll,
  runScripted,
  signInAs,
  tokenOf,
  view,
  waitFor,
  waitForRequest,
  type RecordedRequest,
  type ServerApiKey,
} from './host';

interface LeaksLike {
  settled(uri: vscode.Uri): Promise<void>;
  findings(): Array<{ file: string; line: number; kind: string; keyId?: string; maskedToken: string }>;
}

async function leaks(): Promise<LeaksLike> {
  const api = (await extension().activate()) as unknown as { leaks?: LeaksLike };
  assert.ok(api.leaks, 'activate() returned no { leaks }');
  return api.leaks;
}

const UNKNOWN_TOKEN = 'ffy_prod_zzzzzzzzzzzzzzzzzzzzzzzzzzUnknownKeyRandom42';
const CONTENT_MARKER = 'fileContentMarker_7d1f';

function factifyDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === 'Factify');
}

suite('Keys in files', () => {
  let folder: string;
  let live: ServerApiKey;
  let revoked: ServerApiKey;
  let liveToken: string;
  let revokedToken: string;
  let envToken: string;
  let configUri: vscode.Uri;

  suiteSetup(async () => {
    await signInAs(env.tokens.admin, env.orgs.primary);
    const keys = await control.keys(env.orgs.primary);
    live = keys.find((key) => key.name === 'CI deploy') as ServerApiKey;
    revoked = keys.find((key) => key.name === 'Old CI token') as ServerApiKey;
    assert.ok(live && revoked);
    liveToken = tokenOf(live, 'config');
    revokedToken = tokenOf(revoked, 'notes');
    envToken = tokenOf(live, 'dotenv');
    const workspace = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspace, 'a workspace folder');
    folder = workspace.uri.fsPath;
    fs.mkdirSync(path.join(folder, 'src'), { recursive: true });
    fs.mkdirSync(path.join(folder, 'notes'), { recursive: true });
    fs.writeFileSync(
      path.join(folder, 'src', 'config.ts'),
      `// ${CONTENT_MARKER}\nexport const region = 'eu';\nexport const factifyToken = '${liveToken}';\n`,
    );
    fs.writeFileSync(
      path.join(folder, 'notes', 'old.md'),
      `# Notes ${CONTENT_MARKER}\n\nOld token: ${revokedToken}\nSomeone else's: "${UNKNOWN_TOKEN}"\n`,
    );
    fs.writeFileSync(path.join(folder, '.env'), `FACTIFY_TOKEN=${envToken}\n`);
    fs.writeFileSync(path.join(folder, '.gitignore'), '.env\n');
    execFileSync('git', ['init', '-q'], { cwd: folder });
    configUri = vscode.Uri.file(path.join(folder, 'src', 'config.ts'));
    await control.clearRequests();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const name of ['src', 'notes', '.env', '.gitignore', '.git']) fs.rmSync(path.join(folder, name), { recursive: true, force: true });
    await resetAll();
  });

  test('an open file with a live key: a Warning naming the key, its organization and state, never the token', async () => {
    await vscode.window.showTextDocument(configUri);
    await waitFor(() => factifyDiagnostics(configUri).length === 1, 'a Factify diagnostic on src/config.ts');
    const [diagnostic] = factifyDiagnostics(configUri);
    assert.ok(diagnostic);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(diagnostic.message, /“CI deploy”/);
    assert.match(diagnostic.message, /active/);
    assert.ok(diagnostic.message.includes(env.orgs.primary), diagnostic.message);
    assert.ok(!diagnostic.message.includes(liveToken), 'the message never shows the token');
    assert.equal(diagnostic.range.start.line, 2);
    const text = (await vscode.workspace.openTextDocument(configUri)).getText(diagnostic.range);
    assert.equal(text, liveToken, 'the diagnostic covers the token');
  });

  test('a git-ignored .env is where keys belong: no warning', async () => {
    const envUri = vscode.Uri.file(path.join(folder, '.env'));
    await vscode.window.showTextDocument(envUri);
    await (await leaks()).settled(envUri);
    assert.deepEqual(factifyDiagnostics(envUri), []);
  });

  test('quick fixes; Revoke “CI deploy”… sends the DELETE with the reason prefilled with where it was found', async () => {
    const [diagnostic] = factifyDiagnostics(configUri);
    assert.ok(diagnostic);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      configUri,
      diagnostic.range,
    );
    const titles = actions.map((action) => action.title);
    for (const title of ['Revoke “CI deploy”…', 'Reveal in Factify View', 'Copy Key ID'])
      assert.ok(titles.includes(title), `offered: ${JSON.stringify(titles)}`);
    const copy = actions.find((action) => action.title === 'Copy Key ID');
    assert.ok(copy?.command);
    await vscode.commands.executeCommand(copy.command.command, ...(copy.command.arguments ?? []));
    assert.equal(await vscode.env.clipboard.readText(), live.id);
    const reveal = actions.find((action) => action.title === 'Reveal in Factify View');
    assert.ok(reveal?.command);
    await vscode.commands.executeCommand(reveal.command.command, ...(reveal.command.arguments ?? []));
    const keysView = await view();
    await waitFor(() => keysView.treeView.selection.some((node) => node.key?.id === live.id), 'the key row to be revealed and selected');
    await vscode.window.showTextDocument(configUri);

    const revoke = actions.find((action) => action.title === 'Revoke “CI deploy”…');
    assert.ok(revoke?.command);
    const reason = 'Found in src/config.ts:3';
    const script = await runScripted(revoke.command.command, [input(reason), modal('Revoke')], { args: revoke.command.arguments });
    assert.equal(script.of('input')[0]?.value, reason, 'the reason is prefilled (and editable)');
    const request = await waitForRequest((candidate) => candidate.method === 'DELETE', 'the DELETE');
    assert.equal(request.path, `/v1/api-keys/${live.id}`);
    assert.deepEqual(JSON.parse(request.body), { reason });
    // The diagnostics follow the list: the key is revoked now.
    await waitFor(
      () => factifyDiagnostics(configUri)[0]?.severity === vscode.DiagnosticSeverity.Information,
      'the diagnostic to become Information (revoked)',
    );
    assert.match(factifyDiagnostics(configUri)[0]?.message ?? '', /revoked/);
  });

  test('Find API Keys in Workspace: findings in the Problems panel and a summary', async () => {
    const script = await runScripted('factify.findKeysInWorkspace', [], { messages: () => undefined });
    const summary = script
      .of('info')
      .map((call) => call.text)
      .find((text) => /Factify key/.test(text));
    // config.ts: CI deploy (revoked by the test before); old.md: Old CI token (revoked) and an unknown key; .env ignored.
    assert.equal(summary, '3 Factify keys in 2 files: 2 revoked, 1 unknown.');
    assert.deepEqual(script.of('info').find((call) => call.text === summary)?.buttons, ['Show Problems']);
    const notes = vscode.Uri.file(path.join(folder, 'notes', 'old.md'));
    const diagnostics = factifyDiagnostics(notes);
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.severity]),
      [
        [2, vscode.DiagnosticSeverity.Information],
        [3, vscode.DiagnosticSeverity.Warning],
      ],
    );
    assert.match(diagnostics[1]?.message ?? '', /matches no key listed/);
    assert.deepEqual(factifyDiagnostics(vscode.Uri.file(path.join(folder, '.env'))), []);
    const records = (await leaks()).findings();
    assert.ok(
      records.every((record) => !JSON.stringify(record).includes(liveToken) && !JSON.stringify(record).includes(UNKNOWN_TOKEN)),
      'findings carry masked tokens only',
    );
  });

  test('the tree marks a found key; Show Where This Key Appears opens the place', async () => {
    await vscode.commands.executeCommand('factify.showRevokedKeys');
    try {
      const keysView = await view();
      let row: Awaited<ReturnType<typeof readTree>>[number]['rows'][number] | undefined;
      await waitFor(async () => {
        row = (await readTree(keysView)).flatMap((group) => group.rows).find((candidate) => candidate.item.id === revoked.id);
        return String(row?.item.contextValue ?? '').endsWith('.found');
      }, 'the Old CI token row to be marked as found');
      assert.ok(row);
      assert.match(row.description, /found in a file/);
      const resolved = await keysView.resolveTreeItem(row.item, row.node);
      assert.match((resolved.tooltip as vscode.MarkdownString).value, /notes\\\/old\\\.md\\:3/);
      await vscode.commands.executeCommand('factify.showKeyLocations', row.node);
      await waitFor(
        () => vscode.window.activeTextEditor?.document.uri.fsPath === path.join(folder, 'notes', 'old.md'),
        'notes/old.md to open',
      );
      assert.equal(vscode.window.activeTextEditor?.selection.start.line, 2);
    } finally {
      await vscode.commands.executeCommand('factify.hideRevokedKeys');
    }
  });

  test('factify.leakDetection.enabled = false turns it all off', async () => {
    const config = vscode.workspace.getConfiguration('factify');
    await config.update('leakDetection.enabled', false, vscode.ConfigurationTarget.Global);
    try {
      await waitFor(() => factifyDiagnostics(configUri).length === 0, 'the diagnostics to go');
    } finally {
      await config.update('leakDetection.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor(() => factifyDiagnostics(configUri).length === 1, 'the diagnostics to come back for the open file');
  });

  test('the server never saw a found token or any file content', async () => {
    const requests: RecordedRequest[] = await control.requests();
    assert.ok(requests.length > 0);
    const seen = JSON.stringify(requests);
    for (const secret of [liveToken, revokedToken, envToken, UNKNOWN_TOKEN]) {
      assert.ok(!seen.includes(secret), 'a found token reached the server');
      assert.ok(!seen.includes(secret.slice(-20)), 'part of a found token reached the server');
    }
    assert.ok(!seen.includes(CONTENT_MARKER), 'file content reached the server');
    for (const request of requests) {
      assert.ok(
        request.method === 'GET' || (request.method === 'DELETE' && request.path === `/v1/api-keys/${live.id}`),
        `${request.method} ${request.path}`,
      );
    }
  });
});
