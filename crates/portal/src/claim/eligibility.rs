//! Who may claim an account: the decision alone, free of the database.

use badgein_roster::Grade;

use crate::roles::Role;

/// The grades whose students claim their own account until the school's grade policy says
/// otherwise: 6 to 12 (the district's guides; younger children use a badge or a password
/// the teacher gives them).
fn default_claim_grade(grade: Grade) -> bool {
    matches!(grade, Grade::Numbered(6..=12))
}

/// Whether a person of `role` in `grade` may claim their account (when it has no password
/// yet): students of the claim grades, and every member of staff (employees claim too).
/// Parents and guardians claim through another door (issue 11, item 9), never this one.
pub fn may_claim(role: Role, grade: Option<Grade>) -> bool {
    match role {
        Role::Student => grade.is_some_and(default_claim_grade),
        Role::Teacher | Role::Administrator | Role::Other => true,
        Role::Guardian => false,
    }
}

#[cfg(test)]
mod tests {
    use super::may_claim;
    use crate::roles::Role;
    use badgein_roster::Grade;

    #[test]
    fn students_of_grades_6_to_12_and_all_staff() {
        for n in 6..=12 {
            assert!(may_claim(Role::Student, Some(Grade::Numbered(n))), "{n}");
        }
        for grade in [
            Some(Grade::PreK),
            Some(Grade::K),
            Some(Grade::Numbered(5)),
            None,
        ] {
            assert!(!may_claim(Role::Student, grade), "{grade:?}");
        }
        for role in [Role::Teacher, Role::Administrator, Role::Other] {
            assert!(may_claim(role, None), "{role:?}");
        }
        assert!(!may_claim(Role::Guardian, None));
    }
}
