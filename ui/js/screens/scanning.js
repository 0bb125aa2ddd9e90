// The child's main screen: a big mirrored live preview with the badge-shaped guide, the hint
// as picture + words, and (if the school allows it) the way to typed sign-in.
import { announce } from '../announce.js';
import { HINTS, SCREEN_PICTURES, pictureUrl } from '../catalog.js';
import { h, picture } from '../dom.js';
import { language, t } from '../i18n.js';
import { invoke } from '../ipc.js';
import { languageSwitch } from '../language-switch.js';
import { startPreview } from '../preview.js';
import { play } from '../sound.js';
import { speak } from '../voice.js';

/**
 * @param {import('../../types/ui').ViewOf<'scanning'>} view
 * @returns {import('../../types/ipc').Hint}
 */
function hintOf(view) {
  return view.hint !== null && Object.hasOwn(HINTS, view.hint) ? view.hint : 'show_badge';
}

/**
 * @param {HTMLElement} root
 * @param {import('../../types/ui').ViewOf<'scanning'>} view
 * @param {import('../../types/ui').ScreenContext} ctx
 * @returns {import('../../types/ui').MountedScreen<'scanning'>}
 */
export function mount(root, view, ctx) {
  const canvas = h('canvas', {
    class: 'preview-canvas',
    width: '640',
    height: '360',
    role: 'img',
    'aria-label': t('scanning.camera'),
  });
  const hintPicture = picture(pictureUrl(HINTS[hintOf(view)]), 'picture picture-hint');
  const hintText = h('p', { class: 'hint-text', id: 'hint-text', text: t(`hint.${hintOf(view)}`) });
  const typedButton = h('button', {
    type: 'button',
    class: 'button button-primary',
    'data-autofocus': true,
    text: t('scanning.typed'),
    onclick: () => invoke('show_typed').catch(ctx.onError),
  });
  typedButton.hidden = !view.typed_allowed;

  root.append(
    h(
      'div',
      { class: 'scanning' },
      h(
        'header',
        { class: 'screen-header' },
        h('h1', { tabindex: '-1', text: t('scanning.title') }),
        languageSwitch(ctx.onError),
      ),
      h(
        'div',
        { class: 'stage' },
        canvas,
        picture(pictureUrl(SCREEN_PICTURES.guide), 'guide'),
      ),
      h('div', { class: 'hint' }, hintPicture, hintText),
      h('div', { class: 'actions' }, typedButton),
    ),
  );
  announce(t('scanning.title'));
  const stopPreview = startPreview(canvas);
  let shownHint = hintOf(view);

  return {
    update(next) {
      typedButton.hidden = !next.typed_allowed;
      const hint = hintOf(next);
      if (hint === shownHint) return;
      shownHint = hint;
      hintPicture.src = pictureUrl(HINTS[hint]);
      hintText.textContent = t(`hint.${hint}`);
      if (next.hint) {
        play('blip');
        speak(hintText.textContent, language());
      }
      announce(hintText.textContent);
    },
    unmount() {
      stopPreview();
    },
  };
}
