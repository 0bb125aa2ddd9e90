//! How a session was made, and the one rule of what a session may do: a function of who the
//! user is (their role) and how they signed in (the session's method). A badge is something a
//! child carries and anyone can photograph, so it proves much less than a password: a badge
//! session only ever reaches its owner's own dashboard, whatever the owner's role.

use crate::roles::Role;
pub use crate::session_method::SessionMethod;

/// What a session may do beyond its owner's own dashboard (apps, avatar, password change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    /// The owner's own dashboard only: every student, staff who manage no classes, and any
    /// staff member signed in with a badge.
    Own,
    /// The teacher pages for the classes the user teaches and the school's kiosks.
    Teacher,
    /// The teacher pages for every class of the school and its kiosks.
    Administrator,
}

impl Authority {
    /// Whether the teacher pages are open to this session.
    pub fn manages_classes(self) -> bool {
        matches!(self, Self::Teacher | Self::Administrator)
    }

    /// Whether the apps page (register, remove, new secret) is open to this session: an app
    /// decides what every child of the school sees and where the kiosks may go.
    pub fn manages_apps(self) -> bool {
        matches!(self, Self::Administrator)
    }
}

/// Where a user stands with the staff second factor (docs/staff-second-factor.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    /// Not enrolled, and the school does not require it.
    Optional,
    /// Not enrolled, and the school requires it of its staff.
    Required,
    /// Enrolled: the login page asks for a code after the password.
    Enrolled,
}

/// What a password session of a teacher or administrator lacks for the teacher pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The school requires the second factor and the user has not enrolled: enroll first.
    Enrollment,
    /// The user has enrolled, and this session did not pass the code (made before the
    /// enrollment, or at a kiosk): sign in again on the login page.
    Code,
}

/// What a session of a user with `role`, standing `factor` with the second factor, made by
/// `method` may do. The only place that decides it.
pub fn authority(role: Role, method: SessionMethod, factor: SecondFactor) -> Authority {
    if missing(role, method, factor).is_some() {
        return Authority::Own;
    }
    match (method, role) {
        (SessionMethod::Password | SessionMethod::PasswordAndTotp, Role::Teacher) => {
            Authority::Teacher
        }
        (SessionMethod::Password | SessionMethod::PasswordAndTotp, Role::Administrator) => {
            Authority::Administrator
        }
        (SessionMethod::Password | SessionMethod::PasswordAndTotp | SessionMethod::Badge, _) => {
            Authority::Own
        }
    }
}

/// Why a password session of a teacher or administrator does not open the teacher pages, if
/// the second factor is why. A badge never opens them, whatever the second factor: `None`.
pub fn missing(role: Role, method: SessionMethod, factor: SecondFactor) -> Option<Missing> {
    let manager = matches!(role, Role::Teacher | Role::Administrator);
    match (method, factor) {
        _ if !manager => None,
        (SessionMethod::Password, SecondFactor::Required) => Some(Missing::Enrollment),
        (SessionMethod::Password, SecondFactor::Enrolled) => Some(Missing::Code),
        (SessionMethod::Password, SecondFactor::Optional)
        | (SessionMethod::PasswordAndTotp | SessionMethod::Badge, _) => None,
    }
}

/// Whether `role` is a member of staff (anyone but a student or a guardian). A staff badge
/// would open a door a password guards (see [`authority`] for what it cannot open), so it is
/// issued only on purpose.
pub fn is_staff(role: Role) -> bool {
    match role {
        Role::Student | Role::Guardian => false,
        Role::Teacher | Role::Administrator | Role::Other => true,
    }
}

/// Whether a badge may be issued to `role` at all: never to a parent or guardian, who is no
/// one a classroom kiosk signs in.
pub fn may_hold_badge(role: Role) -> bool {
    match role {
        Role::Guardian => false,
        Role::Student | Role::Teacher | Role::Administrator | Role::Other => true,
    }
}

