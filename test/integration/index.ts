/**
 * The tests entry the real extension host loads (`extensionTestsPath`): runs every `*.itest.js` suite
 * beside it in one Mocha run, in file-name order (the suites share one extension host and build on each
 * other's clean-up), and writes the spec reporter's lines to FACTIFY_TEST_REPORT_FILE and a JSON summary
 * to FACTIFY_ITEST_SUMMARY_FILE for run.ts. See README.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import type MochaType from 'mocha';

export interface Summary {
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  failures: Array<{ title: string; error: string }>;
}

export function run(): Promise<void> {
  // run.ts copies these files next to the unpacked extension, where the repo's node_modules is not on the
  // resolution path, and passes where mocha is.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time
  const Mocha = require(process.env.FACTIFY_ITEST_MOCHA ?? 'mocha') as typeof MochaType;
  const reportFile = process.env.FACTIFY_TEST_REPORT_FILE;
  const summaryFile = process.env.FACTIFY_ITEST_SUMMARY_FILE;
  if (reportFile) {
    Mocha.reporters.Base.consoleLog = (...args: unknown[]) => fs.appendFileSync(reportFile, `${util.format(...args)}\n`);
  }

  const mocha = new Mocha({ ui: 'tdd', reporter: 'spec', color: false, timeout: 60_000, slow: 5_000 });
  const grep = process.env.FACTIFY_ITEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of fs
    .readdirSync(__dirname)
    .filter((name) => name.endsWith('.itest.js'))
    .sort()) {
    mocha.addFile(path.join(__dirname, file));
  }

  return new Promise((resolve, reject) => {
    const failures: Summary['failures'] = [];
    const started = Date.now();
    let runner: MochaType.Runner;
    try {
      runner = mocha.run((failed) => {
        const summary: Summary = {
          passed: runner.stats?.passes ?? 0,
          failed: Math.max(failed, failures.length),
          pending: runner.stats?.pending ?? 0,
          durationMs: Date.now() - started,
          failures,
        };
        if (summaryFile) fs.writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
        if (failed > 0) reject(new Error(`${failed} integration test(s) failed`));
        else resolve();
      });
      runner.on('fail', (test, error: Error) => failures.push({ title: test.fullTitle(), error: error?.message ?? String(error) }));
    } catch (error) {
      if (summaryFile)
        fs.writeFileSync(
          summaryFile,
          `${JSON.stringify({ passed: 0, failed: 1, pending: 0, durationMs: 0, failures: [{ title: 'loading the suites', error: String(error) }] })}\n`,
        );
      reject(error);
    }
  });
}
