//! What happens to the kiosk: the camera, the portal's answers, the people in front of it and
//! the passing of time. Every event that depends on time carries it; the machine never reads a
//! clock.

use std::time::Duration;

use badgein_badge::Badge;
use badgein_proto::{PasswordSignIn, ProblemCode, SignIn};
use badgein_scanner::hints::Hint;

use super::effect::RequestId;
use super::view::{CameraReason, ClockTime, Code, Language};
use crate::setup_qr::{SetupQr, SetupQrError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A new presentation (or a hint) from the camera loop.
    Scan(ScanEvent),
    /// The camera stopped giving frames, or came back.
    Camera(CameraState),
    /// The answer to a sign-in call.
    SignInAnswer {
        request: RequestId,
        answer: PortalAnswer,
    },
    /// The session-end call is over, however it went.
    SessionEnded,
    /// Someone pressed something.
    User(UserAction),
    /// Time passes: drives the greeting, the result screen and the idle countdown.
    Tick,
    /// Teacher setup outcomes, worked out by the driver (enrollment, PIN check, test scan).
    Setup(SetupEvent),
}

/// The camera loop's view of one presentation. The badge text is only in [`Badge`], whose
/// `Debug` shows the public id alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanEvent {
    Badge(Badge),
    /// A QR code that is not a sign-in badge (decided locally, no network call).
    NotABadge,
    /// Several codes in one frame: rejected, one badge at a time.
    Several,
    /// Nothing new; what to tell the child.
    Nothing(Option<Hint>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraState {
    Ok,
    Trouble(CameraReason),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortalAnswer {
    SignedIn(SignIn),
    Failed {
        code: ProblemCode,
        retry_after: Option<u64>,
        /// When a lock ends, on the school's clock (`account_locked`).
        until: Option<ClockTime>,
    },
    /// No answer (connection refused, timeout, a non-problem 5xx).
    Unreachable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserAction {
    /// "I'm done".
    SignOut,
    /// "I'm still here", or any other sign of life while signed in.
    StillHere,
    ShowTyped,
    CancelTyped,
    SubmitTyped(PasswordSignIn),
    /// Any key on a result screen.
    Dismiss,
    SetLanguage(Language),
    /// The teacher chord.
    OpenTeacher,
    LeaveSetup,
    /// Yes, enroll with the setup QR's portal instead (`setup_switch`).
    ConfirmSetupSwitch,
    /// No, keep this portal (`setup_switch`).
    CancelSetupSwitch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupEvent {
    /// The answer to a teacher PIN (see [`crate::pin_attempts`]).
    PinChecked(PinAnswer),
    /// The teacher chose the first PIN: setup opens.
    PinChosen,
    /// Enrollment worked: the credential is in the keyring.
    Enrolled,
    /// The kiosk's credential is gone (or was never there).
    Unenrolled,
    /// The portal refused the credential outside a sign-in (the settings poll): revoked, or
    /// no longer known. Only a teacher can enroll the kiosk again.
    CredentialRefused(Code),
    /// Something to tell the teacher on the setup screen (saved, test scan, failures).
    Message(Code),
    /// The school's settings for this kiosk (from enrollment, `kiosks/me` or the config).
    Settings(Settings),
    /// A QR the camera read while the setup screen shows ([`crate::setup_qr_reader`]).
    QrRead(Result<SetupQr, SetupQrError>),
}

/// What became of a teacher PIN typed on the pad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinAnswer {
    Right,
    /// Wrong; `wait` when this one started a wait before the next try.
    Wrong {
        wait: Option<Duration>,
    },
    /// Not checked: a wait is running, this much of it is left.
    Wait(Duration),
}

/// The knobs the machine follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub idle_timeout_secs: u32,
    pub allow_typed_login: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            idle_timeout_secs: 120,
            allow_typed_login: true,
        }
    }
}
