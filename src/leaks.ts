/**
 * Keys in files, the VS Code side: diagnostics for open documents and for the workspace scan, quick fixes,
 * and where each key was found. The detection itself is the core's (tokenScan, workspaceScan); a found
 * token never leaves this machine and only its masked prefix is ever shown.
 */
import type * as Fs from 'node:fs';
import vscode = require('vscode');
import { type ApiKey } from './core/apiKey';
import { type Logger } from './core/errors';
import { type KeyDirectory } from './core/keyDirectory';
import { t } from './core/l10n';
import { type Redactor } from './core/redact';
import { displayText } from './core/text';
import { classify, countFindings, leakReason, summarizeScan, tokensToCheck, type Finding, type FindingRecord } from './core/tokenScan';
import {
  GitIgnore,
  placeFindings,
  scanFiles,
  scanWorkspaceWithRipgrep,
  type PlacedFinding,
  type WorkspaceScanResult,
} from './core/workspaceScan';
import { type AppContext } from './flows/context';
import { revokeFoundKey } from './flows/revoke';
import { copyKeyFields, registerGuarded } from './commands';

// Required on first use: activation loads nothing but the bundle.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs = (): typeof Fs => require('node:fs') as typeof Fs;

const DIAGNOSTIC_SOURCE = 'Factify';
/** Quiet time after the last keystroke before a document is checked again. */
const DOCUMENT_DEBOUNCE_MS = 300;
/** Documents this large are left alone (a log or a dump rather than something being edited). */
const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;
/** Schemes of documents that are files (or will be); diff views, output and git history are not checked. */
const CHECKED_SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs']);

interface Located {
  readonly uri: vscode.Uri;
  readonly range: vscode.Range;
  readonly finding: Finding;
}

interface FileState {
  readonly uri: vscode.Uri;
  readonly located: readonly Located[];
}

export const leakSettings = {
  enabled: () => vscode.workspace.getConfiguration('factify').get<boolean>('leakDetection.enabled', true),
  maxFileSizeKB: () => Math.max(1, vscode.workspace.getConfiguration('factify').get<number>('leakDetection.maxFileSizeKB', 1024)),
};

export interface LeakDetectorDeps {
  readonly ctx: AppContext;
  readonly directory: KeyDirectory;
  readonly log: Logger;
  readonly redactor: Redactor;
  /** Reveals a key's row in the Factify view; false when the view does not show it. */
  readonly revealKey: (key: ApiKey) => Promise<boolean>;
  /** Whether a key belongs to the organization requests currently go to (only those can be revoked from here). */
  readonly isCurrentOrganization: (key: ApiKey) => boolean;
}

