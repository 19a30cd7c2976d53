// `npm test`: build and lint, then every suite in order — unit (Node), integration (inside a real VS Code extension host) and UI
// journeys (Playwright driving a real VS Code workbench) — then one summary line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const artifacts = join(root, '.test-artifacts');
mkdirSync(artifacts, { recursive: true });

function run(title, command, args, env = {}) {
  console.log(`\n=== ${title} ===`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

/** node:test writes TAP to a file beside the spec output; its summary comments give the counts. */
function tapCounts(file) {
  if (!existsSync(file)) return { passed: 0, failed: 1, skipped: 0 };
  const text = readFileSync(file, 'utf8');
  const count = (name) => Number((text.match(new RegExp(`^# ${name} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  return { passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped') };
}

/** `*.test.js` files below `dir`, named explicitly so helpers beside them never run as tests. */
function testFiles(dir) {
  return readdirSync(join(root, dir), { recursive: true })
    .filter((name) => String(name).endsWith('.test.js'))
    .map((name) => join(dir, String(name)))
    .sort();
}

function nodeTestSuite(title, dir, tapName) {
  const tap = join(artifacts, tapName);
  const status = run(title, process.execPath, [
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...testFiles(dir),
  ]);
  const counts = tapCounts(tap);
  if (status !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const add = (counts) => {
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped ?? 0;
};

if (
  run('build: type-check, bundle, package the .vsix', 'npm', ['run', '--silent', 'package']) !== 0 ||
  run('lint and format check', 'npm', ['run', '--silent', 'lint']) !== 0 ||
  run('compile tests', 'npx', ['tsc', '-p', '.']) !== 0
) {
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}
add(nodeTestSuite('unit tests', 'out/test/unit/', 'unit.tap'));

if (process.env.FACTIFY_SKIP_REAL_VSCODE === '1') {
  console.log('\nFACTIFY_SKIP_REAL_VSCODE=1: integration and UI suites skipped.');
} else if (run('real VS Code setup (cached after the first run)', 'bash', ['scripts/setup-real-vscode.sh']) !== 0) {
  add({ passed: 0, failed: 1 });
} else {
  const report = join(artifacts, 'integration.json');
  const status = run('integration tests (inside a real VS Code extension host)', process.execPath, ['out/test/integration/run.js'], {
    FACTIFY_INTEGRATION_REPORT: report,
  });
  const counts = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : { passed: 0, failed: 1 };
  if (status !== 0 && counts.failed === 0) counts.failed = 1;
  add(counts);
  add(nodeTestSuite('UI journeys (Playwright in a real VS Code workbench)', 'out/test/ui/', 'ui.tap'));
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed === 0 ? 0 : 1);
