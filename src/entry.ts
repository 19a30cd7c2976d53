/**
 * What VS Code loads (dist/extension.js): it loads the extension itself (src/extension.ts, bundled into
 * dist/shell.js) through V8's code cache kept in the extension's global storage, so that a start after the
 * first one does not compile the bundle again, nor the functions activation runs. Compiling the bundle is most
 * of what loading it costs; see codeCache.ts for why the cache can never hand over stale code.
 *
 * Activation reads the cache and nothing else; the compiled code is written back later (a quiet moment after
 * activation, or at deactivation), and only when the cache did not already have it. Any failure of the cache
 * falls back to a plain require, silently.
 */
import type * as vscode from 'vscode';
import { loadWithCodeCache } from './core/codeCache';

type Shell = typeof import('./extension');

/** A hash of dist/shell.js, written in by the build (esbuild.mjs); under tsc there is no bundle to cache. */
declare const SHELL_CONTENT_HASH: string | undefined;
const SHELL_FILE = 'shell.js';
/** By then the functions activation and the first list run have been compiled, and the window is idle. */
const SAVE_CODE_AFTER_MS = 20_000;

let shell: Shell | undefined;
let unsavedShellCode: (() => void) | undefined;

export function activate(context: vscode.ExtensionContext): ReturnType<Shell['activate']> {
  const result = loadShell(context.globalStorageUri).activate(context);
  if (unsavedShellCode) setTimeout(saveShellCode, SAVE_CODE_AFTER_MS).unref();
  return result;
}

export function deactivate(): void {
  saveShellCode();
  shell?.deactivate();
}

function loadShell(storage: vscode.Uri): Shell {
  if (shell) return shell;
  const contentHash = typeof SHELL_CONTENT_HASH === 'string' ? SHELL_CONTENT_HASH : undefined;
  const cacheDir = contentHash !== undefined && storage.scheme === 'file' ? storage.fsPath : undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the build points this at dist/shell.js
  const loaded = loadWithCodeCache(__dirname, SHELL_FILE, cacheDir, () => require('./extension') as Shell, contentHash);
  unsavedShellCode = loaded.save;
  return (shell = loaded.exports);
}

function saveShellCode(): void {
  const save = unsavedShellCode;
  unsavedShellCode = undefined;
  save?.();
}
