// The camera cannot be used: say why (for the teacher), offer typed sign-in. Rust leaves this
// screen by itself when the camera is back.
import { announce } from '../announce.js';
import { CAMERA_REASONS, pictureUrl } from '../catalog.js';
import { h, picture } from '../dom.js';
import { language, t } from '../i18n.js';
import { invoke } from '../ipc.js';
import { languageSwitch } from '../language-switch.js';
import { play } from '../sound.js';
import { speak } from '../voice.js';

/**
 * @param {import('../../types/ui').ViewOf<'camera_trouble'>} view
 * @returns {import('../../types/ipc').CameraReason}
 */
function reasonOf(view) {
  return Object.hasOwn(CAMERA_REASONS, view.reason) ? view.reason : 'no_camera';
}

/**
 * @param {HTMLElement} root
 * @param {import('../../types/ui').ViewOf<'camera_trouble'>} view
 * @param {import('../../types/ui').ScreenContext} ctx
 * @returns {import('../../types/ui').MountedScreen<'camera_trouble'>}
 */
export function mount(root, view, ctx) {
  const pic = picture(pictureUrl(CAMERA_REASONS[reasonOf(view)]), 'picture picture-big');
  const text = h('p', { class: 'message-text', text: t(`camera.${reasonOf(view)}`) });
  const typedButton = h('button', {
    type: 'button',
    class: 'button button-primary',
    'data-autofocus': true,
    text: t('camera.typed'),
    onclick: () => invoke('show_typed').catch(ctx.onError),
  });
  typedButton.hidden = !view.typed_allowed;
  root.append(
    h(
      'div',
      { class: 'camera-trouble' },
      h(
        'header',
        { class: 'screen-header' },
        h('h1', { tabindex: '-1', text: t('camera.title') }),
        languageSwitch(ctx.onError),
      ),
      h('div', { class: 'centered' }, pic, text, typedButton),
    ),
  );
  const say = () => {
    play('fail');
    speak(text.textContent, language());
    announce(`${t('camera.title')}. ${text.textContent}`, { urgent: true });
  };
  say();
  let shown = reasonOf(view);
  return {
    update(next) {
      typedButton.hidden = !next.typed_allowed;
      if (reasonOf(next) === shown) return;
      shown = reasonOf(next);
      pic.src = pictureUrl(CAMERA_REASONS[shown]);
      text.textContent = t(`camera.${shown}`);
      say();
    },
    unmount() {},
  };
}
