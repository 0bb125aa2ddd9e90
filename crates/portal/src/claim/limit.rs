//! How many claims a client address and a student number get: [`PER_DAY`] each in a day.
//!
//! Counted in memory, like the password throttles (`auth::guard`), not in the database: a
//! refused claim then costs no write (a flood cannot queue writes behind SQLite's one writer),
//! and the counters are read before any hashing. What that gives up: a restart forgets the
//! counts (an operator's act, which no client can cause), and several instances each count
//! their own. The per-number limit is what bounds guessing one child's date of birth: ten
//! guesses a day from anywhere, whatever the number of addresses, at each instance (N
//! instances: at most 10 N; docs/deploy.md, "Running more than one instance").

use std::collections::HashMap;
use std::sync::Mutex;

use crate::auth::rate_limit::lock;
use crate::clock::Millis;

/// Claims a day per address and per number.
pub const PER_DAY: u32 = 10;
const DAY_MS: Millis = 24 * 60 * 60 * 1000;
/// Keys kept per kind; past it expired windows go first, and then new keys are refused
/// (closed, not open) until the oldest window ends.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    start: Millis,
    used: u32,
}

/// The two counters.
#[derive(Debug, Default)]
pub struct ClaimLimiter {
    addresses: Mutex<HashMap<String, Window>>,
    numbers: Mutex<HashMap<String, Window>>,
}

impl ClaimLimiter {
    /// Counts a claim from `address` for `number`, or says in how many seconds one is allowed
    /// again. A refused claim counts against neither.
    pub fn admit(&self, address: &str, number: &str, now: Millis) -> Result<(), u64> {
        let mut addresses = lock(&self.addresses);
        let mut numbers = lock(&self.numbers);
        let wait = [
            waiting(&mut addresses, address, now),
            waiting(&mut numbers, number, now),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(ms) = wait {
            return Err(u64::try_from((ms + 999) / 1000).unwrap_or(u64::MAX).max(1));
        }
        for (map, key) in [(&mut addresses, address), (&mut numbers, number)] {
            map.entry(key.to_owned())
                .or_insert(Window {
                    start: now,
                    used: 0,
                })
                .used += 1;
        }
        Ok(())
    }
}

/// Milliseconds until `key` may claim again, or `None` when it may now (its window reset if
/// a day has passed).
fn waiting(map: &mut HashMap<String, Window>, key: &str, now: Millis) -> Option<Millis> {
    if let Some(w) = map.get(key).copied() {
        if now - w.start >= DAY_MS {
            map.remove(key);
        } else if w.used >= PER_DAY {
            return Some(w.start + DAY_MS - now);
        } else {
            return None;
        }
    }
    if map.len() >= MAX_KEYS {
        map.retain(|_, w| now - w.start < DAY_MS);
        if map.len() >= MAX_KEYS {
            let oldest = map.values().map(|w| w.start).min().unwrap_or(now);
            return Some((oldest + DAY_MS - now).max(1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{ClaimLimiter, DAY_MS, PER_DAY};

    #[test]
    fn ten_a_day_per_address_and_per_number() {
        let limiter = ClaimLimiter::default();
        for i in 0..PER_DAY {
            limiter
                .admit("10.0.0.1", &format!("N{i}"), 0)
                .expect("within the address's ten");
        }
        assert_eq!(
            limiter.admit("10.0.0.1", "N99", 1000),
            Err(DAY_MS as u64 / 1000 - 1)
        );
        // Another address may still claim, but not for a number that had its ten.
        for i in 0..PER_DAY {
            limiter
                .admit(&format!("10.0.1.{i}"), "SAME", 0)
                .expect("within the number's ten");
        }
        assert!(limiter.admit("10.0.2.1", "SAME", 0).is_err());
        // The refused tries counted against nobody: 10.0.2.1 still has its ten.
        assert!(limiter.admit("10.0.2.1", "OTHER", 0).is_ok());
        // A day later, all is new.
        assert!(limiter.admit("10.0.0.1", "SAME", DAY_MS).is_ok());
    }
}
