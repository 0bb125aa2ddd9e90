//! Errors as codes: every error answer is `application/problem+json` with a stable `code` that
//! the kiosk maps to a picture, a sound and a sentence.

use serde::{Deserialize, Serialize};

/// The stable machine codes of the API. The kiosk switches on these; the service maps each to
/// one HTTP status in one place ([`ProblemCode::status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    NotABadge,
    BadgeUnknown,
    BadgeVoided,
    BadgeExpired,
    WrongSchool,
    KioskNotEnrolled,
    KioskRevoked,
    InvalidCredentials,
    AccountLocked,
    AccountDisabled,
    RateLimited,
    EnrollmentCodeInvalid,
    BadRequest,
    NotFound,
    Unavailable,
    /// A code this build does not know (a newer service); the kiosk treats it like
    /// `unavailable` rather than failing to read the answer.
    #[serde(other)]
    Unknown,
}

impl ProblemCode {
    pub const ALL: [ProblemCode; 16] = [
        Self::NotABadge,
        Self::BadgeUnknown,
        Self::BadgeVoided,
        Self::BadgeExpired,
        Self::WrongSchool,
        Self::KioskNotEnrolled,
        Self::KioskRevoked,
        Self::InvalidCredentials,
        Self::AccountLocked,
        Self::AccountDisabled,
        Self::RateLimited,
        Self::EnrollmentCodeInvalid,
        Self::BadRequest,
        Self::NotFound,
        Self::Unavailable,
        Self::Unknown,
    ];

    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotABadge => "not_a_badge",
            Self::BadgeUnknown => "badge_unknown",
            Self::BadgeVoided => "badge_voided",
            Self::BadgeExpired => "badge_expired",
            Self::WrongSchool => "wrong_school",
            Self::KioskNotEnrolled => "kiosk_not_enrolled",
            Self::KioskRevoked => "kiosk_revoked",
            Self::InvalidCredentials => "invalid_credentials",
            Self::AccountLocked => "account_locked",
            Self::AccountDisabled => "account_disabled",
            Self::RateLimited => "rate_limited",
            Self::EnrollmentCodeInvalid => "enrollment_code_invalid",
            Self::BadRequest => "bad_request",
            Self::NotFound => "not_found",
            Self::Unavailable => "unavailable",
            Self::Unknown => "unknown",
        }
    }

    /// The HTTP status the service answers with.
    pub fn status(self) -> u16 {
        match self {
            Self::NotABadge | Self::BadRequest => 400,
            Self::KioskNotEnrolled | Self::InvalidCredentials | Self::EnrollmentCodeInvalid => 401,
            Self::BadgeUnknown | Self::BadgeVoided | Self::BadgeExpired => 401,
            Self::WrongSchool | Self::KioskRevoked | Self::AccountDisabled => 403,
            Self::NotFound => 404,
            Self::AccountLocked | Self::RateLimited => 429,
            Self::Unavailable | Self::Unknown => 503,
        }
    }

    /// A short English title for logs and the problem's `title` (never shown to a child: the
    /// kiosk has its own sentences per language).
    pub fn title(self) -> &'static str {
        match self {
            Self::NotABadge => "This is not a sign-in badge",
            Self::BadgeUnknown => "Badge not recognised",
            Self::BadgeVoided => "Badge no longer valid",
            Self::BadgeExpired => "Badge expired",
            Self::WrongSchool => "Badge belongs to another school",
            Self::KioskNotEnrolled => "Kiosk not enrolled",
            Self::KioskRevoked => "Kiosk revoked",
            Self::InvalidCredentials => "Wrong username or password",
            Self::AccountLocked => "Account locked for a while",
            Self::AccountDisabled => "Account disabled",
            Self::RateLimited => "Too many requests",
            Self::EnrollmentCodeInvalid => "Enrollment code invalid or expired",
            Self::BadRequest => "Bad request",
            Self::NotFound => "Not found",
            Self::Unavailable => "Service unavailable",
            Self::Unknown => "Unknown problem",
        }
    }
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An RFC 9457 problem document with BadgeIn's `code` extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// `about:blank` or a documentation URI.
    #[serde(rename = "type", default = "about_blank")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub code: ProblemCode,
    /// Seconds until a retry can succeed (`account_locked`, `rate_limited`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// When a retry can succeed (`account_locked`): RFC 3339 with the school's UTC offset
    /// (`2026-12-05T09:42:00-06:00`), so the wall-clock time in it is the school's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_at: Option<String>,
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

impl Problem {
    pub fn new(code: ProblemCode) -> Self {
        Self {
            type_uri: about_blank(),
            title: code.title().to_owned(),
            status: code.status(),
            detail: None,
            code,
            retry_after: None,
            retry_at: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn with_retry_at(mut self, rfc3339: impl Into<String>) -> Self {
        self.retry_at = Some(rfc3339.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_as_str() {
        for code in ProblemCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            if code != ProblemCode::Unknown {
                let back: ProblemCode = serde_json::from_str(&json).unwrap();
                assert_eq!(back, code);
            }
        }
    }

    #[test]
    fn unknown_codes_from_a_newer_service_still_parse() {
        let p: Problem = serde_json::from_str(
            r#"{"type":"about:blank","title":"x","status":418,"code":"teapot_mode"}"#,
        )
        .unwrap();
        assert_eq!(p.code, ProblemCode::Unknown);
    }

    #[test]
    fn problem_round_trips_with_retry_after() {
        let p = Problem::new(ProblemCode::AccountLocked).with_retry_after(900);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["code"], "account_locked");
        assert_eq!(json["status"], 429);
        assert_eq!(json["retry_after"], 900);
        assert!(json.get("retry_at").is_none());
        assert_eq!(serde_json::from_value::<Problem>(json).unwrap(), p);
        let at = p.with_retry_at("2026-12-05T09:42:00-06:00");
        let json = serde_json::to_value(&at).unwrap();
        assert_eq!(json["retry_at"], "2026-12-05T09:42:00-06:00");
        assert_eq!(serde_json::from_value::<Problem>(json).unwrap(), at);
    }
}
