//! The teacher PIN: kept only as an Argon2id hash in the config file, so the file never holds
//! the PIN itself. A short PIN's hash can still be guessed offline by someone who can read
//! the file; the hash keeps a glance or a backup from revealing it, the screen lock on the
//! kiosk account does the rest.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use thiserror::Error;

/// Shortest PIN accepted.
pub const MIN_LEN: usize = 4;
/// Longest PIN accepted (anything longer is a paste, not a PIN).
pub const MAX_LEN: usize = 32;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PinError {
    #[error("a teacher PIN is {MIN_LEN} to {MAX_LEN} characters")]
    Length,
    #[error("could not hash the PIN: {0}")]
    Hash(String),
}

/// The PHC string (`$argon2id$v=19$...`) for `pin`, with a fresh random salt.
pub fn hash(pin: &str) -> Result<String, PinError> {
    let len = pin.chars().count();
    if !(MIN_LEN..=MAX_LEN).contains(&len) {
        return Err(PinError::Length);
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| PinError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PinError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PinError::Hash(e.to_string()))
}

/// Whether `pin` matches `stored`. A damaged stored hash matches nothing.
pub fn verify(stored: &str, pin: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(pin.as_bytes(), &parsed)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_pin_matches_wrong_does_not_and_the_hash_hides_it() {
        let h = hash("2468").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("2468"));
        assert!(verify(&h, "2468"));
        assert!(!verify(&h, "2469"));
        assert!(!verify("not a hash", "2468"));
        assert_ne!(hash("2468").unwrap(), h, "salted");
    }

    #[test]
    fn pin_length_is_bounded() {
        assert_eq!(hash("123"), Err(PinError::Length));
        assert_eq!(hash(&"1".repeat(33)), Err(PinError::Length));
    }
}
