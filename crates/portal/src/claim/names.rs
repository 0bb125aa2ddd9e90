//! Names as the claim page compares them. A child types their name however they learnt to
//! write it; the roster spells it however the office typed it. They match when their letters
//! and digits match, ignoring:
//!
//! * case (`maria` = `MARÍA`);
//! * accents and other marks (`Maria` = `María`, `Zoe` = `Zoë`): compatibility decomposition
//!   (NFKD), then the combining marks dropped;
//! * everything that is not a letter or a digit: apostrophes, hyphens, spaces, periods
//!   (`O'Brien` = `OBrien` = `O Brien`, `Ana-María` = `Ana Maria`, `St. John` = `St John`).
//!   Keyboards write `'` or `’`, and offices write double names with or without a hyphen; a
//!   wrong match still needs the right date of birth and number, so this costs nothing.
//!
//! Letters that are not an accented Latin letter (`ß`, `ø`, `ł`, Greek, Cyrillic, CJK) are kept
//! as they are (lowercased): no transliteration guesses.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The form of `name` that is compared.
pub fn fold(name: &str) -> String {
    name.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Whether `typed` names the same as `roster`; never when either has no letter or digit.
pub fn same(typed: &str, roster: &str) -> bool {
    let typed = fold(typed);
    !typed.is_empty() && typed == fold(roster)
}

#[cfg(test)]
mod tests {
    use super::{fold, same};

    #[test]
    fn case_accents_apostrophes_hyphens_and_spaces_do_not_matter() {
        for (typed, roster) in [
            ("maria", "María"),
            ("MARIA", "María"),
            ("Zoe", "Zoë"),
            ("obrien", "O'Brien"),
            ("O’Brien", "O'Brien"),
            ("o brien", "O'Brien"),
            ("Ana Maria", "Ana-María"),
            ("anamaria", "Ana-María"),
            ("St John", "St. John"),
            ("Nunez", "Núñez"),
            ("Núñez", "Nunez"),
            ("ＭＡＲＩＡ", "Maria"),
            ("François", "Francois"),
        ] {
            assert!(same(typed, roster), "{typed:?} vs {roster:?}");
        }
        for (typed, roster) in [
            ("Mario", "María"),
            ("", ""),
            ("'-", "'-"),
            ("Lopez", "López García"),
            ("Strasse", "Straße"),
        ] {
            assert!(!same(typed, roster), "{typed:?} vs {roster:?}");
        }
        assert_eq!(fold("D'Angelo-Núñez Jr."), "dangelonunezjr");
    }
}
