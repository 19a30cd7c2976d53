/**
 * Find API Keys in Workspace, without `vscode`: ripgrep lists the files that hold something shaped like a
 * token (honouring .gitignore and the excludes, skipping files over the size limit), then each listed file is
 * read here and checked exactly. Everything stays on this machine: the only processes started are ripgrep
 * and git, both reading local files.
 */
import type * as ChildProcess from 'node:child_process';
import type * as Fs from 'node:fs';
import type * as Path from 'node:path';
import { yieldToEventLoop } from './apiKey';
import { findTokens, classify, lineColumns, TOKEN_SEARCH_PATTERN, type Finding, type KeyIndex, type SkippedCounts } from './tokenScan';

// Node's modules are required on first use: activation loads nothing but the bundle.
/* eslint-disable @typescript-eslint/no-require-imports */
const childProcess = (): typeof ChildProcess => require('node:child_process') as typeof ChildProcess;
const fs = (): typeof Fs.promises => (require('node:fs') as typeof Fs).promises;
const path = (): typeof Path => require('node:path') as typeof Path;
/* eslint-enable @typescript-eslint/no-require-imports */

export interface PlacedFinding extends Finding {
  /** 0-based. */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface FileFindings {
  readonly fsPath: string;
  readonly findings: readonly PlacedFinding[];
}

export interface WorkspaceScanOptions {
  /** ripgrep's executable; undefined when none was found (the caller then lists files itself). */
  readonly rgPath: string;
  readonly folders: readonly string[];
  /** Globs to leave out (files.exclude and search.exclude), in VS Code's glob syntax. */
  readonly excludes: readonly string[];
  readonly maxFileBytes: number;
  readonly index: KeyIndex;
  readonly nowMs: number;
  readonly signal?: AbortSignal;
  /** Called for every file with findings, as soon as it is checked. */
  readonly onFile?: (file: FileFindings) => void;
  readonly onProgress?: (checked: number) => void;
}

export interface WorkspaceScanResult {
  readonly files: readonly FileFindings[];
  /** Files that hold something token-shaped but were not checked (too large, binary, unreadable). */
  readonly skipped: SkippedCounts;
  readonly skippedPaths: readonly string[];
  readonly cancelled: boolean;
  /** Files ripgrep listed as holding something token-shaped. */
  readonly candidates: number;
}

/**
 * ripgrep arguments: every file, hidden ones too (`.env`), .gitignore honoured, the excludes. Binary files
 * and files over the size limit are listed too when they hold something token-shaped, so that the summary can
 * say how many files that may hold a key were left unchecked; they are never read here.
 */
export function ripgrepArgs(options: Pick<WorkspaceScanOptions, 'folders' | 'excludes'>): string[] {
  const args = ['--no-config', '--hidden', '--no-messages', '--null', '--files-with-matches', '--binary', '--glob', '!**/.git'];
  for (const glob of options.excludes) args.push('--glob', `!${toRipgrepGlob(glob)}`);
  args.push('--regexp', TOKEN_SEARCH_PATTERN, '--', ...options.folders);
  return args;
}

/** VS Code globs are relative to the folder and match anywhere only with `**`; ripgrep's `--glob` works the same way. */
function toRipgrepGlob(glob: string): string {
  return glob.replace(/^\.\//, '').replace(/\/$/, '');
}

/** Runs ripgrep and streams the NUL-separated paths it prints. Resolves with the count; rejects when it cannot run. */
function ripgrepPaths(
  rgPath: string,
  args: readonly string[],
  signal: AbortSignal | undefined,
  onPath: (fsPath: string) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = childProcess().spawn(rgPath, args, { stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true });
    let pending = '';
    let count = 0;
    const abort = () => child.kill();
    signal?.addEventListener('abort', abort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let end = pending.indexOf('\0');
      let start = 0;
      while (end !== -1) {
        count++;
        onPath(pending.slice(start, end));
        start = end + 1;
        end = pending.indexOf('\0', start);
      }
      pending = pending.slice(start);
    });
    child.once('error', (error) => {
      signal?.removeEventListener('abort', abort);
      reject(error);
    });
    child.once('close', (code) => {
      signal?.removeEventListener('abort', abort);
      // 0: matches, 1: none, 2: some files could not be read (the others were still searched).
      if (code === 0 || code === 1 || code === 2 || signal?.aborted) resolve(count);
      else reject(new Error(`ripgrep exited with code ${String(code)}`));
    });
  });
}

/** Scans with ripgrep. Rejects only when ripgrep cannot be started (the caller then falls back). */
export async function scanWorkspaceWithRipgrep(options: WorkspaceScanOptions): Promise<WorkspaceScanResult> {
  const checker = new FileChecker(options);
  const candidates = await ripgrepPaths(options.rgPath, ripgrepArgs(options), options.signal, (fsPath) => checker.add(fsPath));
  await checker.done();
  return { ...checker.result(), candidates };
}

/** Checks files listed by some other means (no ripgrep): the size limit and binary check happen here. */
export async function scanFiles(
  paths: readonly string[],
  options: Omit<WorkspaceScanOptions, 'rgPath' | 'folders' | 'excludes'>,
): Promise<WorkspaceScanResult> {
  const checker = new FileChecker(options);
  for (const fsPath of paths) {
    if (options.signal?.aborted) break;
    checker.add(fsPath);
    await checker.drain(16);
  }
  await checker.done();
  return { ...checker.result(), candidates: paths.length };
}

/** Files read at once: enough to keep the disk and Node's thread pool busy while ripgrep still searches. */
const READS_IN_FLIGHT = 16;

