/** The walkthrough, the Marketplace listing, activation and what the .vsix ships (package.json and .vscodeignore). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { ROOT, VIEW, contributes, manifest } from './helpers/manifest';

describe('walkthrough', () => {
  const walkthroughs = contributes.walkthroughs ?? [];
  const contributed = new Set(contributes.commands.map((candidate) => candidate.command));
  const known = (id: string) => contributed.has(id) || id === `${VIEW}.focus`;

  test('one walkthrough: set a token, read the view, revoke, switch organization, find keys in files', () => {
    assert.equal(walkthroughs.length, 1);
    const steps = walkthroughs[0]?.steps ?? [];
    assert.deepEqual(
      steps.map((step) => step.id),
      ['setToken', 'readView', 'revoke', 'switchOrganization', 'findKeysInFiles'],
    );
    for (const step of steps) {
      assert.ok(step.title.length > 5 && step.description.length > 20, `${step.id} says what to do`);
      assert.ok(step.completionEvents && step.completionEvents.length > 0, `${step.id} completes on something the user does`);
    }
  });

  test('completion events and links name contributed commands and views', () => {
    const viewIds = new Set(
      Object.values(contributes.views)
        .flat()
        .map((view) => view.id),
    );
    for (const step of walkthroughs.flatMap((walkthrough) => walkthrough.steps)) {
      for (const event of step.completionEvents ?? []) {
        const [kind, id] = event.split(/:(.*)/s) as [string, string];
        if (kind === 'onCommand') assert.ok(known(id), `${step.id}: ${event} names a command`);
        else if (kind === 'onView') assert.ok(viewIds.has(id), `${step.id}: ${event} names a view`);
        else assert.fail(`${step.id}: unexpected completion event ${event}`);
      }
      const links = [...step.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((match) => match[1] as string);
      assert.equal(links.length, 1, `${step.id} has one button`);
      for (const id of links) assert.ok(known(id), `${step.id} links ${id}`);
    }
  });

  test('every step is a Markdown file under media/walkthrough, and the images it shows exist', () => {
    for (const step of walkthroughs.flatMap((walkthrough) => walkthrough.steps)) {
      const markdown = step.media.markdown;
      assert.match(markdown ?? '', /^media\/walkthrough\/[\w-]+\.md$/, step.id);
      const text = readFileSync(join(ROOT, markdown as string), 'utf8');
      assert.match(text, /^# /, `${markdown} starts with a heading`);
      for (const image of text.matchAll(/!\[([^\]]*)\]\(([^)]+)\)/g)) {
        assert.ok((image[1] ?? '').length > 10, `${markdown}: images have alt text`);
        assert.ok(existsSync(join(ROOT, dirname(markdown as string), image[2] as string)), `${markdown}: ${image[2]} exists`);
      }
    }
  });
});

/** What `vsce package` puts in the .vsix, as `vsce ls` lists it. */
function packagedFiles(): Set<string> {
  const vsce = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(vsce.status, 0, vsce.stderr);
  return new Set(
    vsce.stdout
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean),
  );
}

describe('Marketplace listing', () => {
  test('the icon is a 128×128 PNG in media/', () => {
    assert.match(manifest.icon ?? '', /^media\/[\w-]+\.png$/);
    const png = readFileSync(join(ROOT, manifest.icon as string));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  });

  test('a gallery banner, and bugs and homepage on the repository', () => {
    assert.match(manifest.galleryBanner?.color ?? '', /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(manifest.galleryBanner?.theme ?? ''));
    const repository = manifest.repository.url.replace(/\.git$/, '');
    assert.equal(manifest.bugs?.url, `${repository}/issues`);
    assert.ok(manifest.homepage?.startsWith(repository), manifest.homepage);
  });
});

describe('activation and packaging', () => {
  test('the .vsix ships every file the manifest and the walkthrough refer to, and the translations', () => {
    const files = packagedFiles();
    const needed = new Set<string>();
    for (const step of (contributes.walkthroughs ?? []).flatMap((walkthrough) => walkthrough.steps)) {
      const markdown = step.media.markdown as string;
      needed.add(markdown);
      for (const image of readFileSync(join(ROOT, markdown), 'utf8').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
        needed.add(normalize(join(dirname(markdown), image[1] as string)));
      }
    }
    for (const container of contributes.viewsContainers.activitybar) needed.add(container.icon);
    needed.add('ThirdPartyNotices.txt');
    if (manifest.icon) needed.add(manifest.icon);
    needed.add('package.nls.json');
    for (const name of readdirSync(ROOT).filter((file) => /^package\.nls\.[\w-]+\.json$/.test(file))) needed.add(name);
    for (const name of readdirSync(join(ROOT, 'l10n')).filter((file) => /^bundle\.l10n(\.[\w-]+)?\.json$/.test(file)))
      needed.add(`l10n/${name}`);
    assert.ok(needed.has('package.nls.de.json') && needed.has('l10n/bundle.l10n.de.json'), 'the German bundles exist');
    for (const file of needed) assert.ok(files.has(file), `${file} is in the .vsix (.vscodeignore lets it in)`);
    for (const file of files) assert.doesNotMatch(file, /^(src|out|test|node_modules|scripts)\//, `${file} is not needed at run time`);
  });

  test('no eager activation', () => {
    for (const event of manifest.activationEvents ?? []) {
      assert.notEqual(event, '*');
      assert.notEqual(event, 'onStartupFinished');
    }
  });

  test('main is the bundle dist/extension.js', () => {
    assert.equal(manifest.main.replace(/^\.\//, ''), 'dist/extension.js');
  });

  test('.vscodeignore is an allow-list: it starts by excluding everything', () => {
    const lines = readFileSync(join(ROOT, '.vscodeignore'), 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    assert.ok(lines[0] === '**' || lines[0] === '**/*', `first rule is ${lines[0]}`);
    assert.ok(lines.includes('!dist/extension.js'), 'the bundle is let back in');
    for (const line of lines.slice(1)) {
      assert.ok(line.startsWith('!'), `after the exclusion only re-inclusions follow: ${line}`);
      assert.ok(!/^!(src|out|test|node_modules)\b/.test(line), `nothing the runtime does not need: ${line}`);
    }
  });

  test('engines.vscode is compatible with @types/vscode (vsce requires types ≤ engines)', () => {
    const parse = (range: string): number[] => {
      const match = /^[\^~]?(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
      assert.ok(match, `cannot read the version ${range}`);
      return [Number(match[1]), Number(match[2]), Number(match[3])];
    };
    const compare = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
    assert.match(manifest.engines.vscode, /^\^\d+\.\d+\.\d+$/);
    const engines = parse(manifest.engines.vscode);
    const declared = manifest.devDependencies['@types/vscode'];
    assert.ok(declared, '@types/vscode is a devDependency');
    const types = parse(declared);
    assert.ok(compare(types, engines) <= 0, `@types/vscode ${declared} must not be newer than engines.vscode ${manifest.engines.vscode}`);
    assert.equal(types.slice(0, 2).join('.'), engines.slice(0, 2).join('.'), 'the API typed against is the minimum engine declared');
    let installed: string | undefined;
    try {
      installed = (JSON.parse(readFileSync(join(ROOT, 'node_modules', '@types', 'vscode', 'package.json'), 'utf8')) as { version: string })
        .version;
    } catch {
      installed = undefined; // not installed: nothing more to check
    }
    if (installed)
      assert.ok(compare(parse(installed), engines) <= 0, `installed @types/vscode ${installed} ≤ engines ${manifest.engines.vscode}`);
  });
});
