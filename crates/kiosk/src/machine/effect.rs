//! What the machine asks the outside world to do. The driver (or the Tauri shell) carries the
//! effects out in order and reports back with events.

use badgein_proto::{BadgeSignIn, PasswordSignIn};

use crate::redacted::Redacted;

/// Ties a portal answer to the call that asked for it, so a late answer to a call the kiosk
/// has moved past is recognised (and its session ended rather than shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId(pub u64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// `POST /api/v1/sign-ins/badge`; answer with [`crate::machine::Event::SignInAnswer`].
    SignInBadge {
        request: RequestId,
        body: BadgeSignIn,
    },
    /// `POST /api/v1/sign-ins/password`; answer with [`crate::machine::Event::SignInAnswer`].
    SignInPassword {
        request: RequestId,
        body: PasswordSignIn,
    },
    /// `POST /api/v1/sessions/{id}/end`; answer with [`crate::machine::Event::SessionEnded`]
    /// whatever happened (the local wipe has already been asked for).
    EndSession { session_id: Redacted },
    /// Open the one-time launch URL in a fresh private portal webview.
    OpenPortal { launch_url: Redacted },
    /// Destroy the portal webview and clear all its browsing data. Always comes before the
    /// `EndSession` of the same sign-out, so the wipe never waits for the network (K7).
    WipePortal,
    /// Forget the badge being presented, so the same badge may sign in again at once.
    ResetScanner,
    /// Enroll with the portal of a setup QR read on the setup screen; `switching`: the kiosk is
    /// enrolled elsewhere, and that credential is deleted first (`crate::qr_enroll`). Answer with
    /// `SetupEvent::Enrolled` or `SetupEvent::Message`.
    EnrollWithQr {
        qr: crate::setup_qr::SetupQr,
        switching: bool,
    },
}
