// Teacher setup: portal address and enrollment, camera with preview and a test scan, idle
// timeout, language, sounds, teacher PIN, and quitting. Values come from `get_setup`; the
// outcome of enroll / save / test scan comes back as `message` in the view.
import { announce } from '../announce.js';
import { h } from '../dom.js';
import { codeMessage, signal } from '../feedback.js';
import { LANGUAGES, t } from '../i18n.js';
import { invoke } from '../ipc.js';
import { lockSettings } from '../locked-settings.js';
import { startPreview } from '../preview.js';
import { setupQrHint } from '../setup-qr.js';

const MIN_IDLE = 30;
const MAX_IDLE = 3600;

function field(id, labelKey, input) {
  input.id = id;
  return h(
    'div',
    { class: 'form-row' },
    h('label', { for: id, class: 'label', text: t(labelKey) }),
    input,
  );
}

function input(props) {
  return h('input', { class: 'field', autocomplete: 'off', spellcheck: 'false', ...props });
}

function button(textKey, onclick, kind = 'button-secondary', type = 'button') {
  return h('button', { type, class: `button ${kind}`, text: t(textKey), onclick });
}

/**
 * @param {HTMLElement} root
 * @param {import('../../types/ui').ViewOf<'setup'>} view
 * @param {import('../../types/ui').ScreenContext} ctx
 * @returns {import('../../types/ui').MountedScreen<'setup'>}
 */
