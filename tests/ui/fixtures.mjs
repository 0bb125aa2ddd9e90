// One or more views per screen, each with a name for its screenshot. `tsc` (ui/tsconfig.json)
// checks this file against ui/types/ipc.d.ts, generated from the Rust types: every fixture is a
// `Screen` Rust can send, and SCREENS has exactly the screens of the Rust `View`.

/** @typedef {import('../../ui/types/ipc').Screen} Screen */

/** @type {Readonly<import('../../ui/types/ipc').UserView>} */
export const MAYA = Object.freeze({ first_name: 'Maya', avatar_url: null });

/**
 * Every `screen` (a missing or an extra one fails `tsc`), for "the fixtures cover every screen".
 * @type {Record<Screen['screen'], true>}
 */
const EVERY_SCREEN = {
  setup: true,
  setup_switch: true,
  choose_pin: true,
  teacher_pin: true,
  scanning: true,
  signing_in: true,
  greeting: true,
  signed_in: true,
  signing_out: true,
  result: true,
  typed: true,
  camera_trouble: true,
};
export const SCREENS = Object.freeze(Object.keys(EVERY_SCREEN));

/** @type {Array<[string, Screen]>} */
const fixtures = [
  ['setup-new', { screen: 'setup', enrolled: false, message: null }],
  ['setup-saved', { screen: 'setup', enrolled: true, message: 'saved' }],
  ['setup-no-keyring', { screen: 'setup', enrolled: false, message: 'keyring_unavailable' }],
  ['setup-portal-changed', { screen: 'setup', enrolled: false, message: 'portal_changed' }],
  ['setup-qr-refused', { screen: 'setup', enrolled: false, message: 'setup_qr_refused' }],
  ['setup-switch', { screen: 'setup_switch', origin: 'https://portal.example.org' }],
  ['choose-pin', { screen: 'choose_pin', message: null }],
  ['choose-pin-mismatch', { screen: 'choose_pin', message: 'pin_mismatch' }],
  ['teacher-pin', { screen: 'teacher_pin', failed: false, wait_secs: null }],
  ['teacher-pin-failed', { screen: 'teacher_pin', failed: true, wait_secs: null }],
  ['teacher-pin-wait', { screen: 'teacher_pin', failed: true, wait_secs: 30 }],
  ['teacher-pin-wait-long', { screen: 'teacher_pin', failed: false, wait_secs: 1800 }],
  ['scanning', { screen: 'scanning', hint: null, typed_allowed: true }],
  ['scanning-show-badge', { screen: 'scanning', hint: 'show_badge', typed_allowed: true }],
  ['scanning-come-closer', { screen: 'scanning', hint: 'come_closer', typed_allowed: true }],
  ['scanning-step-back', { screen: 'scanning', hint: 'step_back', typed_allowed: false }],
  ['scanning-hold-still', { screen: 'scanning', hint: 'hold_still', typed_allowed: true }],
  ['scanning-more-light', { screen: 'scanning', hint: 'more_light', typed_allowed: false }],
  ['signing-in', { screen: 'signing_in' }],
  ['greeting', { screen: 'greeting', user: MAYA }],
  ['signed-in', { screen: 'signed_in', user: MAYA, idle: null }],
  ['signed-in-idle', { screen: 'signed_in', user: MAYA, idle: { seconds_left: 25 } }],
  ['signing-out', { screen: 'signing_out' }],
  ['result-voided', { screen: 'result', code: 'badge_voided', retry_after: null }],
  ['result-rate-limited', { screen: 'result', code: 'rate_limited', retry_after: 30 }],
  ['result-several', { screen: 'result', code: 'several_badges', retry_after: null }],
  ['typed', { screen: 'typed', error: null, busy: false, until: null }],
  ['typed-busy', { screen: 'typed', error: null, busy: true, until: null }],
  ['typed-error', { screen: 'typed', error: 'invalid_credentials', busy: false, until: null }],
  [
    'typed-locked',
    { screen: 'typed', error: 'account_locked', busy: false, until: { hour: 13, minute: 5 } },
  ],
  ['camera-none', { screen: 'camera_trouble', reason: 'no_camera', typed_allowed: true }],
  ['camera-denied', { screen: 'camera_trouble', reason: 'permission_denied', typed_allowed: true }],
  ['camera-unplugged', { screen: 'camera_trouble', reason: 'disconnected', typed_allowed: false }],
  ['camera-busy', { screen: 'camera_trouble', reason: 'busy', typed_allowed: true }],
];
export const FIXTURES = Object.freeze(fixtures);
