// The two language buttons children can press on their own screens.
import { invoke } from './ipc.js';
import { h } from './dom.js';
import { LANGUAGES, language, t } from './i18n.js';

export function languageSwitch(onError) {
  return h(
    'nav',
    { class: 'language-switch', 'aria-label': t('language.choose') },
    LANGUAGES.map((lang) =>
      h('button', {
        type: 'button',
        class: 'button button-quiet',
        lang,
        'aria-pressed': String(lang === language()),
        text: t(`language.${lang}`),
        onclick: () => invoke('set_language', { language: lang }).catch(onError),
      }),
    ),
  );
}
