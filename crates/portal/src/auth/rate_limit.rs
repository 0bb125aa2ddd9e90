//! Rate limits on the sign-in endpoints, so that a broken or hostile kiosk cannot hammer the
//! service. Token buckets read the injected clock:
//!
//! * every enrolled kiosk (keyed by the digest of its device credential) has its own bucket;
//! * attempts with a credential not yet seen to belong to a kiosk draw from a bucket of their
//!   client IP address, checked before the database is asked. A school's kiosks often share one
//!   address (NAT); they each have their own bucket once their credential was recognised, so a
//!   stranger spraying made-up credentials from that address does not lock them out.
//!
//! The buckets live in this process's memory: limits are per service instance and start full
//! after a restart (the first attempt of every kiosk then counts against its address).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::clock::Millis;
use crate::error::{PortalError, Result};

/// A bucket's policy: `burst` attempts at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub per_second: u32,
}

/// Address buckets kept at most; past it the full (idle) ones are forgotten first.
const MAX_ADDRESSES: usize = 10_000;
/// Fixed point: a bucket holds tokens in thousandths.
const ONE: i64 = 1000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Thousandths of a token.
    level: i64,
    at: Millis,
}

impl Bucket {
    fn full(rate: Rate, now: Millis) -> Self {
        Self {
            level: i64::from(rate.burst) * ONE,
            at: now,
        }
    }

    fn refill(&mut self, rate: Rate, now: Millis) {
        if now > self.at {
            // `per_second` tokens a second is `per_second` thousandths a millisecond.
            let gained = (now - self.at).saturating_mul(i64::from(rate.per_second));
            self.level = self
                .level
                .saturating_add(gained)
                .min(i64::from(rate.burst) * ONE);
            self.at = now;
        }
    }

    /// Takes one token, or says in how many whole seconds one will be there.
    fn take(&mut self, rate: Rate, now: Millis) -> Result<(), u64> {
        self.refill(rate, now);
        if self.level >= ONE {
            self.level -= ONE;
            return Ok(());
        }
        let missing = ONE - self.level;
        let per_ms = i64::from(rate.per_second.max(1));
        let wait_ms = (missing + per_ms - 1) / per_ms;
        Err(u64::try_from((wait_ms + 999) / 1000).unwrap_or(1).max(1))
    }

    fn is_full(&mut self, rate: Rate, now: Millis) -> bool {
        self.refill(rate, now);
        self.level >= i64::from(rate.burst) * ONE
    }
}

#[derive(Debug)]
pub struct RateLimiter {
    kiosk: Rate,
    address: Rate,
    buckets: Mutex<Buckets>,
}

#[derive(Debug, Default)]
struct Buckets {
    /// By device-credential digest, only for credentials that belong to a kiosk.
    kiosks: HashMap<Vec<u8>, Bucket>,
    /// By client IP, for credentials not (yet) known to belong to a kiosk.
    addresses: HashMap<String, Bucket>,
}

impl RateLimiter {
    pub fn new(kiosk: Rate, address: Rate) -> Self {
        Self {
            kiosk,
            address,
            buckets: Mutex::new(Buckets::default()),
        }
    }

