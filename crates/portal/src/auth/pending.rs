//! Password sign-ins waiting for their second factor: the password step of a user with an
//! authenticator hands the browser a random token (a cookie) instead of a session; the code
//! step takes the waiting sign-in out by that token, once. Kept in the database
//! (`store::pending_sign_ins`), so that the code step may reach another instance of the service
//! than the password step did; short-lived, and forgotten once expired.
//!
//! The database holds the token only as its digest, and the browser's device cookie (set when
//! the sign-in completes) sealed with a pad derived from the token: a copy of the database can
//! neither complete a sign-in nor learn a device cookie.

use sha2::{Digest, Sha512};

use crate::clock::Millis;
use crate::error::Result;
use crate::ids::UserId;
use crate::store::{Pool, pending_sign_ins as rows};
use crate::tokens;

/// How long the code step may wait after the password (an app open on the phone, a code typed).
pub const LIFETIME_MS: Millis = 5 * 60 * 1000;
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

/// Keeps `waiting` and returns the token for the browser's cookie.
pub async fn insert(db: &Pool, waiting: Waiting) -> Result<String> {
    let token = tokens::random_hex(TOKEN_BYTES)?;
    put_back(db, &token, waiting).await?;
    Ok(token)
}

/// Takes the live sign-in behind `token` out (so two code steps, at one instance or two, can
/// never both complete it); [`put_back`] returns it after a wrong code.
pub async fn take(db: &Pool, token: &str, now: Millis) -> Result<Option<Waiting>> {
    let Some(row) = rows::take(db, &tokens::digest(token.as_bytes())).await? else {
        return Ok(None);
    };
    if row.expires_at <= now {
        return Ok(None);
    }
    // Only this module writes the rows: a seal that does not open is no sign-in at all.
    let Ok(device_cookie) = String::from_utf8(xor(&row.device_sealed, token)) else {
        return Ok(None);
    };
    Ok(Some(Waiting {
        user_id: row.user_id,
        account: row.account,
        device_cookie,
        expires_at: row.expires_at,
    }))
}

/// Keeps the sign-in `waiting` behind `token` (again, after a wrong code: the person may try
/// again, the guard counting the tries, until it expires).
pub async fn put_back(db: &Pool, token: &str, waiting: Waiting) -> Result<()> {
    let row = rows::Row {
        device_sealed: xor(waiting.device_cookie.as_bytes(), token),
        user_id: waiting.user_id,
        account: waiting.account,
        expires_at: waiting.expires_at,
    };
    rows::insert(db, &tokens::digest(token.as_bytes()), &row).await
}

/// `data` (a device cookie: 64 hex characters) XORed with a pad derived from `token`, which
/// seals and opens alike. The pad is as long as a device cookie; `data` is never longer.
fn xor(data: &[u8], token: &str) -> Vec<u8> {
    let pad = Sha512::new()
        .chain_update(b"badgein pending device cookie\0")
        .chain_update(token.as_bytes())
        .finalize();
    data.iter()
        .zip(pad.iter().cycle())
        .map(|(d, p)| d ^ p)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seal_opens_with_its_token_only() {
        let cookie = "ab".repeat(32);
        let sealed = xor(cookie.as_bytes(), "token one");
        assert_ne!(sealed, cookie.as_bytes());
        assert_eq!(xor(&sealed, "token one"), cookie.as_bytes());
        assert_ne!(xor(&sealed, "token two"), cookie.as_bytes());
    }
}
