//! Time as an argument: every rule that depends on the time (badge expiry, lockouts, session
//! timeouts, ticket lifetimes) reads it from a [`Clock`], so tests travel in time instead of
//! sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, the one time unit stored in the database.
pub type Millis = i64;

pub trait Clock: Send + Sync + std::fmt::Debug + 'static {
    fn now_ms(&self) -> Millis;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> Millis {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// A clock that moves only when told to; shared by clones.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(start: Millis) -> Self {
        Self(Arc::new(AtomicI64::new(start)))
    }

    /// Starts at the current wall-clock time.
    pub fn starting_now() -> Self {
        Self::new(SystemClock.now_ms())
    }

    pub fn advance(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }
}

/// RFC 3339 UTC (`2025-09-01T08:00:00Z`) for a time in milliseconds.
pub fn rfc3339(ms: Millis) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Reads `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time (`2025-09-01T08:00:00Z`,
/// `2025-09-01T08:00:00.5+02:00`) as milliseconds since the epoch. The message of an error
/// never repeats the input.
pub fn parse_instant(text: &str) -> Result<Millis, &'static str> {
    const EXPECTED: &str = "expected a date as YYYY-MM-DD or an RFC 3339 time such as \
                            2025-09-01T08:00:00Z";
    let b = text.trim().as_bytes();
    let num = |range: std::ops::Range<usize>| -> Result<i64, &'static str> {
        let digits = b.get(range).ok_or(EXPECTED)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(EXPECTED);
        }
        Ok(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(EXPECTED);
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err("no such day in the calendar");
    }
    let day_ms = days_from_civil(y, m, d) * 86_400_000;
    if b.len() == 10 {
        return Ok(day_ms);
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 20 || b[13] != b':' || b[16] != b':' {
        return Err(EXPECTED);
    }
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if hh > 23 || mm > 59 || ss > 59 {
        return Err("no such time of day");
    }
    let mut i = 19;
    let mut frac_ms = 0;
    if b[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(EXPECTED);
        }
        // Milliseconds: the first three digits, the rest dropped.
        let mut digits = b[start..i.min(start + 3)].to_vec();
        digits.resize(3, b'0');
        frac_ms = digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0'));
    }
    let offset_ms = match b.get(i..) {
        Some([b'Z' | b'z']) => 0,
        Some([sign @ (b'+' | b'-'), _, _, b':', _, _]) => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return Err("no such time offset");
            }
            let ms = (oh * 60 + om) * 60_000;
            if *sign == b'+' { ms } else { -ms }
        }
        _ => return Err(EXPECTED),
    };
    Ok(day_ms + ((hh * 60 + mm) * 60 + ss) * 1000 + frac_ms - offset_ms)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days-from-civil algorithm, the inverse of `civil_from_days`.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(
            rfc3339(1_756_684_800_000 + 3_723_000),
            "2025-09-01T01:02:03Z"
        );
    }

    #[test]
    fn parses_dates_and_rfc3339_times() {
        assert_eq!(parse_instant("1970-01-01"), Ok(0));
        assert_eq!(parse_instant("2000-02-29"), Ok(951_782_400_000));
        assert_eq!(
            parse_instant("2025-09-01T01:02:03Z"),
            Ok(1_756_684_800_000 + 3_723_000)
        );
        assert_eq!(
            parse_instant("2025-09-01T03:02:03.25+02:00"),
            Ok(1_756_684_800_000 + 3_723_250)
        );
        assert_eq!(
            parse_instant("2025-08-31T23:02:03.123456-02:00"),
            Ok(1_756_684_800_000 + 3_723_123)
        );
        for ms in [0, 951_782_400_000, 1_756_684_800_000 + 3_723_000] {
            assert_eq!(parse_instant(&rfc3339(ms)), Ok(ms));
        }
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for bad in [
            "",
            "yesterday",
            "2025-13-01",
            "2025-02-29",
            "2025-09-00",
            "2025-9-1",
            "2025-09-01T25:00:00Z",
            "2025-09-01T08:00:00",
            "2025-09-01T08:00Z",
            "2025-09-01T08:00:00.Z",
            "2025-09-01T08:00:00+2:00",
            "2025-09-01T08:00:00Zjunk",
            "２０２５-09-01",
            "+025-09-01",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(1000);
        let shared = c.clone();
        assert_eq!(c.now_ms(), 1000);
        shared.advance(std::time::Duration::from_secs(2));
        assert_eq!(c.now_ms(), 3000);
    }
}