    /// Admits a sign-in attempt with the credential whose digest is `credential`, from `ip`,
    /// at `now`; `rate_limited` when its bucket is empty.
    pub fn admit(&self, credential: &[u8], ip: &str, now: Millis) -> Result<()> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let taken = if let Some(bucket) = buckets.kiosks.get_mut(credential) {
            bucket.take(self.kiosk, now)
        } else {
            if buckets.addresses.len() >= MAX_ADDRESSES && !buckets.addresses.contains_key(ip) {
                let rate = self.address;
                buckets.addresses.retain(|_, b| !b.is_full(rate, now));
                if buckets.addresses.len() >= MAX_ADDRESSES {
                    // Ten thousand addresses all busy at once: per-address limits no longer
                    // mean anything, so start over rather than grow without bound.
                    buckets.addresses.clear();
                }
            }
            buckets
                .addresses
                .entry(ip.to_owned())
                .or_insert_with(|| Bucket::full(self.address, now))
                .take(self.address, now)
        };
        taken.map_err(|retry_after| PortalError::RateLimited { retry_after })
    }

    /// The credential turned out to belong to a kiosk (enrolled, revoked or not): from now on
    /// its attempts draw from its own bucket. The attempt that proved it was already counted.
    pub fn recognise(&self, credential: &[u8], now: Millis) {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let rate = self.kiosk;
        buckets
            .kiosks
            .entry(credential.to_vec())
            .or_insert_with(|| {
                let mut bucket = Bucket::full(rate, now);
                bucket.level -= ONE;
                bucket
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIOSK: Rate = Rate {
        burst: 3,
        per_second: 2,
    };
    const ADDRESS: Rate = Rate {
        burst: 2,
        per_second: 1,
    };

    fn refused_for(r: Result<()>) -> u64 {
        match r {
            Err(PortalError::RateLimited { retry_after }) => retry_after,
            other => panic!("expected rate_limited, got {other:?}"),
        }
    }

    #[test]
    fn a_kiosk_gets_its_burst_then_its_rate() {
        let l = RateLimiter::new(KIOSK, ADDRESS);
        l.admit(b"k", "10.0.0.1", 0).unwrap();
        l.recognise(b"k", 0);
        l.admit(b"k", "10.0.0.1", 0).unwrap();
        l.admit(b"k", "10.0.0.1", 0).unwrap();
        assert_eq!(refused_for(l.admit(b"k", "10.0.0.1", 0)), 1);
        // Two tokens a second: one is back after 500 ms, not after 499.
        assert_eq!(refused_for(l.admit(b"k", "10.0.0.1", 499)), 1);
        l.admit(b"k", "10.0.0.1", 500).unwrap();
        assert!(l.admit(b"k", "10.0.0.1", 500).is_err());
        // A long pause refills to the burst, never beyond.
        for _ in 0..3 {
            l.admit(b"k", "10.0.0.1", 60_000).unwrap();
        }
        assert!(l.admit(b"k", "10.0.0.1", 60_000).is_err());
    }

    #[test]
    fn strangers_draw_from_their_address_and_do_not_lock_out_known_kiosks() {
        let l = RateLimiter::new(KIOSK, ADDRESS);
        l.admit(b"k", "10.0.0.1", 0).unwrap();
        l.recognise(b"k", 0);
        l.admit(b"x1", "10.0.0.1", 0).unwrap();
        assert_eq!(refused_for(l.admit(b"x2", "10.0.0.1", 0)), 1);
        assert!(l.admit(b"x3", "10.0.0.1", 999).is_err());
        // The known kiosk behind the same address still gets in; another address too.
        l.admit(b"k", "10.0.0.1", 0).unwrap();
        l.admit(b"x2", "10.0.0.2", 0).unwrap();
        l.admit(b"x3", "10.0.0.1", 1000).unwrap();
    }

    #[test]
    fn slow_refill_rounds_the_wait_up_to_whole_seconds() {
        let l = RateLimiter::new(
            Rate {
                burst: 1,
                per_second: 1,
            },
            ADDRESS,
        );
        l.admit(b"k", "a", 0).unwrap();
        l.recognise(b"k", 0);
        assert_eq!(refused_for(l.admit(b"k", "a", 0)), 1);
        assert_eq!(refused_for(l.admit(b"k", "a", 1)), 1);
        l.admit(b"k", "a", 1000).unwrap();
    }

    #[test]
    fn address_buckets_stay_bounded() {
        let l = RateLimiter::new(KIOSK, ADDRESS);
        for i in 0..MAX_ADDRESSES + 10 {
            l.admit(b"x", &format!("a{i}"), 0).unwrap();
        }
        let len = l.buckets.lock().unwrap().addresses.len();
        assert!(len <= MAX_ADDRESSES, "{len}");
    }
}
