//! Password sign-ins waiting for their second factor: the password step of a user with an
//! authenticator hands the browser a random token (a cookie) instead of a session; the code
//! step takes the waiting sign-in out by that token, once. In memory and short-lived, like the
//! password guard's counters: a restart makes the person type the password again, nothing more.

use std::collections::HashMap;
use std::sync::Mutex;

use super::rate_limit::lock;
use crate::clock::Millis;
use crate::error::{PortalError, Result};
use crate::ids::UserId;
use crate::tokens;

/// How long the code step may wait after the password (an app open on the phone, a code typed).
pub const LIFETIME_MS: Millis = 5 * 60 * 1000;
/// Waiting sign-ins kept at most; past it, expired ones are dropped and, if none is, new ones
/// are refused (throttled) rather than anyone's waiting sign-in forgotten.
const MAX_WAITING: usize = 10_000;
/// The token's randomness (256 bits, like a session cookie).
const TOKEN_BYTES: usize = 32;

/// A password sign-in waiting for its code.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub user_id: UserId,
    /// The lowercased username: the guard's account.
    pub account: String,
    /// The browser's device cookie, set once the sign-in completes.
    pub device_cookie: String,
    pub expires_at: Millis,
}

#[derive(Debug, Default)]
pub struct PendingSignIns {
    waiting: Mutex<HashMap<Vec<u8>, Waiting>>,
}

impl PendingSignIns {
    /// Keeps `waiting` and returns the token for the browser's cookie.
    pub fn insert(&self, waiting: Waiting, now: Millis) -> Result<String> {
        let token = tokens::random_hex(TOKEN_BYTES)?;
        let mut all = lock(&self.waiting);
        if all.len() >= MAX_WAITING {
            all.retain(|_, w| w.expires_at > now);
            if all.len() >= MAX_WAITING {
                return Err(PortalError::RateLimited { retry_after: 60 });
            }
        }
        all.insert(tokens::digest(token.as_bytes()), waiting);
        Ok(token)
    }

    /// Takes the live sign-in behind `token` out (so two code steps can never both complete
    /// it); [`Self::put_back`] returns it after a wrong code.
    pub fn take(&self, token: &str, now: Millis) -> Option<(Vec<u8>, Waiting)> {
        let key = tokens::digest(token.as_bytes());
        let waiting = lock(&self.waiting).remove(&key)?;
        (waiting.expires_at > now).then_some((key, waiting))
    }

    /// Returns a sign-in taken by [`Self::take`] whose code was wrong: the person may try again
    /// (the guard counts the tries) until it expires.
    pub fn put_back(&self, key: Vec<u8>, waiting: Waiting) {
        lock(&self.waiting).insert(key, waiting);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(expires_at: Millis) -> Waiting {
        Waiting {
            user_id: UserId::from("t1"),
            account: "mrsk".into(),
            device_cookie: "d".into(),
            expires_at,
        }
    }

    #[test]
    fn taken_once_and_only_while_live() {
        let p = PendingSignIns::default();
        let token = p.insert(waiting(100), 0).unwrap();
        let (key, w) = p.take(&token, 50).unwrap();
        assert!(p.take(&token, 50).is_none(), "single use");
        p.put_back(key, w);
        assert!(p.take(&token, 100).is_none(), "expired");
        assert!(p.take("not a token", 0).is_none());
    }
}
