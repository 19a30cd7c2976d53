/**
 * The workspace scan over a real temporary git repository: .gitignore and excludes honoured, binary and
 * too-large files counted and never read, findings placed on the right lines; git's ignore answer for one file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseKeyList } from '../../src/core/apiKey';
import { KeyIndex } from '../../src/core/tokenScan';
import { GitIgnore, placeFindings, ripgrepArgs, scanFiles, scanWorkspaceWithRipgrep } from '../../src/core/workspaceScan';

const RANDOM = 'Zq9XyW3vU7tS5rQ1pO2n';
const LIVE = `ffy_prod_01kdx2z2${'a'.repeat(18)}${RANDOM}`;
const REVOKED = `ffy_prod_01kdx3aa${'b'.repeat(18)}${RANDOM}`;
const UNKNOWN = `ffy_test_zzzzzzzz${'c'.repeat(18)}${RANDOM}`;
const keys = parseKeyList({
  api_keys: [
    {
      id: 'key_01kdx2z2ab3cd4ef5gh6jk7m01',
      name: 'CI deploy',
      prefix: 'ffy_prod_01kdx2z2...',
      is_active: true,
      created_at: '2026-01-01T00:00:00Z',
    },
    {
      id: 'key_01kdx2z2ab3cd4ef5gh6jk7m02',
      name: 'Old',
      prefix: 'ffy_prod_01kdx3aa...',
      is_active: false,
      created_at: '2026-01-01T00:00:00Z',
      revoked_at: '2026-02-01T00:00:00Z',
    },
  ],
}).keys;
const index = new KeyIndex(keys.map((key) => ({ key, organization: 'Acme' })));
const hasRg = spawnSync('rg', ['--version']).status === 0;
const hasGit = spawnSync('git', ['--version']).status === 0;

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'factify-scan-'));
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'node_modules', 'dep'), { recursive: true });
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, 'src', 'config.ts'), `// config\nexport const a = 1;\nexport const token = "${LIVE}";\n`);
  writeFileSync(join(root, 'src', 'old.md'), `Old: ${REVOKED}\n\nOther: ${UNKNOWN}\n`);
  writeFileSync(join(root, 'src', 'clean.ts'), 'export const nothing = "ffy_prod_01kdx2z2...";\n');
  writeFileSync(join(root, 'node_modules', 'dep', 'index.js'), `module.exports = "${LIVE}";\n`);
  writeFileSync(join(root, 'dist', 'bundle.js'), `var t="${LIVE}";\n`);
  writeFileSync(join(root, '.env'), `FACTIFY_TOKEN=${LIVE}\n`);
  writeFileSync(join(root, '.gitignore'), '.env\n');
  writeFileSync(join(root, 'src', 'big.log'), `${'x'.repeat(3000)}\n${LIVE}\n`);
  writeFileSync(join(root, 'src', 'blob.bin'), Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(` ${LIVE} `)]));
  if (hasGit) spawnSync('git', ['init', '-q'], { cwd: root });
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('workspace scan', () => {
  test('ripgrep arguments: hidden files, the excludes, the pattern, never a config file', () => {
    const args = ripgrepArgs({ folders: ['/w'], excludes: ['**/node_modules', 'dist/'] });
    assert.ok(args.includes('--no-config') && args.includes('--hidden') && args.includes('--files-with-matches'));
    assert.deepEqual(args.slice(args.indexOf('!**/node_modules') - 1, args.indexOf('!**/node_modules') + 3), [
      '--glob',
      '!**/node_modules',
      '--glob',
      '!dist',
    ]);
    assert.deepEqual(args.slice(-2), ['--', '/w']);
  });

  test(
    'with ripgrep: finds keys, honours .gitignore and excludes, counts what it could not check',
    { skip: !hasRg || !hasGit ? 'needs rg and git' : false },
    async () => {
      const seen: string[] = [];
      const result = await scanWorkspaceWithRipgrep({
        rgPath: 'rg',
        folders: [root],
        excludes: ['**/node_modules', 'dist'],
        maxFileBytes: 2048,
        index,
        nowMs: Date.now(),
        onFile: (file) => seen.push(file.fsPath),
      });
      assert.deepEqual(
        result.files.map((file) => file.fsPath),
        [join(root, 'src', 'config.ts'), join(root, 'src', 'old.md')],
      );
      assert.deepEqual(
        [...seen].sort(),
        result.files.map((file) => file.fsPath),
      );
      const config = result.files[0]?.findings[0];
      assert.equal(config?.kind, 'live');
      assert.equal(config?.line, 2);
      assert.equal(config?.column, 'export const token = "'.length);
      assert.deepEqual(
        result.files[1]?.findings.map((finding) => [finding.kind, finding.line]),
        [
          ['revoked', 0],
          ['unknown', 2],
        ],
      );
      assert.deepEqual(result.skipped, { tooLarge: 1, binary: 1, unreadable: 0 });
      assert.deepEqual([...result.skippedPaths].sort(), [join(root, 'src', 'big.log'), join(root, 'src', 'blob.bin')]);
      assert.equal(result.cancelled, false);
    },
  );

  test('a scan that is cancelled stops and says so', { skip: !hasRg ? 'needs rg' : false }, async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await scanWorkspaceWithRipgrep({
      rgPath: 'rg',
      folders: [root],
      excludes: [],
      maxFileBytes: 2048,
      index,
      nowMs: Date.now(),
      signal: controller.signal,
    });
    assert.equal(result.cancelled, true);
    assert.deepEqual(result.files, []);
  });

  test('ripgrep that cannot start rejects (the caller falls back)', async () => {
    await assert.rejects(
      scanWorkspaceWithRipgrep({
        rgPath: join(root, 'no-such-rg'),
        folders: [root],
        excludes: [],
        maxFileBytes: 2048,
        index,
        nowMs: Date.now(),
      }),
    );
  });

  test('without ripgrep: listed files are checked the same way', async () => {
    const result = await scanFiles(
      [
        join(root, 'src', 'config.ts'),
        join(root, 'src', 'clean.ts'),
        join(root, 'src', 'big.log'),
        join(root, 'src', 'blob.bin'),
        join(root, 'gone.txt'),
      ],
      { maxFileBytes: 2048, index, nowMs: Date.now() },
    );
    assert.deepEqual(
      result.files.map((file) => file.fsPath),
      [join(root, 'src', 'config.ts')],
    );
    assert.deepEqual(result.skipped, { tooLarge: 1, binary: 1, unreadable: 1 });
  });

  test('placeFindings gives 0-based lines and columns of start and end', () => {
    const [finding] = placeFindings(`a\r\nb = ${LIVE}\n`, index, Date.now());
    assert.deepEqual([finding?.line, finding?.column, finding?.endLine, finding?.endColumn], [1, 4, 1, 4 + LIVE.length]);
  });
});

