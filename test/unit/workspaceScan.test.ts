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
import {
  GitIgnore,
  LineSplitter,
  placeFindings,
  ripgrepArgs,
  RipgrepOutput,
  scanFiles,
  scanWorkspaceWithRipgrep,
  type FileFindings,
} from '../../src/core/workspaceScan';

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
    assert.ok(args.includes('--no-config') && args.includes('--hidden') && args.includes('--json') && args.includes('--binary'));
    assert.ok(!args.includes('--max-filesize'), 'files over the limit are reported, so that they can be counted');
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

/** What ripgrep prints for one file with matching lines: begin, a match event per line, end with its stats. */
function ripgrepFile(
  fsPath: string,
  lines: ReadonlyArray<{ line: number; lines: { text: string } | { bytes: string } }>,
  end: { bytesSearched: number; binaryOffset?: number },
): string {
  const path = { text: fsPath };
  const events = [
    { type: 'begin', data: { path } },
    ...lines.map((match) => ({
      type: 'match',
      data: { path, lines: match.lines, line_number: match.line, absolute_offset: 0, submatches: [] },
    })),
    {
      type: 'end',
      data: { path, binary_offset: end.binaryOffset ?? null, stats: { bytes_searched: end.bytesSearched, matches: lines.length } },
    },
  ];
  return events.map((event) => `${JSON.stringify(event)}\n`).join('');
}

function readOutput(chunks: readonly string[], maxFileBytes = 2048): { output: RipgrepOutput; seen: FileFindings[] } {
  const seen: FileFindings[] = [];
  const output = new RipgrepOutput({ maxFileBytes, index, nowMs: Date.now(), onFile: (file) => seen.push(file) });
  for (const chunk of chunks) output.push(chunk);
  output.end();
  return { output, seen };
}

const places = (file: FileFindings | undefined) =>
  file?.findings.map((finding) => [finding.kind, finding.line, finding.column, finding.endLine, finding.endColumn]);

