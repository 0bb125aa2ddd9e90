// The PIN pad after Ctrl+Alt+Shift+T: type the PIN or press the big digits. After too many
// wrong PINs Rust sends `wait_secs`, counting down: the pad says how long to wait (and a
// screen reader hears it once when the wait starts).
import { announce } from '../announce.js';
import { h } from '../dom.js';
import { codeMessage, signal } from '../feedback.js';
import { t, tn } from '../i18n.js';
import { invoke } from '../ipc.js';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];
const MAX_PIN = 32;

/** "Wait 30 seconds" / "Wait 16 minutes", rounded up. */
function waitText(seconds) {
  const minutes = Math.ceil(seconds / 60);
  return seconds >= 120
    ? tn('pin.wait_minutes', minutes, { minutes })
    : tn('pin.wait', seconds, { seconds });
}

/** @param {import('../../types/ui').ViewOf<'teacher_pin'>} view */
function waitOf(view) {
  const s = view.wait_secs;
  return typeof s === 'number' && Number.isInteger(s) && s > 0 ? s : null;
}

/**
 * @param {HTMLElement} root
 * @param {import('../../types/ui').ViewOf<'teacher_pin'>} view
 * @param {import('../../types/ui').ScreenContext} ctx
 * @returns {import('../../types/ui').MountedScreen<'teacher_pin'>}
 */
export function mount(root, view, ctx) {
  const pin = h('input', {
    id: 'pin-input',
    class: 'field field-pin',
    type: 'password',
    inputmode: 'numeric',
    autocomplete: 'off',
    maxlength: String(MAX_PIN),
    'aria-describedby': 'pin-wait',
    'data-autofocus': true,
  });
  const wait = h('p', { id: 'pin-wait', class: 'pin-wait', hidden: true });
  let waiting = null;
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
            // Rust would not check it during a wait: say the wait again instead.
            if (waiting !== null) {
              announce(waitText(waiting), { urgent: true });
              return;
            }
            invoke('teacher_unlock', { pin: value }).catch(ctx.onError);
          },
        },
        h('label', { for: 'pin-input', class: 'label', text: t('pin.label') }),
        pin,
        pad,
        error,
        wait,
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

  // The countdown changes the view every second: sound and announcements only on a change of
  // state (a new failure, a wait starting), not on every tick.
  let failed = false;
  /** @param {import('../../types/ui').ViewOf<'teacher_pin'>} next */
  const show = (next) => {
    const nowFailed = next.failed === true;
    const secs = waitOf(next);
    const newlyFailed = nowFailed && !failed;
    const waitStarts = secs !== null && waiting === null;
    if (nowFailed !== failed) {
      error.replaceChildren(...(nowFailed ? [codeMessage('pin_wrong')] : []));
      failed = nowFailed;
    }
    waiting = secs;
    wait.hidden = secs === null;
    wait.textContent = secs === null ? '' : waitText(secs);
    if (newlyFailed) signal('pin_wrong');
    if (waitStarts) {
      const said = newlyFailed ? `${t('code.pin_wrong')} ${waitText(secs)}` : waitText(secs);
      announce(said, { urgent: true });
    }
    if (newlyFailed || waitStarts) pin.focus();
  };
  show(view);
  return {
    update: show,
    unmount() {
      pin.value = '';
    },
  };
}
