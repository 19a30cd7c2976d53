'use strict';
/**
 * The benchmark's Factify server, in its own process so that serving never shares an event loop (or a
 * core's time slice, as far as 2 cores allow) with what is measured.
 *
 *   node scripts/bench/server.cjs '{"outDir":"/repo/out","keys":10000,"churn":true}'
 *
 * Runs test/server/factifyServer's `startFactifyServer({ generatedKeys })` and prints one JSON line
 * `{url,tokens,orgs,keys}` (like test/server/cli.js). With `"network":true` the server speaks TLS (a
 * self-signed certificate, written to `caFile` for the clients' NODE_EXTRA_CA_CERTS) and `url` is a relay on
 * 127.0.0.1 that delays every byte by `delayMs` (20) in each direction: a 40 ms round trip. Then reads JSON commands, one per line, on stdin and
 * answers each with one JSON line:
 *   {"op":"rename","which":"firstActive"|"lateActive","name":"…"}  renames an active, never-expiring key
 *   {"op":"setkeys","n":100000}                                     replaces the keys with n generated ones
 * Exits when stdin closes or on SIGTERM/SIGINT.
 */
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

/** A TCP relay on 127.0.0.1 to `port` that delivers every chunk `delayMs` after it arrived, in both directions. */
function startDelayRelay(port, delayMs) {
  const relay = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    const forward = (from, to) => {
      from.setNoDelay(true);
      from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs));
      from.on('end', () => setTimeout(() => to.end(), delayMs));
      from.on('error', () => to.destroy());
      from.on('close', () => setTimeout(() => to.destroy(), delayMs));
    };
    forward(client, upstream);
    forward(upstream, client);
  });
  return new Promise((resolve) => relay.listen(0, '127.0.0.1', () => resolve(relay)));
}

async function main() {
  const options = JSON.parse(process.argv[2] ?? '{}');
  const outDir = options.outDir ?? path.join(__dirname, '..', '..', 'out');
  const { startFactifyServer } = require(path.join(outDir, 'test', 'server', 'factifyServer.js'));
  const { generateKeys } = require(path.join(outDir, 'test', 'server', 'seed.js'));
  let tls;
  let caFile;
  if (options.network) {
    tls = require(path.join(outDir, 'test', 'server', 'selfSignedCert.js')).selfSignedCert();
    caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'factify-bench-')), 'ca.pem');
    fs.writeFileSync(caFile, tls.cert);
  }
  const server = await startFactifyServer({ generatedKeys: options.keys, tls });
  const relay = options.network ? await startDelayRelay(server.port, options.delayMs ?? 20) : undefined;
  const url = relay ? `https://127.0.0.1:${relay.address().port}` : server.url;
  const primary = server.orgs.primary;
  process.stdout.write(
    `${JSON.stringify({ url, caFile, tokens: server.tokens, orgs: server.orgs, keys: server.keysOf(primary).length })}\n`,
  );

  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    clearInterval(churnTimer);
    relay?.close();
    if (caFile) fs.rmSync(path.dirname(caFile), { recursive: true, force: true });
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  // churn: one key's name changes every 2 ms, so no two list answers are the same (a refresh that is worth
  // doing), whatever a client might cache. Keys in the middle of the list, away from the renamed markers.
  let churnTimer;
  if (options.churn) {
    let tick = 0;
    churnTimer = setInterval(() => {
      const keys = server.keysOf(primary);
      if (keys.length < 4) return;
      const key = keys[Math.floor(keys.length / 4) + (tick++ % Math.floor(keys.length / 2))];
      key.name = key.name.endsWith(' ~') ? key.name.slice(0, -2) : `${key.name} ~`;
    }, 2);
  }
  const isPlainActive = (key) => key.is_active && !key.revoked_at && key.expires_at === null;
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let answer;
    try {
      const command = JSON.parse(line);
      // The server records every request; the benchmark never reads them back.
      server.clearRequests();
      if (command.op === 'rename') {
        const keys = server.keysOf(primary);
        const index = command.which === 'lateActive' ? keys.findLastIndex(isPlainActive) : keys.findIndex(isPlainActive);
        if (index < 0) throw new Error('no active, never-expiring key to rename');
        keys[index].name = String(command.name);
        answer = { ok: true, id: keys[index].id, index };
      } else if (command.op === 'setkeys') {
        server.setKeys(primary, generateKeys(primary, Number(command.n), new Date()));
        answer = { ok: true, keys: server.keysOf(primary).length };
      } else {
        throw new Error(`unknown op ${command.op}`);
      }
    } catch (error) {
      answer = { ok: false, error: String(error && error.message ? error.message : error) };
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  });
  lines.once('close', stop);
}

main().catch((error) => {
  process.stderr.write(`bench server failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
