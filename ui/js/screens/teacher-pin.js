// The PIN pad after Ctrl+Alt+Shift+T: type the PIN or press the big digits.
import { announce } from '../announce.js';
import { h } from '../dom.js';
import { codeMessage, signal } from '../feedback.js';
import { t } from '../i18n.js';
import { invoke } from '../ipc.js';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];
const MAX_PIN = 32;

export function mount(root, view, ctx) {
  const pin = h('input', {
    id: 'pin-input',
    class: 'field field-pin',
    type: 'password',
    inputmode: 'numeric',
    autocomplete: 'off',
    maxlength: String(MAX_PIN),
    'data-autofocus': true,
  });
  const add = (digit) => {
    if (pin.value.length < MAX_PIN) pin.value += digit;
  };
  const pad = h(
    'div',
    { class: 'pin-pad', role: 'group', 'aria-label': t('pin.title') },
    DIGITS.map((d) =>
      h('button', { type: 'button', class: 'button pin-key', text: d, onclick: () => add(d) }),
    ),
    h('button', {
      type: 'button',
      class: 'button pin-key',
      text: t('pin.delete'),
      onclick: () => {
        pin.value = pin.value.slice(0, -1);
      },
    }),
  );
  const error = h('div', { class: 'form-error' });
  root.append(
    h(
      'div',
      { class: 'centered teacher-pin' },
      h('h1', { tabindex: '-1', text: t('pin.title') }),
      h(
        'form',
        {
          class: 'pin-form',
          autocomplete: 'off',
          onsubmit: (event) => {
            event.preventDefault();
            const value = pin.value;
            pin.value = '';
            invoke('teacher_unlock', { pin: value }).catch(ctx.onError);
          },
        },
        h('label', { for: 'pin-input', class: 'label', text: t('pin.label') }),
        pin,
        pad,
        error,
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'submit', class: 'button button-primary', text: t('pin.submit') }),
          h('button', {
            type: 'button',
            class: 'button button-secondary',
            text: t('pin.cancel'),
            onclick: () => invoke('leave_setup').catch(ctx.onError),
          }),
        ),
      ),
    ),
  );
  announce(t('pin.title'));

  const show = (next) => {
    error.replaceChildren(...(next.failed ? [codeMessage('pin_wrong')] : []));
    if (next.failed) {
      signal('pin_wrong');
      pin.focus();
    }
  };
  if (view.failed) show(view);
  return {
    update: show,
    unmount() {
      pin.value = '';
    },
  };
}
