// An enrolled kiosk read a setup QR for a portal: ask before enrolling there, which deletes
// the current credential. The origin is shown as text (never a link: it is decoded QR text).
// "No" has the focus, so Enter alone never switches portals.
import { announce } from '../announce.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { invoke } from '../ipc.js';

/**
 * @param {HTMLElement} root
 * @param {import('../../types/ui').ViewOf<'setup_switch'>} view
 * @param {import('../../types/ui').ScreenContext} ctx
 * @returns {import('../../types/ui').MountedScreen<'setup_switch'>}
 */
export function mount(root, view, ctx) {
  const origin = h('p', { class: 'setup-origin', text: view.origin });
  root.append(
    h(
      'div',
      { class: 'setup' },
      h('h1', { tabindex: '-1', text: t('setup_switch.title') }),
      h('p', { text: t('setup_switch.text') }),
      origin,
      h(
        'div',
        { class: 'actions' },
        h('button', {
          type: 'button',
          class: 'button button-primary',
          text: t('setup_switch.yes'),
          onclick: () => invoke('confirm_setup_switch').catch(ctx.onError),
        }),
        h('button', {
          type: 'button',
          class: 'button button-secondary',
          'data-autofocus': true,
          text: t('setup_switch.no'),
          onclick: () => invoke('cancel_setup_switch').catch(ctx.onError),
        }),
      ),
    ),
  );
  announce(`${t('setup_switch.title')} ${view.origin}`);
  return {
    /** @param {import('../../types/ui').ViewOf<'setup_switch'>} next */
    update(next) {
      origin.textContent = next.origin;
    },
    unmount() {},
  };
}
