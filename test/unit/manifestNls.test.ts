/**
 * The manifest in every language it ships: each text VS Code shows is a %key% of package.nls.json, resolved in
 * English and German; what only the model reads stays English.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contributes, localized, nls, rawManifest, type Manifest } from './helpers/manifest';

describe('localization', () => {
  type Json = Record<string, unknown>;
  const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
  const record = (value: unknown): Json => (value && typeof value === 'object' ? (value as Json) : {});

  /** Every place in package.json that VS Code shows to a person, with where it is. */
  function userFacingTexts(pkg: Json): Array<readonly [where: string, text: unknown]> {
    const texts: Array<readonly [string, unknown]> = [];
    const take = (where: string, owner: Json, ...fields: string[]) => {
      for (const field of fields) if (field in owner) texts.push([`${where}.${field}`, owner[field]]);
    };
    const wanted = (where: string, owner: Json, ...fields: string[]) => {
      for (const field of fields) texts.push([`${where}.${field}`, owner[field]]);
    };
    wanted('package', pkg, 'displayName', 'description');
    const c = record(pkg['contributes']);
    for (const [location, containers] of Object.entries(record(c['viewsContainers'])))
      for (const container of list(containers)) wanted(`viewsContainers.${location}.${String(container['id'])}`, container, 'title');
    for (const views of Object.values(record(c['views']))) {
      for (const view of list(views)) {
        wanted(`views.${String(view['id'])}`, view, 'name');
        take(`views.${String(view['id'])}`, view, 'contextualTitle');
      }
    }
    list(c['viewsWelcome']).forEach((welcome, i) => wanted(`viewsWelcome[${i}]`, welcome, 'contents'));
    for (const provider of list(c['authentication'])) wanted(`authentication.${String(provider['id'])}`, provider, 'label');
    for (const command of list(c['commands'])) wanted(`commands.${String(command['command'])}`, command, 'title', 'category');
    for (const walkthrough of list(c['walkthroughs'])) {
      wanted(`walkthroughs.${String(walkthrough['id'])}`, walkthrough, 'title', 'description');
      for (const step of list(walkthrough['steps']))
        wanted(`walkthroughs.${String(walkthrough['id'])}.${String(step['id'])}`, step, 'title', 'description');
    }
    for (const configuration of [c['configuration']].flat()) {
      const section = record(configuration);
      wanted('configuration', section, 'title');
      for (const [name, setting] of Object.entries(record(section['properties']))) {
        const where = `configuration.${name}`;
        take(where, record(setting), 'description', 'markdownDescription', 'deprecationMessage', 'markdownDeprecationMessage');
        for (const field of ['enumDescriptions', 'markdownEnumDescriptions']) {
          list(record(setting)[field]).forEach((text, i) => texts.push([`${where}.${field}[${i}]`, text]));
        }
      }
    }
    for (const tool of list(c['languageModelTools']))
      wanted(`languageModelTools.${String(tool['name'])}`, tool, 'displayName', 'userDescription');
    return texts;
  }

  const texts = userFacingTexts(rawManifest as unknown as Json);
  const keyOf = (text: unknown): string | undefined => (typeof text === 'string' ? /^%([\w.-]+)%$/.exec(text)?.[1] : undefined);
  const links = (text: string | undefined) => [...(text ?? '').matchAll(/\]\((command:[^)]+)\)|`[^`]+`/g)].map((match) => match[0]);

  test('every text the manifest shows is a %key%, never a literal', () => {
    const commands = contributes.commands.length;
    assert.ok(texts.length >= 2 * commands + 10, `the places are found (${texts.length})`);
    const literal = texts.filter(([, text]) => keyOf(text) === undefined).map(([where, text]) => `${where}: ${JSON.stringify(text)}`);
    assert.deepEqual(literal, [], 'these need a %key% in package.nls.json');
  });

  test('every key resolves in package.nls.json and package.nls.de.json, keeping links, settings and code', () => {
    for (const [where, text] of texts) {
      const key = keyOf(text);
      if (key === undefined) continue;
      const english = nls.en[key];
      const german = nls.de[key];
      assert.ok(english, `${where}: ${key} is in package.nls.json`);
      assert.ok(german, `${where}: ${key} is in package.nls.de.json`);
      assert.deepEqual(links(german), links(english), `${where}: the German keeps the English command links and \`code\``);
    }
  });

  test('in German the palette titles, the view and its welcome are German; the category stays Factify', () => {
    const german = localized(rawManifest, nls.de) as Manifest;
    const title = (id: string) => german.contributes.commands.find((candidate) => candidate.command === id)?.title;
    assert.equal(title('factify.signIn'), 'API-Token festlegen…');
    assert.equal(title('factify.revokeKey'), 'API-Schlüssel widerrufen…');
    assert.equal(german.contributes.views['factify']?.[0]?.name, 'API-Schlüssel');
    for (const command of german.contributes.commands) assert.equal(command.category, 'Factify', command.command);
    const english = new Map(contributes.commands.map((candidate) => [candidate.command, candidate.title]));
    const untranslated = german.contributes.commands.filter((candidate) => candidate.title === english.get(candidate.command));
    assert.deepEqual(untranslated, [], 'every command title is translated');
    for (const [i, welcome] of german.contributes.viewsWelcome.entries()) {
      assert.notEqual(welcome.contents, contributes.viewsWelcome[i]?.contents, `welcome ${welcome.when} is translated`);
    }
  });

  test('what only the model reads stays English: modelDescription and the input schema are not %keys%', () => {
    for (const tool of list(record(rawManifest.contributes)['languageModelTools'])) {
      assert.equal(keyOf(tool['modelDescription']), undefined, String(tool['name']));
      assert.match(String(tool['modelDescription']), /^[A-Z][a-z]+s /, `${String(tool['name'])}: plain English for the model`);
      for (const property of Object.values(record(record(tool['inputSchema'])['properties']))) {
        const description = record(property)['description'];
        if (description !== undefined) assert.equal(keyOf(description), undefined);
      }
    }
  });
});
