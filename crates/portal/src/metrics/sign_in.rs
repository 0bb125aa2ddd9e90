//! What the sign-in counters are labelled with: how someone signed in and how it ended, each a
//! fixed set of values (never a user, a username or a kiosk).

use badgein_proto::ProblemCode;

use crate::error::PortalError;

/// How a sign-in was tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMethod {
    /// A badge shown to a kiosk.
    Badge,
    /// A password, typed at a kiosk or on the login page.
    Password,
    /// An account claimed at `/claim` (its first password).
    Claim,
    /// The authenticator code that follows a staff member's password.
    Code,
}

impl SignInMethod {
    pub const ALL: [Self; 4] = [Self::Badge, Self::Password, Self::Claim, Self::Code];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Badge => "badge",
            Self::Password => "password",
            Self::Claim => "claim",
            Self::Code => "code",
        }
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// How a sign-in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Signed in.
    Ok,
    /// The password was right; the authenticator code comes next (counted again as `code`).
    CodeNeeded,
    /// The code came after its password sign-in had expired.
    Expired,
    /// Refused with this code (`rate_limited`, `account_locked`, `invalid_credentials`, ...).
    Refused(ProblemCode),
}

impl Outcome {
    /// Every outcome, in the order of their index (the sign-in table's columns).
    pub fn all() -> impl Iterator<Item = Self> {
        [Self::Ok, Self::CodeNeeded, Self::Expired]
            .into_iter()
            .chain(ProblemCode::ALL.into_iter().map(Self::Refused))
    }

    /// The outcome of a sign-in that answered `result`.
    pub fn of<T>(result: &Result<T, PortalError>) -> Self {
        match result {
            Ok(_) => Self::Ok,
            Err(e) => Self::Refused(e.code()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::CodeNeeded => "code_needed",
            Self::Expired => "expired",
            Self::Refused(code) => code.as_str(),
        }
    }

    pub(super) fn index(self) -> usize {
        match self {
            Self::Ok => 0,
            Self::CodeNeeded => 1,
            Self::Expired => 2,
            Self::Refused(code) => {
                3 + ProblemCode::ALL
                    .iter()
                    .position(|c| *c == code)
                    .unwrap_or(ProblemCode::ALL.len() - 1)
            }
        }
    }

    /// The throttling behind a refusal, if it was one: what `badgein_throttled_total` counts.
    pub fn throttled(self) -> Option<Throttled> {
        match self {
            Self::Refused(ProblemCode::RateLimited) => Some(Throttled::RateLimited),
            Self::Refused(ProblemCode::AccountLocked) => Some(Throttled::AccountLocked),
            _ => None,
        }
    }
}

/// A sign-in turned away by a rate limit or a lockout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    RateLimited,
    AccountLocked,
}

impl Throttled {
    pub const ALL: [Self; 2] = [Self::RateLimited, Self::AccountLocked];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RateLimited => "rate_limited",
            Self::AccountLocked => "account_locked",
        }
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_follow_the_lists() {
        for (i, o) in Outcome::all().enumerate() {
            assert_eq!(o.index(), i, "{}", o.as_str());
        }
        for (i, m) in SignInMethod::ALL.iter().enumerate() {
            assert_eq!(m.index(), i);
        }
        for (i, t) in Throttled::ALL.iter().enumerate() {
            assert_eq!(t.index(), i);
        }
    }

    #[test]
    fn throttled_is_rate_limits_and_locks_only() {
        let throttled: Vec<_> = Outcome::all().filter_map(Outcome::throttled).collect();
        assert_eq!(
            throttled,
            [Throttled::AccountLocked, Throttled::RateLimited],
            "in ProblemCode::ALL order"
        );
        let locked = PortalError::Locked { retry_after: 9 };
        assert_eq!(
            Outcome::of::<()>(&Err(locked)),
            Outcome::Refused(ProblemCode::AccountLocked)
        );
        assert_eq!(Outcome::of(&Ok::<_, PortalError>(())), Outcome::Ok);
    }
}
