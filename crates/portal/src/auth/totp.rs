//! RFC 6238 time-based one-time passwords as Google Authenticator reads them: HMAC-SHA-1,
//! 6 digits, 30-second steps, a 160-bit secret shown in base32. Pure: the time is an argument.
//!
//! Written here on `hmac` and `sha1` (already in the lockfile) rather than a TOTP crate: the
//! algorithm is RFC 4226's dynamic truncation of one HMAC, a few lines checked below against the
//! RFC's own test vectors, and what matters around it (single use, clock skew, the secret
//! sealed at rest) is ours to decide anyway.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::clock::Millis;
use crate::error::PortalError;

/// A time step, in milliseconds (what the apps assume when the URI does not say otherwise).
pub const STEP_MS: Millis = 30_000;
/// The secret's length: 160 bits, RFC 4226's recommendation and HMAC-SHA-1's block-friendly size.
pub const SECRET_LEN: usize = 20;
/// Steps of clock skew accepted either side of now: a phone a little fast or slow, or a code
/// typed as it changed.
pub const SKEW: i64 = 1;
const DIGITS: u32 = 6;
/// The longest input read at all (a code with spaces, a recovery code with dashes).
const MAX_INPUT: usize = 64;

/// A shared secret. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; SECRET_LEN]);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// 160 bits from the OS random source.
    pub fn random() -> Result<Self, PortalError> {
        let mut bytes = [0u8; SECRET_LEN];
        getrandom::fill(&mut bytes).map_err(PortalError::Random)?;
        Ok(Self(bytes))
    }

    /// The secret from its stored bytes (after unsealing); `None` unless exactly 20 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// RFC 4648 base32 without padding, as the `otpauth://` URI and manual entry want it.
    pub fn base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// The code of time step `step` (RFC 4226 section 5.3: dynamic truncation, 6 digits).
    pub fn code(&self, step: i64) -> u32 {
        // An HMAC takes a key of any length: `new_from_slice` cannot fail.
        let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&self.0) else {
            return u32::MAX;
        };
        mac.update(&step.to_be_bytes());
        let hash = mac.finalize().into_bytes();
        let offset = usize::from(hash[19] & 0x0f);
        let binary = u32::from_be_bytes([
            hash[offset] & 0x7f,
            hash[offset + 1],
            hash[offset + 2],
            hash[offset + 3],
        ]);
        binary % 10u32.pow(DIGITS)
    }

    /// The step within [`SKEW`] of `now` whose code is `code` and which is later than
    /// `last_used` (a code is accepted once, and never one older than the last accepted).
    pub fn matching_step(&self, code: u32, now: Millis, last_used: i64) -> Option<i64> {
        let now = step_at(now);
        ((now - SKEW)..=(now + SKEW))
            .filter(|&step| step > last_used)
            .find(|&step| bool::from(self.code(step).to_be_bytes().ct_eq(&code.to_be_bytes())))
    }
}

/// The time step of instant `now` (Unix time / 30 s).
pub fn step_at(now: Millis) -> i64 {
    now.div_euclid(STEP_MS)
}

/// What a person typed in the code field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// Six digits (spaces between them allowed, as the apps show `123 456`).
    Code(u32),
    /// A recovery code, normalised (`auth::recovery`).
    Recovery(String),
}

/// Why the input is not a code at all (answered with a sentence; nothing is counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    /// Digits only, but not six of them.
    #[error("a code has 6 digits")]
    WrongLength,
    /// Neither six digits nor a recovery code.
    #[error("neither a code nor a recovery code")]
    NotACode,
}

/// Reads the code field: six digits, or a recovery code.
pub fn read(input: &str) -> Result<Typed, Unreadable> {
    if input.len() > MAX_INPUT {
        return Err(Unreadable::NotACode);
    }
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if !compact.is_empty() && compact.bytes().all(|b| b.is_ascii_digit()) {
        return match compact.parse() {
            Ok(code) if compact.len() == DIGITS as usize => Ok(Typed::Code(code)),
            _ => Err(Unreadable::WrongLength),
        };
    }
    super::recovery::normalise(&compact)
        .map(Typed::Recovery)
        .ok_or(Unreadable::NotACode)
}

/// The `otpauth://totp/` URI an authenticator app reads from the QR code (Google
/// Authenticator's Key Uri Format): the issuer as label prefix and parameter, the account name.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &Secret) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let issuer = utf8_percent_encode(issuer, NON_ALPHANUMERIC);
    let account = utf8_percent_encode(account, NON_ALPHANUMERIC);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&algorithm=SHA1&digits=6&period=30",
        secret.base32()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret, "12345678901234567890".
    fn rfc_secret() -> Secret {
        Secret::from_bytes(b"12345678901234567890").unwrap()
    }

    #[test]
    fn rfc_6238_test_vectors_in_six_digits() {
        // Appendix B lists 8 digits; the last 6 are what a 6-digit code is.
        for (unix, eight) in [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000_i64, 65_353_130),
        ] {
            let step = step_at(unix * 1000);
            assert_eq!(rfc_secret().code(step), eight % 1_000_000, "{unix}");
        }
    }

    #[test]
    fn one_step_of_skew_either_side_and_never_a_used_step() {
        let s = rfc_secret();
        let now = 1_111_111_109_000;
        let here = step_at(now);
        for step in [here - 1, here, here + 1] {
            assert_eq!(s.matching_step(s.code(step), now, 0), Some(step));
        }
        for step in [here - 2, here + 2] {
            assert_eq!(s.matching_step(s.code(step), now, 0), None);
        }
        assert_eq!(s.matching_step(s.code(here), now, here), None);
        assert_eq!(s.matching_step(s.code(here - 1), now, here), None);
    }

    #[test]
    fn the_field_reads_six_digits_or_a_recovery_code() {
        assert_eq!(read("123456"), Ok(Typed::Code(123_456)));
        assert_eq!(read(" 012 345 "), Ok(Typed::Code(12_345)));
        assert_eq!(read("12345"), Err(Unreadable::WrongLength));
        assert_eq!(read("1234567"), Err(Unreadable::WrongLength));
        assert_eq!(read(""), Err(Unreadable::NotACode));
        assert_eq!(read("12345a"), Err(Unreadable::NotACode));
        assert_eq!(read("１２３４５６"), Err(Unreadable::NotACode));
        assert_eq!(read(&"1".repeat(100)), Err(Unreadable::NotACode));
        assert_eq!(
            read("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23"),
            Ok(Typed::Recovery("abcdefghijklmnopqrstuvwxyz23".into()))
        );
    }

    #[test]
    fn the_uri_is_google_authenticators() {
        let uri = otpauth_uri("BadgeIn", "ms.k@x", &rfc_secret());
        assert_eq!(
            uri,
            "otpauth://totp/BadgeIn:ms%2Ek%40x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=BadgeIn&algorithm=SHA1&digits=6&period=30"
        );
        assert!(!format!("{:?}", rfc_secret()).contains("GEZ"));
    }
}
