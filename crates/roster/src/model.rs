//! What a roster holds once read: the records BadgeIn uses from the four OneRoster files.

use serde::Serialize;

use crate::birth_date::BirthDate;
use crate::identifier::Identifier;

/// A school, district or other organisation (`orgs.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    pub sourced_id: String,
    pub name: String,
    /// The OneRoster org type in lowercase: `school`, `district`, `department`, `local`,
    /// `state` or `national`.
    pub org_type: String,
}

/// A person (`users.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub sourced_id: String,
    /// `enabledUser`: a disabled user keeps their record but must not sign in.
    pub enabled: bool,
    pub role: Role,
    pub username: String,
    pub given_name: String,
    pub family_name: String,
    /// The orgs (schools) the user belongs to; at least one.
    pub org_ids: Vec<String>,
    /// The school's address for the person, when the roster gives one.
    pub email: Option<Email>,
    pub grades: Vec<String>,
    /// `identifier`: the student or staff number, when the roster gives one.
    pub identifier: Option<Identifier>,
    /// `agentSourcedIds`: for a student their parents or guardians, for a parent or guardian
    /// their children (both directions occur in exports; [`crate::Roster::guardianships`]
    /// reads either).
    pub agent_ids: Vec<String>,
}

/// An e-mail address as the roster gives it, checked and lowercased: ASCII, one `@` with text
/// on both sides, no spaces or control characters, at most 254 characters (RFC 5321's limit
/// for a path). Apps (Google Workspace above all) match people by it, so a malformed one is
/// an import error rather than an address that would match nobody, or the wrong account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

/// The longest address taken.
pub const MAX_EMAIL_LEN: usize = 254;

impl Email {
    /// Checks and lowercases `value`; `None` when it is not an address by the rules above.
    pub fn parse(value: &str) -> Option<Self> {
        let (local, domain) = value.split_once('@')?;
        let fits = value.len() <= MAX_EMAIL_LEN
            && !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && value.bytes().all(|b| b.is_ascii_graphic());
        fits.then(|| Self(value.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A class (`classes.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Class {
    pub sourced_id: String,
    pub title: String,
    pub school_id: String,
}

/// A user's membership of a class (`enrollments.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrollment {
    pub sourced_id: String,
    pub class_id: String,
    pub school_id: String,
    pub user_id: String,
    pub role: Role,
}

/// A person's date of birth (`demographics.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Demographic {
    pub user_id: String,
    pub birth_date: BirthDate,
}

/// A child and one of their parents or guardians (from `agentSourcedIds`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Guardianship {
    pub student_id: String,
    pub guardian_id: String,
}

/// The roles BadgeIn tells apart. OneRoster's parent and guardian are [`Role::Guardian`];
/// aide, proctor and relative are [`Role::Other`]: none of them gets a badge or a teacher's
/// rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Role {
    Student,
    Teacher,
    Administrator,
    /// `parent` or `guardian`: someone a child's `agentSourcedIds` may name.
    Guardian,
    Other,
}

impl Role {
    /// Reads a OneRoster 1.1 role (any ASCII case); `None` for a value outside the spec's list.
    pub fn parse(value: &str) -> Option<Self> {
        const OTHERS: [&str; 3] = ["aide", "proctor", "relative"];
        let is = |name: &str| value.eq_ignore_ascii_case(name);
        if is("student") {
            Some(Self::Student)
        } else if is("teacher") {
            Some(Self::Teacher)
        } else if is("administrator") {
            Some(Self::Administrator)
        } else if is("parent") || is("guardian") {
            Some(Self::Guardian)
        } else if OTHERS.iter().any(|o| is(o)) {
            Some(Self::Other)
        } else {
            None
        }
    }
}

/// OneRoster 1.1 org types, as stored in [`Org::org_type`].
pub const ORG_TYPES: [&str; 6] = [
    "department",
    "school",
    "district",
    "local",
    "state",
    "national",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_follow_the_spec_list_in_any_case() {
        assert_eq!(Role::parse("student"), Some(Role::Student));
        assert_eq!(Role::parse("Teacher"), Some(Role::Teacher));
        assert_eq!(Role::parse("ADMINISTRATOR"), Some(Role::Administrator));
        assert_eq!(Role::parse("Parent"), Some(Role::Guardian));
        assert_eq!(Role::parse("guardian"), Some(Role::Guardian));
        for other in ["aide", "proctor", "relative"] {
            assert_eq!(Role::parse(other), Some(Role::Other), "{other}");
        }
        for bad in ["", "students", "admin", " student", "teacher\u{0}"] {
            assert_eq!(Role::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn emails_are_checked_and_lowercased() {
        assert_eq!(
            Email::parse("Ana.Ruiz+kg@Maple.K12.example").map(Email::into_string),
            Some("ana.ruiz+kg@maple.k12.example".to_owned())
        );
        let longest = format!("{}@example.org", "a".repeat(MAX_EMAIL_LEN - 12));
        assert!(Email::parse(&longest).is_some());
        let too_long = format!("a{longest}");
        for bad in [
            "",
            "ana",
            "@example.org",
            "ana@",
            "ana@b@example.org",
            "ana ruiz@example.org",
            "ana@example.org\n",
            "ana\u{0}@example.org",
            "maría@example.org",
            "ana@exámple.org",
            too_long.as_str(),
        ] {
            assert_eq!(Email::parse(bad), None, "{bad:?}");
        }
    }
}
