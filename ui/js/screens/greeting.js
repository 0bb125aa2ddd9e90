// "Hi, Maya!" with her picture, a green border and a chime.
import { announce } from '../announce.js';
import { avatar, firstName } from '../avatar.js';
import { h } from '../dom.js';
import { language, t } from '../i18n.js';
import { play } from '../sound.js';
import { speak } from '../voice.js';

/**
 * @param {HTMLElement} root
 * @param {import('../../types/ui').ViewOf<'greeting'>} view
 * @returns {import('../../types/ui').MountedScreen<'greeting'>}
 */
export function mount(root, view) {
  const sentence = t('greeting.title', { name: firstName(view.user) });
  root.append(
    h(
      'div',
      { class: 'centered greeting' },
      avatar(view.user, 'avatar avatar-big'),
      h('h1', { tabindex: '-1', class: 'greeting-text', text: sentence }),
    ),
  );
  play('chime');
  speak(sentence, language());
  announce(sentence);
  return { update() {}, unmount() {} };
}
