'use strict';
/**
 * The real-editor part of the benchmark: the packaged .vsix in code-server, driven through Chromium with
 * Playwright by test/realvscode/harness (compiled to out/test/realvscode/harness.js).
 *
 *   node scripts/bench/vscode.cjs '{"outDir":…,"vsix":…,"keys":10000,"bigKeys":100000,"runs":5}'
 *
 * 1. Starts the bench server (scripts/bench/server.cjs) with `keys` keys, installs the .vsix into a fresh
 *    extensions folder, starts code-server with {"factify.apiBaseUrl": server.url}, opens the workbench,
 *    sets the admin token through "Factify: Set API Token…" and opens the view.
 * 2. `runs` times (after one unmeasured run): renames one active key on the server to a new marker name that
 *    sorts first, runs "Factify: Refresh" from the palette, and measures, in the page's own clock, from the
 *    click on the palette entry to the first moment the marker row is in the view and visible (and to the
 *    next animation frame, i.e. painted).
 * 3. Switches the server to `bigKeys` keys and measures the same for the first page, then "Factify: Filter
 *    Keys…" (Enter in the input box → the filtered rows shown) and "Factify: Clear Filter" (→ the first
 *    page back), plus the longest gap between animation frames in the workbench meanwhile.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const { runWorker, workerArgs } = require('./common.cjs');

// The harness kills code-server's process group on 'exit'; make a kill by the orchestrator end that way.
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(1));

const ROW = '.pane-body .monaco-list-row';

function startServer(outDir, keys) {
  const child = spawn(process.execPath, [path.join(__dirname, 'server.cjs'), JSON.stringify({ outDir, keys })], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  const next = () => new Promise((resolve) => waiting.push(resolve));
  const info = next();
  return {
    info,
    async send(command) {
      const answer = next();
      child.stdin.write(`${JSON.stringify(command)}\n`);
      const result = await answer;
      if (!result.ok) throw new Error(`bench server: ${result.error}`);
      return result;
    },
    stop() {
      child.stdin.end();
      child.kill('SIGTERM');
    },
  };
}

/**
 * Arms a measurement in the page: t0 when the trigger reaches the document (a pointerdown for a palette
 * click, or a keydown of Enter for an input box), t1 when a row matching `present` is in the view and
 * visible and no row matches `absent`, tFrame at the next animation frame. Also the longest gap between
 * animation frames from t0 to tFrame.
 */
async function arm(page, view, { trigger, present, absent }) {
  await page.evaluate(
    ({ view, row, trigger, present, absent }) => {
      const selector = (text) => `${view} ${row}[aria-label*="${text.replace(/["\\]/g, '\\$&')}"]`;
      const state = { t0: null, t1: null, tFrame: null, maxFrameGapMs: 0 };
      window.__factifyBench = state;
      let lastFrame;
      const frame = (time) => {
        if (lastFrame !== undefined) state.maxFrameGapMs = Math.max(state.maxFrameGapMs, time - lastFrame);
        lastFrame = time;
        if (state.tFrame === null) requestAnimationFrame(frame);
      };
      const onTrigger = (event) => {
        if (state.t0 !== null) return;
        if (trigger === 'click' ? event.type !== 'pointerdown' : !(event.type === 'keydown' && event.key === 'Enter')) return;
        state.t0 = performance.now();
        document.removeEventListener('pointerdown', onTrigger, true);
        document.removeEventListener('keydown', onTrigger, true);
        requestAnimationFrame(frame);
        check();
      };
      const done = () => {
        const shown = document.querySelector(selector(present));
        if (!shown || !shown.checkVisibility()) return false;
        return !(absent && document.querySelector(selector(absent)));
      };
      const check = () => {
        if (state.t0 === null || state.t1 !== null || !done()) return;
        state.t1 = performance.now();
        observer.disconnect();
        requestAnimationFrame(() => {
          state.tFrame = performance.now();
        });
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['aria-label', 'style', 'class'],
      });
      document.addEventListener('pointerdown', onTrigger, true);
      document.addEventListener('keydown', onTrigger, true);
    },
    { view, row: ROW, trigger, present, absent },
  );
}

async function measured(page, timeoutMs) {
  await page.waitForFunction(() => window.__factifyBench && window.__factifyBench.tFrame !== null, undefined, {
    timeout: timeoutMs,
    polling: 50,
  });
  const state = await page.evaluate(() => window.__factifyBench);
  return { ms: state.t1 - state.t0, paintedMs: state.tFrame - state.t0, maxFrameGapMs: state.maxFrameGapMs };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : undefined;
}

