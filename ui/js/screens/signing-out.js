// "Bye" while Rust wipes the portal session.
import { announce } from '../announce.js';
import { SCREEN_PICTURES, pictureUrl } from '../catalog.js';
import { h, picture } from '../dom.js';
import { language, t } from '../i18n.js';
import { speak } from '../voice.js';

/**
 * @param {HTMLElement} root
 * @returns {import('../../types/ui').MountedScreen<'signing_out'>}
 */
export function mount(root) {
  root.append(
    h(
      'div',
      { class: 'centered' },
      picture(pictureUrl(SCREEN_PICTURES.signing_out), 'picture picture-big'),
      h('h1', { tabindex: '-1', text: t('signing_out.title') }),
    ),
  );
  speak(t('signing_out.title'), language());
  announce(t('signing_out.title'));
  return { update() {}, unmount() {} };
}