/** Reads and checks files a few at a time, yielding between files so the host never stalls. */
class FileChecker {
  readonly files: FileFindings[] = [];
  readonly skipped = { tooLarge: 0, binary: 0, unreadable: 0 };
  readonly skippedPaths: string[] = [];
  private readonly queue: string[] = [];
  private running = 0;
  private checked = 0;
  private idle: (() => void) | undefined;

  constructor(private readonly options: Omit<WorkspaceScanOptions, 'rgPath' | 'folders' | 'excludes'>) {}

  add(fsPath: string): void {
    this.queue.push(fsPath);
    this.pump();
  }

  private pump(): void {
    while (this.running < READS_IN_FLIGHT && this.queue.length > 0) {
      const next = this.queue.shift() as string;
      this.running++;
      void this.check(next).finally(() => {
        this.running--;
        this.checked++;
        this.options.onProgress?.(this.checked);
        this.pump();
        if (this.running === 0 && this.queue.length === 0) this.idle?.();
      });
    }
  }

  /** Waits while more than `limit` files are queued (back-pressure for a caller that lists faster than we read). */
  async drain(limit: number): Promise<void> {
    while (this.queue.length > limit) await yieldToEventLoop();
  }

  done(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => (this.idle = resolve));
  }

  result(): { files: FileFindings[]; skipped: SkippedCounts; skippedPaths: string[]; cancelled: boolean } {
    this.files.sort((a, b) => (a.fsPath < b.fsPath ? -1 : a.fsPath > b.fsPath ? 1 : 0));
    return { files: this.files, skipped: this.skipped, skippedPaths: this.skippedPaths, cancelled: this.options.signal?.aborted ?? false };
  }

  private async check(fsPath: string): Promise<void> {
    if (this.options.signal?.aborted) return;
    let bytes: Buffer;
    try {
      const stat = await fs().stat(fsPath);
      if (!stat.isFile()) return;
      if (stat.size > this.options.maxFileBytes) {
        this.skipped.tooLarge++;
        this.skippedPaths.push(fsPath);
        return;
      }
      bytes = await fs().readFile(fsPath);
    } catch {
      this.skipped.unreadable++;
      this.skippedPaths.push(fsPath);
      return;
    }
    if (bytes.indexOf(0) !== -1) {
      this.skipped.binary++;
      this.skippedPaths.push(fsPath);
      return;
    }
    const text = bytes.toString('utf8');
    const findings = placeFindings(text, this.options.index, this.options.nowMs);
    await yieldToEventLoop();
    if (findings.length > 0) {
      const file = { fsPath, findings };
      this.files.push(file);
      this.options.onFile?.(file);
    }
  }
}

/** Every finding in `text` with its line and column (0-based). */
export function placeFindings(text: string, index: KeyIndex, nowMs: number): PlacedFinding[] {
  const matches = findTokens(text);
  if (matches.length === 0) return [];
  const offsets = matches.flatMap((match) => [match.start, match.end]);
  const places = lineColumns(text, offsets);
  return matches.map((match, i) => {
    const start = places[2 * i] as { line: number; column: number };
    const end = places[2 * i + 1] as { line: number; column: number };
    return { ...classify(match, index, nowMs), line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  });
}

/**
 * How git is run for `dir`: from a directory no workspace controls (Windows looks for a program in the child's
 * working directory before PATH, so a `git.exe` planted in a workspace folder would run), with the folder
 * passed as `-C`. fsmonitor off: a repository's config must never make reading it run a program.
 */
export function gitCommand(dir: string, args: readonly string[]): { args: string[]; cwd: string } {
  return { args: ['-C', dir, '-c', 'core.fsmonitor=false', ...args], cwd: path().dirname(process.execPath) };
}

/** git's answer for files: which of them it ignores. Without git or outside a repository, none. */
export class GitIgnore {
  private readonly cache = new Map<string, Promise<boolean>>();

  constructor(private readonly gitPath = 'git') {}

  isIgnored(fsPath: string): Promise<boolean> {
    let answer = this.cache.get(fsPath);
    if (!answer) {
      answer = this.ask(fsPath);
      this.cache.set(fsPath, answer);
    }
    return answer;
  }

  /** The paths git ignores, asked in one `git check-ignore --stdin` per folder (for a listing without ripgrep). */
  filterIgnored(folder: string, fsPaths: readonly string[]): Promise<Set<string>> {
    return new Promise((resolve) => {
      const git = gitCommand(folder, ['check-ignore', '--stdin', '-z']);
      const child = childProcess().execFile(
        this.gitPath,
        git.args,
        { cwd: git.cwd, timeout: 60_000, windowsHide: true, maxBuffer: 64 * 1024 * 1024 },
        (_error, stdout) =>
          resolve(
            new Set(
              String(stdout)
                .split('\0')
                .filter((entry) => entry !== '')
                .map((entry) => path().resolve(folder, entry)),
            ),
          ),
      );
      child.stdin?.end(fsPaths.map((fsPath) => `${fsPath}\0`).join(''));
    });
  }

  /** A .gitignore changed: every answer may have. */
  clear(): void {
    this.cache.clear();
  }

  private ask(fsPath: string): Promise<boolean> {
    return new Promise((resolve) => {
      const git = gitCommand(path().dirname(fsPath), ['check-ignore', '--quiet', '--', path().basename(fsPath)]);
      childProcess().execFile(this.gitPath, git.args, { cwd: git.cwd, timeout: 10_000, windowsHide: true }, (error) =>
        resolve(error === null),
      );
    });
  }
}
