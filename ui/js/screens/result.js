// A failure: picture + sound + sentence + announcement. Rust returns to scanning by itself;
// any key or the OK button returns now (`dismiss`).
import { h } from '../dom.js';
import { codeMessage, signal } from '../feedback.js';
import { t, tn } from '../i18n.js';
import { invoke } from '../ipc.js';

/** @param {import('../../types/ui').ViewOf<'result'>} view */
function retryText(view) {
  const s = view.retry_after;
  if (!(typeof s === 'number' && Number.isFinite(s) && s > 0)) return '';
  const seconds = Math.ceil(s);
  return tn('result.retry_after', seconds, { seconds });
}

/**
 * @param {HTMLElement} root
 * @param {import('../../types/ui').ViewOf<'result'>} view
 * @param {import('../../types/ui').ScreenContext} ctx
 * @returns {import('../../types/ui').MountedScreen<'result'>}
 */
export function mount(root, view, ctx) {
  let dismissed = false;
  const dismiss = () => {
    if (dismissed) return;
    dismissed = true;
    invoke('dismiss').catch(ctx.onError);
  };
  const retry = h('p', { class: 'retry', text: retryText(view) });
  const message = h('div', { class: 'result-message' }, codeMessage(view.code, 'message-big'));
  root.append(
    h(
      'div',
      { class: 'centered result' },
      h('h1', { class: 'visually-hidden', tabindex: '-1', text: t('result.title') }),
      message,
      retry,
      h('button', {
        type: 'button',
        class: 'button button-primary',
        'data-autofocus': true,
        text: t('result.ok'),
        onclick: dismiss,
      }),
    ),
  );
  signal(view.code);

  const onKey = (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    if (['Shift', 'Control', 'Alt', 'Meta', 'Tab'].includes(event.key)) return;
    event.preventDefault();
    dismiss();
  };
  document.addEventListener('keydown', onKey);
  return {
    update(next) {
      retry.textContent = retryText(next);
      if (message.firstElementChild?.dataset.code !== next.code) {
        message.replaceChildren(codeMessage(next.code, 'message-big'));
        signal(next.code);
      }
      dismissed = false;
    },
    unmount() {
      document.removeEventListener('keydown', onKey);
    },
  };
}
