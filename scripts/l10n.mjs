// The localization bundles, checked against the code.
//   node scripts/l10n.mjs                    writes l10n/bundle.l10n.json from every t('…') call in src/
//   node scripts/l10n.mjs --check [--root D] prints a report as JSON and exits 1 when anything is off:
//     a t() whose message is not a string literal, a string missing from a bundle, a bundle key nothing
//     uses, a translation whose placeholders differ from the English, and the same for the manifest's
//     %key% references against package.nls.json and package.nls.<language>.json.
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootArg = args.indexOf('--root');
const ROOT = rootArg >= 0 ? args[rootArg + 1] : join(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.d\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Every `t(…)` / `l10n.t(…)` call in src/: its message, or a problem when the message is not a literal. */
function messagesInCode() {
  const messages = new Map();
  const nonLiteral = [];
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isCallExpression(node) && isTranslatorCall(node.expression)) {
        const where = `${relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        const first = node.arguments[0];
        if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) {
          messages.set(first.text, [...(messages.get(first.text) ?? []), where]);
        } else {
          nonLiteral.push(where);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { messages, nonLiteral };
}

function isTranslatorCall(callee) {
  if (ts.isIdentifier(callee)) return callee.text === 't';
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 't' && /(^|\.)l10n$/.test(callee.expression.getText());
}

const placeholders = (text) =>
  [...text.matchAll(/\{(\w+)\}/g)]
    .map((m) => m[1])
    .sort()
    .join(',');
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const messageOf = (entry) => (typeof entry === 'string' ? entry : entry.message);

/** The keys of a translation that are missing, unused, or carry other placeholders than the English. */
function compareTranslation(english, translated) {
  return {
    missing: Object.keys(english).filter((key) => !Object.hasOwn(translated, key)),
    unused: Object.keys(translated).filter((key) => !Object.hasOwn(english, key)),
    placeholders: Object.keys(translated).filter(
      (key) => Object.hasOwn(english, key) && placeholders(messageOf(english[key])) !== placeholders(messageOf(translated[key])),
    ),
  };
}

function translations(dir, pattern) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => [name, pattern.exec(name)?.[1]])
    .filter(([, language]) => language)
    .map(([name, language]) => ({ name, language, contents: readJson(join(dir, name)) }));
}

/** Every %key% the manifest refers to: its display name and description, and what it contributes. */
function manifestKeys() {
  const keys = new Set();
  const walk = (value) => {
    if (typeof value === 'string') {
      const match = /^%([^%]+)%$/.exec(value);
      if (match) keys.add(match[1]);
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(walk);
    }
  };
  const { displayName, description, contributes } = readJson(join(ROOT, 'package.json'));
  walk({ displayName, description, contributes });
  return keys;
}

function check() {
  const { messages, nonLiteral } = messagesInCode();
  const bundlePath = join(ROOT, 'l10n', 'bundle.l10n.json');
  const bundle = existsSync(bundlePath) ? readJson(bundlePath) : {};
  const code = Object.fromEntries([...messages.keys()].map((message) => [message, message]));
  const nls = readJson(join(ROOT, 'package.nls.json'));
  const used = manifestKeys();
  const report = {
    nonLiteral,
    bundle: compareTranslation(code, bundle),
    bundleValuesDiffer: Object.keys(bundle).filter((key) => messageOf(bundle[key]) !== key),
    translations: translations(join(ROOT, 'l10n'), /^bundle\.l10n\.([\w-]+)\.json$/).map((b) => ({
      file: `l10n/${b.name}`,
      ...compareTranslation(code, b.contents),
    })),
    manifest: {
      missing: [...used].filter((key) => !Object.hasOwn(nls, key)),
      unused: Object.keys(nls).filter((key) => !used.has(key)),
    },
    manifestTranslations: translations(ROOT, /^package\.nls\.([\w-]+)\.json$/).map((b) => ({
      file: b.name,
      ...compareTranslation(nls, b.contents),
    })),
  };
  const lists = [
    report.nonLiteral,
    report.bundleValuesDiffer,
    ...Object.values(report.bundle),
    ...Object.values(report.manifest),
    ...[...report.translations, ...report.manifestTranslations].flatMap(({ missing, unused, placeholders }) => [
      missing,
      unused,
      placeholders,
    ]),
  ];
  return { report, ok: lists.every((list) => list.length === 0), messages: messages.size };
}

if (args.includes('--check')) {
  const { report, ok, messages } = check();
  console.log(JSON.stringify({ ok, messages, ...report }, null, 2));
  process.exit(ok ? 0 : 1);
} else {
  const { messages, nonLiteral } = messagesInCode();
  if (nonLiteral.length > 0) {
    console.error(`t() needs a string literal as its message: ${nonLiteral.join(', ')}`);
    process.exit(1);
  }
  const sorted = Object.fromEntries([...messages.keys()].sort().map((message) => [message, message]));
  writeFileSync(join(ROOT, 'l10n', 'bundle.l10n.json'), `${JSON.stringify(sorted, null, 2)}\n`);
  console.log(`l10n/bundle.l10n.json: ${messages.size} strings`);
}
