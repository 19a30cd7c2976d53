'use strict';
/**
 * The production bundle (dist/extension.js) in a fresh process, over the `vscode` stand-in.
 *
 * Activation: time to require the bundle and to run `activate()` (which loads the extension, dist/shell.js,
 * through its code cache in `globalStorage` when there is one), and whether the HTTP stack (undici, built into
 * its own file dist/httpStack.js next to the bundle) was loaded by then. How that is known, two ways:
 *  1. Every `require()` the bundle's files make is recorded (a Module.prototype.require hook that keeps the
 *     calls whose caller is a file in dist/). Until its first request the extension requires nothing but
 *     `vscode` and Node's own modules (node:fs, node:vm… to read the code cache); the first request requires
 *     `./httpStack.js`.
 *  2. Node's module cache: dist/httpStack.js appears in `require.cache` once anything has loaded it.
 * Each process ends with `deactivate()`, as VS Code's shutdown does: that writes the code cache when the start
 * had none, so the next process of the same measurement starts from it.
 * In mode "refresh" both are read again after the first load, as a control that they do turn true.
 *
 * Refresh ("refresh" mode): what the extension host does for a view that becomes visible and then for
 * "Factify: Refresh": the stand-in tree view asks for the root's children (which loads the list) and, on
 * each change, for the children of the expanded groups and their TreeItems, like VS Code does. Measures the
 * first load (view shown → first key rows built), `warmRuns` refresh commands (command → rows rebuilt from
 * the new answer), the longest event-loop stall during each, and the peak RSS.
 */
const Module = require('node:module');
const path = require('node:path');
const { runWorker, workerArgs, peakRssMb, startStallMonitor } = require('./common.cjs');
const { install } = require('./vscode-stub.cjs');

function undiciProbe(requiredByBundle, bundle) {
  const required = [...new Set(requiredByBundle.filter((id) => id !== 'vscode' && !id.startsWith('node:')))];
  const httpStackFile = path.join(path.dirname(bundle), 'httpStack.js');
  const inModuleCache = Object.keys(require.cache).filter((file) => file === httpStackFile);
  return {
    undiciLoaded: required.length > 0 || inModuleCache.length > 0,
    bundleRequired: required,
    httpStackInModuleCache: inModuleCache.map((file) => path.basename(file)),
  };
}

/**
 * When the connection was ready for HTTP, the request was written, and the first answer's headers and its last
 * byte came, in ms from `t0`, as the HTTP stack reports them on its diagnostics channels (their names are
 * shared by every copy of undici in the process, the bundled one too).
 */
function watchAnswer(t0) {
  const diagnostics = require('node:diagnostics_channel');
  const times = {};
  const channels = {
    headersMs: 'undici:request:headers',
    lastByteMs: 'undici:request:trailers',
    connectedMs: 'undici:client:connected',
    sentMs: 'undici:client:sendHeaders',
  };
  const listeners = Object.entries(channels).map(([field, channel]) => {
    const listener = () => (times[field] ??= performance.now() - t0);
    diagnostics.subscribe(channel, listener);
    return () => diagnostics.unsubscribe(channel, listener);
  });
  return () => {
    for (const unsubscribe of listeners) unsubscribe();
    return times;
  };
}

/** Rejects the current wait at once when the extension logs a failed list (no point waiting for rows). */
let failCurrentWait;

function waitFor(stand, predicate, timeoutMs, what, logs) {
  return new Promise((resolve, reject) => {
    failCurrentWait = (message) => {
      clearTimeout(timer);
      subscription.dispose();
      reject(new Error(`the extension failed while waiting for ${what}: ${message}`));
    };
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(
        new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}; last render ${JSON.stringify(stand.trees[0]?.state.last)}; messages ${JSON.stringify(stand.messages)}; log tail:\n${logs.slice(-15).join('\n')}`,
        ),
      );
    }, timeoutMs);
    const subscription = stand.onRender((render) => {
      if (!predicate(render)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(render);
    });
  });
}

runWorker(async () => {
  const options = workerArgs();
  const bundle = path.resolve(options.bundle);
  const logs = [];
  const stand = install({
    settings: options.url ? { 'factify.apiBaseUrl': options.url } : {},
    token: options.token,
    packageJSON: { version: options.version ?? '0.0.0' },
    globalStorage: options.globalStorage,
    log: (level, message) => {
      logs.push(`${level}: ${message}`);
      if (level === 'error' && /^Listing keys/.test(message) && failCurrentWait) failCurrentWait(message);
    },
  });

  const requiredByBundle = [];
  const originalRequire = Module.prototype.require;
  const bundleDir = path.dirname(bundle);
  Module.prototype.require = function (id) {
    if (this.filename && path.dirname(this.filename) === bundleDir) requiredByBundle.push(id);
    return originalRequire.apply(this, arguments);
  };

  const t0 = performance.now();
  const extension = require(bundle);
  const tLoaded = performance.now();
  const api = extension.activate(stand.context);
  const tActivated = performance.now();

  const result = {
    loadMs: tLoaded - t0,
    activateMs: tActivated - tLoaded,
    totalMs: tActivated - t0,
    afterActivation: undiciProbe(requiredByBundle, bundle),
    returnedView: Boolean(api && api.view),
    standInMissing: [...stand.missing],
  };

  if (options.mode !== 'refresh') {
    extension.deactivate?.();
    return result;
  }

  const tree = stand.trees[0];
  if (!tree) throw new Error('activate() created no tree view');
  const stalls = startStallMonitor();
  const keyRowsBuilt = (render) => render.keyRows > 0;

  // First load: the view becomes visible, VS Code asks for the root's children, the extension loads.
  stalls.reset();
  const faultsAtShow = process.resourceUsage().minorPageFault;
  const tShow = performance.now();
  const answerTimes = watchAnswer(tShow);
  const firstRender = waitFor(stand, keyRowsBuilt, options.timeoutMs ?? 120_000, 'the first key rows', logs);
  tree.show();
  const first = await firstRender;
  result.firstLoad = {
    ms: first.at - tShow,
    renderMs: first.renderMs,
    keyRows: first.keyRows,
    items: first.items,
    minorPageFaults: process.resourceUsage().minorPageFault - faultsAtShow,
    ...answerTimes(),
    ...stalls.read(),
  };
  result.afterRefresh = undiciProbe(requiredByBundle, bundle);

  // Warm refreshes: "Factify: Refresh", then the rows rebuilt from the new answer.
  result.refreshes = [];
  for (let i = 0; i < (options.warmRuns ?? 0); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    stalls.reset();
    const tCommand = performance.now();
    await stand.vscode.commands.executeCommand('factify.refresh');
    const fired = tree.state.fires;
    const render =
      tree.state.last && tree.state.last.firesAtStart >= fired && !tree.state.rendering
        ? tree.state.last
        : await waitFor(stand, (r) => r.firesAtStart >= fired && keyRowsBuilt(r), options.timeoutMs ?? 120_000, 'rows after refresh', logs);
    result.refreshes.push({ ms: render.at - tCommand, renderMs: render.renderMs, keyRows: render.keyRows, ...stalls.read() });
  }
  stalls.stop();
  result.peakRssMb = peakRssMb();
  result.heapUsedMb = process.memoryUsage().heapUsed / 1024 / 1024;
  result.errors = stand.messages.filter((message) => message.level === 'error');
  extension.deactivate?.();
  for (const disposable of stand.context.subscriptions) disposable.dispose();
  return result;
});
