// `npm run demo`: the extension in a real VS Code against a local Factify-compatible server with sample keys.
//   npm run demo                               local server + VS Code (`code` when on PATH, else code-server)
//   npm run demo -- --code-server              always use code-server (in Chromium or your own browser)
//   npm run demo -- --keys 10000               the local server's own organization gets 10 000 generated keys
//   npm run demo -- --api-base-url https://api.factify.com   a real account: no local server
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const { values: args } = parseArgs({
  options: {
    'api-base-url': { type: 'string' },
    keys: { type: 'string' },
    port: { type: 'string', default: '8080' },
    'code-server': { type: 'boolean', default: false },
  },
});

function step(title, command, commandArgs) {
  console.log(`[demo] ${title}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

step('building and packaging the extension…', 'npm', ['run', '--silent', 'package']);
step('compiling the local server and the real-VS Code harness…', 'npx', ['tsc', '-p', '.']);

let server;
let apiBaseUrl = args['api-base-url'];
if (!apiBaseUrl) {
  const { startFactifyServer } = require(join(root, 'out/test/server/factifyServer.js'));
  server = await startFactifyServer({ generatedKeys: args.keys ? Number(args.keys) : undefined });
  apiBaseUrl = server.url;
}

const base = mkdtempSync(join(tmpdir(), 'factify-demo-'));
const dirs = { workspaceDir: join(base, 'workspace'), userDataDir: join(base, 'user-data'), extensionsDir: join(base, 'extensions') };
for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
const settings = { 'factify.apiBaseUrl': apiBaseUrl };

const hasCode = !args['code-server'] && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
let stop = async () => {};
if (hasCode) {
  mkdirSync(join(dirs.userDataDir, 'User'), { recursive: true });
  writeFileSync(join(dirs.userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  console.log('[demo] opening VS Code with the extension in development mode…');
  const code = spawn(
    'code',
    [
      '--new-window',
      '--user-data-dir',
      dirs.userDataDir,
      '--extensions-dir',
      dirs.extensionsDir,
      `--extensionDevelopmentPath=${root}`,
      dirs.workspaceDir,
    ],
    { stdio: 'inherit' },
  );
  stop = async () => code.kill();
} else {
  step('preparing code-server and Chromium (cached after the first run)…', 'bash', ['scripts/setup-real-vscode.sh']);
  const harness = require(join(root, 'out/test/realvscode/harness.js'));
  await harness.installVsix(join(root, 'dist/factify-api-keys.vsix'), dirs.extensionsDir);
  const codeServer = await harness.startCodeServer({ ...dirs, settings, port: Number(args.port) });
  stop = () => codeServer.stop();
  console.log(`\n[demo] VS Code (code-server) is running: open ${codeServer.url}/?folder=${encodeURIComponent(dirs.workspaceDir)}`);
  console.log(`[demo] (on another machine, forward the port first: ssh -L ${codeServer.port}:127.0.0.1:${codeServer.port} …)`);
}

console.log(`\n[demo] Factify API: ${apiBaseUrl}${server ? ' (local Factify-compatible server with sample keys)' : ''}`);
if (server) {
  console.log('[demo] Click the Factify icon in the activity bar, then "Set API Token…" and paste one of these:');
  console.log(`  admin of ${server.orgs.primary} (can revoke):  ${server.tokens.admin}`);
  console.log(`  member of ${server.orgs.primary} (read only):  ${server.tokens.member}`);
  console.log(`  admin of ${server.orgs.secondary} (a second account):  ${server.tokens.otherOrgAdmin}`);
  console.log(`  Factify staff (may switch organization):       ${server.tokens.staff}`);
  console.log(`  organizations to switch to as staff: ${server.orgs.primary}, ${server.orgs.secondary}`);
}
console.log('\n[demo] Press Ctrl+C to stop.');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await stop();
    await server?.close();
    process.exit(0);
  });
}