describe('ripgrep output', () => {
  test('columns count UTF-16 units of the line, whatever the bytes before the token; several tokens on one line', () => {
    // 'é' is 2 bytes and 1 unit, '中' 3 bytes and 1 unit, '🔑' 4 bytes and 2 units: byte offsets would be wrong.
    const before = 'é中🔑 x="';
    const line = `${before}${LIVE}", y=${UNKNOWN} "${REVOKED}"\r\n`;
    const { output, seen } = readOutput([ripgrepFile('/w/a.ts', [{ line: 3, lines: { text: line } }], { bytesSearched: 200 })]);
    const secondAt = `${before}${LIVE}", y=`.length;
    const thirdAt = `${before}${LIVE}", y=${UNKNOWN} "`.length;
    assert.deepEqual(places(output.files[0]), [
      ['live', 2, before.length, 2, before.length + LIVE.length],
      ['unknown', 2, secondAt, 2, secondAt + UNKNOWN.length],
      ['revoked', 2, thirdAt, 2, thirdAt + REVOKED.length],
    ]);
    assert.equal(before.length, 8);
    assert.deepEqual(seen, output.files);
    assert.equal(output.candidates, 1);
    assert.deepEqual(output.skipped, { tooLarge: 0, binary: 0, unreadable: 0 });
    // The same places as checking the whole file without ripgrep.
    const whole = placeFindings(`a\nb\n${line}`, index, Date.now());
    assert.deepEqual(
      output.files[0]?.findings.map((finding) => [finding.line, finding.column, finding.endColumn]),
      whole.map((finding) => [finding.line, finding.column, finding.endColumn]),
    );
  });

  test('a line that is not UTF-8 (bytes in base64) is decoded as a file read without ripgrep is', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(` bad ${LIVE}\n`)]);
    const { output } = readOutput([
      ripgrepFile('/w/latin1.txt', [{ line: 1, lines: { bytes: bytes.toString('base64') } }], { bytesSearched: bytes.length }),
    ]);
    const [expected] = placeFindings(bytes.toString('utf8'), index, Date.now());
    assert.equal(expected?.column, 3 + ' bad '.length);
    assert.deepEqual(places(output.files[0]), [['live', 0, expected?.column, 0, expected?.endColumn]]);
  });

  test('events split across output chunks anywhere, even one character at a time, read the same', () => {
    const text =
      ripgrepFile('/w/é.ts', [{ line: 1, lines: { text: `é "${LIVE}"\n` } }], { bytesSearched: 100 }) +
      ripgrepFile(
        '/w/b.md',
        [
          { line: 5, lines: { text: `${REVOKED}\n` } },
          { line: 9, lines: { text: `中${UNKNOWN}` } },
        ],
        { bytesSearched: 900 },
      ) +
      '{"type":"summary","data":{"stats":{"matches":3}}}\n';
    const whole = readOutput([text]).output;
    assert.deepEqual(
      whole.files.map((file) => [file.fsPath, places(file)]),
      [
        ['/w/é.ts', [['live', 0, 3, 0, 3 + LIVE.length]]],
        [
          '/w/b.md',
          [
            ['revoked', 4, 0, 4, REVOKED.length],
            ['unknown', 8, 1, 8, 1 + UNKNOWN.length],
          ],
        ],
      ],
    );
    for (const size of [1, 7, 64, text.indexOf(LIVE) + 10]) {
      const chunks: string[] = [];
      for (let at = 0; at < text.length; at += size) chunks.push(text.slice(at, at + size));
      assert.deepEqual(readOutput(chunks).output.files, whole.files, `chunks of ${size}`);
    }
    // The last line without its newline (ripgrep ended): still read.
    assert.deepEqual(readOutput([text.slice(0, -1)]).output.files, whole.files);
  });

  test('files over the size limit are counted and none of their findings kept; binary ones are left to a closer look', () => {
    const { output, seen } = readOutput([
      ripgrepFile('/w/big.log', [{ line: 4000, lines: { text: `${LIVE}\n` } }], { bytesSearched: 2049 }),
      ripgrepFile('/w/blob.bin', [{ line: 2, lines: { text: `${LIVE}\n` } }], { bytesSearched: 60, binaryOffset: 0 }),
      ripgrepFile(
        '/w/long.min.js',
        [
          { line: 1, lines: { text: `${'x'.repeat(2000)} ${LIVE} ` } },
          { line: 2, lines: { text: `${UNKNOWN}\n` } },
        ],
        {
          bytesSearched: 100,
        },
      ),
      ripgrepFile('/w/ok.ts', [{ line: 1, lines: { text: `${LIVE}\n` } }], { bytesSearched: 60 }),
    ]);
    assert.deepEqual(
      seen.map((file) => file.fsPath),
      ['/w/ok.ts'],
    );
    assert.deepEqual(output.skipped, { tooLarge: 2, binary: 0, unreadable: 0 });
    assert.deepEqual(output.skippedPaths, ['/w/big.log', '/w/long.min.js']);
    assert.deepEqual(output.toCheck, ['/w/blob.bin']);
    assert.equal(output.candidates, 4);
    assert.equal(output.checked, 3);
  });

  test('a line too long to hold is dropped, its file is left to a closer look, and the next events still read', () => {
    const small = 1024;
    const huge = ripgrepFile('/w/escaped.txt', [{ line: 1, lines: { text: `${'\u0001'.repeat(200_000)}${LIVE}\n` } }], {
      bytesSearched: 1000,
    });
    const after = ripgrepFile('/w/ok.ts', [{ line: 1, lines: { text: `${LIVE}\n` } }], { bytesSearched: 60 });
    const chunks: string[] = [];
    for (let at = 0; at < huge.length; at += 65_536) chunks.push(huge.slice(at, at + 65_536));
    const { output } = readOutput([...chunks, after], small);
    assert.deepEqual(output.toCheck, ['/w/escaped.txt']);
    assert.deepEqual(
      output.files.map((file) => file.fsPath),
      ['/w/ok.ts'],
    );
  });

  test('LineSplitter never hands on a line longer than its limit and never holds one', () => {
    const lines: string[] = [];
    let dropped = 0;
    const splitter = new LineSplitter(
      100_000,
      (line) => lines.push(line),
      () => dropped++,
    );
    const chunk = 'y'.repeat(65_536);
    splitter.push('first\nsecond-');
    for (let i = 0; i < 80; i++) splitter.push(chunk); // a 5 MB line
    splitter.push('end of the long line\nthird\n');
    splitter.end();
    assert.deepEqual(lines, ['first', 'third']);
    assert.equal(dropped, 1);
  });

  test(
    'a UTF-16 file (byte-order mark) holding a key is found, at the column the editor shows',
    { skip: !hasRg ? 'needs rg' : false },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'factify-scan-utf16-'));
      try {
        const text = `# deploy\r\n$env:FACTIFY = "${LIVE}"\r\n`;
        writeFileSync(join(dir, 'deploy.ps1'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
        const result = await scanWorkspaceWithRipgrep({
          rgPath: 'rg',
          folders: [dir],
          excludes: [],
          maxFileBytes: 2048,
          index,
          nowMs: Date.now(),
        });
        assert.deepEqual(
          result.files.map((file) => [file.fsPath, places(file)]),
          [[join(dir, 'deploy.ps1'), places({ fsPath: '', findings: placeFindings(text, index, Date.now()) })]],
        );
        assert.deepEqual(result.skipped, { tooLarge: 0, binary: 0, unreadable: 0 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test(
    'the same findings as checking each file without ripgrep, on non-ASCII, CRLF and non-UTF-8 text',
    { skip: !hasRg ? 'needs rg' : false },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'factify-scan-text-'));
      try {
        const files = {
          'utf8.ts': Buffer.from(`// ünïcödé 🔑\r\nconst a = "é中${LIVE}", b = '${UNKNOWN}';\r\n\r\n  ${REVOKED}\r\n`),
          'latin1.txt': Buffer.concat([Buffer.from('caf\xe9 ', 'latin1'), Buffer.from(`${LIVE} and ${UNKNOWN}\n`)]),
          'end.env': Buffer.from(`X=${LIVE}`),
        };
        for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
        const options = { maxFileBytes: 2048, index, nowMs: Date.now() };
        const withRg = await scanWorkspaceWithRipgrep({ ...options, rgPath: 'rg', folders: [dir], excludes: [] });
        const without = await scanFiles(
          Object.keys(files).map((name) => join(dir, name)),
          options,
        );
        const placed = (result: typeof withRg) => result.files.map((file) => [file.fsPath, places(file)]);
        assert.equal(withRg.files.length, 3);
        assert.deepEqual(placed(withRg), placed(without));
        assert.equal(withRg.candidates, 3);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  /** A stand-in for ripgrep that prints one file's events, then searches "forever" in the same process. */
  function slowRipgrep(): { fakeRg: string; pid: () => number; remove: () => void } {
    const bin = mkdtempSync(join(tmpdir(), 'factify-fakerg-'));
    const pidFile = join(bin, 'pid');
    const outputFile = join(bin, 'output.json');
    const fakeRg = join(bin, 'rg');
    writeFileSync(outputFile, ripgrepFile('/w/a.ts', [{ line: 1, lines: { text: `${LIVE}\n` } }], { bytesSearched: 60 }));
    writeFileSync(fakeRg, `#!/bin/sh\necho $$ > '${pidFile}'\ncat '${outputFile}'\nexec sleep 600\n`, { mode: 0o755 });
    return { fakeRg, pid: () => Number(readFileSync(pidFile, 'utf8')), remove: () => rmSync(bin, { recursive: true, force: true }) };
  }
  const options = { folders: ['/w'], excludes: [], maxFileBytes: 2048, index, nowMs: 0 };

  test('cancelling kills ripgrep, even while it is still searching', async (t) => {
    if (process.platform === 'win32') return t.skip('uses a shell script as a stand-in for ripgrep');
    const rg = slowRipgrep();
    try {
      const controller = new AbortController();
      const result = await scanWorkspaceWithRipgrep({
        ...options,
        rgPath: rg.fakeRg,
        signal: controller.signal,
        onFile: () => controller.abort(),
      });
      assert.equal(result.cancelled, true);
      assert.throws(() => process.kill(rg.pid(), 0), { code: 'ESRCH' }, 'ripgrep is no longer running');
    } finally {
      rg.remove();
    }
  });

  test('a failure while reading the output stops ripgrep and rejects (the caller falls back), never an uncaught error', async (t) => {
    if (process.platform === 'win32') return t.skip('uses a shell script as a stand-in for ripgrep');
    const rg = slowRipgrep();
    try {
      await assert.rejects(
        scanWorkspaceWithRipgrep({
          ...options,
          rgPath: rg.fakeRg,
          onFile: () => {
            throw new Error('the receiver failed');
          },
        }),
        /the receiver failed/,
      );
      assert.throws(() => process.kill(rg.pid(), 0), { code: 'ESRCH' }, 'ripgrep is no longer running');
    } finally {
      rg.remove();
    }
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
