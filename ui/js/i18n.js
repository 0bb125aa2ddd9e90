// Catalog lookup. Every string the UI shows comes from here and is put in the page as text.
import en from '../i18n/en.js';
import es from '../i18n/es.js';

const CATALOGS = Object.freeze({ en, es });
export const LANGUAGES = Object.freeze(Object.keys(CATALOGS));

let current = 'en';

/** Switches the catalog; an unknown language falls back to English rather than to keys. */
export function setLanguage(language) {
  current = Object.hasOwn(CATALOGS, language) ? language : 'en';
  document.documentElement.lang = current;
}

export function language() {
  return current;
}

/** The sentence for `key` with `{param}` placeholders filled in as plain text. */
export function t(key, params = {}) {
  const template = CATALOGS[current][key] ?? CATALOGS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}
