// The one place that maps what Rust says (a Code, a Hint, a camera reason) to what a child who
// cannot read gets instead of words: a picture and a sound. Sentences live in i18n/<lang>.js
// under `code.<code>`, `hint.<hint>` and `camera.<reason>`.

/** Every `Code` of docs/kiosk-ipc.md: the picture (ui/pictures/<name>.svg) and the sound. */
export const CODES = Object.freeze({
  not_a_badge: { picture: 'badge-question', sound: 'fail' },
  badge_unknown: { picture: 'badge-question', sound: 'fail' },
  badge_voided: { picture: 'badge-crossed', sound: 'fail' },
  badge_expired: { picture: 'badge-crossed', sound: 'fail' },
  wrong_school: { picture: 'school', sound: 'fail' },
  kiosk_not_enrolled: { picture: 'ask-teacher', sound: 'fail' },
  kiosk_revoked: { picture: 'ask-teacher', sound: 'fail' },
  invalid_credentials: { picture: 'key-wrong', sound: 'fail' },
  account_locked: { picture: 'lock', sound: 'fail' },
  account_disabled: { picture: 'lock', sound: 'fail' },
  rate_limited: { picture: 'hourglass', sound: 'fail' },
  enrollment_code_invalid: { picture: 'key-wrong', sound: 'fail' },
  bad_request: { picture: 'ask-teacher', sound: 'fail' },
  not_found: { picture: 'ask-teacher', sound: 'fail' },
  unavailable: { picture: 'ask-teacher', sound: 'fail' },
  unknown: { picture: 'ask-teacher', sound: 'fail' },
  several_badges: { picture: 'two-badges', sound: 'blip' },
  offline: { picture: 'cloud-off', sound: 'fail' },
  keyring_unavailable: { picture: 'lock', sound: 'fail' },
  camera_missing: { picture: 'camera-off', sound: 'fail' },
  pin_wrong: { picture: 'key-wrong', sound: 'fail' },
  pin_invalid: { picture: 'key-wrong', sound: 'fail' },
  pin_mismatch: { picture: 'key-wrong', sound: 'fail' },
  portal_changed: { picture: 'ask-teacher', sound: 'blip' },
  saved: { picture: 'check', sound: 'chime' },
  enrolled: { picture: 'check', sound: 'chime' },
  test_scan_ok: { picture: 'check', sound: 'chime' },
  test_scan_nothing: { picture: 'magnifier', sound: 'blip' },
});

/** Live hints from the scanner while no badge decodes. */
export const HINTS = Object.freeze({
  show_badge: 'badge',
  come_closer: 'closer',
  step_back: 'step-back',
  hold_still: 'hold-still',
  more_light: 'light',
});

/** Why the camera cannot be used (the `camera_trouble` view). */
export const CAMERA_REASONS = Object.freeze({
  no_camera: 'camera-off',
  permission_denied: 'lock',
  disconnected: 'camera-off',
  busy: 'hourglass',
});

/** Pictures of screens that carry no code. */
export const SCREEN_PICTURES = Object.freeze({
  signing_in: 'hourglass',
  signing_out: 'wave',
  avatar: 'person',
  guide: 'guide',
});

/** `code` if the catalog knows it, else `unknown` (a newer shell or a garbled view). */
export function knownCode(code) {
  return typeof code === 'string' && Object.hasOwn(CODES, code) ? code : 'unknown';
}

/** The `Code` a rejected command carries (`{code, message}`), or `unknown`. */
export function codeOf(error) {
  return knownCode(error && typeof error === 'object' ? error.code : undefined);
}

export function pictureUrl(name) {
  return `pictures/${name}.svg`;
}
