use std::fmt;
use std::str::FromStr;

use zeroize::Zeroize;

use crate::base32::{self, Base32Error};
use crate::{BadgeError, BadgeId, BadgeSecret, check};

/// The format version, with its separator. Anything else is not a badge of ours.
pub const PREFIX: &str = "BI1-";

/// Length of a badge's text form: `BI1-` + 8 + `-` + 26 + `-` + 2.
pub const ENCODED_LEN: usize = 42;

/// Inputs longer than this are turned away before anything else is looked at, so a huge QR
/// payload costs no work. Well above [`ENCODED_LEN`] so that a near miss is still reported as
/// what it is (e.g. a badge with stray text around it is `Malformed`, not `TooLong`).
pub const MAX_INPUT_LEN: usize = 64;

// Byte ranges of the fields in the text form.
const ID: std::ops::Range<usize> = 4..12;
const SECRET: std::ops::Range<usize> = 13..39;
const CHECK_HI: usize = 40;
const CHECK_LO: usize = 41;
const SEPARATORS: [usize; 2] = [ID.end, SECRET.end];
const OUTSIDE_ALPHABET: BadgeError = BadgeError::Malformed("character outside the badge alphabet");
/// Number of id and secret characters, the ones the check covers.
const BODY_LEN: usize = 34;

const _: () = {
    assert!(ID.start == PREFIX.len());
    assert!(ID.end - ID.start == BadgeId::ENCODED_LEN);
    assert!(SECRET.start == ID.end + 1);
    assert!(SECRET.end - SECRET.start == base32::encoded_len(16));
    assert!(CHECK_HI == SECRET.end + 1);
    assert!(CHECK_LO + 1 == ENCODED_LEN);
    assert!(BODY_LEN == (ID.end - ID.start) + (SECRET.end - SECRET.start));
};

/// A sign-in badge: a public id and a secret.
///
/// Its text form ([`encode`](Self::encode), `Display`) is what goes into the QR code, and it
/// contains the secret: treat that string as a credential, not as something to log. Log
/// [`id`](Self::id) instead. `Debug` shows the id only.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Badge {
    id: BadgeId,
    secret: BadgeSecret,
}

impl Badge {
    /// A new badge with a random id and secret from the operating system's random source.
    pub fn generate() -> Result<Self, BadgeError> {
        let mut id = [0u8; 5];
        let mut secret = [0u8; 16];
        getrandom::fill(&mut id).map_err(BadgeError::Random)?;
        let filled = getrandom::fill(&mut secret).map_err(BadgeError::Random);
        let badge = filled.map(|()| Self::from_parts(id, secret));
        secret.zeroize();
        badge
    }

    pub fn from_parts(id: [u8; 5], secret: [u8; 16]) -> Self {
        Self {
            id: BadgeId::from_bytes(id),
            secret: BadgeSecret::from_bytes(secret),
        }
    }

    pub fn id(&self) -> BadgeId {
        self.id
    }

    pub fn secret(&self) -> &BadgeSecret {
        &self.secret
    }

    /// The 42-character text form, e.g.
    /// `BI1-AEBAGBAF-AAAQEAYEAUDAOCAJBIFQYDIOB4-45`. It contains the secret.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(ENCODED_LEN);
        out.push_str(PREFIX);
        self.id.encode_into(&mut out);
        out.push('-');
        base32::encode_into(self.secret.expose_bytes(), &mut out);
        let body = out.as_bytes()[ID.start..].iter().filter(|&&c| c != b'-');
        let check = check::value(body.filter_map(|&c| base32::value_of(c)));
        out.push('-');
        out.extend(check::chars(check));
        out
    }

    /// Reads a badge from its text form.
    ///
    /// Only the exact canonical form is accepted: uppercase, no whitespace or other text
    /// around it, spare bits zero. Being lenient (trimming, folding case) would buy nothing
    /// here, since the QR code always holds the canonical form, and it would cost twice:
    /// every extra accepted spelling is a way for damaged or crafted input to read as a
    /// valid badge, and a badge with one text form can be hashed, compared and looked up
    /// as plain text without normalising first.
    ///
    /// The checks run cheapest-first and the length before all of them, so hostile input
    /// costs next to nothing.
    pub fn parse(text: &str) -> Result<Self, BadgeError> {
        Self::parse_bytes(text.as_bytes())
    }

    /// Like [`parse`](Self::parse), for a raw QR payload that may not even be UTF-8.
    pub fn parse_bytes(input: &[u8]) -> Result<Self, BadgeError> {
        if input.len() > MAX_INPUT_LEN {
            return Err(BadgeError::TooLong { len: input.len() });
        }
        if !input.starts_with(PREFIX.as_bytes()) {
            return Err(BadgeError::NotABadge);
        }
        let Ok(text) = <&[u8; ENCODED_LEN]>::try_from(input) else {
            return Err(BadgeError::Malformed("a badge is 42 characters long"));
        };
        if SEPARATORS.iter().any(|&at| text[at] != b'-') {
            return Err(BadgeError::Malformed("separators out of place"));
        }

        let body = text[ID].iter().chain(&text[SECRET]);
        let mut values = [0u8; BODY_LEN];
        for (slot, &c) in values.iter_mut().zip(body) {
            *slot = base32::value_of(c).ok_or(OUTSIDE_ALPHABET)?;
        }
        let written = check::read(text[CHECK_HI], text[CHECK_LO]).ok_or(OUTSIDE_ALPHABET)?;
        // A misread shows up here; it is reported as such even when it also happens to
        // break the secret's canonical form below.
        if check::value(values) != written {
            return Err(BadgeError::CheckFailed);
        }

        let id = BadgeId::parse_chars(&text[ID])?;
        let secret = base32::decode::<16>(&text[SECRET]).map_err(|e| match e {
            Base32Error::NonCanonical => BadgeError::Malformed("non-canonical secret encoding"),
            Base32Error::Length | Base32Error::Alphabet => OUTSIDE_ALPHABET,
        })?;
        Ok(Self {
            id,
            secret: BadgeSecret::from_bytes(secret),
        })
    }
}

impl fmt::Display for Badge {
    /// The full text form, secret included (see [`Badge::encode`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

impl FromStr for Badge {
    type Err = BadgeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        let text = Badge::from_parts([0; 5], [0; 16]).encode();
        assert_eq!(text.len(), ENCODED_LEN);
        assert_eq!(&text[..4], PREFIX);
        for at in SEPARATORS {
            assert_eq!(text.as_bytes()[at], b'-');
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let badge = Badge::from_parts([1, 2, 3, 4, 5], [0x5a; 16]);
        let secret_chars = &badge.encode()[SECRET];
        for shown in [format!("{badge:?}"), format!("{badge:#?}")] {
            assert!(shown.contains("BadgeSecret(<redacted>)"), "{shown}");
            assert!(shown.contains("AEBAGBAF"), "{shown}");
            assert!(!shown.contains(secret_chars), "{shown}");
            assert!(!shown.contains("90"), "{shown}"); // 0x5a
        }
    }
}