export class LeakDetector implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('factify');
  private readonly files = new Map<string, FileState>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The latest scheduled check of each document, until it is done. */
  private readonly pending = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  private readonly git = new GitIgnore();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired when the findings change (the tree marks found keys). */
  readonly onDidChangeFindings = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  /** Bumped when every check in flight must be discarded (disabled, list changed). */
  private generation = 0;
  /** Change notices are coalesced: a scan sets hundreds of files, the tree needs to redraw once. */
  private notifyTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: LeakDetectorDeps) {
    this.disposables.push(
      this.diagnostics,
      this.changed,
      vscode.workspace.onDidOpenTextDocument((document) => this.schedule(document, 0)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0) this.schedule(event.document, DOCUMENT_DEBOUNCE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.closed(document)),
      // A file (or folder) deleted, in VS Code or outside it: its findings go with it.
      ...watchDeletions((uri) => this.deleted(uri)),
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (document.uri.path.endsWith('/.gitignore')) this.recheckAll(true);
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('factify.leakDetection')) this.recheckAll(false);
      }),
      deps.directory.onDidChange(() => this.recheckAll(false)),
      vscode.languages.registerCodeActionsProvider({ pattern: '**' }, this, {
        providedCodeActionKinds: LeakDetector.providedCodeActionKinds,
      }),
    );
    // Documents already open when the extension starts. No network work now: the first check of a
    // document that holds a token is what lists the keys.
    for (const document of vscode.workspace.textDocuments) this.schedule(document, DOCUMENT_DEBOUNCE_MS);
  }

  /** Every finding, as plain data (file, line, key, state, masked token): never the token or the file's text. */
  findings(): FindingRecord[] {
    const records: FindingRecord[] = [];
    for (const file of this.files.values()) {
      for (const { range, finding } of file.located) {
        records.push({
          file: vscode.workspace.asRelativePath(file.uri),
          uri: file.uri.toString(),
          line: range.start.line + 1,
          column: range.start.character + 1,
          kind: finding.kind,
          state: finding.state ?? 'unknown',
          keyName: finding.key?.name,
          keyId: finding.key?.id,
          organization: finding.organization,
          maskedToken: finding.masked,
        });
      }
    }
    return records;
  }

  /** Where a key was found: `file:line` places, for the tree's tooltip and Show Where This Key Appears. */
  locations(keyId: string): Array<{ uri: vscode.Uri; range: vscode.Range; label: string }> {
    const places: Array<{ uri: vscode.Uri; range: vscode.Range; label: string }> = [];
    for (const file of this.files.values()) {
      for (const { range, finding } of file.located) {
        if (finding.key?.id === keyId)
          places.push({ uri: file.uri, range, label: `${vscode.workspace.asRelativePath(file.uri)}:${range.start.line + 1}` });
      }
    }
    return places;
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    if (!CHECKED_SCHEMES.has(document.uri.scheme)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    let pending = this.pending.get(key);
    if (!pending) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((done) => (resolve = done));
      pending = { promise, resolve };
      this.pending.set(key, pending);
    }
    const waiting = pending;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.checkDocument(document)
          .catch((error: unknown) => this.deps.log.error(`Checking a document for keys failed: ${String(error)}`))
          .finally(() => {
            // A check scheduled meanwhile settles the same waiters when it is done.
            if (this.timers.has(key)) return;
            if (this.pending.get(key) === waiting) this.pending.delete(key);
            waiting.resolve();
          });
      }, delayMs),
    );
  }

  /** Resolves once the document's latest scheduled check is done (for callers that need the result). */
  async settled(uri: vscode.Uri): Promise<void> {
    await this.pending.get(uri.toString())?.promise;
  }

  private async checkDocument(document: vscode.TextDocument): Promise<void> {
    if (document.isClosed) return;
    const generation = this.generation;
    const version = document.version;
    const text = document.getText();
    if (!leakSettings.enabled() || text.length > MAX_DOCUMENT_CHARS) return this.set(document.uri, []);
    // Cheap first: most documents hold no token, and then neither git nor the key list is needed.
    const tokens = tokensToCheck(text);
    if (tokens.length === 0) return this.set(document.uri, []);
    if (document.uri.scheme === 'file' && (await this.git.isIgnored(document.uri.fsPath))) return this.set(document.uri, []);
    // VS Code keeps a closed editor's document a while: once its file is deleted (and nobody edits it), nothing is left to leak.
    if (document.uri.scheme === 'file' && !document.isDirty && !(await fileExists(document.uri.fsPath))) return this.set(document.uri, []);
    const index = await this.deps.directory.index();
    if (generation !== this.generation || document.isClosed || document.version !== version) return;
    const nowMs = Date.now();
    const findings = tokens.map((match) => classify(match, index, nowMs));
    this.set(
      document.uri,
      findings.map((finding) => ({
        uri: document.uri,
        range: new vscode.Range(document.positionAt(finding.start), document.positionAt(finding.end)),
        finding,
      })),
    );
  }

  private closed(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.pending.get(key)?.resolve();
    this.pending.delete(key);
    // An untitled document is gone for good; a file keeps its findings until the file is checked again.
    if (document.uri.scheme === 'untitled') this.set(document.uri, []);
  }

  private deleted(uri: vscode.Uri): void {
    const gone = uri.toString();
    for (const key of [...this.files.keys()]) {
      if (key === gone || key.startsWith(`${gone}/`)) this.set(vscode.Uri.parse(key), []);
    }
  }

  private set(uri: vscode.Uri, located: readonly Located[]): void {
    const key = uri.toString();
    const before = this.files.get(key);
    if (located.length === 0) {
      if (!before) return;
      this.files.delete(key);
      this.diagnostics.delete(uri);
    } else {
      this.files.set(key, { uri, located });
      this.diagnostics.set(
        uri,
        located.map((place) => toDiagnostic(place, this.deps.redactor)),
      );
    }
    this.notify();
  }

  private notify(): void {
    this.notifyTimer ??= setTimeout(() => {
      this.notifyTimer = undefined;
      this.changed.fire();
    }, 50);
  }

  /** The key list changed (revoke, refresh, organization switch) or the settings did: check everything again. */
  private recheckAll(gitignoreChanged: boolean): void {
    this.generation++;
    if (gitignoreChanged) this.git.clear();
    if (!leakSettings.enabled()) {
      this.files.clear();
      this.diagnostics.clear();
      this.notify();
      return;
    }
    const open = new Set(vscode.workspace.textDocuments.map((document) => document.uri.toString()));
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
    const fromScan = [...this.files.values()].filter((file) => !open.has(file.uri.toString()));
    if (fromScan.length > 0)
      void this.recheckFiles(
        fromScan.map((file) => file.uri),
        this.generation,
      );
  }

  /** Files found by the scan and not open: read again from disk, so their findings follow the list too. */
  private async recheckFiles(uris: readonly vscode.Uri[], generation: number): Promise<void> {
    const index = await this.deps.directory.index();
    for (const uri of uris) {
      if (generation !== this.generation) return;
      if (uri.scheme !== 'file') continue;
      const text = await nodeFs()
        .promises.readFile(uri.fsPath, 'utf8')
        .catch(() => '');
      if (generation !== this.generation) return;
      this.set(
        uri,
        placeFindings(text, index, Date.now()).map((finding) => locate(uri, finding)),
      );
    }
  }

  // ------------------------------------------------------------------------------------------ the workspace

  /** Find API Keys in Workspace. */
  async findInWorkspace(): Promise<void> {
    if (!leakSettings.enabled()) {
      const choice = await this.deps.ctx.prompts.info(
        t('Leak detection is turned off (factify.leakDetection.enabled).'),
        t('Open Setting'),
      );
      if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'factify.leakDetection.enabled');
      return;
    }
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file');
    if (folders.length === 0) {
      await this.deps.ctx.prompts.info(
        t('Open a folder first: Find API Keys in Workspace checks the files of the workspace folders on this machine.'),
      );
      return;
    }
    const maxFileSizeKB = leakSettings.maxFileSizeKB();
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: t('Factify: finding API keys in the workspace'),
        cancellable: true,
      },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        progress.report({ message: t('listing the keys of your organizations…') });
        const index = await this.deps.directory.index();
        const generation = ++this.generation;
        progress.report({ message: t('searching files…') });
        const options = {
          folders: folders.map((folder) => folder.uri.fsPath),
          excludes: excludeGlobs(folders),
          maxFileBytes: maxFileSizeKB * 1024,
          index,
          nowMs: Date.now(),
          signal: controller.signal,
          onProgress: (checked: number) =>
            progress.report({
              message: checked === 1 ? t('1 file with key-like text checked…') : t('{0} files with key-like text checked…', checked),
            }),
        };
        const scanned = await this.scan(options, folders, token);
        if (!scanned.cancelled) {
          this.applyScan(folders, scanned);
          // The key list changed during the scan: the files found are checked again against the new one.
          if (generation !== this.generation) this.recheckAll(false);
        }
        return scanned;
      },
    );
    if (result.cancelled) {
      await this.deps.ctx.prompts.info(t('Find API Keys in Workspace was cancelled; the Problems panel keeps what was found before.'));
      return;
    }
    for (const skipped of result.skippedPaths)
      this.deps.log.info(`Not checked for keys (too large, binary or unreadable): ${displayText(skipped, 500)}`);
    const records = this.findings();
    const summary = summarizeScan(countFindings(records), result.skipped, maxFileSizeKB);
    this.deps.log.info(`Find API Keys in Workspace: ${summary}`);
    const showProblems = t('Show Problems');
    const choice = await this.deps.ctx.prompts.info(summary, ...(records.length > 0 ? [showProblems] : []));
    if (choice === showProblems) await vscode.commands.executeCommand('workbench.actions.view.problems');
  }

  private async scan(
    options: Parameters<typeof scanFiles>[1] & { folders: string[]; excludes: string[] },
    folders: readonly vscode.WorkspaceFolder[],
    token: vscode.CancellationToken,
  ): Promise<WorkspaceScanResult> {
    const rgPath = await findRipgrep();
    if (rgPath) {
      try {
        this.deps.log.info(`Find API Keys in Workspace: searching with ${rgPath}.`);
        return await scanWorkspaceWithRipgrep({ ...options, rgPath });
      } catch (error) {
        this.deps.log.warn(`VS Code's ripgrep could not run (${String(error)}); listing files through VS Code instead.`);
      }
    } else {
      this.deps.log.info("VS Code's ripgrep was not found; listing files through VS Code instead.");
    }
    // No ripgrep: VS Code lists the files (with the excludes), git says which it ignores.
    const exclude = options.excludes.length > 0 ? `{${options.excludes.join(',')}}` : null;
    const uris = await vscode.workspace.findFiles('**/*', exclude, undefined, token);
    const paths: string[] = [];
    for (const folder of folders) {
      const inFolder = uris
        .filter((uri) => uri.scheme === 'file' && vscode.workspace.getWorkspaceFolder(uri) === folder)
        .map((uri) => uri.fsPath);
      const ignored = await this.git.filterIgnored(folder.uri.fsPath, inFolder);
      paths.push(...inFolder.filter((fsPath) => !ignored.has(fsPath)));
    }
    return scanFiles(paths, options);
  }

  /** The scan's findings replace what the Problems panel had for files in the scanned folders. */
  private applyScan(folders: readonly vscode.WorkspaceFolder[], result: WorkspaceScanResult): void {
    const found = new Set(result.files.map((file) => vscode.Uri.file(file.fsPath).toString()));
    for (const file of [...this.files.values()]) {
      const inFolders = folders.some((folder) => vscode.workspace.getWorkspaceFolder(file.uri) === folder);
      if (inFolders && !found.has(file.uri.toString())) this.set(file.uri, []);
    }
    for (const file of result.files) {
      const uri = vscode.Uri.file(file.fsPath);
      this.set(
        uri,
        file.findings.map((finding) => locate(uri, finding)),
      );
    }
  }

  // ----------------------------------------------------------------------------------------- quick fixes

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const file = this.files.get(document.uri.toString());
    if (!file) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const located = file.located.find((candidate) => candidate.range.isEqual(diagnostic.range));
      const key = located?.finding.key;
      if (!key) continue;
      const name = displayText(key.name, 60) || t('(unnamed key)');
      if (located.finding.kind === 'live' && key.keyId && this.deps.isCurrentOrganization(key)) {
        actions.push(action(this.deps.redactor.redact(t('Revoke “{0}”…', name)), diagnostic, 'factify.revokeFoundKey', [key.id], true));
      }
      actions.push(action(t('Reveal in Factify View'), diagnostic, 'factify.revealFoundKey', [key.id]));
      actions.push(action(t('Copy Key ID'), diagnostic, 'factify.copyFoundKeyId', [key.id]));
    }
    return actions;
  }

  private keyById(keyId: unknown): ApiKey | undefined {
    for (const file of this.files.values()) {
      for (const { finding } of file.located) if (finding.key?.id === keyId) return finding.key;
    }
    return undefined;
  }

  /** The quick fix: the normal revoke flow for that key, the reason prefilled with where it was found. */
  async revokeFound(keyId: unknown): Promise<void> {
    const key = this.keyById(keyId);
    if (!key) return;
    const reason = leakReason(this.locations(key.id).map((place) => place.label));
    await revokeFoundKey(this.deps.ctx, key, reason, (found) => this.deps.isCurrentOrganization(found));
  }

  async revealFound(keyId: unknown): Promise<void> {
    const key = this.keyById(keyId);
    if (!key) return;
    if (await this.deps.revealKey(key)) return;
    const hiddenRevoked = key.revokedAt !== undefined;
    const showRevoked = t('Show Revoked Keys');
    const choice = await this.deps.ctx.prompts.info(
      hiddenRevoked
        ? t('“{0}” is revoked, and the Factify view hides revoked keys.', displayText(key.name, 80))
        : t('“{0}” is not shown in the Factify view (another organization, a filter, or not loaded yet).', displayText(key.name, 80)),
      ...(hiddenRevoked ? [showRevoked] : []),
    );
    if (choice === showRevoked) {
      await vscode.commands.executeCommand('factify.showRevokedKeys');
    }
  }

  async copyFoundKeyId(keyId: unknown): Promise<void> {
    const key = this.keyById(keyId);
    if (!key) return;
    await copyKeyFields([key], 'id', this.deps.redactor);
  }

  /** Show Where This Key Appears: the places, one to open. */
  async showLocations(key: ApiKey | undefined): Promise<void> {
    if (!key) {
      await this.deps.ctx.prompts.info(t('Choose a key marked as found in the Factify view, or run “Find API Keys in Workspace” first.'));
      return;
    }
    const places = this.locations(key.id);
    if (places.length === 0) {
      await this.deps.ctx.prompts.info(
        t(
          '“{0}” was not found in the files checked so far. Run “Find API Keys in Workspace” to check every file.',
          displayText(key.name, 80),
        ),
      );
      return;
    }
    const chosen =
      places.length === 1
        ? places[0]
        : await this.deps.ctx.prompts.pick(
            places.map((place) => ({ label: place.label, value: place })),
            { title: t('Factify: where “{0}” appears', displayText(key.name, 80)), placeHolder: t('Choose a place to open it') },
          );
    if (!chosen) return;
    await vscode.window.showTextDocument(chosen.uri, { selection: chosen.range });
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    clearTimeout(this.notifyTimer);
    for (const pending of this.pending.values()) pending.resolve();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

function fileExists(fsPath: string): Promise<boolean> {
  return nodeFs()
    .promises.access(fsPath)
    .then(
      () => true,
      () => false,
    );
}

function watchDeletions(onDeleted: (uri: vscode.Uri) => void): vscode.Disposable[] {
  const watcher = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);
  return [watcher, watcher.onDidDelete(onDeleted)];
}

