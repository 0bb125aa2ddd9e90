//! The teacher PIN: kept only as an Argon2id hash in the config file, so the file never holds
//! the PIN itself. A PIN's hash can still be guessed offline by someone who can read the file,
//! which is why the file is the kiosk user's alone ([`crate::private_file`]); at the kiosk,
//! guesses are slowed by [`crate::pin_throttle`].

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use thiserror::Error;

use crate::machine::Code;

/// Shortest PIN accepted: a million guesses, which the throttle makes years of waiting.
pub const MIN_LEN: usize = 6;
/// Longest PIN accepted (anything longer is a paste, not a PIN).
pub const MAX_LEN: usize = 32;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PinError {
    #[error("a teacher PIN is {MIN_LEN} to {MAX_LEN} digits")]
    Shape,
    #[error("the two PINs typed differ")]
    Mismatch,
    #[error("could not hash the PIN: {0}")]
    Hash(String),
}

impl PinError {
    /// The message for the setup screen.
    pub fn code(&self) -> Code {
        match self {
            Self::Shape => Code::PinInvalid,
            Self::Mismatch => Code::PinMismatch,
            Self::Hash(_) => Code::Problem(badgein_proto::ProblemCode::Unknown),
        }
    }
}

/// Whether `pin` may become the teacher PIN: [`MIN_LEN`] to [`MAX_LEN`] ASCII digits (what
/// the pad can type, and the same on every keyboard layout).
pub fn check_shape(pin: &str) -> Result<(), PinError> {
    let digits = pin.len();
    if (MIN_LEN..=MAX_LEN).contains(&digits) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinError::Shape)
    }
}

/// The hash of a PIN the teacher typed twice to choose it.
pub fn choose(pin: &str, again: &str) -> Result<String, PinError> {
    check_shape(pin)?;
    if pin != again {
        return Err(PinError::Mismatch);
    }
    hash(pin)
}

/// The PHC string (`$argon2id$v=19$...`) for `pin`, with a fresh random salt.
pub fn hash(pin: &str) -> Result<String, PinError> {
    check_shape(pin)?;
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
        let h = hash("246813").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("246813"));
        assert!(verify(&h, "246813"));
        assert!(!verify(&h, "246814"));
        assert!(!verify("not a hash", "246813"));
        assert_ne!(hash("246813").unwrap(), h, "salted");
    }

    #[test]
    fn a_pin_is_six_to_thirty_two_digits() {
        for short in ["", "1234", "12345"] {
            assert_eq!(hash(short), Err(PinError::Shape), "{short:?}");
        }
        assert_eq!(hash(&"1".repeat(33)), Err(PinError::Shape));
        assert_eq!(hash("12345a"), Err(PinError::Shape));
        assert_eq!(
            hash("１２３４５６"),
            Err(PinError::Shape),
            "fullwidth digits"
        );
        assert!(check_shape("123456").is_ok());
        assert!(check_shape(&"9".repeat(32)).is_ok());
    }

    #[test]
    fn choosing_needs_the_same_pin_twice() {
        assert_eq!(choose("135790", "135709"), Err(PinError::Mismatch));
        assert_eq!(choose("1357", "1357"), Err(PinError::Shape));
        assert_eq!(PinError::Mismatch.code(), Code::PinMismatch);
        assert!(verify(&choose("135790", "135790").unwrap(), "135790"));
    }
}
