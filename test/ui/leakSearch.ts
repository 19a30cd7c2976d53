/** The leak check: every token a journey typed, searched for in every place a browser, code-server or VS Code could keep it. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Page } from 'playwright-core';
import { type UiSession } from './session';

export interface Leak {
  where: string;
  token: string;
}

function tokenForms(token: string): string[] {
  // The whole token, and its secret tail (the random part after the 26-character id) on its own.
  return [token, token.slice(-20)];
}

function findTokens(text: string, tokens: readonly string[]): string[] {
  return tokens.filter((token) => tokenForms(token).some((form) => text.includes(form)));
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/**
 * Name → text of every localStorage entry and IndexedDB record of the page's origin. A script string: the
 * tests compile without the DOM library.
 */
async function browserStorage(page: Page): Promise<Array<{ where: string; text: string }>> {
  return page.evaluate(`(async () => {
    const out = [];
    const asText = (value) => {
      if (typeof value === 'string') return value;
      if (value instanceof Uint8Array) return new TextDecoder().decode(value);
      if (value instanceof ArrayBuffer) return new TextDecoder().decode(new Uint8Array(value));
      try { return JSON.stringify(value) ?? String(value); } catch { return String(value); }
    };
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i) ?? '';
      out.push({ where: 'localStorage[' + key + ']', text: key + '\\n' + (localStorage.getItem(key) ?? '') });
    }
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open(info.name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const records = await new Promise((resolve, reject) => {
          const transaction = db.transaction(store, 'readonly');
          const keys = transaction.objectStore(store).getAllKeys();
          const values = transaction.objectStore(store).getAll();
          transaction.oncomplete = () => resolve(keys.result.map((key, index) => [key, values.result[index]]));
          transaction.onerror = () => reject(transaction.error);
        });
        for (const [key, value] of records) {
          out.push({ where: 'indexedDB ' + info.name + '/' + store + '[' + asText(key) + ']', text: asText(key) + '\\n' + asText(value) });
        }
      }
      db.close();
    }
    return out;
  })()`);
}

/** The browser's clipboard text (the context was granted clipboard-read). */
export async function readClipboard(page: Page): Promise<string> {
  return page.evaluate('navigator.clipboard.readText()');
}

/** The raw SecretStorage entry of code-server (see SECRET_STORAGE_ENTRY), null when absent. */
export async function readSecretStorageEntry(page: Page): Promise<string | null> {
  return page.evaluate("localStorage.getItem('secrets.provider')");
}

/**
 * Where code-server keeps SecretStorage: its web embedder's secret provider seals the whole secret map
 * with AES-GCM (a key half from the server, `<user-data>/serve-web-key-half`, and a half in the browser)
 * and keeps the sealed blob in the browser's localStorage under this name. It is the one place the token
 * may be, so the leak search leaves it out (and only reports whether it is readable).
 */
export const SECRET_STORAGE_ENTRY = 'localStorage[secrets.provider]';

export interface LeakReport {
  leaks: Leak[];
  /** What was searched, for the test's own sanity checks. */
  filesSearched: string[];
  browserEntriesSearched: number;
  factifyLogFiles: string[];
  /** Whether SecretStorage's entry exists, and whether it holds a token readably (code-server seals it). */
  secretStorageSeen: boolean;
  /**
   * Whether the extension's globalState (context.globalState: the organization override and recent
   * organizations) was among the entries searched. In code-server it lives in the browser's IndexedDB
   * (`vscode-web-state-db-global`), not under the user-data folder.
   */
  globalStateSeen: boolean;
  secretStorageInClear: boolean;
}

/**
 * Searches for every token used: the code-server user-data folder (settings.json, workspace storage, every
 * log file including the Factify output channel's `logs/<time>/exthost<n>/factify.factify-api-keys/Factify.log`),
 * code-server's own output, the browser's storage — localStorage and every IndexedDB database, which in
 * code-server hold the global and workspace state (the extension's globalState included) and the window logs —
 * except SecretStorage's entry, every request the decoy origin received, and every part of the requests to
 * the Factify server except the Authorization header.
 */
export async function findTokenLeaks(session: UiSession, pages: readonly Page[] = [session.page]): Promise<LeakReport> {
  const tokens = [...session.tokensUsed];
  assert.ok(tokens.length > 0, 'no token was used, nothing to search for');
  const leaks: Leak[] = [];
  const add = (where: string, found: string[]): void => {
    for (const token of found) leaks.push({ where, token: `${token.slice(0, 12)}…` });
  };

  const files = filesUnder(session.dirs.userDataDir);
  for (const file of files) {
    add(path.relative(session.dirs.base, file), findTokens(fs.readFileSync(file).toString('latin1'), tokens));
  }
  add('code-server output', findTokens(session.code.logs(), tokens));

  let browserEntriesSearched = 0;
  let secretStorageSeen = false;
  let secretStorageInClear = false;
  let globalStateSeen = false;
  for (const page of pages) {
    for (const entry of await browserStorage(page)) {
      browserEntriesSearched++;
      if (entry.where === SECRET_STORAGE_ENTRY) {
        // SecretStorage itself: the one place the token belongs, so it is left out.
        secretStorageSeen = true;
        secretStorageInClear ||= findTokens(entry.text, tokens).length > 0;
        continue;
      }
      globalStateSeen ||= /vscode-web-state-db-global\/ItemTable\[factify\.factify-api-keys\]/.test(entry.where);
      add(entry.where, findTokens(entry.text, tokens));
    }
  }

  for (const request of session.decoy.requests) {
    add(
      `decoy ${request.method} ${request.url}`,
      findTokens(`${request.url}\n${JSON.stringify(request.headers)}\n${request.body}`, tokens),
    );
  }
  for (const request of session.api.requests) {
    const { authorization: _authorization, ...otherHeaders } = request.headers;
    add(
      `Factify ${request.method} ${request.path} (not the Authorization header)`,
      findTokens(`${request.path}\n${JSON.stringify(request.query)}\n${JSON.stringify(otherHeaders)}\n${request.body}`, tokens),
    );
  }
  const factifyLogFiles = files.filter((file) => /factify\.factify-api-keys[\\/]Factify\.log$/.test(file));
  return { leaks, filesSearched: files, browserEntriesSearched, factifyLogFiles, secretStorageSeen, secretStorageInClear, globalStateSeen };
}