function locate(uri: vscode.Uri, finding: PlacedFinding): Located {
  return { uri, range: new vscode.Range(finding.line, finding.column, finding.endLine, finding.endColumn), finding };
}

/** The message names a key and its organization (server text): it passes the log's redactor like all we show. */
function toDiagnostic({ range, finding }: Located, redactor: Redactor): vscode.Diagnostic {
  const severity = finding.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(range, redactor.redact(finding.message), severity);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = finding.kind === 'live' ? 'live-key' : finding.kind === 'unknown' ? 'unknown-key' : `${finding.kind}-key`;
  return diagnostic;
}

function action(title: string, diagnostic: vscode.Diagnostic, command: string, args: unknown[], preferred = false): vscode.CodeAction {
  const codeAction = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
  codeAction.diagnostics = [diagnostic];
  codeAction.command = { command, title, arguments: args };
  codeAction.isPreferred = preferred;
  return codeAction;
}

/** files.exclude and search.exclude of every folder: the patterns set to true (conditional ones are kept). */
function excludeGlobs(folders: readonly vscode.WorkspaceFolder[]): string[] {
  const globs = new Set<string>();
  for (const folder of folders) {
    for (const section of ['files.exclude', 'search.exclude']) {
      const patterns = vscode.workspace.getConfiguration(undefined, folder.uri).get<Record<string, unknown>>(section) ?? {};
      for (const [glob, value] of Object.entries(patterns)) if (value === true) globs.add(glob);
    }
  }
  return [...globs];
}

