//! A range of grades in school order (PK, K, 1 .. 12): `PK-5`, `3-12`, or one grade, `K`.

use std::fmt;
use std::str::FromStr;

use badgein_roster::Grade;

/// From `first` to `last`, both included; `first` never comes after `last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradeRange {
    first: Grade,
    last: Grade,
}

/// Why text is not a grade range. The text itself is never repeated: it may be anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("a grade range is empty: write it as PK-5, 3-12 or K")]
    Empty,
    #[error("the first grade of the range is not one of PK, K, 1 to 12")]
    BadFirst,
    #[error("the last grade of the range is not one of PK, K, 1 to 12")]
    BadLast,
    #[error("the range goes backwards: grades run PK, K, 1 to 12")]
    Backwards,
}

/// One grade as a range names it: `PK`, `K` (either case) or `1` .. `12` (no leading zero,
/// unlike the roster's CEDS codes, so `05` is refused rather than guessed).
fn grade(text: &str) -> Option<Grade> {
    match text.to_ascii_uppercase().as_str() {
        "PK" => Some(Grade::PreK),
        "K" => Some(Grade::K),
        n if !n.starts_with('0') && (1..=2).contains(&n.len()) => n
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=12).contains(n))
            .map(Grade::Numbered),
        _ => None,
    }
}

impl GradeRange {
    pub const fn new_unchecked(first: Grade, last: Grade) -> Self {
        Self { first, last }
    }

    pub fn parse(text: &str) -> Result<Self, RangeError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(RangeError::Empty);
        }
        let (first, last) = text.split_once('-').unwrap_or((text, text));
        let first = grade(first.trim()).ok_or(RangeError::BadFirst)?;
        let last = grade(last.trim()).ok_or(RangeError::BadLast)?;
        if first > last {
            return Err(RangeError::Backwards);
        }
        Ok(Self { first, last })
    }

    pub fn contains(self, grade: Grade) -> bool {
        self.first <= grade && grade <= self.last
    }
}

impl FromStr for GradeRange {
    type Err = RangeError;

    fn from_str(text: &str) -> Result<Self, RangeError> {
        Self::parse(text)
    }
}

impl fmt::Display for GradeRange {
    /// `PK-5`, or `K` for a one-grade range: what [`GradeRange::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Grade, GradeRange, RangeError};

    #[test]
    fn ranges_read_in_school_order() {
        let r = GradeRange::parse("PK-5").unwrap();
        assert!(r.contains(Grade::PreK) && r.contains(Grade::K) && r.contains(Grade::Numbered(5)));
        assert!(!r.contains(Grade::Numbered(6)));
        let one = GradeRange::parse("k").unwrap();
        assert!(one.contains(Grade::K) && !one.contains(Grade::PreK));
        assert_eq!(one.to_string(), "K");
        for text in ["PK-5", "3-12", "6-12", "K-2", "12"] {
            assert_eq!(GradeRange::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(GradeRange::parse(" 3 - 12 ").unwrap().to_string(), "3-12");
    }

    #[test]
    fn bad_ranges_say_what_is_wrong() {
        assert_eq!(GradeRange::parse(""), Err(RangeError::Empty));
        assert_eq!(GradeRange::parse("  "), Err(RangeError::Empty));
        assert_eq!(GradeRange::parse("K-PK"), Err(RangeError::Backwards));
        assert_eq!(GradeRange::parse("5-3"), Err(RangeError::Backwards));
        assert_eq!(GradeRange::parse("13"), Err(RangeError::BadFirst));
        assert_eq!(GradeRange::parse("1-13"), Err(RangeError::BadLast));
        for junk in ["junk", "05", "0", "-3", "3-", "PK-5-6", "1-2-3", "K5", "½"] {
            assert!(GradeRange::parse(junk).is_err(), "{junk:?}");
        }
    }
}
