//! What the window shows: exactly the shapes of `docs/kiosk-ipc.md`. The UI renders a view and
//! never decides what happens next; nothing secret is in here (no badge text, session id,
//! launch URL or credential).

use badgein_frame::SourceError;
use badgein_proto::ProblemCode;
use badgein_scanner::hints::Hint;
use serde::{Deserialize, Serialize};

/// The view the shell emits as the `view` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct View {
    pub language: Language,
    #[serde(flatten)]
    pub screen: Screen,
}

/// One variant per `screen` of the IPC contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "screen", rename_all = "snake_case")]
pub enum Screen {
    Setup {
        enrolled: bool,
        message: Option<Code>,
    },
    /// A setup QR for another portal was read on an enrolled kiosk: switch to `origin`?
    SetupSwitch {
        origin: String,
    },
    /// No teacher PIN yet: the teacher chooses one before anything else in setup.
    ChoosePin {
        message: Option<Code>,
    },
    TeacherPin {
        failed: bool,
        /// Seconds before another PIN is checked, counting down; absent when it may be tried.
        wait_secs: Option<u64>,
    },
    Scanning {
        hint: Option<Hint>,
        typed_allowed: bool,
    },
    SigningIn,
    Greeting {
        user: UserView,
    },
    SignedIn {
        user: UserView,
        idle: Option<Idle>,
    },
    SigningOut,
    Result {
        code: Code,
        retry_after: Option<u64>,
    },
    Typed {
        error: Option<Code>,
        busy: bool,
        /// With `account_locked`: when to try again, on the school's clock.
        until: Option<ClockTime>,
    },
    CameraTrouble {
        reason: CameraReason,
        typed_allowed: bool,
    },
}

/// A time of day on the school's clock (24-hour), as the portal said it: the window writes it
/// the way its language does ("9:42 AM", "9:42").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClockTime {
    pub hour: u8,
    pub minute: u8,
}

impl ClockTime {
    /// The wall-clock time of an RFC 3339 instant written with the school's offset
    /// (`2026-12-05T09:42:00-06:00` -> 9:42): the time there, whatever the kiosk's own zone.
    /// `None` for anything else.
    pub fn from_rfc3339(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let shaped = b.len() >= 20
            && b.len() <= 40
            && b[4] == b'-'
            && b[7] == b'-'
            && matches!(b[10], b'T' | b't')
            && b[13] == b':'
            && b[16] == b':';
        if !shaped {
            return None;
        }
        let hour: u8 = text.get(11..13)?.parse().ok()?;
        let minute: u8 = text.get(14..16)?.parse().ok()?;
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        (digits(11..13) && digits(14..16) && hour < 24 && minute < 60)
            .then_some(Self { hour, minute })
    }
}

/// What the kiosk may show of a signed-in child: a first name and a picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserView {
    pub first_name: String,
    pub avatar_url: Option<String>,
}

/// The idle countdown: present on `signed_in` while the kiosk offers "I'm still here".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Idle {
    pub seconds_left: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Es,
}

impl Language {
    /// The kiosk's language for a BCP 47 tag (`es-MX` -> Spanish), if it speaks it.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "en" => Some(Self::En),
            "es" => Some(Self::Es),
            _ => None,
        }
    }
}

/// Why the camera cannot be used, as the teacher is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CameraReason {
    NoCamera,
    PermissionDenied,
    Disconnected,
    Busy,
}

impl From<&SourceError> for CameraReason {
    fn from(e: &SourceError) -> Self {
        match e {
            SourceError::NoCamera => Self::NoCamera,
            SourceError::PermissionDenied => Self::PermissionDenied,
            SourceError::Busy => Self::Busy,
            // A camera that stops giving usable frames is, to the teacher, one that went away.
            SourceError::Disconnected
            | SourceError::BadFrame(_)
            | SourceError::File { .. }
            | SourceError::Other(_) => Self::Disconnected,
        }
    }
}

/// Everything the UI has a picture, a sound and a sentence for: the API's problem codes plus
/// the kiosk's own. On the wire a plain string: a problem code as the API spells it, the kiosk's
/// own in snake_case. Serialized by derive, so the TypeScript declaration (`ts`) reads the same
/// serde attributes; `as_str` spells the same strings (a test holds them together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// Two codes in one frame: one badge at a time.
    SeveralBadges,
    /// The portal did not answer.
    Offline,
    /// No persistent secret store: the kiosk refuses to enroll.
    KeyringUnavailable,
    CameraMissing,
    PinWrong,
    /// A new teacher PIN that is not 6 to 32 digits.
    PinInvalid,
    /// The two PINs typed to choose one differ.
    PinMismatch,
    /// The portal address changed: the old credential is gone, enroll with a new code.
    PortalChanged,
    Saved,
    Enrolled,
    TestScanOk,
    TestScanNothing,
    /// A setup QR was read on the setup screen: enrolling with its portal.
    SetupQrFound,
    /// A QR read on the setup screen is not a valid setup QR (`crate::setup_qr`).
    SetupQrRefused,
    /// Untagged, so it is the problem code's own string; serde wants untagged variants last.
    #[serde(untagged)]
    Problem(ProblemCode),
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Problem(p) => p.as_str(),
            Self::SeveralBadges => "several_badges",
            Self::Offline => "offline",
            Self::KeyringUnavailable => "keyring_unavailable",
            Self::CameraMissing => "camera_missing",
            Self::PinWrong => "pin_wrong",
            Self::PinInvalid => "pin_invalid",
            Self::PinMismatch => "pin_mismatch",
            Self::PortalChanged => "portal_changed",
            Self::Saved => "saved",
            Self::Enrolled => "enrolled",
            Self::TestScanOk => "test_scan_ok",
            Self::TestScanNothing => "test_scan_nothing",
            Self::SetupQrFound => "setup_qr_found",
            Self::SetupQrRefused => "setup_qr_refused",
        }
    }
}

impl From<ProblemCode> for Code {
    fn from(p: ProblemCode) -> Self {
        Self::Problem(p)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
