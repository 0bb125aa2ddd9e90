//! A person's student or staff number (`users.csv` `identifier`), as BadgeIn compares it.

use serde::Serialize;

/// The longest number taken (after spaces are removed).
pub const MAX_IDENTIFIER_LEN: usize = 64;

/// A student or staff number: spaces removed (exports and people both write `12 345` for
/// `12345`), letters uppercased, then visible ASCII only, 1 to [`MAX_IDENTIFIER_LEN`]
/// characters. The same rule reads the roster and what a person types when claiming an
/// account, so the two compare equal exactly when they name the same number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Identifier(String);

impl Identifier {
    /// `None` when nothing but spaces is left, or what is left is not visible ASCII or too long.
    pub fn parse(text: &str) -> Option<Self> {
        let squeezed: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let fits = !squeezed.is_empty()
            && squeezed.len() <= MAX_IDENTIFIER_LEN
            && squeezed.bytes().all(|b| b.is_ascii_graphic());
        fits.then_some(Self(squeezed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::{Identifier, MAX_IDENTIFIER_LEN};

    #[test]
    fn spaces_go_and_letters_compare_in_any_case() {
        let id = |t: &str| Identifier::parse(t).map(Identifier::into_string);
        assert_eq!(id("12 345"), Some("12345".to_owned()));
        assert_eq!(id(" s-1\t"), Some("S-1".to_owned()));
        assert_eq!(id("1\u{a0}2"), Some("12".to_owned()));
        let longest = "9".repeat(MAX_IDENTIFIER_LEN);
        assert!(Identifier::parse(&longest).is_some());
        for bad in ["", "   ", "12\u{0}3", "١٢٣", "é1", &format!("{longest}9")] {
            assert_eq!(Identifier::parse(bad), None, "{bad:?}");
        }
    }
}
