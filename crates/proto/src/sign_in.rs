//! Badge and password sign-in.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/sign-ins/badge`. `badge` is the decoded QR text, already checked locally.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BadgeSignIn {
    pub badge: String,
}

/// `POST /api/v1/sign-ins/password`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordSignIn {
    pub username: String,
    pub password: String,
}

// Both carry a secret: keep them out of logs even by accident.
impl std::fmt::Debug for BadgeSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BadgeSignIn { badge: <redacted> }")
    }
}

impl std::fmt::Debug for PasswordSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordSignIn")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A successful sign-in. `launch_url` carries a one-time ticket (single use, <= 60 s, bound to
/// the kiosk that asked) that the kiosk opens in a fresh private portal webview.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    pub session_id: String,
    pub launch_url: String,
    /// When the session ends at the latest, RFC 3339 UTC.
    pub expires_at: String,
    pub user: SignedInUser,
}

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("session_id", &"<redacted>")
            .field("launch_url", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("user", &self.user)
            .finish()
    }
}

/// What the kiosk may show: "Hi, Maya!" and her picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub display_name: String,
    pub first_name: String,
    /// Absolute URL of the picture on the portal (an SVG or PNG), or none.
    pub avatar_url: Option<String>,
    /// `en` or `es`: the language to greet this child in.
    pub locale: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let b = BadgeSignIn {
            badge: "BI1-SECRET".into(),
        };
        let p = PasswordSignIn {
            username: "maya".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{b:?}").contains("SECRET"));
        assert!(!format!("{p:?}").contains("hunter2"));
        assert!(format!("{p:?}").contains("maya"));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let r: Result<BadgeSignIn, _> = serde_json::from_str(r#"{"badge":"x","admin":true}"#);
        assert!(r.is_err());
    }
}
