// Catalog completeness: every Code, Hint and camera reason has a picture, a sound and a sentence
// in every language; every string the UI uses exists in every language. That catalog.js maps
// exactly the Codes, Hints and camera reasons of the Rust types is `tsc`'s to check (its maps
// are typed by ui/types/ipc.d.ts, generated from them), so the keys of those maps are the lists.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { UI } from './harness.mjs';

const load = async (path) => import(pathToFileURL(join(UI, path)).href);
const { CODES, HINTS, CAMERA_REASONS, SCREEN_PICTURES } = await load('js/catalog.js');
const { SOUNDS } = await load('js/sound.js');
const catalogs = {
  en: (await load('i18n/en.js')).default,
  es: (await load('i18n/es.js')).default,
};

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}
const sources = jsFiles(join(UI, 'js')).map((file) => ({
  file: relative(UI, file),
  text: readFileSync(file, 'utf8'),
}));

const pictureExists = (name) => existsSync(join(UI, 'pictures', `${name}.svg`));

test('every Code has a picture, a sound and a sentence in en and es', () => {
  for (const code of Object.keys(CODES)) {
    assert.ok(pictureExists(CODES[code].picture), `picture of ${code} is missing`);
    assert.ok(SOUNDS.includes(CODES[code].sound), `sound of ${code} is not one sound.js makes`);
    for (const [lang, catalog] of Object.entries(catalogs)) {
      assert.ok(catalog[`code.${code}`]?.trim(), `${lang} has no sentence for ${code}`);
    }
  }
});

test('every Hint and camera reason has a picture and a sentence in en and es', () => {
  for (const [prefix, map] of [
    ['hint', HINTS],
    ['camera', CAMERA_REASONS],
  ]) {
    for (const [name, pic] of Object.entries(map)) {
      assert.ok(pictureExists(pic), `picture ${pic} for ${name} is missing`);
      for (const [lang, catalog] of Object.entries(catalogs)) {
        assert.ok(catalog[`${prefix}.${name}`]?.trim(), `${lang} has no ${prefix}.${name}`);
      }
    }
  }
  for (const pic of Object.values(SCREEN_PICTURES)) assert.ok(pictureExists(pic), pic);
});

test('en and es have the same keys, no empty sentence, the same placeholders', () => {
  assert.deepEqual(Object.keys(catalogs.es).sort(), Object.keys(catalogs.en).sort());
  const holes = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  // A plain entry is one sentence; a plural entry is exactly { one, other }, the same shape in
  // every language, each form with the same placeholders (the count among them).
  const forms = (entry) => (typeof entry === 'string' ? { '': entry } : entry);
  for (const key of Object.keys(catalogs.en)) {
    const shape = typeof catalogs.en[key] === 'string' ? [''] : ['one', 'other'];
    for (const [lang, catalog] of Object.entries(catalogs)) {
      const entry = catalog[key];
      assert.ok(typeof entry === 'string' || (entry && typeof entry === 'object'), `${lang}.${key}`);
      assert.deepEqual(Object.keys(forms(entry)).sort(), shape, `forms of ${lang}.${key}`);
      for (const [form, sentence] of Object.entries(forms(entry))) {
        assert.equal(typeof sentence, 'string', `${lang}.${key}.${form}`);
        assert.ok(sentence.trim().length > 0, `${lang}.${key}.${form} is empty`);
        assert.deepEqual(holes(sentence), holes(forms(catalogs.en[key]).other ?? catalogs.en[key]), `placeholders of ${lang}.${key}.${form}`);
      }
    }
  }
  // A Spanish catalog that is a copy of the English one is not a translation.
  const same = Object.keys(catalogs.en).filter(
    (k) => catalogs.en[k] === catalogs.es[k] && !k.startsWith('language.') && k !== 'app.title',
  );
  assert.deepEqual(same, ['pin.label'], 'untranslated Spanish strings');
});

test('every string the UI asks for exists, and every catalog string is used', () => {
  const used = new Set();
  for (const { file, text } of sources) {
    for (const m of text.matchAll(/\b(tn?)\(\s*'([a-z_.]+)'/g)) {
      const [, fn, key] = m;
      used.add(key);
      assert.ok(Object.hasOwn(catalogs.en, key), `${file} uses missing key ${key}`);
      // A sentence with a count goes through tn(), which picks its form; the rest through t().
      const plural = typeof catalogs.en[key] === 'object';
      assert.equal(fn, plural ? 'tn' : 't', `${file} asks for ${key} with ${fn}()`);
    }
    // setup.js passes keys to small helpers: field('id', 'setup.x', …), button('setup.x', …)
    for (const m of text.matchAll(/'((?:setup|typed|pin|choose_pin|signed_in)\.[a-z_]+)'/g)) {
      used.add(m[1]);
    }
  }
  const dynamic = ['code.', 'hint.', 'camera.', 'language.'];
  const unused = Object.keys(catalogs.en).filter(
    (k) => !used.has(k) && !dynamic.some((p) => k.startsWith(p)) && k !== 'app.title',
  );
  assert.deepEqual(unused, [], 'catalog keys nothing uses');
  for (const key of used) assert.ok(Object.hasOwn(catalogs.es, key), `es lacks ${key}`);
});

// Which commands the UI invokes, and with what, is `tsc`'s to check (ipc.js's `invoke` takes
// only the commands of ui/types/ipc.d.ts).
test('the UI renders data only as text', () => {
  for (const { file, text } of sources) {
    assert.doesNotMatch(text, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/, file);
  }
  const html = readFileSync(join(UI, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, 'inline script in index.html');
  assert.doesNotMatch(html, /\son[a-z]+=/, 'inline event handler in index.html');
  assert.doesNotMatch(html, /\sstyle=/, 'inline style in index.html');
});

test('pictures are plain SVG: no script, no handler, nothing fetched', () => {
  const files = readdirSync(join(UI, 'pictures'));
  assert.ok(files.length > 0);
  for (const f of files) {
    assert.match(f, /\.svg$/);
    const svg = readFileSync(join(UI, 'pictures', f), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/, f);
    assert.doesNotMatch(svg, /<script|\son[a-z]+=|href=|url\(/i, f);
  }
});
