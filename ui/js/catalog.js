// The one place that maps what Rust says (a Code, a Hint, a camera reason) to what a child who
// cannot read gets instead of words: a picture and a sound. Sentences live in i18n/<lang>.js
// under `code.<code>`, `hint.<hint>` and `camera.<reason>`. The maps are typed by the Rust
// types (ui/types/ipc.d.ts): a Code, Hint or camera reason missing here, or one Rust does not
// have, fails `tsc` (scripts/test-ui).

/** @typedef {import('../types/ipc').Code} Code */
/** @typedef {import('../types/ipc').Hint} Hint */
/** @typedef {import('../types/ipc').CameraReason} CameraReason */
/** @typedef {import('./sound.js').Sound} Sound */

/** Every `Code`: the picture (ui/pictures/<name>.svg) and the sound. */
export const CODES = Object.freeze(
  /** @satisfies {Record<Code, { picture: string, sound: Sound }>} */ ({
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
    setup_qr_found: { picture: 'check', sound: 'chime' },
    setup_qr_refused: { picture: 'ask-teacher', sound: 'fail' },
  }),
);

/** Live hints from the scanner while no badge decodes: the picture. */
export const HINTS = Object.freeze(
  /** @satisfies {Record<Hint, string>} */ ({
    show_badge: 'badge',
    come_closer: 'closer',
    step_back: 'step-back',
    hold_still: 'hold-still',
    more_light: 'light',
  }),
);

/** Why the camera cannot be used (the `camera_trouble` view): the picture. */
export const CAMERA_REASONS = Object.freeze(
  /** @satisfies {Record<CameraReason, string>} */ ({
    no_camera: 'camera-off',
    permission_denied: 'lock',
    disconnected: 'camera-off',
    busy: 'hourglass',
  }),
);

/** Pictures of screens that carry no code. */
export const SCREEN_PICTURES = Object.freeze({
  signing_in: 'hourglass',
  signing_out: 'wave',
  avatar: 'person',
  guide: 'guide',
});

/**
 * `code` if the catalog knows it, else `unknown` (a newer shell or a garbled view).
 * @param {unknown} code
 * @returns {Code}
 */
export function knownCode(code) {
  if (typeof code !== 'string' || !Object.hasOwn(CODES, code)) return 'unknown';
  return /** @type {Code} */ (code);
}

/**
 * The `Code` a rejected command carries (a `CommandError`), or `unknown`.
 * @param {unknown} error
 * @returns {Code}
 */
export function codeOf(error) {
  const code =
    error && typeof error === 'object' ? /** @type {{ code?: unknown }} */ (error).code : undefined;
  return knownCode(code);
}

export function pictureUrl(name) {
  return `pictures/${name}.svg`;
}
