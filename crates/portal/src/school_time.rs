//! A school's clock: its time zone (an IANA name, checked against jiff's bundled database, so
//! no file is read and an unknown name is refused), and the time of an instant there as each
//! language writes it ("9:42 AM", "9:42"), for the sentences that say when ("try again at").

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::clock::Millis;

/// The longest zone name accepted (the longest IANA name has 32 characters).
const MAX_NAME: usize = 64;

/// A time zone name that is not one.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("not a time zone of the IANA database (for example America/Chicago or UTC)")]
pub struct UnknownZone;

/// The zone named `name` (any ASCII case), with its canonical name.
pub fn zone(name: &str) -> Result<(TimeZone, String), UnknownZone> {
    let plausible = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+-".contains(&b))
        && !name.starts_with('/')
        && !name.contains("//");
    if !plausible {
        return Err(UnknownZone);
    }
    let tz = jiff::tz::db().get(name).map_err(|_| UnknownZone)?;
    match tz.iana_name() {
        Some(canonical) if !canonical.eq_ignore_ascii_case("Etc/Unknown") => {
            let canonical = canonical.to_owned();
            Ok((tz, canonical))
        }
        _ => Err(UnknownZone),
    }
}

/// The zone of a stored name; UTC if the stored name is no longer known (never an error: the
/// name was checked when it was set).
pub fn stored_zone(name: &str) -> TimeZone {
    zone(name).map_or(TimeZone::UTC, |(tz, _)| tz)
}

/// `at` on the wall clock of `tz`, as RFC 3339 with that zone's offset
/// (`2026-12-05T09:42:00-06:00`): one instant, readable where the school is.
pub fn rfc3339_in(at: Millis, tz: &TimeZone) -> String {
    let ts = Timestamp::from_millisecond(at).unwrap_or(Timestamp::UNIX_EPOCH);
    ts.to_zoned(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// The time of day of `at` in `tz`, as language `lang` writes it: English on a 12-hour clock
/// ("9:42 AM"), Spanish on a 24-hour one ("9:42", "21:42").
pub fn clock_time(at: Millis, tz: &TimeZone, lang: &str) -> String {
    let ts = Timestamp::from_millisecond(at).unwrap_or(Timestamp::UNIX_EPOCH);
    let zoned = ts.to_zoned(tz.clone());
    let format = if lang == "es" { "%-H:%M" } else { "%-I:%M %p" };
    zoned.strftime(format).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-05 15:42:10 UTC: 9:42 in Chicago (CST, UTC-6).
    const AT: Millis = 1_764_949_330_000 + 365 * 86_400_000;

    #[test]
    fn a_time_in_the_schools_zone_in_each_language() {
        let (chicago, name) = zone("america/chicago").unwrap();
        assert_eq!(name, "America/Chicago");
        assert_eq!(clock_time(AT, &chicago, "en"), "9:42 AM");
        assert_eq!(clock_time(AT, &chicago, "es"), "9:42");
        assert_eq!(clock_time(AT, &TimeZone::UTC, "en"), "3:42 PM");
        assert_eq!(clock_time(AT, &TimeZone::UTC, "es"), "15:42");
        assert_eq!(rfc3339_in(AT, &chicago), "2026-12-05T09:42:10-06:00");
    }

    #[test]
    fn hostile_or_unknown_names_are_refused() {
        for bad in [
            "",
            "Mars/Olympus",
            "../../etc/passwd",
            "/etc/localtime",
            "America//Chicago",
            "America/Chicago\0",
            "America/Chicago\n",
            "Etc/Unknown",
            &"A".repeat(65),
            "<script>",
        ] {
            assert_eq!(zone(bad).map(|(_, n)| n), Err(UnknownZone), "{bad:?}");
        }
        assert_eq!(zone("UTC").unwrap().1, "UTC");
        assert_eq!(stored_zone("nonsense"), TimeZone::UTC);
    }
}
