//! A school grade as BadgeIn uses it: pre-kindergarten, kindergarten, or 1 to 12. OneRoster
//! writes grades as CEDS codes (`PK`, `KG`, `01` ... `12`, and others such as `IT`, `PR`, `TK`,
//! `13`, `PS`, `UG`, `Other`); [`Grade::from_oneroster`] reads the ones a K-12 school places a
//! child by and leaves the rest out (no grade, never a wrong one).

use serde::Serialize;

/// Pre-kindergarten, kindergarten, or grade 1 to 12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grade {
    PreK,
    K,
    /// 1 to 12 (never built with another number: see [`Grade::from_oneroster`]).
    Numbered(u8),
}

impl Grade {
    /// The grade of a CEDS code: `PK` (and `TK`, transitional kindergarten, which schools
    /// place with pre-K) is pre-kindergarten, `KG` (or `K`) kindergarten, `01`..`12` (or
    /// `1`..`12`) the numbered grades. Anything else: `None`.
    pub fn from_oneroster(code: &str) -> Option<Self> {
        match code.trim().to_ascii_uppercase().as_str() {
            "PK" | "TK" => Some(Self::PreK),
            "KG" | "K" => Some(Self::K),
            other
                if (1..=2).contains(&other.len()) && other.bytes().all(|b| b.is_ascii_digit()) =>
            {
                other
                    .parse::<u8>()
                    .ok()
                    .filter(|n| (1..=12).contains(n))
                    .map(Self::Numbered)
            }
            _ => None,
        }
    }

    /// The first grade of a user's `grades` list that is one (a child is in one grade; a list
    /// of several is usually a teacher's).
    pub fn first_of(codes: &[String]) -> Option<Self> {
        codes.iter().find_map(|c| Self::from_oneroster(c))
    }

    /// `PK`, `K`, `1` ... `12`: how BadgeIn stores and releases it.
    pub fn as_str(self) -> &'static str {
        const NUMBERED: [&str; 12] = [
            "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
        ];
        match self {
            Self::PreK => "PK",
            Self::K => "K",
            Self::Numbered(n) => NUMBERED[usize::from(n.clamp(1, 12)) - 1],
        }
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Grade {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceds_codes_read_and_the_rest_left_out() {
        for (code, grade) in [
            ("PK", "PK"),
            ("tk", "PK"),
            ("KG", "K"),
            ("K", "K"),
            ("01", "1"),
            ("1", "1"),
            (" 09 ", "9"),
            ("12", "12"),
        ] {
            assert_eq!(
                Grade::from_oneroster(code).map(Grade::as_str),
                Some(grade),
                "{code}"
            );
        }
        for code in [
            "", "00", "13", "012", "IT", "PR", "PS", "UG", "Other", "-1", "1a", "١",
        ] {
            assert_eq!(Grade::from_oneroster(code), None, "{code:?}");
        }
    }

    #[test]
    fn a_list_gives_its_first_grade() {
        let codes = |c: &[&str]| c.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            Grade::first_of(&codes(&["UG", "03", "04"])),
            Some(Grade::Numbered(3))
        );
        assert_eq!(Grade::first_of(&codes(&[])), None);
        assert!(Grade::PreK < Grade::K && Grade::K < Grade::Numbered(1));
    }
}
