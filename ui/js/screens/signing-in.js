// "One moment" while Rust asks the portal.
import { announce } from '../announce.js';
import { SCREEN_PICTURES, pictureUrl } from '../catalog.js';
import { h, picture } from '../dom.js';
import { t } from '../i18n.js';

/**
 * @param {HTMLElement} root
 * @returns {import('../../types/ui').MountedScreen<'signing_in'>}
 */
export function mount(root) {
  root.append(
    h(
      'div',
      { class: 'centered', 'aria-busy': 'true' },
      picture(pictureUrl(SCREEN_PICTURES.signing_in), 'picture picture-big picture-spin'),
      h('h1', { tabindex: '-1', text: t('signing_in.title') }),
    ),
  );
  announce(t('signing_in.title'));
  return { update() {}, unmount() {} };
}
