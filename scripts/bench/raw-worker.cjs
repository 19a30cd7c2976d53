'use strict';
/**
 * The raw limit: node:http GET of the same URL with the same Authorization header, then JSON.parse. No
 * validation, no tree. "cold" is one request in this fresh process, timed from before require('node:http')
 * (node:https, so a TLS connect too, for an https URL);
 * "warm" reuses one keep-alive socket for `warmup` untimed and `runs` timed requests.
 */
const { runWorker, workerArgs, peakRssMb } = require('./common.cjs');

/**
 * `times`, when given, gets when the TLS connection was up, the request written, and the headers and the last
 * byte came, in ms from `t0`.
 */
function get(http, url, token, agent, times, t0) {
  return new Promise((resolve, reject) => {
    const request = http.get(
      url,
      {
        agent,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json, application/problem+json' },
      },
      (response) => {
        if (times) times.headersMs = performance.now() - t0;
        const chunks = [];
        let size = 0;
        response.on('data', (chunk) => {
          chunks.push(chunk);
          size += chunk.length;
        });
        response.once('error', reject);
        response.once('end', () => {
          if (times) times.lastByteMs = performance.now() - t0;
          if (response.statusCode !== 200) {
            reject(new Error(`HTTP ${response.statusCode}`));
            return;
          }
          try {
            resolve(JSON.parse(Buffer.concat(chunks, size).toString('utf8')));
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    request.once('error', reject);
    if (times) {
      request.once('socket', (socket) => socket.once('secureConnect', () => (times.connectedMs = performance.now() - t0)));
      request.once('finish', () => (times.sentMs = performance.now() - t0));
    }
  });
}

runWorker(async () => {
  const options = workerArgs();
  const url = `${options.url}/v1/api-keys?include_revoked=false`;

  if (options.mode === 'cold') {
    const faultsAtStart = process.resourceUsage().minorPageFault;
    const t0 = performance.now();
    const http = url.startsWith('https:') ? require('node:https') : require('node:http');
    const times = {};
    const body = await get(http, url, options.token, undefined, times, t0);
    const t1 = performance.now();
    const minorPageFaults = process.resourceUsage().minorPageFault - faultsAtStart;
    return { totalMs: t1 - t0, keys: body.api_keys.length, peakRssMb: peakRssMb(), minorPageFaults, ...times };
  }

  if (options.mode === 'warm') {
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const samples = [];
    let keys = 0;
    for (let i = 0; i < options.warmup + options.runs; i++) {
      const t0 = performance.now();
      const body = await get(http, url, options.token, agent);
      const t1 = performance.now();
      if (i >= options.warmup) samples.push({ totalMs: t1 - t0 });
      keys = body.api_keys.length;
    }
    agent.destroy();
    return { samples, keys, peakRssMb: peakRssMb() };
  }

  throw new Error(`unknown mode ${options.mode}`);
});