export function mount(root, view, ctx) {
  const portalUrl = input({ type: 'url', 'data-autofocus': true });
  const kioskName = input({ type: 'text' });
  const enrollCode = input({ type: 'text', autocapitalize: 'characters' });
  const camera = h('select', { class: 'field' });
  const idle = input({ type: 'number', min: String(MIN_IDLE), max: String(MAX_IDLE), step: '1' });
  const language = h(
    'select',
    { class: 'field' },
    LANGUAGES.map((lang) => h('option', { value: lang, lang, text: t(`language.${lang}`) })),
  );
  const sounds = h('input', { type: 'checkbox', class: 'checkbox', id: 'setup-sounds' });
  const newPin = input({ type: 'password', inputmode: 'numeric' });
  const newPinLabel = h('label', { for: 'setup-new-pin', class: 'label', text: t('setup.new_pin') });
  newPin.id = 'setup-new-pin';
  const quitPin = input({ type: 'password', inputmode: 'numeric' });
  const enrolledText = h('p', { class: 'setup-status' });
  const message = h('div', { class: 'setup-message' });
  const canvas = h('canvas', {
    class: 'preview-canvas preview-small',
    width: '640',
    height: '360',
    role: 'img',
    'aria-label': t('setup.camera_preview'),
  });

  const cameraIndex = () => (camera.value === '' ? null : Number(camera.value));
  const save = (event) => {
    event.preventDefault();
    const seconds = Math.min(MAX_IDLE, Math.max(MIN_IDLE, Math.round(Number(idle.value) || 0)));
    idle.value = String(seconds);
    const args = {
      portal_url: portalUrl.value.trim(),
      kiosk_name: kioskName.value.trim(),
      camera_index: cameraIndex(),
      idle_timeout_secs: seconds,
      language: language.value,
      sounds: sounds.checked,
    };
    if (newPin.value !== '') args.new_pin = newPin.value;
    newPin.value = '';
    invoke('save_setup', args)
      .then(() => ctx.setSounds(args.sounds))
      .catch(ctx.onError);
  };
  const enroll = () => {
    const args = {
      portal_url: portalUrl.value.trim(),
      code: enrollCode.value.trim(),
      kiosk_name: kioskName.value.trim(),
    };
    enrollCode.value = '';
    invoke('enroll', args).catch(ctx.onError);
  };

  root.append(
    h(
      'div',
      { class: 'setup' },
      h('h1', { tabindex: '-1', text: t('setup.title') }),
      enrolledText,
      message,
      h(
        'form',
        { class: 'setup-form', autocomplete: 'off', novalidate: true, onsubmit: save },
        h(
          'fieldset',
          {},
          h('legend', { text: t('setup.connection') }),
          field('setup-portal-url', 'setup.portal_url', portalUrl),
          field('setup-kiosk-name', 'setup.kiosk_name', kioskName),
          field('setup-enroll-code', 'setup.enroll_code', enrollCode),
          button('setup.enroll', enroll),
        ),
        h(
          'fieldset',
          {},
          h('legend', { text: t('setup.camera') }),
          field('setup-camera', 'setup.camera_choice', camera),
          canvas,
          setupQrHint(),
          button('setup.test_scan', () => invoke('test_scan').catch(ctx.onError)),
        ),
        h(
          'fieldset',
          {},
          h('legend', { text: t('setup.kiosk') }),
          field('setup-idle', 'setup.idle_timeout', idle),
          field('setup-language', 'setup.language', language),
          h(
            'div',
            { class: 'form-row form-row-check' },
            sounds,
            h('label', { for: 'setup-sounds', class: 'label', text: t('setup.sounds') }),
          ),
          h('div', { class: 'form-row' }, newPinLabel, newPin),
        ),
        h(
          'div',
          { class: 'actions' },
          button('setup.save', undefined, 'button-primary', 'submit'),
          button('setup.leave', () => invoke('leave_setup').catch(ctx.onError)),
        ),
      ),
      h(
        'form',
        {
          class: 'quit-form',
          autocomplete: 'off',
          onsubmit: (event) => {
            event.preventDefault();
            const pin = quitPin.value;
            quitPin.value = '';
            invoke('quit', { pin }).catch(ctx.onError);
          },
        },
        h(
          'fieldset',
          {},
          h('legend', { text: t('setup.quit_title') }),
          field('setup-quit-pin', 'setup.quit_pin', quitPin),
          button('setup.quit', undefined, 'button-danger', 'submit'),
        ),
      ),
    ),
  );
  announce(t('setup.title'));
  const stopPreview = startPreview(canvas);

  /** @param {import('../../types/ipc').SetupInfo} s */
  const fill = (s) => {
    if (!s || typeof s !== 'object') return;
    portalUrl.value = typeof s.portal_url === 'string' ? s.portal_url : '';
    kioskName.value = typeof s.kiosk_name === 'string' ? s.kiosk_name : '';
    idle.value = Number.isFinite(s.idle_timeout_secs) ? String(s.idle_timeout_secs) : '';
    language.value = LANGUAGES.includes(s.language) ? s.language : 'en';
    sounds.checked = s.sounds !== false;
    camera.value = Number.isInteger(s.camera_index) ? String(s.camera_index) : '';
    if (camera.selectedIndex < 0) camera.value = '';
    lockSettings(
      { portal_url: portalUrl, kiosk_name: kioskName, idle_timeout_secs: idle, language, sounds },
      s.locked,
    );
  };
  /** @param {import('../../types/ipc').CameraEntry[]} list */
  const fillCameras = (list) => {
    const cameras = Array.isArray(list) ? list.filter((c) => Number.isInteger(c?.index)) : [];
    camera.replaceChildren(
      h('option', { value: '', text: t('setup.camera_auto') }),
      ...cameras.map((c) =>
        h('option', {
          value: String(c.index),
          text: typeof c.name === 'string' ? c.name : `#${c.index}`,
        }),
      ),
    );
  };
  fillCameras([]);
  // Cameras first, so that the saved camera_index finds its option.
  Promise.all([invoke('list_cameras').catch(() => []), invoke('get_setup')])
    .then(([list, saved]) => {
      fillCameras(list);
      fill(saved);
    })
    .catch(ctx.onError);

  let shownMessage = null;
  /** @param {import('../../types/ui').ViewOf<'setup'>} next */
  const show = (next) => {
    enrolledText.textContent = t(next.enrolled ? 'setup.enrolled' : 'setup.not_enrolled');
    const code = typeof next.message === 'string' ? next.message : null;
    if (code === shownMessage) return;
    shownMessage = code;
    message.replaceChildren(...(code ? [codeMessage(code)] : []));
    if (code) signal(code);
  };
  show(view);
  return {
    update: show,
    unmount() {
      stopPreview();
      for (const el of [enrollCode, newPin, quitPin]) el.value = '';
    },
  };
}
