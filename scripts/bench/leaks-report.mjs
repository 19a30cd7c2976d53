// How scripts/bench.mjs reports the leak detection figures of scripts/bench/leaks.cjs.
const BUDGET = { scanRatio: 1.5, scanStallMs: 100, docCheckMs: 10 };
const fmt = (value, digits = 0) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–');

export function describeLeaks(leaks) {
  if (leaks.skipped) return `skipped: ${leaks.skipped}`;
  if (leaks.failed) return `FAILED: ${leaks.failed.split('\n')[0]}`;
  return (
    `scan ${fmt(leaks.scanMs)} ms vs rg -l ${fmt(leaks.rgMs)} ms (${leaks.rg}) = ${fmt(leaks.scanRatio, 2)}×; ` +
    `${leaks.counts.findings} keys in ${leaks.counts.files} files (${JSON.stringify(leaks.counts.byKind)}; ${leaks.tokensPlanted} planted), ` +
    `not checked ${JSON.stringify(leaks.notChecked)}, ignored places reported: ${leaks.reportedIgnored}; ` +
    `longest stall ${fmt(leaks.stallMs)} ms; 5 MB document after an edit ${fmt(leaks.docMs, 1)} ms`
  );
}

export function leakVerdicts(leaks) {
  const line = (ok, text) => `${ok === undefined ? 'n/a ' : ok ? 'PASS' : 'MISS'}  ${text}`;
  const measured = !leaks.skipped && !leaks.failed;
  const why = leaks.skipped ?? (leaks.failed ? 'failed' : '');
  return [
    line(
      measured ? leaks.scanRatio <= BUDGET.scanRatio && !leaks.reportedIgnored : undefined,
      `workspace scan ≤ ${BUDGET.scanRatio}× rg -l over the same tree: ${measured ? `${fmt(leaks.scanMs)} ms vs ${fmt(leaks.rgMs)} ms = ${fmt(leaks.scanRatio, 2)}×` : why}`,
    ),
    line(
      measured ? leaks.stallMs <= BUDGET.scanStallMs : undefined,
      `longest event-loop stall during the scan ≤ ${BUDGET.scanStallMs} ms: ${measured ? `${fmt(leaks.stallMs)} ms` : why}`,
    ),
    line(
      measured ? leaks.docMs <= BUDGET.docCheckMs : undefined,
      `checking a 5 MB document after an edit ≤ ${BUDGET.docCheckMs} ms: ${measured ? `${fmt(leaks.docMs, 1)} ms` : why}`,
    ),
  ];
}

export function leakFigures(leaks) {
  const measured = !leaks.skipped && !leaks.failed;
  return {
    scan_ratio: measured ? fmt(leaks.scanRatio, 2) : 'na',
    scan_stall_ms: measured ? fmt(leaks.stallMs) : 'na',
    doc_check_ms: measured ? fmt(leaks.docMs, 1) : 'na',
  };
}
