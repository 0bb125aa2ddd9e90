//! The lockout rule as a pure function of a counter and the time. The password guard keeps
//! the counters (`auth::guard`); this decides what an attempt with that counter may do.

/// A failure counter, including the attempt being made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counter {
    pub failures: i64,
    /// Unix ms until which the account is locked (0: never locked in this round).
    pub locked_until: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Check the password (a success then resets the counter).
    Verify,
    /// Refuse without looking at the password.
    Locked { retry_after_secs: u64 },
}

/// Attempts up to and including the `max`-th are checked; later ones are refused until the
/// lock ends, even with the correct password.
pub fn decide(counter: Counter, now: i64, max: i64) -> Decision {
    if counter.failures > max && counter.locked_until > now {
        let ms = counter.locked_until - now;
        Decision::Locked {
            retry_after_secs: u64::try_from((ms + 999) / 1000).unwrap_or(0),
        }
    } else {
        Decision::Verify
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN15: i64 = 15 * 60 * 1000;

    #[test]
    fn attempts_up_to_the_limit_are_checked() {
        for failures in 1..=5 {
            let c = Counter {
                failures,
                locked_until: if failures == 5 { 1000 + MIN15 } else { 0 },
            };
            assert_eq!(decide(c, 1000, 5), Decision::Verify);
        }
    }

    #[test]
    fn the_sixth_is_refused_until_the_lock_ends() {
        let c = Counter {
            failures: 6,
            locked_until: MIN15,
        };
        assert_eq!(
            decide(c, 0, 5),
            Decision::Locked {
                retry_after_secs: 900
            }
        );
        assert_eq!(
            decide(c, MIN15 - 1, 5),
            Decision::Locked {
                retry_after_secs: 1
            }
        );
        assert_eq!(decide(c, MIN15, 5), Decision::Verify);
    }
}
