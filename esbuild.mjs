// Bundles src/ into dist/extension.js (type-checking is `npm run typecheck`, separately). The HTTP stack
// (src/core/httpStack.ts: the parts of undici the client uses) is bundled into dist/httpStack.js of its own,
// which the client requires on its first request: activation never even parses it.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');

/** Leaves `require('./httpStack')` in the extension bundle, pointing at the separately built file. */
const httpStackAsOwnFile = {
  name: 'http-stack-as-own-file',
  setup(build) {
    build.onResolve({ filter: /^\.\/httpStack$/ }, () => ({ path: './httpStack.js', external: true }));
  },
};

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

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', plugins: [httpStackAsOwnFile] }),
  esbuild.build({ ...common, entryPoints: ['src/core/httpStack.ts'], outfile: 'dist/httpStack.js' }),
]);