/** VS Code's own ripgrep, from the places its builds keep it. */
async function findRipgrep(): Promise<string | undefined> {
  const exe = process.platform === 'win32' ? 'rg.exe' : 'rg';
  const appRoot = vscode.Uri.file(vscode.env.appRoot);
  const candidates = ['node_modules', 'node_modules.asar.unpacked'].flatMap((dir) => [
    vscode.Uri.joinPath(appRoot, dir, '@vscode', 'ripgrep-universal', 'bin', `${process.platform}-${process.arch}`, exe),
    vscode.Uri.joinPath(appRoot, dir, '@vscode', 'ripgrep', 'bin', exe),
  ]);
  const fs = nodeFs();
  for (const candidate of candidates) {
    if (
      await fs.promises.access(candidate.fsPath, fs.constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate.fsPath;
  }
  return undefined;
}

/** The commands of this feature, behind the same error boundary as the others. */
export function registerLeakCommands(
  detector: LeakDetector,
  deps: Parameters<typeof registerGuarded>[1],
  keyOf: (node: unknown) => ApiKey | undefined,
): vscode.Disposable[] {
  return [
    registerGuarded('factify.findKeysInWorkspace', deps, () => detector.findInWorkspace()),
    registerGuarded('factify.showKeyLocations', deps, (node) => detector.showLocations(keyOf(node))),
    registerGuarded('factify.revokeFoundKey', deps, (keyId) => detector.revokeFound(keyId)),
    registerGuarded('factify.revealFoundKey', deps, (keyId) => detector.revealFound(keyId)),
    registerGuarded('factify.copyFoundKeyId', deps, (keyId) => detector.copyFoundKeyId(keyId)),
  ];
}
