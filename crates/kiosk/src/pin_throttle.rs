//! How fast wrong teacher PINs may be tried: [`FREE_ATTEMPTS`] wrong PINs, then a wait of
//! [`BASE_DELAY`] that doubles with every further wrong PIN up to [`MAX_DELAY`]. A right PIN
//! starts over. Pure and clock-free: the time is an argument; [`crate::pin_attempts`] keeps
//! the count in the state file so a restart does not wipe it.
//!
//! Times are wall-clock (they must survive a restart), so a clock set back cannot stretch a
//! wait beyond [`MAX_DELAY`], and a clock set forward ends it early — an attacker who can
//! set the clock owns the kiosk account already.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// Wrong PINs answered at once.
pub const FREE_ATTEMPTS: u32 = 5;
/// The wait after the last free attempt.
pub const BASE_DELAY: Duration = Duration::from_secs(30);
/// The longest wait: a teacher who mistyped a dozen times is back within the hour.
pub const MAX_DELAY: Duration = Duration::from_secs(3600);

/// Wrong attempts so far and the end of the current wait, in seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throttle {
    failures: u32,
    locked_until: Option<u64>,
}

impl Throttle {
    /// What a damaged or unreadable record means: as if the free attempts were used up just
    /// now. Failing open ("no failures") would let anyone reset the count by spoiling the file.
    pub fn fail_closed(now: SystemTime) -> Self {
        Self {
            failures: FREE_ATTEMPTS,
            locked_until: Some(unix(now).saturating_add(BASE_DELAY.as_secs())),
        }
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// How long before the next PIN is checked at all; `None` when it may be tried now.
    pub fn wait(&self, now: SystemTime) -> Option<Duration> {
        let left = self.locked_until?.saturating_sub(unix(now));
        (left > 0).then(|| Duration::from_secs(left).min(MAX_DELAY))
    }

    /// Counts a wrong PIN at `now`; returns the wait it starts, if any.
    pub fn failed(&mut self, now: SystemTime) -> Option<Duration> {
        self.failures = self.failures.saturating_add(1);
        let delay = delay_after(self.failures)?;
        self.locked_until = Some(unix(now).saturating_add(delay.as_secs()));
        Some(delay)
    }

    /// The right PIN: the count starts over.
    pub fn succeeded(&mut self) {
        *self = Self::default();
    }
}

/// The wait after the `failures`th wrong PIN in a row.
pub fn delay_after(failures: u32) -> Option<Duration> {
    let extra = failures.checked_sub(FREE_ATTEMPTS)?;
    // 2^7 * 30 s is past the cap already; clamping the exponent avoids overflow.
    let factor = 1u64 << extra.min(16);
    Some(
        BASE_DELAY
            .checked_mul(u32::try_from(factor).unwrap_or(u32::MAX))
            .unwrap_or(MAX_DELAY)
            .min(MAX_DELAY),
    )
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
    }

    #[test]
    fn five_free_attempts_then_thirty_seconds_doubling_to_an_hour() {
        let mut t = Throttle::default();
        for _ in 0..4 {
            assert_eq!(t.failed(at(0)), None);
            assert_eq!(t.wait(at(0)), None);
        }
        let waits: Vec<u64> = (0..9).map(|_| t.failed(at(0)).unwrap().as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(delay_after(u32::MAX), Some(MAX_DELAY), "no overflow");
    }

    #[test]
    fn the_wait_counts_down_with_the_time_given() {
        let mut t = Throttle::default();
        for _ in 0..5 {
            t.failed(at(100));
        }
        assert_eq!(t.wait(at(100)), Some(Duration::from_secs(30)));
        assert_eq!(t.wait(at(129)), Some(Duration::from_secs(1)));
        assert_eq!(t.wait(at(130)), None);
        // The next wrong PIN after the wait doubles it.
        assert_eq!(t.failed(at(130)), Some(Duration::from_secs(60)));
        assert_eq!(t.wait(at(150)), Some(Duration::from_secs(40)));
    }

    #[test]
    fn the_right_pin_starts_over() {
        let mut t = Throttle::default();
        for _ in 0..6 {
            t.failed(at(0));
        }
        t.succeeded();
        assert_eq!(t, Throttle::default());
        assert_eq!(t.wait(at(0)), None);
        assert_eq!(t.failed(at(0)), None);
    }

    #[test]
    fn a_clock_set_back_cannot_stretch_the_wait_past_the_cap() {
        let mut t = Throttle::default();
        for _ in 0..5 {
            t.failed(at(10_000_000));
        }
        assert_eq!(t.wait(at(0)), Some(MAX_DELAY));
        assert_eq!(
            t.wait(SystemTime::UNIX_EPOCH - Duration::from_secs(5)),
            Some(MAX_DELAY),
            "before the epoch"
        );
    }

    #[test]
    fn failing_closed_is_a_base_wait_and_the_next_failure_doubles() {
        let mut t = Throttle::fail_closed(at(0));
        assert_eq!(t.wait(at(0)), Some(BASE_DELAY));
        assert_eq!(t.failed(at(30)), Some(Duration::from_secs(60)));
    }
}
