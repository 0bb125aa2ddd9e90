// Catalog lookup. Every string the UI shows comes from here and is put in the page as text.
import en from '../i18n/en.js';
import es from '../i18n/es.js';

/** @typedef {import('../types/ipc').Language} Language */
/** @typedef {Readonly<Record<string, string | { one: string, other: string }>>} Catalog */

/** One catalog per `Language` of the Rust side (a language without one fails `tsc`). */
const CATALOGS = Object.freeze(/** @satisfies {Record<Language, Catalog>} */ ({ en, es }));
export const LANGUAGES = /** @type {ReadonlyArray<Language>} */ (
  Object.freeze(Object.keys(CATALOGS))
);

/** @type {Language} */
let current = 'en';

/**
 * Switches the catalog; an unknown language falls back to English rather than to keys.
 * @param {unknown} language
 */
export function setLanguage(language) {
  current = Object.hasOwn(CATALOGS, /** @type {PropertyKey} */ (language))
    ? /** @type {Language} */ (language)
    : 'en';
  document.documentElement.lang = current;
}

/** @returns {Language} */
export function language() {
  return current;
}

/** The sentence for `key` with `{param}` placeholders filled in as plain text. */
export function t(key, params = {}) {
  return fill(lookup(key), params);
}

/**
 * The sentence for `key` in the grammatical number of `count` ("1 segundo", "2 segundos"). A
 * plural entry in the catalogs is `{ one, other }` (more CLDR categories may be added); the
 * form is chosen by `Intl.PluralRules` for the current language, and a category the entry
 * lacks (Spanish has `many` for a million) falls back to `other`.
 */
export function tn(key, count, params = {}) {
  return fill(lookup(key), params, new Intl.PluralRules(current).select(count));
}

/**
 * A time of day (the school's clock, 24-hour, as Rust sends it) the way the current language
 * writes it: English on a 12-hour clock ("9:42 AM"), Spanish on a 24-hour one ("9:42").
 * @param {import('../types/ipc').ClockTime} time
 */
export function clockTime({ hour, minute }) {
  const mm = String(minute).padStart(2, '0');
  if (current === 'es') return `${hour}:${mm}`;
  return `${hour % 12 || 12}:${mm} ${hour < 12 ? 'AM' : 'PM'}`;
}

function lookup(key) {
  return CATALOGS[current][key] ?? CATALOGS.en[key] ?? key;
}

function fill(entry, params, category = 'other') {
  // A plural entry asked for through t() still gives a sentence rather than "[object Object]".
  const template = typeof entry === 'string' ? entry : (entry[category] ?? entry.other);
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}
