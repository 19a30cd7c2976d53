/**
 * Starts the test Factify server from the command line:
 *
 *   node out/test/server/cli.js [--port N] [--host 127.0.0.1] [--keys N] [--latency-ms N]
 *
 * Prints one JSON line `{"url":…,"tokens":{…},"orgs":{…}}` to stdout once listening, then runs until
 * SIGINT or SIGTERM. `--keys N` replaces the primary organization's keys with N generated keys.
 */
import { startFactifyServer } from './factifyServer';

interface CliOptions {
  host: string;
  port: number;
  keys?: number;
  latencyMs: number;
}

const USAGE = 'usage: node out/test/server/cli.js [--port N] [--host 127.0.0.1] [--keys N] [--latency-ms N]';

function parseArgs(args: readonly string[]): CliOptions {
  const options: CliOptions = { host: '127.0.0.1', port: 0, latencyMs: 0 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    const count = (max: number): number => {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n > max) throw new Error(`${flag} must be an integer from 0 to ${max}`);
      return n;
    };
    switch (flag) {
      case '--host':
        options.host = value;
        break;
      case '--port':
        options.port = count(65535);
        break;
      case '--keys':
        options.keys = count(1_000_000);
        break;
      case '--latency-ms':
        options.latencyMs = count(600_000);
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const server = await startFactifyServer({ host: options.host, port: options.port, generatedKeys: options.keys });
  server.setLatency(options.latencyMs);
  process.stdout.write(`${JSON.stringify({ url: server.url, tokens: server.tokens, orgs: server.orgs })}\n`);
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`factify test server failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
