use std::fmt;
use std::str::FromStr;

use crate::BadgeError;
use crate::base32::{self, Base32Error};

/// A badge's public selector: 40 random bits.
///
/// Not a secret. It is shown as its 8 base32 characters (e.g. `AEBAGBAF`), which is also
/// the form to log and to use as the database lookup key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BadgeId([u8; 5]);

impl BadgeId {
    /// Number of characters in the text form.
    pub const ENCODED_LEN: usize = base32::encoded_len(5);

    pub const fn from_bytes(bytes: [u8; 5]) -> Self {
        Self(bytes)
    }

    pub const fn as_bytes(&self) -> &[u8; 5] {
        &self.0
    }

    /// Reads the 8-character form, strictly (uppercase, nothing around it).
    pub fn parse(text: &str) -> Result<Self, BadgeError> {
        Self::parse_chars(text.as_bytes())
    }

    pub(crate) fn parse_chars(chars: &[u8]) -> Result<Self, BadgeError> {
        base32::decode(chars).map(Self).map_err(|e| match e {
            Base32Error::Length => BadgeError::Malformed("badge id must be 8 characters"),
            Base32Error::Alphabet | Base32Error::NonCanonical => {
                BadgeError::Malformed("character outside the badge alphabet")
            }
        })
    }

    pub(crate) fn encode_into(&self, out: &mut String) {
        base32::encode_into(&self.0, out);
    }
}

impl fmt::Display for BadgeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(Self::ENCODED_LEN);
        self.encode_into(&mut s);
        f.write_str(&s)
    }
}

impl fmt::Debug for BadgeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BadgeId({self})")
    }
}

impl FromStr for BadgeId {
    type Err = BadgeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_parse_round_trip() {
        let id = BadgeId::from_bytes([1, 2, 3, 4, 5]);
        assert_eq!(id.to_string(), "AEBAGBAF");
        assert_eq!(format!("{id:?}"), "BadgeId(AEBAGBAF)");
        assert_eq!(BadgeId::parse("AEBAGBAF"), Ok(id));
        assert_eq!("AEBAGBAF".parse::<BadgeId>(), Ok(id));
    }

    #[test]
    fn parse_is_strict() {
        for bad in [
            "",
            "AEBAGBA",
            "AEBAGBAFA",
            "aebagbaf",
            " AEBAGBAF",
            "AEBAGBAF\n",
            "AEBAGBA1",
        ] {
            assert!(
                matches!(BadgeId::parse(bad), Err(BadgeError::Malformed(_))),
                "{bad:?}"
            );
        }
    }
}