#[cfg(test)]
mod tests {
    use super::{
        Authority, Missing, Role, SecondFactor, SessionMethod, authority, is_staff, may_hold_badge,
        missing,
    };

    const OFF: SecondFactor = SecondFactor::Optional;

    #[test]
    fn a_badge_never_opens_the_teacher_pages() {
        for role in Role::ALL {
            assert_eq!(
                authority(role, SessionMethod::Badge, OFF),
                Authority::Own,
                "{role:?}"
            );
        }
        assert_eq!(
            authority(Role::Teacher, SessionMethod::Password, OFF),
            Authority::Teacher
        );
        assert_eq!(
            authority(Role::Administrator, SessionMethod::Password, OFF),
            Authority::Administrator
        );
        assert_eq!(
            authority(Role::Student, SessionMethod::Password, OFF),
            Authority::Own
        );
        assert_eq!(
            authority(Role::Other, SessionMethod::Password, OFF),
            Authority::Own
        );
        assert_eq!(
            authority(Role::Guardian, SessionMethod::Password, OFF),
            Authority::Own
        );
        for role in Role::ALL {
            for method in [SessionMethod::Badge, SessionMethod::Password] {
                assert_eq!(
                    authority(role, method, OFF).manages_apps(),
                    (role, method) == (Role::Administrator, SessionMethod::Password),
                    "{role:?} {method:?}"
                );
            }
        }
    }

    #[test]
    fn an_enrolled_or_required_second_factor_holds_back_a_password_only_session() {
        const FACTORS: [SecondFactor; 3] = [
            SecondFactor::Optional,
            SecondFactor::Required,
            SecondFactor::Enrolled,
        ];
        for role in Role::ALL {
            for factor in FACTORS {
                // A badge never opens the teacher pages, whatever the second factor.
                assert_eq!(
                    authority(role, SessionMethod::Badge, factor),
                    Authority::Own
                );
                assert_eq!(missing(role, SessionMethod::Badge, factor), None);
            }
        }
        for role in [Role::Teacher, Role::Administrator] {
            let password = |factor| authority(role, SessionMethod::Password, factor);
            assert_eq!(password(SecondFactor::Enrolled), Authority::Own);
            assert_eq!(password(SecondFactor::Required), Authority::Own);
            assert!(password(SecondFactor::Optional).manages_classes());
            assert_eq!(
                missing(role, SessionMethod::Password, SecondFactor::Enrolled),
                Some(Missing::Code)
            );
            assert_eq!(
                missing(role, SessionMethod::Password, SecondFactor::Required),
                Some(Missing::Enrollment)
            );
            for factor in FACTORS {
                assert!(authority(role, SessionMethod::PasswordAndTotp, factor).manages_classes());
            }
        }
        for factor in FACTORS {
            assert_eq!(
                authority(Role::Student, SessionMethod::PasswordAndTotp, factor),
                Authority::Own
            );
            assert_eq!(missing(Role::Other, SessionMethod::Password, factor), None);
        }
    }

    #[test]
    fn stored_values_round_trip_and_unknown_is_the_lesser() {
        for m in [
            SessionMethod::Badge,
            SessionMethod::Password,
            SessionMethod::PasswordAndTotp,
        ] {
            assert_eq!(SessionMethod::from_stored(m.as_str(), m.second_factor()), m);
        }
        assert_eq!(
            SessionMethod::from_stored("PASSWORD", 1),
            SessionMethod::Badge
        );
        assert_eq!(SessionMethod::from_stored("badge", 1), SessionMethod::Badge);
        assert_eq!(
            SessionMethod::from_stored("password", 2),
            SessionMethod::Password
        );
        assert!(is_staff(Role::Teacher) && is_staff(Role::Other) && !is_staff(Role::Student));
        assert!(!is_staff(Role::Guardian) && !may_hold_badge(Role::Guardian));
        assert!(may_hold_badge(Role::Student) && may_hold_badge(Role::Teacher));
    }
}
