//! Kiosk enrollment and settings.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/kiosks/enroll`: trade a single-use enrollment code, or one use of a fleet
/// enrollment token (`BFT-…`, many kiosks of one school), for a device credential. The code is
/// a secret (a token enrolls kiosks for days), hence the redacted Debug.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// An enrollment code (`ABCDE-FGHJK`) or a fleet token (`BFT-` and 26 characters).
    pub code: String,
    /// What the teacher calls this kiosk ("Room 12 reading corner").
    pub name: String,
}

impl std::fmt::Debug for EnrollRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollRequest")
            .field("code", &"<redacted>")
            .field("name", &self.name)
            .finish()
    }
}

/// The answer to enrollment. `device_credential` is shown this once; the kiosk keeps it in the
/// OS keyring and never logs it (hence the redacted Debug).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolled {
    pub kiosk_id: String,
    pub device_credential: String,
    pub school: School,
    pub portal_name: String,
    pub settings: KioskSettings,
}

impl std::fmt::Debug for Enrolled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolled")
            .field("kiosk_id", &self.kiosk_id)
            .field("device_credential", &"<redacted>")
            .field("school", &self.school)
            .field("portal_name", &self.portal_name)
            .field("settings", &self.settings)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub id: String,
    pub name: String,
}

/// `GET /api/v1/kiosks/me`: what the school decided for its kiosks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskSettings {
    /// Seconds without input before the kiosk offers to sign the child out (always extendable).
    pub idle_timeout_secs: u32,
    /// BCP 47 tags the kiosk offers, first is the default (`["en", "es"]`).
    pub languages: Vec<String>,
    pub allow_typed_login: bool,
    /// Origins (`https://clever.com`) the portal webview may navigate to besides the portal.
    pub allowed_origins: Vec<String>,
    pub revoked: bool,
}
