//! A user's role: the one type the store reads and writes and every access rule matches on,
//! and the one mapping between it and the text stored in `users.role` and
//! `class_members.role`. Low in the crate (it knows nothing else of it) so that the store,
//! `auth` and `admin` all use it without an import circle.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Student,
    Teacher,
    Administrator,
    /// Staff the roster names neither teacher nor administrator.
    Other,
    /// A parent or guardian (the roster's `parent` and `guardian`): linked to their children
    /// (`store::guardians`), never staff, never a badge, never the teacher pages.
    Guardian,
}

/// Stored role text that names no [`Role`]. Reading it fails (the row cannot be used) rather
/// than guess a role, which could grant what the row never had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?} stored")]
pub struct UnknownRole(pub String);

impl Role {
    pub const ALL: [Self; 5] = [
        Self::Student,
        Self::Teacher,
        Self::Administrator,
        Self::Other,
        Self::Guardian,
    ];

    /// The stored text: the one mapping, with [`Role::from_stored`].
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Student => "student",
            Self::Teacher => "teacher",
            Self::Administrator => "administrator",
            Self::Other => "other",
            Self::Guardian => "guardian",
        }
    }

    /// The role `stored` names, exactly (no case folding): what [`Role::as_str`] wrote.
    pub fn from_stored(stored: &str) -> Result<Self, UnknownRole> {
        match stored {
            "student" => Ok(Self::Student),
            "teacher" => Ok(Self::Teacher),
            "administrator" => Ok(Self::Administrator),
            "other" => Ok(Self::Other),
            "guardian" => Ok(Self::Guardian),
            _ => Err(UnknownRole(stored.to_owned())),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// Stored as text on both databases (the columns are `TEXT`).
crate::stored_text::stored_as_text!(Role, Role::from_stored);

#[cfg(test)]
mod tests {
    use super::{Role, UnknownRole};

    #[test]
    fn every_role_round_trips_and_unknown_text_is_an_error() {
        for role in Role::ALL {
            assert_eq!(Role::from_stored(role.as_str()), Ok(role));
            assert_eq!(role.to_string(), role.as_str());
        }
        for unknown in ["Teacher", "admin", "", "student "] {
            assert_eq!(
                Role::from_stored(unknown),
                Err(UnknownRole(unknown.to_owned()))
            );
        }
    }
}
