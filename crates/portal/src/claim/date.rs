//! The date of birth as a person types it on the claim page: exactly `MM/DD/YYYY`, the form the
//! school's guides teach ("01/05/2012" for January 5, 2012). The guides say a wrong date mask
//! is the most common failure, so each way of getting it wrong has its own answer.

use badgein_roster::BirthDate;

/// What is wrong with a typed date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not two digits, a slash, two digits, a slash and four digits (`1/5/2012`,
    /// `2012-01-05`, `01-05-2012`, ...).
    Format,
    /// In the form, but no such day (`02/30/2012`, `13/01/2012`: the month comes first).
    NoSuchDate,
    /// A day after `today`.
    Future,
}

/// Reads `typed` (surrounding spaces aside) as `MM/DD/YYYY`: a real date, not after `today`.
pub fn parse(typed: &str, today: BirthDate) -> Result<BirthDate, DateProblem> {
    let b = typed.trim().as_bytes();
    let shaped = b.len() == 10
        && b[2] == b'/'
        && b[5] == b'/'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit());
    if !shaped {
        return Err(DateProblem::Format);
    }
    let number = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'))
    };
    let (month, day, year) = (number(0..2), number(3..5), number(6..10));
    let date = BirthDate::new(
        year,
        u8::try_from(month).map_err(|_| DateProblem::NoSuchDate)?,
        u8::try_from(day).map_err(|_| DateProblem::NoSuchDate)?,
    )
    .ok_or(DateProblem::NoSuchDate)?;
    if date > today {
        return Err(DateProblem::Future);
    }
    Ok(date)
}

/// The calendar day (UTC) of `ms` since the epoch, as a date the typed one is compared with.
/// UTC rather than the school's zone: a birthday typed on the day itself is at most a few
/// hours "early" somewhere, and nobody claims an account on the day they are born.
pub fn today(ms: i64) -> Option<BirthDate> {
    let at = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok()?;
    let date = at.date();
    BirthDate::new(
        u16::try_from(date.year()).ok()?,
        u8::from(date.month()),
        date.day(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{DateProblem, parse, today};
    use badgein_roster::BirthDate;

    #[test]
    fn exactly_mm_dd_yyyy_a_real_day_not_in_the_future() {
        let now = BirthDate::new(2026, 12, 5).unwrap();
        assert_eq!(parse("01/05/2012", now).unwrap().canonical(), "2012-01-05");
        assert_eq!(
            parse(" 02/29/2012 ", now).unwrap().canonical(),
            "2012-02-29"
        );
        assert_eq!(parse("12/05/2026", now).unwrap().canonical(), "2026-12-05");
        for typed in [
            "1/5/2012",
            "2012-01-05",
            "01-05-2012",
            "01.05.2012",
            "01/05/12",
            "01/05/ 2012",
            "",
            "0l/05/2012",
            "01/05/2012x",
            "٠١/٠٥/٢٠١٢",
            "01/05/-012",
            "+1/05/2012",
        ] {
            assert_eq!(parse(typed, now), Err(DateProblem::Format), "{typed:?}");
        }
        for typed in [
            "02/30/2012",
            "13/01/2012",
            "00/10/2012",
            "01/00/2012",
            "02/29/2011",
            "01/05/0000",
            "99/99/9999",
        ] {
            assert_eq!(parse(typed, now), Err(DateProblem::NoSuchDate), "{typed:?}");
        }
        for typed in ["12/06/2026", "01/01/2027"] {
            assert_eq!(parse(typed, now), Err(DateProblem::Future), "{typed:?}");
        }
    }

    #[test]
    fn today_is_the_utc_day() {
        // 2026-12-05T23:59:59Z and a second later.
        assert_eq!(today(1_796_515_199_000).unwrap().canonical(), "2026-12-05");
        assert_eq!(today(1_796_515_200_000).unwrap().canonical(), "2026-12-06");
    }
}
