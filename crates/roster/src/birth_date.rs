//! A date of birth (`demographics.csv` `birthDate`): a real calendar date, read strictly from
//! `YYYY-MM-DD`. It is a child's personal data: `Debug` never shows it, and the portal keeps
//! only a keyed hash of [`BirthDate::canonical`].

use std::fmt;

use serde::Serialize;

/// The earliest year taken: older dates are typing mistakes, not staff.
const FIRST_YEAR: u16 = 1900;
const LAST_YEAR: u16 = 2999;

/// A calendar date (proleptic Gregorian), checked when made.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BirthDate {
    year: u16,
    month: u8,
    day: u8,
}

impl BirthDate {
    /// The date, when `year`-`month`-`day` is one (February 30th is not; February 29th only
    /// in a leap year) and the year is 1900 to 2999.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let fits = (FIRST_YEAR..=LAST_YEAR).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        fits.then_some(Self { year, month, day })
    }

    /// Reads exactly `YYYY-MM-DD` (OneRoster's `birthDate`): ten characters, digits and two
    /// dashes, a real date.
    pub fn parse_iso(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Self::new(
            digits(&b[0..4])?,
            u8::try_from(digits(&b[5..7])?).ok()?,
            u8::try_from(digits(&b[8..10])?).ok()?,
        )
    }

    /// `YYYY-MM-DD`: the one spelling that is hashed, whatever form it was typed in.
    pub fn canonical(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    pub fn year(&self) -> u16 {
        self.year
    }

    pub fn month(&self) -> u8 {
        self.month
    }

    pub fn day(&self) -> u8 {
        self.day
    }
}

/// The value of ASCII digits (and only digits).
pub(crate) fn digits(bytes: &[u8]) -> Option<u16> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Debug for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BirthDate(..)")
    }
}

impl Serialize for BirthDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.canonical())
    }
}

#[cfg(test)]
mod tests {
    use super::BirthDate;

    #[test]
    fn only_real_dates_in_exactly_iso_form() {
        let d = BirthDate::parse_iso("2012-01-05").unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (2012, 1, 5));
        assert_eq!(d.canonical(), "2012-01-05");
        assert!(BirthDate::parse_iso("2012-02-29").is_some());
        assert!(BirthDate::parse_iso("2000-02-29").is_some());
        for bad in [
            "",
            "2012-1-5",
            "2012-02-30",
            "2011-02-29",
            "1900-02-29",
            "2012-13-01",
            "2012-00-10",
            "2012-01-00",
            "2012/01/05",
            "01/05/2012",
            "20120105",
            " 2012-01-05",
            "2012-01-05T00:00:00Z",
            "+212-01-05",
            "1899-12-31",
            "２０１２-01-05",
            "2012-04-31",
        ] {
            assert_eq!(BirthDate::parse_iso(bad), None, "{bad:?}");
        }
        assert_eq!(format!("{d:?}"), "BirthDate(..)");
    }
}
