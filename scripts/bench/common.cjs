'use strict';
/** Small helpers shared by the benchmark's worker processes (each worker is a fresh `node` process). */

const RESULT_PREFIX = 'BENCH_RESULT ';

/** The worker's options: one JSON argument. */
function workerArgs() {
  const raw = process.argv[2];
  if (!raw) throw new Error(`usage: node ${process.argv[1]} '<json options>'`);
  return JSON.parse(raw);
}

/** The one line the orchestrator reads back. */
function emit(result) {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/** Runs `main`, emits its result, and turns any failure into `{ error }` with a non-zero exit. */
function runWorker(main) {
  Promise.resolve()
    .then(main)
    .then((result) => {
      emit(result);
      // Pooled sockets and timers must not keep a finished worker alive.
      setImmediate(() => process.exit(0));
    })
    .catch((error) => {
      emit({ error: error && error.stack ? error.stack : String(error) });
      setImmediate(() => process.exit(1));
    });
}

/** Peak resident set size of this process so far, in MiB. */
function peakRssMb() {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Longest event-loop stall, two ways: a timer-gap sampler (a 2 ms timer chain; a gap far above 2 ms is
 * time the loop could not run timers) and perf_hooks.monitorEventLoopDelay's maximum.
 */
function startStallMonitor() {
  const { monitorEventLoopDelay } = require('node:perf_hooks');
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const INTERVAL = 2;
  let last = performance.now();
  let maxGap = 0;
  let timer;
  const tick = () => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    timer = setTimeout(tick, INTERVAL);
  };
  timer = setTimeout(tick, INTERVAL);
  return {
    /** Starts a new phase: the maxima restart from zero. */
    reset() {
      histogram.reset();
      maxGap = 0;
      last = performance.now();
    },
    read() {
      const now = performance.now();
      return {
        timerGapMaxMs: Math.max(maxGap, now - last) - INTERVAL,
        eventLoopDelayMaxMs: histogram.max / 1e6,
      };
    },
    stop() {
      clearTimeout(timer);
      histogram.disable();
    },
  };
}

module.exports = { RESULT_PREFIX, workerArgs, emit, runWorker, peakRssMb, startStallMonitor };
