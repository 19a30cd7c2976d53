/**
 * Loads one of the extension's own CommonJS files with V8's code cache: the compiled code of the file (its
 * functions too, once they have run) is kept in a directory of the extension's, so that the next start does
 * not compile it again. For the HTTP stack that is most of its loading time, and the first list waits for it.
 *
 * The cache is only a head start. Whatever goes wrong (no directory, a cache V8 refuses, a failed write), the
 * file is loaded as usual and nothing is reported. A cache entry is named after a hash of the file's content
 * and V8's version, so a changed file or a changed VS Code never gets an old entry.
 *
 * V8 checks an entry's header but not its body: a body damaged on disk can abort the whole extension host, or
 * run altered bytecode. So an entry is checked before V8 sees a byte (see entryOf); an entry that fails the
 * check is deleted and the file compiled as usual.
 */
import type * as Fs from 'node:fs';
import type * as Path from 'node:path';

/** A file loaded through the cache, whose compiled code can be written back for the next start. */
export interface CachedModule {
  readonly exports: unknown;
  /** Whether V8 took the compiled code from the cache (false on a first start, or when it refused the entry). */
  readonly fromCache: boolean;
  /** Writes the compiled code, functions compiled since loading included, unless the cache already had it. Never throws. */
  save(): void;
}

const EXTENSION = '.v8cache';
/** An entry: MAGIC, the body's length (4 bytes), the body (V8's cached data) twice; see entryOf. */
const MAGIC = Buffer.from('FFYV8C02', 'latin1');
const HEADER_BYTES = MAGIC.length + 4;
/** A temporary file older than this was left by a write that failed, not one still going on. */
const STALE_TEMPORARY_MS = 10 * 60_000;

/**
 * `directory`/`name`: the file to load; `cacheDir`: where its compiled code is kept. `contentHash`: a hash of
 * the file's content when the build already knows it (the extension's own bundle), which spares hashing it at
 * every start; without it, the content is hashed here.
 */
export function requireWithCodeCache(directory: string, name: string, cacheDir: string, contentHash?: string): CachedModule {
  // Required here, not at the top: activation must not pay for loading them.
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded lazily on purpose */
  const fs = require('node:fs') as typeof Fs;
  const path = require('node:path') as typeof Path;
  const Module = require('node:module') as typeof import('node:module') & ModuleInternals;
  const vm = require('node:vm') as typeof import('node:vm');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const file = path.join(directory, name);
  const loaded = Module._cache[file];
  if (loaded) return { exports: loaded.exports, fromCache: false, save: () => undefined };

  const source = fs.readFileSync(file, 'utf8');
  const stem = path.basename(file, '.js');
  const cacheFile = path.join(cacheDir, `${stem}-${cacheKey(source, contentHash)}${EXTENSION}`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = verifiedBody(fs.readFileSync(cacheFile));
    if (cachedData === undefined) fs.rmSync(cacheFile, { force: true });
  } catch {
    cachedData = undefined; // the first start, or the cache was cleared
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const module = new Module(file) as unknown as LoadingModule;
  module.filename = file;
  module.paths = Module._nodeModulePaths(path.dirname(file));
  // Registered first, like require() does, so that a require() of the same file gets this very module.
  Module._cache[file] = module;
  try {
    const wrapper = script.runInThisContext() as ModuleWrapper;
    wrapper.call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
  } catch (error) {
    delete Module._cache[file];
    throw error;
  }
  module.loaded = true;
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  let saved = fromCache;
  return {
    exports: module.exports,
    fromCache,
    save() {
      if (saved) return;
      saved = true;
      try {
        const body = script.createCachedData();
        writeCache(fs, path, cacheFile, stem, entryOf(body));
      } catch {
        // No cache this time: the next start compiles again.
      }
    },
  };
}

/** Names the entry after the content, V8's version and the architecture: a changed one never gets an old entry. */
function cacheKey(source: string, contentHash: string | undefined): string {
  if (contentHash !== undefined) return `${contentHash}-${process.versions.v8.replace(/[^\w.]/g, '_')}-${process.arch}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(source).update(process.versions.v8).update(process.arch).digest('hex').slice(0, 32);
}

/**
 * `name` loaded through the code cache kept in `cacheDir` when one is given, else (or when that fails) with
 * `plainRequire`. `save`, when there is compiled code to write for the next start, writes it once.
 */
export function loadWithCodeCache<T>(
  directory: string,
  name: string,
  cacheDir: string | undefined,
  plainRequire: () => T,
  contentHash?: string,
): { readonly exports: T; readonly save: (() => void) | undefined } {
  if (cacheDir !== undefined) {
    try {
      const cached = requireWithCodeCache(directory, name, cacheDir, contentHash);
      return { exports: cached.exports as T, save: cached.fromCache ? undefined : cached.save };
    } catch {
      // Loaded as usual.
    }
  }
  return { exports: plainRequire(), save: undefined };
}

/**
 * Writes the entry whole (a temporary file renamed, in case two windows write at once) and drops older ones.
 * Synchronous: it may run while the extension host shuts down, and it is a few hundred kilobytes.
 */
function writeCache(fs: typeof Fs, path: typeof Path, cacheFile: string, stem: string, data: Buffer): void {
  const cacheDir = path.dirname(cacheFile);
  fs.mkdirSync(cacheDir, { recursive: true });
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    const descriptor = fs.openSync(temporary, 'w');
    try {
      fs.writeFileSync(descriptor, data);
      fs.fsyncSync(descriptor);
    } finally {
      fs.closeSync(descriptor);
    }
    fs.renameSync(temporary, cacheFile);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  const now = Date.now();
  for (const name of fs.readdirSync(cacheDir)) {
    if (name === path.basename(cacheFile) || !name.startsWith(`${stem}-`)) continue;
    const entry = path.join(cacheDir, name);
    if (name.endsWith(EXTENSION) || (name.endsWith('.tmp') && now - fs.statSync(entry).mtimeMs > STALE_TEMPORARY_MS)) {
      fs.rmSync(entry, { force: true });
    }
  }
}

/** The body of an entry whose two copies agree; undefined for anything else (damaged, cut, another format). */
function verifiedBody(entry: Buffer): Buffer | undefined {
  if (entry.length <= HEADER_BYTES || !entry.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const length = entry.readUInt32LE(MAGIC.length);
  if (entry.length !== HEADER_BYTES + 2 * length) return undefined;
  const body = entry.subarray(HEADER_BYTES, HEADER_BYTES + length);
  return body.equals(entry.subarray(HEADER_BYTES + length)) ? body : undefined;
}

/**
 * An entry holds its body twice, compared byte for byte (a native memcmp) before V8 sees it: damage on disk
 * never hits both copies alike. A hash would need node:crypto or node:zlib, whose loading alone costs
 * activation more than the cache saves, and a checksum in JavaScript runs uncompiled at that point (~5 ms for
 * 100 KB). It guards against damage, not an attacker, who could as well change the extension's own files.
 */
function entryOf(body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length, 0);
  return Buffer.concat([MAGIC, length, body, body]);
}
/** Members of Node's module system that it has had since its beginning and that @types/node leaves out. */
interface ModuleInternals {
  _cache: Record<string, { exports: unknown } | undefined>;
  _nodeModulePaths(directory: string): string[];
}

interface LoadingModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
}

type ModuleWrapper = (
  this: unknown,
  exports: unknown,
  require: NodeJS.Require,
  module: LoadingModule,
  filename: string,
  dirname: string,
) => void;
