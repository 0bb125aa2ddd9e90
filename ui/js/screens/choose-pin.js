// No teacher PIN is set yet: the teacher chooses one (typed twice) before setup opens. Rust
// checks it (6 to 32 digits, both the same) and answers with `setup`, or with `message`.
import { announce } from '../announce.js';
import { h } from '../dom.js';
import { codeMessage, signal } from '../feedback.js';
import { t } from '../i18n.js';
import { invoke } from '../ipc.js';

const MAX_PIN = 32;

function pinInput(id, labelKey, autofocus) {
  const input = h('input', {
    id,
    class: 'field field-pin',
    type: 'password',
    inputmode: 'numeric',
    autocomplete: 'new-password',
    maxlength: String(MAX_PIN),
    'aria-describedby': 'choose-pin-intro',
    ...(autofocus ? { 'data-autofocus': true } : {}),
  });
  const row = h(
    'div',
    { class: 'form-row' },
    h('label', { for: id, class: 'label', text: t(labelKey) }),
    input,
  );
  return [input, row];
}

/**
 * @param {HTMLElement} root
 * @param {import('../../types/ui').ViewOf<'choose_pin'>} view
 * @param {import('../../types/ui').ScreenContext} ctx
 * @returns {import('../../types/ui').MountedScreen<'choose_pin'>}
 */
export function mount(root, view, ctx) {
  const [pin, pinRow] = pinInput('choose-pin-input', 'choose_pin.pin', true);
  const [again, againRow] = pinInput('choose-pin-again', 'choose_pin.again', false);
  const message = h('div', { class: 'form-error' });
  root.append(
    h(
      'div',
      { class: 'centered teacher-pin' },
      h('h1', { tabindex: '-1', text: t('choose_pin.title') }),
      h('p', { id: 'choose-pin-intro', class: 'setup-status', text: t('choose_pin.intro') }),
      h(
        'form',
        {
          class: 'pin-form',
          autocomplete: 'off',
          onsubmit: (event) => {
            event.preventDefault();
            const args = { pin: pin.value, again: again.value };
            pin.value = '';
            again.value = '';
            invoke('choose_pin', args).catch(ctx.onError);
          },
        },
        pinRow,
        againRow,
        message,
        h(
          'div',
          { class: 'actions' },
          h('button', {
            type: 'submit',
            class: 'button button-primary',
            text: t('choose_pin.submit'),
          }),
          h('button', {
            type: 'button',
            class: 'button button-secondary',
            text: t('choose_pin.cancel'),
            onclick: () => invoke('leave_setup').catch(ctx.onError),
          }),
        ),
      ),
    ),
  );
  announce(`${t('choose_pin.title')}. ${t('choose_pin.intro')}`);

  let shown = null;
  /** @param {import('../../types/ui').ViewOf<'choose_pin'>} next */
  const show = (next) => {
    const code = typeof next.message === 'string' ? next.message : null;
    if (code === shown) return;
    shown = code;
    message.replaceChildren(...(code ? [codeMessage(code)] : []));
    if (code) {
      signal(code);
      pin.focus();
    }
  };
  show(view);
  return {
    update: show,
    unmount() {
      pin.value = '';
      again.value = '';
    },
  };
}
