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

/// What a session of a user with `role` made by `method` may do. The only
/// place that decides it: a second factor will be a new method here.
pub fn authority(role: Role, method: SessionMethod) -> Authority {
    match (method, role) {
        (SessionMethod::Password, Role::Teacher) => Authority::Teacher,
        (SessionMethod::Password, Role::Administrator) => Authority::Administrator,
        (SessionMethod::Password | SessionMethod::Badge, _) => Authority::Own,
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
    use super::{Authority, Role, SessionMethod, authority, is_staff, may_hold_badge};

    #[test]
    fn a_badge_never_opens_the_teacher_pages() {
        for role in Role::ALL {
            assert_eq!(
                authority(role, SessionMethod::Badge),
                Authority::Own,
                "{role:?}"
            );
        }
        assert_eq!(
            authority(Role::Teacher, SessionMethod::Password),
            Authority::Teacher
        );
        assert_eq!(
            authority(Role::Administrator, SessionMethod::Password),
            Authority::Administrator
        );
        assert_eq!(
            authority(Role::Student, SessionMethod::Password),
            Authority::Own
        );
        assert_eq!(
            authority(Role::Other, SessionMethod::Password),
            Authority::Own
        );
        assert_eq!(
            authority(Role::Guardian, SessionMethod::Password),
            Authority::Own
        );
        for role in Role::ALL {
            for method in [SessionMethod::Badge, SessionMethod::Password] {
                assert_eq!(
                    authority(role, method).manages_apps(),
                    (role, method) == (Role::Administrator, SessionMethod::Password),
                    "{role:?} {method:?}"
                );
            }
        }
    }

    #[test]
    fn stored_values_round_trip_and_unknown_is_the_lesser() {
        for m in [SessionMethod::Badge, SessionMethod::Password] {
            assert_eq!(SessionMethod::from_stored(m.as_str()), m);
        }
        assert_eq!(SessionMethod::from_stored("PASSWORD"), SessionMethod::Badge);
        assert!(is_staff(Role::Teacher) && is_staff(Role::Other) && !is_staff(Role::Student));
        assert!(!is_staff(Role::Guardian) && !may_hold_badge(Role::Guardian));
        assert!(may_hold_badge(Role::Student) && may_hold_badge(Role::Teacher));
    }
}
