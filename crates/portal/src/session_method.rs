//! How a session was started, as the store keeps it. Low in the crate, beside `roles`, so that
//! the store reads and writes it without importing `auth` (which uses the store); what a
//! session may do because of it is `auth::origin`'s rule.

/// How a session was started. Stored as `sessions.method` (`badge` or `password`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionMethod {
    /// A badge shown to a kiosk.
    Badge,
    /// A username and password, at a kiosk or on the login page.
    Password,
}

impl SessionMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Badge => "badge",
            Self::Password => "password",
        }
    }

    /// Reads the stored value. The column only holds the two values (a `CHECK` constraint);
    /// anything else would be read as the lesser power, never the greater.
    pub fn from_stored(value: &str) -> Self {
        match value {
            "password" => Self::Password,
            _ => Self::Badge,
        }
    }
}
