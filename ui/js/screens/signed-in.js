// Only the top bar: the portal webview fills the window below it. When the kiosk has been
// idle, a countdown with "I'm still here" appears (WCAG 2.2.1: every timer can be extended).
import { announce } from '../announce.js';
import { avatar, firstName } from '../avatar.js';
import { h } from '../dom.js';
import { language, t, tn } from '../i18n.js';
import { invoke } from '../ipc.js';
import { play } from '../sound.js';
import { speak } from '../voice.js';

const LAST_CALL = 10;

/** @param {import('../../types/ui').ViewOf<'signed_in'>} view */
function secondsLeft(view) {
  const s = view.idle?.seconds_left;
  return typeof s === 'number' && Number.isFinite(s) && s >= 0 ? Math.floor(s) : null;
}

/**
 * @param {HTMLElement} root
 * @param {import('../../types/ui').ViewOf<'signed_in'>} view
 * @param {import('../../types/ui').ScreenContext} ctx
 * @returns {import('../../types/ui').MountedScreen<'signed_in'>}
 */
export function mount(root, view, ctx) {
  const countdown = h('p', { class: 'countdown' });
  const stillHere = h('button', {
    type: 'button',
    class: 'button button-primary button-bar',
    text: t('signed_in.still_here'),
    onclick: () => invoke('still_here').catch(ctx.onError),
  });
  const idleBox = h('div', { class: 'idle', role: 'group' }, countdown, stillHere);
  const done = h('button', {
    type: 'button',
    class: 'button button-secondary button-bar',
    'data-autofocus': true,
    text: t('signed_in.done'),
    onclick: () => invoke('sign_out').catch(ctx.onError),
  });
  const name = firstName(view.user);
  root.append(
    h(
      'header',
      { class: 'top-bar' },
      avatar(view.user, 'avatar avatar-bar'),
      h('h1', { class: 'bar-name', tabindex: '-1' }, h('span', { class: 'visually-hidden', text: `${t('signed_in.bar')}: ` }), name),
      idleBox,
      done,
    ),
  );
  announce(`${t('signed_in.bar')}: ${name}`);

  let idle = false;
  let lastCall = false;
  /** @param {import('../../types/ui').ViewOf<'signed_in'>} next */
  const show = (next) => {
    const seconds = secondsLeft(next);
    const nowIdle = seconds !== null;
    const focusWasHere = document.activeElement === stillHere;
    idleBox.hidden = !nowIdle;
    // On a fresh screen, main.js focuses this; later changes move focus themselves.
    stillHere.toggleAttribute('data-autofocus', nowIdle);
    if (nowIdle) countdown.textContent = tn('signed_in.idle', seconds, { seconds });
    if (nowIdle && !idle) {
      // The child's attention and the switch's focus go to the one button that keeps them in.
      const prompt = tn('signed_in.idle_prompt', seconds, { seconds });
      play('blip');
      speak(prompt, language());
      announce(prompt, { urgent: true });
      stillHere.focus();
    }
    if (nowIdle && idle && seconds <= LAST_CALL && !lastCall) {
      // One more spoken reminder near the end, so nobody is signed out unwarned.
      announce(tn('signed_in.idle_prompt', seconds, { seconds }), { urgent: true });
      play('blip');
    }
    lastCall = nowIdle && seconds <= LAST_CALL;
    if (!nowIdle && focusWasHere) done.focus();
    idle = nowIdle;
  };
  show(view);
  return {
    update: show,
    unmount() {},
  };
}
