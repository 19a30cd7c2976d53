/**
 * requireWithCodeCache: a file of the extension's own loaded with V8's code cache. The cache is only a head
 * start: the module is the same as require() gives, and a missing, stale, corrupt or unwritable cache only
 * means compiling again.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireWithCodeCache } from '../../src/core/codeCache';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'factify-code-cache-'));
  dirs.push(dir);
  return dir;
}

const SOURCE = `const { join } = require('node:path');
exports.answer = () => 42;
exports.joined = join('a', 'b');
exports.filename = __filename;
exports.self = () => module;
`;

/** Loads `name` in a fresh process, as a new start of the extension host would. */
function loadFresh(directory: string, name: string, cacheDir: string): { fromCache: boolean; answer: number } {
  const probe = `
    const { requireWithCodeCache } = require(${JSON.stringify(require.resolve('../../src/core/codeCache'))});
    const loaded = requireWithCodeCache(${JSON.stringify(directory)}, ${JSON.stringify(name)}, ${JSON.stringify(cacheDir)});
    loaded.save();
    console.log(JSON.stringify({ fromCache: loaded.fromCache, answer: loaded.exports.answer() }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })) as { fromCache: boolean; answer: number };
}

const entries = (cacheDir: string) => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).sort() : []);

test('the file loads as require() would load it, and require() then gives the same module', () => {
  const dir = tempDir();
  const file = path.join(dir, 'stack.js');
  fs.writeFileSync(file, SOURCE);
  const loaded = requireWithCodeCache(dir, 'stack.js', path.join(dir, 'cache'));
  const exports = loaded.exports as { answer(): number; joined: string; filename: string; self(): NodeJS.Module };
  assert.equal(loaded.fromCache, false);
  assert.equal(exports.answer(), 42);
  assert.equal(exports.joined, path.join('a', 'b'));
  assert.equal(exports.filename, file);
  assert.equal(exports.self().loaded, true);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module cache is what is tested
  assert.equal(require(file), exports);
  delete require.cache[file];
});

test('a first start writes the compiled code; the next start takes it from there', () => {
  const dir = tempDir();
  const cacheDir = path.join(dir, 'storage', 'not-yet-created');
  fs.writeFileSync(path.join(dir, 'stack.js'), SOURCE);
  assert.deepEqual(loadFresh(dir, 'stack.js', cacheDir), { fromCache: false, answer: 42 });
  const [entry, ...others] = entries(cacheDir);
  assert.match(entry ?? '', /^stack-[0-9a-f]{32}\.v8cache$/);
  assert.deepEqual(others, []);
  assert.deepEqual(loadFresh(dir, 'stack.js', cacheDir), { fromCache: true, answer: 42 });
  assert.deepEqual(entries(cacheDir), [entry]);
});

test('a changed file of the same length never gets the old code: a new entry replaces the old one', () => {
  const dir = tempDir();
  const cacheDir = path.join(dir, 'cache');
  fs.writeFileSync(path.join(dir, 'stack.js'), SOURCE);
  loadFresh(dir, 'stack.js', cacheDir);
  const [before] = entries(cacheDir);
  const changed = SOURCE.replace('() => 42', '() => 43');
  assert.equal(changed.length, SOURCE.length);
  fs.writeFileSync(path.join(dir, 'stack.js'), changed);
  assert.deepEqual(loadFresh(dir, 'stack.js', cacheDir), { fromCache: false, answer: 43 });
  const after = entries(cacheDir);
  assert.equal(after.length, 1);
  assert.notEqual(after[0], before);
  assert.deepEqual(loadFresh(dir, 'stack.js', cacheDir), { fromCache: true, answer: 43 });
});

test('a corrupt entry is refused and rewritten; the file loads all the same', () => {
  const dir = tempDir();
  const cacheDir = path.join(dir, 'cache');
  fs.writeFileSync(path.join(dir, 'stack.js'), SOURCE);
  loadFresh(dir, 'stack.js', cacheDir);
  const [entry] = entries(cacheDir);
  fs.writeFileSync(path.join(cacheDir, entry!), Buffer.from('not V8 code at all'));
  assert.deepEqual(loadFresh(dir, 'stack.js', cacheDir), { fromCache: false, answer: 42 });
  assert.deepEqual(loadFresh(dir, 'stack.js', cacheDir), { fromCache: true, answer: 42 });
});

test('an entry whose body was damaged on disk never reaches V8: it is deleted, the file compiles, the next start is cached', () => {
  const dir = tempDir();
  const cacheDir = path.join(dir, 'cache');
  fs.writeFileSync(path.join(dir, 'stack.js'), SOURCE);
  loadFresh(dir, 'stack.js', cacheDir);
  const [entry] = entries(cacheDir);
  const file = path.join(cacheDir, entry!);
  const original = fs.readFileSync(file);
  // V8 itself checks only the header of its data: flipped bits in the body can abort the process. Each
  // position is tried in a fresh process, so a crash fails this test rather than the test runner.
  for (const offset of [60, Math.floor(original.length / 2), original.length - 1]) {
    const damaged = Buffer.from(original);
    damaged[offset] = (damaged[offset] ?? 0) ^ 0xff;
    fs.writeFileSync(file, damaged);
    assert.deepEqual(loadFresh(dir, 'stack.js', cacheDir), { fromCache: false, answer: 42 }, `a flipped byte at ${offset}`);
    assert.deepEqual(loadFresh(dir, 'stack.js', cacheDir), { fromCache: true, answer: 42 }, 'the entry was written again');
  }
});

test('a write that fails leaves no temporary file; old temporary files are cleared by the next write', () => {
  const dir = tempDir();
  const cacheDir = path.join(dir, 'cache');
  fs.writeFileSync(path.join(dir, 'stack.js'), SOURCE);
  loadFresh(dir, 'stack.js', cacheDir);
  const [entry] = entries(cacheDir);
  const stale = path.join(cacheDir, `${entry!}.4242.tmp`);
  fs.writeFileSync(stale, 'left by a crash');
  const anHourAgo = new Date(Date.now() - 3_600_000);
  fs.utimesSync(stale, anHourAgo, anHourAgo);
  // The entry's name taken by a directory: the rename fails, and the temporary file must not stay behind.
  fs.rmSync(path.join(cacheDir, entry!));
  fs.mkdirSync(path.join(cacheDir, entry!, 'blocker'), { recursive: true });
  assert.deepEqual(loadFresh(dir, 'stack.js', cacheDir), { fromCache: false, answer: 42 });
  assert.deepEqual(entries(cacheDir), [entry!, `${entry!}.4242.tmp`], 'the failed write left nothing; the stale file waits');
  fs.rmSync(path.join(cacheDir, entry!), { recursive: true });
  assert.deepEqual(loadFresh(dir, 'stack.js', cacheDir), { fromCache: false, answer: 42 });
  assert.deepEqual(entries(cacheDir), [entry!], 'a successful write clears the stale temporary file');
});

test('a cache directory that cannot be written costs nothing but the head start', () => {
  const dir = tempDir();
  const blocker = path.join(dir, 'a-file');
  fs.writeFileSync(blocker, '');
  fs.writeFileSync(path.join(dir, 'stack.js'), SOURCE);
  // The cache directory would have to be inside a plain file.
  assert.deepEqual(loadFresh(dir, 'stack.js', path.join(blocker, 'cache')), { fromCache: false, answer: 42 });
  assert.deepEqual(loadFresh(dir, 'stack.js', path.join(blocker, 'cache')), { fromCache: false, answer: 42 });
});