describe('GitIgnore', { skip: !hasGit ? 'needs git' : false }, () => {
  test('a git-ignored .env is ignored, a tracked-looking file is not, outside a repository nothing is', async () => {
    const git = new GitIgnore();
    assert.equal(await git.isIgnored(join(root, '.env')), true);
    assert.equal(await git.isIgnored(join(root, 'src', 'config.ts')), false);
    const outside = mkdtempSync(join(tmpdir(), 'factify-norepo-'));
    writeFileSync(join(outside, '.env'), 'x');
    writeFileSync(join(outside, '.gitignore'), '.env\n');
    try {
      assert.equal(await git.isIgnored(join(outside, '.env')), false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
    assert.equal(await new GitIgnore(join(root, 'no-such-git')).isIgnored(join(root, '.env')), false);
    const ignored = await git.filterIgnored(root, [join(root, '.env'), join(root, 'src', 'config.ts')]);
    assert.deepEqual([...ignored], [join(root, '.env')]);
  });

  test('git runs outside the workspace folder, which it gets as -C (a program planted there is never run)', async (t) => {
    if (process.platform === 'win32') return t.skip('uses a shell script as a stand-in for git');
    const bin = mkdtempSync(join(tmpdir(), 'factify-fakegit-'));
    const calls = join(bin, 'calls.txt');
    const fakeGit = join(bin, 'git');
    writeFileSync(
      fakeGit,
      `#!/bin/sh\ncase "$*" in *--stdin*) cat >/dev/null ;; esac\nprintf '%s|%s\\n' "$(pwd)" "$*" >> '${calls}'\nexit 1\n`,
      { mode: 0o755 },
    );
    try {
      const git = new GitIgnore(fakeGit);
      await git.isIgnored(join(root, 'src', 'config.ts'));
      await git.filterIgnored(root, [join(root, '.env')]);
      const lines = readFileSync(calls, 'utf8').trim().split('\n');
      assert.equal(lines.length, 2);
      const [checkOne, checkMany] = lines.map((line) => line.split('|') as [string, string]);
      for (const [cwd] of [checkOne!, checkMany!]) {
        assert.ok(!cwd.startsWith(root), `git's working directory ${cwd} is outside the workspace`);
        assert.equal(cwd, dirname(process.execPath));
      }
      assert.equal(checkOne![1], `-C ${join(root, 'src')} -c core.fsmonitor=false check-ignore --quiet -- config.ts`);
      assert.equal(checkMany![1], `-C ${root} -c core.fsmonitor=false check-ignore --stdin -z`);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
