// Generated from the Rust types by src-tauri/src/ipc_types.rs: do not edit. Regenerate with
// `BADGEIN_WRITE_IPC_TYPES=1 cargo nextest run -p badgein-kiosk ipc_types`.
// docs/kiosk-ipc.md says what each means.

/**
 * The view the shell emits as the `view` event.
 */
export type View = { language: Language, } & ({ "screen": "setup", enrolled: boolean, message: Code | null, } | { "screen": "setup_switch", origin: string, } | { "screen": "choose_pin", message: Code | null, } | { "screen": "teacher_pin", failed: boolean, 
/**
 * Seconds before another PIN is checked, counting down; absent when it may be tried.
 */
wait_secs: number | null, } | { "screen": "scanning", hint: Hint | null, typed_allowed: boolean, } | { "screen": "signing_in" } | { "screen": "greeting", user: UserView, } | { "screen": "signed_in", user: UserView, idle: Idle | null, } | { "screen": "signing_out" } | { "screen": "result", code: Code, retry_after: number | null, } | { "screen": "typed", error: Code | null, busy: boolean, 
/**
 * With `account_locked`: when to try again, on the school's clock.
 */
until: ClockTime | null, } | { "screen": "camera_trouble", reason: CameraReason, typed_allowed: boolean, });

/**
 * One variant per `screen` of the IPC contract.
 */
export type Screen = { "screen": "setup", enrolled: boolean, message: Code | null, } | { "screen": "setup_switch", origin: string, } | { "screen": "choose_pin", message: Code | null, } | { "screen": "teacher_pin", failed: boolean, 
/**
 * Seconds before another PIN is checked, counting down; absent when it may be tried.
 */
wait_secs: number | null, } | { "screen": "scanning", hint: Hint | null, typed_allowed: boolean, } | { "screen": "signing_in" } | { "screen": "greeting", user: UserView, } | { "screen": "signed_in", user: UserView, idle: Idle | null, } | { "screen": "signing_out" } | { "screen": "result", code: Code, retry_after: number | null, } | { "screen": "typed", error: Code | null, busy: boolean, 
/**
 * With `account_locked`: when to try again, on the school's clock.
 */
until: ClockTime | null, } | { "screen": "camera_trouble", reason: CameraReason, typed_allowed: boolean, };

export type Language = "en" | "es";

/**
 * What the kiosk may show of a signed-in child: a first name and a picture.
 */
export type UserView = { first_name: string, avatar_url: string | null, };

/**
 * The idle countdown: present on `signed_in` while the kiosk offers "I'm still here".
 */
export type Idle = { seconds_left: number, };

/**
 * A time of day on the school's clock (24-hour), as the portal said it: the window writes it
 * the way its language does ("9:42 AM", "9:42").
 */
export type ClockTime = { hour: number, minute: number, };

export type Hint = "show_badge" | "come_closer" | "step_back" | "hold_still" | "more_light";

/**
 * Why the camera cannot be used, as the teacher is told.
 */
export type CameraReason = "no_camera" | "permission_denied" | "disconnected" | "busy";

/**
 * Everything the UI has a picture, a sound and a sentence for: the API's problem codes plus
 * the kiosk's own. On the wire a plain string: a problem code as the API spells it, the kiosk's
 * own in snake_case. Serialized by derive, so the TypeScript declaration (`ts`) reads the same
 * serde attributes; `as_str` spells the same strings (a test holds them together).
 */
export type Code = "several_badges" | "offline" | "keyring_unavailable" | "camera_missing" | "pin_wrong" | "pin_invalid" | "pin_mismatch" | "portal_changed" | "saved" | "enrolled" | "test_scan_ok" | "test_scan_nothing" | "setup_qr_found" | "setup_qr_refused" | ProblemCode;

/**
 * The stable machine codes of the API. The kiosk switches on these; the service maps each to
 * one HTTP status in one place ([`ProblemCode::status`]).
 */
export type ProblemCode = "not_a_badge" | "badge_unknown" | "badge_voided" | "badge_expired" | "wrong_school" | "kiosk_not_enrolled" | "kiosk_revoked" | "invalid_credentials" | "account_locked" | "account_disabled" | "rate_limited" | "enrollment_code_invalid" | "bad_request" | "not_found" | "unavailable" | "unknown";

/**
 * A command's failure as the UI sees it: a `Code` it has a picture and a sentence for.
 */
export type CommandError = { code: Code, message: string, };

/**
 * `get_setup`'s answer: the config minus anything secret (the PIN is only `pin_set`).
 */
export type SetupInfo = { portal_url: string, kiosk_name: string, camera_index: number | null, idle_timeout_secs: number, language: Language, sounds: boolean, pin_set: boolean, 
/**
 * The settings IT has set (the managed configuration): shown, not changeable.
 */
locked: Array<Locked>, };

/**
 * The settings the setup screen shows locked (`get_setup`'s `locked`).
 */
export type Locked = "portal_url" | "kiosk_name" | "idle_timeout_secs" | "language" | "sounds";

/**
 * A camera the teacher can choose.
 */
export type CameraEntry = { index: number, name: string, };

/**
 * `preview`'s argument is a Tauri `Channel`, which Tauri reads itself (not through `Args`);
 * declared here for the window: the `Channel` object, of which the shell sees the `id`.
 */
export type PreviewArgs = { channel: { id: number }, };

export type PreviewReady = { 
/**
 * The `id` of the preview `Channel` whose frame was drawn.
 */
channel_id: number, };

export type SetLanguage = { language: Language, };

export type SignInPassword = { username: string, password: string, };

export type Pin = { pin: string, };

export type ChoosePin = { pin: string, again: string, };

export type SaveSetup = { portal_url: string, kiosk_name: string, camera_index?: number | null, idle_timeout_secs: number, language: Language, sounds: boolean, new_pin?: string | null, };

export type Enroll = { portal_url: string, code: string, kiosk_name: string, };

/** Every command: the object `invoke` takes (`null`: none) and what it answers. */
export type Commands = {
  get_view: { args: null, answer: View },
  preview: { args: PreviewArgs, answer: null },
  preview_ready: { args: PreviewReady, answer: null },
  set_language: { args: SetLanguage, answer: null },
  show_typed: { args: null, answer: null },
  cancel_typed: { args: null, answer: null },
  sign_in_password: { args: SignInPassword, answer: null },
  sign_out: { args: null, answer: null },
  still_here: { args: null, answer: null },
  open_teacher: { args: null, answer: null },
  teacher_unlock: { args: Pin, answer: null },
  choose_pin: { args: ChoosePin, answer: null },
  leave_setup: { args: null, answer: null },
  get_setup: { args: null, answer: SetupInfo },
  save_setup: { args: SaveSetup, answer: null },
  enroll: { args: Enroll, answer: null },
  confirm_setup_switch: { args: null, answer: null },
  cancel_setup_switch: { args: null, answer: null },
  list_cameras: { args: null, answer: Array<CameraEntry> },
  test_scan: { args: null, answer: null },
  quit: { args: Pin, answer: null },
  dismiss: { args: null, answer: null },
};

/** Every event Rust emits to the window, with its payload. */
export type Events = {
  view: View,
};