runWorker(async () => {
  const options = workerArgs();
  const harness = require(path.join(options.outDir, 'test', 'realvscode', 'harness.js'));
  const view = harness.FACTIFY_VIEW_SELECTOR;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'factify-bench-vscode-'));
  const workspaceDir = path.join(scratch, 'workspace');
  fs.mkdirSync(workspaceDir, { recursive: true });
  const server = startServer(options.outDir, options.keys);
  const result = { keys: options.keys, bigKeys: options.bigKeys, steps: [] };
  const step = (name, startedAt) => result.steps.push({ name, ms: Math.round(performance.now() - startedAt) });
  let codeServer;
  let browser;
  let page;
  try {
    const info = await server.info;
    let started = performance.now();
    await harness.installVsix(options.vsix, path.join(scratch, 'extensions'));
    step('install .vsix', started);
    started = performance.now();
    codeServer = await harness.startCodeServer({
      workspaceDir,
      userDataDir: path.join(scratch, 'user-data'),
      extensionsDir: path.join(scratch, 'extensions'),
      settings: { 'factify.apiBaseUrl': info.url },
    });
    step('start code-server', started);
    started = performance.now();
    browser = await harness.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await harness.openWorkbench(page, codeServer.url, workspaceDir);
    step('open workbench', started);

    // Sign in through the UI, as a user would; the view then loads the keys.
    started = performance.now();
    let marker = '000 bench warmup';
    await server.send({ op: 'rename', which: 'firstActive', name: marker });
    await harness.runCommand(page, 'Focus on API Keys View');
    await harness.runCommand(page, 'Set API Token…');
    await harness.fillInputBox(page, info.tokens.admin);
    // Accepting waits for the extension's validation; opening the palette before that would cancel the box.
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 30_000 });
    await harness.treeRow(page, marker).waitFor({ state: 'visible', timeout: 120_000 });
    step('sign in and first rows', started);

    // Refresh → first key row of the new answer visible.
    const refreshRuns = [];
    for (let i = 0; i <= options.runs; i++) {
      marker = `000 bench refresh ${i}`;
      await server.send({ op: 'rename', which: 'firstActive', name: marker });
      await arm(page, view, { trigger: 'click', present: marker });
      await harness.runCommand(page, 'Refresh');
      const run = await measured(page, 120_000);
      if (i > 0) refreshRuns.push(run);
    }
    result.refresh = {
      runs: refreshRuns,
      medianMs: median(refreshRuns.map((run) => run.ms)),
      medianPaintedMs: median(refreshRuns.map((run) => run.paintedMs)),
    };
    result.rowsAt10k = (await harness.treeRows(page)).slice(0, 6);
    await harness.screenshot(page, 'bench-vscode-10k');

    // 100 000 keys: the first page, a filter, clearing it.
    if (options.bigKeys) {
      started = performance.now();
      await server.send({ op: 'setkeys', n: options.bigKeys });
      step(`server: generate ${options.bigKeys} keys`, started);
      marker = '000 bench big list';
      const target = 'zz bench filter target';
      await server.send({ op: 'rename', which: 'firstActive', name: marker });
      await server.send({ op: 'rename', which: 'lateActive', name: target });
      await arm(page, view, { trigger: 'click', present: marker });
      await harness.runCommand(page, 'Refresh');
      result.big = { firstPage: await measured(page, 180_000) };
      result.big.rows = (await harness.treeRows(page)).slice(0, 6);
      await harness.screenshot(page, 'bench-vscode-100k');

      await harness.runCommand(page, 'Filter Keys…');
      await arm(page, view, { trigger: 'enter', present: target, absent: marker });
      await harness.fillInputBox(page, 'zz bench filter');
      result.big.filter = await measured(page, 60_000);
      result.big.filteredRows = await harness.treeRows(page);
      await harness.screenshot(page, 'bench-vscode-100k-filtered');

      await arm(page, view, { trigger: 'click', present: marker, absent: target });
      await harness.runCommand(page, 'Clear Filter');
      result.big.clearFilter = await measured(page, 60_000);
    }
    return result;
  } catch (error) {
    if (page) await harness.screenshot(page, 'bench-vscode-failure').catch(() => undefined);
    const detail = `steps so far: ${JSON.stringify(result.steps)}${codeServer ? `\n--- code-server output (tail) ---\n${codeServer.logs().slice(-3000)}` : ''}`;
    throw new Error(`${error && error.stack ? error.stack : error}\n${detail}`, { cause: error });
  } finally {
    await browser?.close().catch(() => undefined);
    await codeServer?.stop().catch(() => undefined);
    server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});
