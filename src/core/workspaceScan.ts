/**
 * Find API Keys in Workspace, without `vscode`: ripgrep searches the workspace (honouring .gitignore and the
 * excludes) and reports each line that holds something shaped like a token; the exact check and the
 * classification run here on those lines, so no file is read twice. Everything stays on this machine: the
 * only processes started are ripgrep and git, both reading local files.
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

/**
 * A finding in a file. Its place is `line` and `column` (UTF-16, as an editor counts); `start` and `end` are
 * offsets in the text that was checked, which with ripgrep is the line, not the whole file.
 */
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
  /** Files ripgrep reported as holding something token-shaped (without ripgrep: the files listed). */
  readonly candidates: number;
}

/**
 * ripgrep arguments: every file, hidden ones too (`.env`), .gitignore honoured, the excludes; each line that
 * holds something token-shaped is reported as JSON, with its file. Binary files that hold something
 * token-shaped are reported too (with where the binary data starts), and so are files over the size limit,
 * so that the summary can say how many files that may hold a key were left unchecked; nothing of theirs is
 * checked. Text is taken as UTF-8, except that ripgrep decodes a file that starts with a byte-order mark (a
 * UTF-16 file, as Windows tools often write them; VS Code decodes those too, so columns match the editor).
 * For such a file the size ripgrep reports is that of the decoded text, so the size limit is looser there.
 */
export function ripgrepArgs(options: Pick<WorkspaceScanOptions, 'folders' | 'excludes'>): string[] {
  const args = ['--no-config', '--hidden', '--no-messages', '--json', '--line-number', '--binary', '--glob', '!**/.git'];
  for (const glob of options.excludes) args.push('--glob', `!${toRipgrepGlob(glob)}`);
  args.push('--regexp', TOKEN_SEARCH_PATTERN, '--', ...options.folders);
  return args;
}

/** VS Code globs are relative to the folder and match anywhere only with `**`; ripgrep's `--glob` works the same way. */
function toRipgrepGlob(glob: string): string {
  return glob.replace(/^\.\//, '').replace(/\/$/, '');
}

/** A path or a line in ripgrep's JSON: `text` when it is valid UTF-8, else its bytes in base64. */
interface RipgrepData {
  readonly text?: string;
  readonly bytes?: string;
}

interface RipgrepEvent {
  readonly type?: string;
  readonly data?: {
    readonly path?: RipgrepData;
    readonly lines?: RipgrepData;
    // ripgrep's field names.
    readonly line_number?: number;
    readonly binary_offset?: number | null;
    readonly stats?: { readonly bytes_searched?: number };
  };
}

/** The text of a path or line; bytes that are not UTF-8 are decoded as a file read here is (U+FFFD each). */
export function ripgrepText(data: RipgrepData | undefined): string {
  if (typeof data?.text === 'string') return data.text;
  return typeof data?.bytes === 'string' ? Buffer.from(data.bytes, 'base64').toString('utf8') : '';
}

/**
 * The longest line of ripgrep's output that is parsed. A line a file holds is at most the file's size, and
 * a file over the limit is skipped anyway, so this only drops lines of such files (a minified bundle) or of
 * a file whose line JSON escaping made much longer; that file is then read here instead.
 */
function maxOutputLineChars(maxFileBytes: number): number {
  return Math.min(2 * maxFileBytes + 64 * 1024, 32 * 1024 * 1024);
}

/** Splits streamed text into lines, never holding more than `maxChars` of one: a longer line is dropped. */
export class LineSplitter {
  private parts: string[] = [];
  private length = 0;
  private dropping = false;

  constructor(
    private readonly maxChars: number,
    private readonly onLine: (line: string) => void,
    private readonly onDropped: () => void,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
      this.take(chunk.slice(start, newline), true);
      start = newline + 1;
    }
    if (start < chunk.length) this.take(chunk.slice(start), false);
  }

  end(): void {
    if (!this.dropping && this.length > 0) this.take('', true);
    this.dropping = false;
  }

  private take(piece: string, lineEnds: boolean): void {
    if (this.dropping) {
      if (lineEnds) this.dropping = false;
      return;
    }
    if (this.length + piece.length > this.maxChars) {
      this.parts = [];
      this.length = 0;
      this.dropping = !lineEnds;
      this.onDropped();
      return;
    }
    if (!lineEnds) {
      this.parts.push(piece);
      this.length += piece.length;
      return;
    }
    const line = this.parts.length === 0 ? piece : [...this.parts, piece].join('');
    this.parts = [];
    this.length = 0;
    this.onLine(line);
  }
}

type CheckOptions = Omit<WorkspaceScanOptions, 'rgPath' | 'folders' | 'excludes'>;

interface FileInOutput {
  readonly fsPath: string;
  findings: PlacedFinding[];
  /** Characters of the file's lines seen so far (a lower bound of its size in bytes). */
  lineChars: number;
  tooLarge: boolean;
  lineDropped: boolean;
}

/**
 * ripgrep's JSON output, streamed: every reported line gets the exact check and the classification as soon
 * as it arrives, and a file's findings are kept only until its end event says whether they count. Nothing
 * but the findings is kept; the token itself is never stored.
 */
