// Bundles src/ (type-checking is `npm run typecheck`, separately):
// - dist/shell.js: the extension (src/extension.ts), told the hash of dist/httpStack.js's content;
// - dist/extension.js: what VS Code loads (src/entry.ts), a few lines that load dist/shell.js through V8's code
//   cache, told the hash of dist/shell.js's content so that it does not hash it at every start;
// - dist/httpStack.js: the HTTP stack (src/core/httpStack.ts: the parts of undici the client uses), which the
//   client requires on its first request: activation never even parses it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');

/** Leaves `require('./httpStack')` in the extension bundle, pointing at the separately built file. */
const httpStackAsOwnFile = {
  name: 'http-stack-as-own-file',
  setup(build) {
    build.onResolve({ filter: /^\.\/httpStack$/ }, () => ({ path: './httpStack.js', external: true }));
  },
};

/** Leaves the entry's `require('./extension')` pointing at the separately built dist/shell.js. */
const shellAsOwnFile = {
  name: 'shell-as-own-file',
  setup(build) {
    build.onResolve({ filter: /^\.\/extension$/ }, () => ({ path: './shell.js', external: true }));
  },
};

function contentHash(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 32);
}

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  legalComments: production ? 'none' : 'inline',
  logLevel: 'warning',
};

// Never minified: a minified HTTP stack made the first list of 10 000 keys over a 40 ms round trip ~15 ms
// slower in a fresh process (interleaved runs, both loaded through the code cache); the cause is not known.
await esbuild.build({ ...common, minify: false, entryPoints: ['src/core/httpStack.ts'], outfile: 'dist/httpStack.js' });
await esbuild.build({
  ...common,
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/shell.js',
  plugins: [httpStackAsOwnFile],
  define: { HTTP_STACK_CONTENT_HASH: JSON.stringify(contentHash('dist/httpStack.js')) },
});
await esbuild.build({
  ...common,
  entryPoints: ['src/entry.ts'],
  outfile: 'dist/extension.js',
  plugins: [shellAsOwnFile],
  define: { SHELL_CONTENT_HASH: JSON.stringify(contentHash('dist/shell.js')) },
});
