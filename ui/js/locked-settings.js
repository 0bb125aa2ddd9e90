// Settings IT set in the machine-wide managed configuration (docs/fleet.md): the setup
// screen shows their values but a teacher cannot change them. Each such control is disabled,
// and the reason is written under it and tied to it with aria-describedby, so a screen reader
// says it with the control. (Rust keeps IT's values whatever the window sends.)
import { h } from './dom.js';
import { t } from './i18n.js';

/**
 * @param {Partial<Record<import('../types/ipc').Locked, HTMLElement>>} controls
 * @param {unknown} locked `get_setup`'s `locked`
 */
export function lockSettings(controls, locked) {
  const list = Array.isArray(locked) ? locked : [];
  for (const [key, element] of Object.entries(controls)) {
    const control = /** @type {HTMLInputElement | HTMLSelectElement | undefined} */ (element);
    if (!control || !list.includes(key) || control.disabled) continue;
    // A disabled control loses focus to nowhere: keep the teacher's place at the heading.
    if (document.activeElement === control) {
      /** @type {HTMLElement | null} */ (document.querySelector('#screen h1'))?.focus();
    }
    control.disabled = true;
    const note = h('p', {
      id: `${control.id}-locked`,
      class: 'locked-note',
      text: t('setup.locked'),
    });
    control.setAttribute('aria-describedby', note.id);
    (control.closest('.form-row') ?? control).after(note);
  }
}
