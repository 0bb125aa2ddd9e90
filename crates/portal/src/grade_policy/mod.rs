//! A school's grade rules (issue 11, docs/accounts.md): which grades get QR badges, which may
//! change their own password, which claim their account. Pure decisions, no database: the
//! store keeps a [`GradePolicy`] per school (`store/policies`), the callers ask these.
//!
//! A student whose roster row names no grade is not held to the badge and password rules
//! (there is nothing to apply them to, and schools without grades in their export keep working
//! as before), but may not claim: a claim takes over an account, so it needs a known grade.

mod range;

use badgein_roster::Grade;
use serde::Serialize;

pub use range::{GradeRange, RangeError};

use crate::auth::origin::is_staff;
use crate::roles::Role;

/// The grade rules of one school.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradePolicy {
    /// Students in these grades may be given a QR badge (and a fixed password).
    pub badges: GradeRange,
    /// Students in these grades may change their own password.
    pub password_change: GradeRange,
    /// Students in these grades claim their account themselves.
    pub claim: GradeRange,
}

impl Default for GradePolicy {
    /// The school guides' rules: PK-5 badges, 3-12 change their password, 6-12 claim.
    fn default() -> Self {
        Self {
            badges: GradeRange::new_unchecked(Grade::PreK, Grade::Numbered(5)),
            password_change: GradeRange::new_unchecked(Grade::Numbered(3), Grade::Numbered(12)),
            claim: GradeRange::new_unchecked(Grade::Numbered(6), Grade::Numbered(12)),
        }
    }
}

/// What `school policy` prints: the ranges as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyView {
    pub school: String,
    pub badge_grades: String,
    pub password_change_grades: String,
    pub claim_grades: String,
}

impl GradePolicy {
    pub fn view(&self, school: &str) -> PolicyView {
        PolicyView {
            school: school.to_owned(),
            badge_grades: self.badges.to_string(),
            password_change_grades: self.password_change.to_string(),
            claim_grades: self.claim.to_string(),
        }
    }
}

/// The grade a user row stores (`PK`, `K`, `1` .. `12`); anything else is no grade.
pub fn stored_grade(text: Option<&str>) -> Option<Grade> {
    text.and_then(Grade::from_oneroster)
}

/// Whether a student may be issued a badge: in the badge grades, or marked by a teacher as
/// needing one (the accessibility exception). Staff are not decided here (`--staff`).
pub fn may_have_badge(policy: &GradePolicy, grade: Option<Grade>, needs_badge: bool) -> bool {
    needs_badge || grade.is_none_or(|g| policy.badges.contains(g))
}

/// Whether a user may change their own password: staff always, students in the
/// password-change grades.
pub fn may_change_password(policy: &GradePolicy, role: Role, grade: Option<Grade>) -> bool {
    is_staff(role) || grade.is_none_or(|g| policy.password_change.contains(g))
}

/// Whether a user may claim their account (when it has no password yet): students in the
/// claim grades, every member of staff (employees claim too). Parents and guardians claim
/// through another door, never this one.
pub fn may_claim(policy: &GradePolicy, role: Role, grade: Option<Grade>) -> bool {
    match role {
        Role::Student => grade.is_some_and(|g| policy.claim.contains(g)),
        Role::Teacher | Role::Administrator | Role::Other => true,
        Role::Guardian => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_guides_rules() {
        let p = GradePolicy::default();
        let v = p.view("s1");
        assert_eq!(
            (
                v.badge_grades.as_str(),
                v.password_change_grades.as_str(),
                v.claim_grades.as_str()
            ),
            ("PK-5", "3-12", "6-12")
        );
    }

    #[test]
    fn who_may_what() {
        let p = GradePolicy::default();
        let g = |n| Some(Grade::Numbered(n));
        assert!(may_have_badge(&p, Some(Grade::PreK), false));
        assert!(may_have_badge(&p, g(5), false));
        assert!(!may_have_badge(&p, g(6), false));
        assert!(
            may_have_badge(&p, g(9), true),
            "the accessibility exception"
        );
        assert!(may_have_badge(&p, None, false));
        assert!(!may_change_password(&p, Role::Student, g(2)));
        assert!(may_change_password(&p, Role::Student, g(3)));
        assert!(may_change_password(&p, Role::Teacher, Some(Grade::K)));
        assert!(!may_claim(&p, Role::Student, g(5)));
        assert!(may_claim(&p, Role::Student, g(6)));
        assert!(!may_claim(&p, Role::Student, None));
        assert!(
            !may_claim(&p, Role::Guardian, None),
            "parents claim elsewhere"
        );
        for staff in [Role::Teacher, Role::Administrator, Role::Other] {
            assert!(may_claim(&p, staff, None), "{staff:?}");
        }
    }
}
