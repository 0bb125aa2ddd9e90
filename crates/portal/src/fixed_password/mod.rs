//! Fixed passwords for the youngest children (docs/accounts.md): two short words and two
//! digits, `sun-cat-42`, printed on the child's badge card for a grown-up to type.
//!
//! Strength, said plainly: 64 x 64 words and 8 x 8 digits (2 to 9: no `0` or `1`, which read
//! as `O` and `l`) are 2^18 = 262,144 passwords, 18 bits from the OS random source. That is
//! far below a chosen password and is enough only because guessing is throttled and locked out
//! per account (`auth::guard`: a handful of tries, then a lockout a teacher clears), and the
//! account is a four-year-old's. Older students choose their own (grade policy).

mod temporary;
mod words;

use std::fmt;

use crate::error::{PortalError, Result};

pub use temporary::temporary;

/// The language of the words: the child's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordList {
    English,
    Spanish,
}

impl WordList {
    /// Spanish for a user whose locale is Spanish, English otherwise.
    pub fn for_locale(locale: &str) -> Self {
        if locale.starts_with("es") {
            Self::Spanish
        } else {
            Self::English
        }
    }

    fn words(self) -> &'static [&'static str; 64] {
        match self {
            Self::English => &words::ENGLISH,
            Self::Spanish => &words::SPANISH,
        }
    }
}

/// A generated password: exists only while the card is rendered and the hash made.
#[derive(Clone, PartialEq, Eq)]
pub struct FixedPassword(String);

impl fmt::Debug for FixedPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FixedPassword(<redacted>)")
    }
}

impl FixedPassword {
    /// A new password from the OS random source.
    pub fn generate(list: WordList) -> Result<Self> {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(PortalError::Random)?;
        Ok(Self::from_bytes(list, bytes))
    }

    /// The password four random bytes make: 6 bits a word (64 words, no bias), 3 bits a digit.
    fn from_bytes(list: WordList, [a, b, c, d]: [u8; 4]) -> Self {
        let words = list.words();
        let word = |x: u8| words[usize::from(x & 63)];
        let digit = |x: u8| char::from(b'2' + (x & 7));
        Self(format!("{}-{}-{}{}", word(a), word(b), digit(c), digit(d)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::{FixedPassword, WordList};

    #[test]
    fn two_words_and_two_digits_in_the_childs_language() {
        let p = FixedPassword::from_bytes(WordList::English, [0, 2, 0, 7]);
        assert_eq!(p.expose(), "sun-bee-29");
        let p = FixedPassword::from_bytes(WordList::Spanish, [64, 255, 255, 8]);
        assert_eq!(p.expose(), "casa-menta-92");
        assert_eq!(format!("{p:?}"), "FixedPassword(<redacted>)");
        let drawn = FixedPassword::generate(WordList::for_locale("es")).unwrap();
        let parts: Vec<&str> = drawn.expose().split('-').collect();
        assert_eq!(parts.len(), 3);
        assert!(parts[2].len() == 2 && parts[2].bytes().all(|b| (b'2'..=b'9').contains(&b)));
        assert!(drawn.expose().len() >= 8, "meets the minimum length");
    }
}
