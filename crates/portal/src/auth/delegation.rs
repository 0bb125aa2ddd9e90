//! Delegates (docs/accounts.md): a principal gives named staff of the campus the class pages of
//! the whole school, for what they may do there. The capabilities are a closed set, matched
//! on, never compared as text outside [`Capability::from_name`]; a delegation opens the class
//! pages only to a staff member's password session ([`opens_class_pages`]), so a badge session
//! still never reaches them.

use std::fmt;

use serde::Serialize;

use super::origin::{Authority, SessionMethod, is_staff};
use crate::roles::Role;

/// One thing a delegate may do on every class of their school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Capability {
    /// Print, reprint and void badges, and mark a child as needing one.
    Badges,
    /// Reset a student's password (a temporary one, or a new fixed one on a card) and clear a
    /// password lockout.
    Passwords,
}

impl Capability {
    pub const ALL: [Self; 2] = [Self::Badges, Self::Passwords];

    pub fn name(self) -> &'static str {
        match self {
            Self::Badges => "badges",
            Self::Passwords => "passwords",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Why a `--can` list is refused. The text itself is never repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DelegationError {
    #[error("say what the delegate may do: --can badges, passwords or badges,passwords")]
    Empty,
    #[error("a delegate may do badges and passwords, nothing else")]
    Unknown,
}

/// What one delegate may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delegation {
    pub badges: bool,
    pub passwords: bool,
}

impl Delegation {
    /// `badges`, `passwords` or both, comma-separated (repeats are harmless).
    pub fn parse(list: &str) -> Result<Self, DelegationError> {
        let mut d = Self::default();
        for name in list.split(',').map(str::trim) {
            match Capability::from_name(name) {
                Some(c) => d = d.with(c),
                None if name.is_empty() => return Err(DelegationError::Empty),
                None => return Err(DelegationError::Unknown),
            }
        }
        Ok(d)
    }

    pub fn with(self, c: Capability) -> Self {
        match c {
            Capability::Badges => Self {
                badges: true,
                ..self
            },
            Capability::Passwords => Self {
                passwords: true,
                ..self
            },
        }
    }

    pub fn allows(self, c: Capability) -> bool {
        match c {
            Capability::Badges => self.badges,
            Capability::Passwords => self.passwords,
        }
    }
}

impl std::str::FromStr for Delegation {
    type Err = DelegationError;

    fn from_str(list: &str) -> Result<Self, DelegationError> {
        Self::parse(list)
    }
}

impl fmt::Display for Delegation {
    /// `badges,passwords`, as `--can` takes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Capability::ALL
            .into_iter()
            .filter(|c| self.allows(*c))
            .map(Capability::name)
            .collect();
        f.write_str(&names.join(","))
    }
}

/// Whether a session opens the class pages: by its own authority (a teacher's or an
/// administrator's password session), or as a delegate, only a staff member's password
/// session.
pub fn opens_class_pages(
    authority: Authority,
    role: Role,
    method: SessionMethod,
    delegation: Option<Delegation>,
) -> bool {
    authority.manages_classes()
        || (matches!(
            method,
            SessionMethod::Password | SessionMethod::PasswordAndTotp
        ) && is_staff(role)
            && delegation.is_some())
}

/// What a session may do on one class: everything when it manages the class by its own right
/// (its teacher, an administrator of the school), otherwise what was delegated.
pub fn may(own_right: bool, delegation: Option<Delegation>, need: Capability) -> bool {
    own_right || delegation.is_some_and(|d| d.allows(need))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::origin::{SecondFactor, authority};

    #[test]
    fn capability_lists_parse_strictly() {
        let both = Delegation::parse("badges,passwords").unwrap();
        assert!(both.badges && both.passwords);
        assert_eq!(both.to_string(), "badges,passwords");
        assert_eq!(
            Delegation::parse("passwords").unwrap().to_string(),
            "passwords"
        );
        assert_eq!(Delegation::parse(""), Err(DelegationError::Empty));
        assert_eq!(Delegation::parse("badges,"), Err(DelegationError::Empty));
        assert_eq!(Delegation::parse("Badges"), Err(DelegationError::Unknown));
        assert_eq!(
            Delegation::parse("badges,admin"),
            Err(DelegationError::Unknown)
        );
    }

    #[test]
    fn a_badge_session_never_opens_the_class_pages_even_for_a_delegate() {
        let d = Some(Delegation::parse("badges,passwords").unwrap());
        for role in Role::ALL {
            let a = authority(role, SessionMethod::Badge, SecondFactor::Optional);
            assert!(
                !opens_class_pages(a, role, SessionMethod::Badge, d),
                "{role:?}"
            );
        }
        let a = authority(Role::Other, SessionMethod::Password, SecondFactor::Optional);
        assert!(opens_class_pages(
            a,
            Role::Other,
            SessionMethod::Password,
            d
        ));
        assert!(!opens_class_pages(
            a,
            Role::Other,
            SessionMethod::Password,
            None
        ));
        // A delegate who passed the second factor too.
        let a = authority(
            Role::Other,
            SessionMethod::PasswordAndTotp,
            SecondFactor::Enrolled,
        );
        assert!(opens_class_pages(
            a,
            Role::Other,
            SessionMethod::PasswordAndTotp,
            d
        ));
        let a = authority(
            Role::Student,
            SessionMethod::Password,
            SecondFactor::Optional,
        );
        assert!(!opens_class_pages(
            a,
            Role::Student,
            SessionMethod::Password,
            d
        ));
    }

    #[test]
    fn a_delegate_does_only_what_was_given() {
        let badges = Some(Delegation::parse("badges").unwrap());
        assert!(may(false, badges, Capability::Badges));
        assert!(!may(false, badges, Capability::Passwords));
        assert!(!may(false, None, Capability::Badges));
        assert!(may(true, None, Capability::Passwords));
    }
}
