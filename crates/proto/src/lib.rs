//! The kiosk-portal wire contract (docs/API.md): request and answer bodies and the stable
//! problem codes. Serde only, so the kiosk and the service cannot drift apart and neither
//! drags the other's dependencies in.

pub mod kiosk;
pub mod problem;
pub mod sign_in;

pub use kiosk::{EnrollRequest, Enrolled, KioskSettings, School};
pub use problem::{Problem, ProblemCode};
pub use sign_in::{BadgeSignIn, PasswordSignIn, SignIn, SignedInUser};

/// Media type of every error answer (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Paths of the kiosk-facing API, so client and router name them once.
pub mod paths {
    pub const ENROLL: &str = "/api/v1/kiosks/enroll";
    pub const KIOSK_ME: &str = "/api/v1/kiosks/me";
    pub const SIGN_IN_BADGE: &str = "/api/v1/sign-ins/badge";
    pub const SIGN_IN_PASSWORD: &str = "/api/v1/sign-ins/password";

    /// `POST` here ends a session; `{id}` is the `session_id` of a [`crate::SignIn`].
    pub fn end_session(session_id: &str) -> String {
        format!("/api/v1/sessions/{session_id}/end")
    }
}