export class RipgrepOutput {
  readonly files: FileFindings[] = [];
  readonly skipped = { tooLarge: 0, binary: 0, unreadable: 0 };
  readonly skippedPaths: string[] = [];
  /** Files to read and check here: binary ones (whether they are also over the size limit takes a stat) and those with a dropped line. */
  readonly toCheck: string[] = [];
  /** Files reported as holding something token-shaped. */
  candidates = 0;
  /** Files decided from the output alone. */
  checked = 0;
  private current: FileInOutput | undefined;
  private readonly lines: LineSplitter;

  constructor(private readonly options: CheckOptions) {
    this.lines = new LineSplitter(
      maxOutputLineChars(options.maxFileBytes),
      (line) => this.onLine(line),
      () => {
        if (this.current) this.current.lineDropped = true;
      },
    );
  }

  push(chunk: string): void {
    this.lines.push(chunk);
  }

  end(): void {
    this.lines.end();
  }

  private onLine(line: string): void {
    let event: RipgrepEvent;
    try {
      event = JSON.parse(line) as RipgrepEvent;
    } catch {
      return;
    }
    const data = event.data;
    if (data === undefined) return;
    if (event.type === 'begin') {
      this.candidates++;
      this.current = { fsPath: ripgrepText(data.path), findings: [], lineChars: 0, tooLarge: false, lineDropped: false };
    } else if (event.type === 'match' && this.current) {
      this.addLine(this.current, ripgrepText(data.lines), (data.line_number ?? 1) - 1);
    } else if (event.type === 'end' && this.current) {
      this.close(this.current, data.stats?.bytes_searched ?? 0, data.binary_offset ?? null);
      this.current = undefined;
    }
  }

  /**
   * The tokens of one line, placed: the line's own text is checked, so columns are UTF-16 offsets in it
   * whatever the bytes before the token were. `start` and `end` are offsets in the line.
   */
  private addLine(file: FileInOutput, text: string, line: number): void {
    if (file.tooLarge) return;
    // At most one UTF-16 unit per byte: more characters than the limit means more bytes.
    file.lineChars += text.length;
    if (file.lineChars > this.options.maxFileBytes) {
      file.tooLarge = true;
      file.findings = [];
      return;
    }
    for (const match of findTokens(text))
      file.findings.push({
        ...classify(match, this.options.index, this.options.nowMs),
        line,
        column: match.start,
        endLine: line,
        endColumn: match.end,
      });
  }

  private close(file: FileInOutput, bytesSearched: number, binaryOffset: number | null): void {
    if (file.tooLarge || bytesSearched > this.options.maxFileBytes) {
      this.skipped.tooLarge++;
      this.skippedPaths.push(file.fsPath);
    } else if (binaryOffset !== null || file.lineDropped) {
      this.toCheck.push(file.fsPath);
      return;
    } else if (file.findings.length > 0) {
      const found = { fsPath: file.fsPath, findings: file.findings };
      this.files.push(found);
      this.options.onFile?.(found);
    }
    this.checked++;
    this.options.onProgress?.(this.checked);
  }
}

/**
 * Runs ripgrep and streams its output into `output`. Resolves when it ends or is killed; rejects when it
 * cannot run, or when reading its output failed (ripgrep is then stopped).
 */
function runRipgrep(rgPath: string, args: readonly string[], signal: AbortSignal | undefined, output: RipgrepOutput): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return resolve();
    const child = childProcess().spawn(rgPath, args, { stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true });
    let failure: Error | undefined;
    const stop = () => child.kill();
    const read = (take: () => void) => {
      if (signal?.aborted || failure !== undefined) return;
      try {
        take();
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        stop();
      }
    };
    // First, so that a spawn that fails at once (EMFILE: no stdout then) is a rejection, not an uncaught error.
    child.once('error', (error) => {
      signal?.removeEventListener('abort', stop);
      reject(error);
    });
    if (!child.stdout) return;
    signal?.addEventListener('abort', stop, { once: true });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => read(() => output.push(chunk)));
    child.once('close', (code) => {
      signal?.removeEventListener('abort', stop);
      read(() => output.end());
      if (failure !== undefined) reject(failure);
      // 0: matches, 1: none, 2: some files could not be read (the others were still searched).
      else if (code === 0 || code === 1 || code === 2 || signal?.aborted) resolve();
      else reject(new Error(`ripgrep exited with code ${String(code)}`));
    });
  });
}

/** Scans with ripgrep. Rejects only when ripgrep cannot be started (the caller then falls back). */
export async function scanWorkspaceWithRipgrep(options: WorkspaceScanOptions): Promise<WorkspaceScanResult> {
  const output = new RipgrepOutput(options);
  await runRipgrep(options.rgPath, ripgrepArgs(options), options.signal, output);
  // The few files the output could not decide are read the way files are without ripgrep.
  const checker = new FileChecker({ ...options, onProgress: (checked) => options.onProgress?.(output.checked + checked) });
  for (const fsPath of output.toCheck) checker.add(fsPath);
  await checker.done();
  const checked = checker.result();
  const files = [...output.files, ...checked.files].sort((a, b) => (a.fsPath < b.fsPath ? -1 : a.fsPath > b.fsPath ? 1 : 0));
  const skipped = {
    tooLarge: output.skipped.tooLarge + checked.skipped.tooLarge,
    binary: output.skipped.binary + checked.skipped.binary,
    unreadable: output.skipped.unreadable + checked.skipped.unreadable,
  };
  return {
    files,
    skipped,
    skippedPaths: [...output.skippedPaths, ...checked.skippedPaths],
    cancelled: checked.cancelled,
    candidates: output.candidates,
  };
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
