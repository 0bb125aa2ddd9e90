// Typed sign-in for older students and staff: large fields, a show-password toggle, nothing
// remembered (autocomplete off, values wiped when the screen goes).
import { announce } from '../announce.js';
import { h } from '../dom.js';
import { codeMessage, signal } from '../feedback.js';
import { clockTime, t, tn } from '../i18n.js';
import { invoke } from '../ipc.js';
import { languageSwitch } from '../language-switch.js';

const NO_MEMORY = {
  autocomplete: 'off',
  autocapitalize: 'off',
  autocorrect: 'off',
  spellcheck: 'false',
};

/**
 * @param {HTMLElement} root
 * @param {import('../../types/ui').ViewOf<'typed'>} view
 * @param {import('../../types/ui').ScreenContext} ctx
 * @returns {import('../../types/ui').MountedScreen<'typed'>}
 */
export function mount(root, view, ctx) {
  const username = h('input', {
    ...NO_MEMORY,
    id: 'typed-username',
    class: 'field',
    type: 'text',
    name: 'badgein-username',
    required: true,
    'data-autofocus': true,
  });
  const password = h('input', {
    ...NO_MEMORY,
    id: 'typed-password',
    class: 'field',
    type: 'password',
    name: 'badgein-password',
    required: true,
  });
  const toggle = h('button', {
    type: 'button',
    class: 'button button-secondary',
    'aria-pressed': 'false',
    'aria-controls': 'typed-password',
    text: t('typed.show_password'),
    onclick: () => {
      const show = password.type === 'password';
      password.type = show ? 'text' : 'password';
      toggle.setAttribute('aria-pressed', String(show));
      toggle.textContent = t(show ? 'typed.hide_password' : 'typed.show_password');
    },
  });
  const submit = h('button', { type: 'submit', class: 'button button-primary' });
  const error = h('div', { class: 'form-error' });
  const form = h(
    'form',
    {
      class: 'typed-form',
      autocomplete: 'off',
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        if (submit.disabled) return;
        const args = { username: username.value, password: password.value };
        password.value = '';
        invoke('sign_in_password', args).catch(ctx.onError);
      },
    },
    h('label', { for: 'typed-username', class: 'label', text: t('typed.username') }),
    username,
    h('label', { for: 'typed-password', class: 'label', text: t('typed.password') }),
    h('div', { class: 'password-row' }, password, toggle),
    error,
    h(
      'div',
      { class: 'actions' },
      submit,
      h('button', {
        type: 'button',
        class: 'button button-secondary',
        text: t('typed.cancel'),
        onclick: () => invoke('cancel_typed').catch(ctx.onError),
      }),
    ),
  );
  root.append(
    h(
      'div',
      { class: 'typed' },
      h(
        'header',
        { class: 'screen-header' },
        h('h1', { tabindex: '-1', text: t('typed.title') }),
        languageSwitch(ctx.onError),
      ),
      form,
    ),
  );
  announce(t('typed.title'));

  let shownError = null;
  /** @param {import('../../types/ui').ViewOf<'typed'>} next */
  const show = (next) => {
    const busy = Boolean(next.busy);
    submit.disabled = busy;
    form.setAttribute('aria-busy', String(busy));
    submit.textContent = t(busy ? 'typed.busy' : 'typed.submit');
    if (busy) announce(t('typed.busy'));
    const code = typeof next.error === 'string' ? next.error : null;
    // A lock says when it ends, on the school's clock.
    const sentence =
      code === 'account_locked' && next.until
        ? tn('typed.locked_until', next.until.hour, { time: clockTime(next.until) })
        : undefined;
    const shown = code && `${code} ${sentence ?? ''}`;
    if (shown !== shownError) {
      shownError = shown;
      error.replaceChildren(...(code ? [codeMessage(code, '', sentence)] : []));
      if (code) {
        signal(code, sentence);
        password.value = '';
        // After a failure the password is what to type again (also on a freshly shown screen).
        username.removeAttribute('data-autofocus');
        password.setAttribute('data-autofocus', '');
        password.focus();
      }
    }
  };
  show(view);
  return {
    update: show,
    unmount() {
      username.value = '';
      password.value = '';
    },
  };
}
