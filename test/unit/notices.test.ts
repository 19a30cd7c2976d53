/** ThirdPartyNotices.txt carries the license of every bundled package (the production bundle drops license comments). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// out/test/unit → repository root
const ROOT = join(__dirname, '..', '..', '..');

test("ThirdPartyNotices.txt is what the bundled packages' license files say today", () => {
  const check = spawnSync(process.execPath, [join(ROOT, 'scripts', 'third-party-notices.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stderr}${check.stdout}`);
});

test("it holds undici's license verbatim, with the version installed", () => {
  const notices = readFileSync(join(ROOT, 'ThirdPartyNotices.txt'), 'utf8');
  const license = readFileSync(join(ROOT, 'node_modules', 'undici', 'LICENSE'), 'utf8')
    .replace(/\r\n/g, '\n')
    .trimEnd();
  const { version } = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'undici', 'package.json'), 'utf8')) as { version: string };
  assert.ok(notices.includes(license), "undici's LICENSE text");
  assert.ok(notices.includes(`undici ${version} (MIT)`), `undici ${version}`);
});
