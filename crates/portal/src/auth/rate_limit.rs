//! Rate limits on the sign-in endpoints, so that a broken or hostile kiosk cannot hammer the
//! service. Token buckets read the injected clock:
//!
//! * every enrolled kiosk (keyed by the digest of its device credential) has its own bucket;
//! * attempts with a credential not known to belong to a kiosk draw from a bucket of their
//!   client address (an IPv6 /64), checked before the database is asked. A school's kiosks
//!   often share one address (NAT) with everybody else there; the kiosks' credentials are read
//!   from the database at start and every minute, so a stranger spraying made-up credentials
//!   from that address never touches their buckets, also right after a restart.
//!
//! The buckets live in this process's memory: limits are per service instance, so behind N
//! instances a client gets at most N bursts at once and N times the rate after
//! (docs/deploy.md, "Running more than one instance"); a refused attempt still costs no
//! database work. A kiosk enrolled at another instance in the last minute draws its first
//! attempt here from its address's bucket and has its own from then on. The same
//! [`KeyedBuckets`] serve the password throttles (`auth::guard`).

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

/// Buckets kept per kind at most; past it the full (idle) ones are forgotten first.
const MAX_KEYS: usize = 10_000;
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

/// Buckets by key with one policy, at most `MAX_KEYS` of them. Past that, idle (full) buckets
/// are forgotten first; if every one is busy, new keys share one overflow bucket, so a flood
/// of fresh addresses can neither grow memory nor empty the buckets already counting.
#[derive(Debug)]
pub struct KeyedBuckets<K> {
    rate: Rate,
    buckets: HashMap<K, Bucket>,
    overflow: Bucket,
}

impl<K: std::hash::Hash + Eq + Clone> KeyedBuckets<K> {
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            buckets: HashMap::new(),
            overflow: Bucket::full(rate, 0),
        }
    }

    /// Takes a token from `key`'s bucket, or says in how many whole seconds one is there.
    pub fn take(&mut self, key: &K, now: Millis) -> Result<(), u64> {
        let rate = self.rate;
        if let Some(bucket) = self.buckets.get_mut(key) {
            return bucket.take(rate, now);
        }
        if self.buckets.len() >= MAX_KEYS {
            self.buckets.retain(|_, b| !b.is_full(rate, now));
            if self.buckets.len() >= MAX_KEYS {
                return self.overflow.take(rate, now);
            }
        }
        self.buckets
            .entry(key.clone())
            .or_insert_with(|| Bucket::full(rate, now))
            .take(rate, now)
    }

    /// Gives `key` a bucket (full but for `taken` tokens) unless it has one.
    fn ensure(&mut self, key: K, taken: u32, now: Millis) {
        let rate = self.rate;
        self.buckets.entry(key).or_insert_with(|| {
            let mut bucket = Bucket::full(rate, now);
            bucket.level -= i64::from(taken) * ONE;
            bucket
        });
    }

    fn contains(&self, key: &K) -> bool {
        self.buckets.contains_key(key)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.buckets.len()
    }
}

/// Locks a mutex whose data stays consistent even if a holder panicked (plain counters).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[derive(Debug)]
pub struct RateLimiter {
    /// By device-credential digest, only for credentials that belong to a kiosk.
    kiosks: Mutex<KeyedBuckets<Vec<u8>>>,
    /// By client address key, for credentials not (yet) known to belong to a kiosk.
    addresses: Mutex<KeyedBuckets<String>>,
}

impl RateLimiter {
    pub fn new(kiosk: Rate, address: Rate) -> Self {
        Self {
            kiosks: Mutex::new(KeyedBuckets::new(kiosk)),
            addresses: Mutex::new(KeyedBuckets::new(address)),
        }
    }

    /// Admits a sign-in attempt with the credential whose digest is `credential`, from the
    /// address whose limit key is `address`, at `now`; `rate_limited` when its bucket is empty.
    pub fn admit(&self, credential: &[u8], address: &str, now: Millis) -> Result<()> {
        let mut kiosks = lock(&self.kiosks);
        let taken = if kiosks.contains(&credential.to_vec()) {
            kiosks.take(&credential.to_vec(), now)
        } else {
            drop(kiosks);
            lock(&self.addresses).take(&address.to_owned(), now)
        };
        taken.map_err(|retry_after| PortalError::RateLimited { retry_after })
    }

    /// The credential turned out to belong to a kiosk (enrolled, revoked or not): from now on
    /// its attempts draw from its own bucket. The attempt that proved it was already counted.
    pub fn recognise(&self, credential: &[u8], now: Millis) {
        lock(&self.kiosks).ensure(credential.to_vec(), 1, now);
    }

    /// Every enrolled kiosk's credential digest, read from the database at start and every
    /// minute after: a kiosk has its own bucket from its first attempt, also right after a
    /// restart or when it enrolled at another instance, and never shares its address's.
    pub fn recognise_all(&self, credentials: Vec<Vec<u8>>, now: Millis) {
        let mut kiosks = lock(&self.kiosks);
        for credential in credentials {
            kiosks.ensure(credential, 0, now);
        }
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
    fn address_churn_neither_grows_memory_nor_refills_busy_buckets() {
        let l = RateLimiter::new(KIOSK, ADDRESS);
        // The sprayer empties its own address's bucket first...
        l.admit(b"x", "sprayer", 0).unwrap();
        l.admit(b"x", "sprayer", 0).unwrap();
        assert!(l.admit(b"x", "sprayer", 0).is_err());
        // ...then comes from ten thousand fresh addresses at once.
        let mut refused = 0;
        for i in 0..MAX_KEYS + 10 {
            if l.admit(b"x", &format!("a{i}"), 0).is_err() {
                refused += 1;
            }
        }
        let len = lock(&l.addresses).len();
        assert!(len <= MAX_KEYS, "{len}");
        // The table filled up (the sprayer's bucket among them); the 11 addresses after it
        // shared one overflow bucket: its burst, then refused...
        assert_eq!(refused, 11 - usize::try_from(ADDRESS.burst).unwrap());
        // ...and the first address is still counted, not forgotten.
        assert!(l.admit(b"x", "sprayer", 0).is_err());
    }

    #[test]
    fn kiosks_known_from_the_database_never_draw_from_their_address() {
        let l = RateLimiter::new(KIOSK, ADDRESS);
        l.recognise_all(vec![b"k".to_vec()], 0);
        for i in 0..5 {
            let _ = l.admit(format!("junk{i}").as_bytes(), "nat", 0);
        }
        assert!(l.admit(b"junk", "nat", 0).is_err());
        for _ in 0..3 {
            l.admit(b"k", "nat", 0).unwrap();
        }
    }
}
