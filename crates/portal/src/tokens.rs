//! Random tokens (device credentials, session handles, cookies, tickets, enrollment codes, fleet
//! enrollment tokens) and the SHA-256 digests stored in their place. They are high-entropy, so a
//! fast hash suffices: a database dump holds no usable token.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::PortalError;

/// `bytes` random bytes from the OS as lowercase hex.
pub fn random_hex(bytes: usize) -> Result<String, PortalError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(PortalError::Random)?;
    Ok(hex(&buf))
}

/// The characters of enrollment codes and fleet tokens (RFC 4648 base32).
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Characters of an enrollment code.
const CODE_CHARS: usize = 10;
/// What starts a fleet token, before and after normalisation.
const FLEET_PREFIX: &str = "BFT";
/// Random characters of a fleet token: 26 x 5 = 130 bits.
const FLEET_CHARS: usize = 26;
/// The longest `code` field looked at. A code as typed (`abcde fghjk`) or a token as printed
/// (`BFT-` and 26) is far shorter; anything longer is refused before any work.
const MAX_PRESENTED: usize = 64;

/// `n` random base32 characters, 5 bits each (256 is a multiple of 32: no bias).
fn base32(n: usize) -> Result<String, PortalError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(PortalError::Random)?;
    Ok(buf
        .iter()
        .map(|b| char::from(BASE32[usize::from(b & 31)]))
        .collect())
}

/// A code a teacher can type: 10 base32 characters (50 bits) in two groups, `ABCDE-FGHJK`.
/// Single use and short-lived, so 50 bits are far out of guessing range.
pub fn enrollment_code() -> Result<String, PortalError> {
    let chars = base32(CODE_CHARS)?;
    Ok(format!("{}-{}", &chars[..5], &chars[5..]))
}

/// A fleet enrollment token: `BFT-` and 26 base32 characters (130 bits). It enrolls many kiosks
/// over days, unattended, so it is long enough never to be guessed, however often it is tried.
pub fn fleet_token() -> Result<String, PortalError> {
    Ok(format!("{FLEET_PREFIX}-{}", base32(FLEET_CHARS)?))
}

/// What the enroll call's `code` field holds, told apart after [`normalise_code`]: a code is
/// 10 characters, a token `BFT` and 26. Each is given normalised, as its digest is stored.
#[derive(PartialEq, Eq)]
pub enum EnrollmentSecret {
    Code(String),
    FleetToken(String),
    /// Neither: refused like a wrong code, without asking the database.
    Malformed,
}

impl EnrollmentSecret {
    pub fn read(presented: &str) -> Self {
        if presented.len() > MAX_PRESENTED {
            return Self::Malformed;
        }
        let normalised = normalise_code(presented);
        let is_base32 = |s: &str| s.bytes().all(|b| BASE32.contains(&b));
        if let Some(random) = normalised.strip_prefix(FLEET_PREFIX)
            && random.len() == FLEET_CHARS
        {
            // A token comes from a file or a QR code, never a person's typing: besides case,
            // dashes and white space, any other character means it is not one (a code keeps
            // its forgiving normalisation).
            let printed = presented
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c.is_ascii_whitespace());
            return if printed && is_base32(random) {
                Self::FleetToken(normalised)
            } else {
                Self::Malformed
            };
        }
        if normalised.len() == CODE_CHARS && is_base32(&normalised) {
            Self::Code(normalised)
        } else {
            Self::Malformed
        }
    }
}

/// Never the secret itself.
impl std::fmt::Debug for EnrollmentSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Code(_) => "Code(..)",
            Self::FleetToken(_) => "FleetToken(..)",
            Self::Malformed => "Malformed",
        })
    }
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
    fn fleet_tokens_are_130_bits_of_base32_and_read_back() {
        let token = fleet_token().unwrap();
        assert_eq!(token.len(), 30);
        assert!(token.starts_with("BFT-"));
        assert!(token[4..].bytes().all(|b| BASE32.contains(&b)));
        assert_ne!(token, fleet_token().unwrap());
        let normalised = token.replace('-', "");
        for presented in [
            token.clone(),
            token.to_lowercase(),
            format!("  {token}\n"),
            format!("BFT {}", &token[4..]),
        ] {
            assert_eq!(
                EnrollmentSecret::read(&presented),
                EnrollmentSecret::FleetToken(normalised.clone()),
                "{presented:?}"
            );
        }
    }

    #[test]
    fn codes_and_tokens_are_told_apart_and_the_rest_is_malformed() {
        let code = enrollment_code().unwrap();
        assert_eq!(
            EnrollmentSecret::read(&code.to_lowercase()),
            EnrollmentSecret::Code(code.replace('-', ""))
        );
        // A code keeps its forgiving normalisation.
        assert_eq!(
            EnrollmentSecret::read("abcde_fghij"),
            EnrollmentSecret::Code("ABCDEFGHIJ".into())
        );
        let token = fleet_token().unwrap();
        for bad in [
            String::new(),
            "ABCDE-FGHI".into(),
            "ABCDE-FGHIJK".into(),
            "ABCDE-FGHI1".into(),
            format!("{token}A"),
            token[..29].to_owned(),
            token.replace('-', "_"),
            format!("{}\u{0}{}", &token[..10], &token[10..]),
            format!("{}é{}", &token[..10], &token[10..]),
            format!("{}<b>", &token[..26]),
            format!("BFT-{}", "1".repeat(26)),
            format!("BFT-{}", "A".repeat(1000)),
            "A".repeat(65),
            format!("{code}{}", " ".repeat(60)),
        ] {
            assert_eq!(
                EnrollmentSecret::read(&bad),
                EnrollmentSecret::Malformed,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn comparison() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
