//! Random tokens (device credentials, session handles, cookies, tickets, enrollment codes) and
//! the SHA-256 digests stored in their place. They are high-entropy, so a fast hash suffices:
//! a database dump holds no usable token.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::PortalError;

/// `bytes` random bytes from the OS as lowercase hex.
pub fn random_hex(bytes: usize) -> Result<String, PortalError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(PortalError::Random)?;
    Ok(hex(&buf))
}

/// A code a teacher can type: 10 base32 characters (50 bits) in two groups, `ABCDE-FGHJK`.
/// Single use and short-lived, so 50 bits are far out of guessing range.
pub fn enrollment_code() -> Result<String, PortalError> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut buf = [0u8; 10];
    getrandom::fill(&mut buf).map_err(PortalError::Random)?;
    let mut out = String::with_capacity(11);
    for (i, b) in buf.iter().enumerate() {
        if i == 5 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(b & 31)]));
    }
    Ok(out)
}

/// Enrollment codes are compared without case, dashes or spaces (teachers type them).
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

pub fn digest(token: &[u8]) -> Vec<u8> {
    Sha256::digest(token).to_vec()
}

pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fresh_and_long() {
        let a = random_hex(32).unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_hex(32).unwrap());
    }

    #[test]
    fn codes_normalise_as_typed() {
        let code = enrollment_code().unwrap();
        assert_eq!(code.len(), 11);
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(normalise_code(&typed), code.replace('-', ""));
    }

    #[test]
    fn comparison() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
