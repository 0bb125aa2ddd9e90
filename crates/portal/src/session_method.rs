//! How a session was started, as the store keeps it. Low in the crate, beside `roles`, so that
//! the store reads and writes it without importing `auth` (which uses the store); what a
//! session may do because of it is `auth::origin`'s rule.

/// How a session was started. Stored as `sessions.method` (`badge` or `password`) and
/// `sessions.second_factor` (1 only for [`Self::PasswordAndTotp`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionMethod {
    /// A badge shown to a kiosk.
    Badge,
    /// A username and password, at a kiosk or on the login page.
    Password,
    /// A password, then a code of the user's authenticator app (or a recovery code) on the
    /// login page (docs/staff-second-factor.md).
    PasswordAndTotp,
}

impl SessionMethod {
    /// The stored `method` (the column's `CHECK` allows only these two values).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Badge => "badge",
            Self::Password | Self::PasswordAndTotp => "password",
        }
    }

    /// The stored `second_factor`.
    pub fn second_factor(self) -> i64 {
        i64::from(self == Self::PasswordAndTotp)
    }

    /// Reads the stored values. The method column only holds the two values (a `CHECK`
    /// constraint); anything else would be read as the lesser power, never the greater, and a
    /// second factor counts only on a password session.
    pub fn from_stored(value: &str, second_factor: i64) -> Self {
        match (value, second_factor) {
            ("password", 1) => Self::PasswordAndTotp,
            ("password", _) => Self::Password,
            _ => Self::Badge,
        }
    }
}
