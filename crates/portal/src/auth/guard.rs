//! The password guard: throttles and lockout counters for password attempts, in memory,
//! decided before a password is hashed. The policy (docs/API.md, "Password attempts"):
//!
//! * Every attempt comes from a **scope**: a browser recognised for the account (its device
//!   cookie was set by a sign-in to this account there), a kiosk, or — anything else — the
//!   client address. Recognised browsers, and kiosks where the account has signed in before,
//!   are **recognised** for that account.
//! * Failures are counted per account and scope: after `lockout_failures` that pair is locked
//!   for `lockout_duration`. Someone spraying a teacher's username from the student lab locks
//!   the lab's address out of her account, not her own classroom browser.
//! * Failures from unrecognised scopes also count per account: after
//!   `lockout_unrecognised_failures` (NIST SP 800-63B's 100) unrecognised scopes get one guess
//!   per `lockout_duration` for that account; recognised ones are not affected.
//! * Throttles (token buckets): unrecognised attempts per address and per username,
//!   recognised ones per browser or kiosk.
//! * Unknown usernames go through exactly the same counters, so their answers cannot be told
//!   apart from a real account's.
//!
//! * Wrong second-factor codes (`auth::second_factor`) count per account, wherever typed:
//!   whoever types them already has the password. After `lockout_failures` of them the
//!   account's password sign-in is locked everywhere for `lockout_duration`; a right password
//!   does not clear this count, only a right code (or an unlock) does, so re-typing the
//!   password never buys more guesses at the code.
//!
//! Counters live in this process (per service instance; a restart forgets them, which an
//! attacker cannot cause). An administrator's unlock, which may run in another process, is
//! seen through the account's `unlocked_at`.

use std::collections::HashMap;
use std::sync::Mutex;

use super::lockout::{self, Counter, Decision};
use super::rate_limit::{KeyedBuckets, Rate, lock};
use crate::clock::Millis;
use crate::error::{PortalError, Result};
use crate::ids::KioskId;

/// Accounts (known or not) with counters kept at most; past it, quiet ones are forgotten and,
/// if none is, new accounts are throttled rather than resetting anyone's count.
const MAX_ACCOUNTS: usize = 100_000;
/// Scopes counted per account at most (a sprayed account sees many addresses).
const MAX_SCOPES: usize = 1_000;

/// Where a password attempt comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// A browser, by its device cookie's digest (hex), recognised for the account.
    Browser(String),
    /// An enrolled kiosk, by id.
    Kiosk(KioskId),
    /// Anything else: the client address's limit key.
    Address(String),
}

/// One password attempt, as the guard sees it.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    /// The lowercased username, known or not.
    pub account: &'a str,
    pub scope: Scope,
    /// The scope is recognised for this account (see the module doc).
    pub recognised: bool,
    /// The client address's limit key (for the per-address throttle).
    pub address: &'a str,
    /// When an administrator last cleared this account's lockout (known accounts only).
    pub unlocked_at: Option<Millis>,
    pub now: Millis,
}

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub failures: i64,
    pub lock_ms: i64,
    pub unrecognised_failures: i64,
    pub address_rate: Rate,
    pub username_rate: Rate,
    pub device_rate: Rate,
}

/// What the guard decided about an attempt that may go on to the password check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admitted {
    /// This attempt's failure would start a lock (worth an audit row of its own).
    pub locks_if_wrong: bool,
}

#[derive(Debug)]
pub struct PasswordGuard {
    policy: Policy,
    addresses: Mutex<KeyedBuckets<String>>,
    usernames: Mutex<KeyedBuckets<String>>,
    devices: Mutex<KeyedBuckets<Scope>>,
    accounts: Mutex<HashMap<String, Account>>,
}

#[derive(Debug, Clone, Default)]
struct Account {
    /// When counting started (an unlock after it clears everything).
    since: Millis,
    /// Last failure, to find quiet accounts.
    last: Millis,
    unrecognised: Counter,
    scopes: HashMap<Scope, Counter>,
    /// Wrong second-factor codes.
    codes: Counter,
}

impl Account {
    fn quiet(&self, now: Millis, lock_ms: i64) -> bool {
        self.last + lock_ms <= now
            && self.unrecognised.locked_until <= now
            && self.codes.locked_until <= now
            && self.scopes.values().all(|c| c.locked_until <= now)
    }
}

impl PasswordGuard {
    pub fn new(policy: Policy) -> Self {
        Self {
            policy,
            addresses: Mutex::new(KeyedBuckets::new(policy.address_rate)),
            usernames: Mutex::new(KeyedBuckets::new(policy.username_rate)),
            devices: Mutex::new(KeyedBuckets::new(policy.device_rate)),
            accounts: Mutex::new(HashMap::new()),
        }
    }

    /// The throttle for attempts not (yet) known to come from a recognised scope, taken before
    /// the database is asked anything: per address for browsers, per kiosk for kiosks.
    pub fn throttle_unrecognised(&self, scope: &Scope, address: &str, now: Millis) -> Result<()> {
        let taken = match scope {
            Scope::Kiosk(_) => lock(&self.devices).take(scope, now),
            _ => lock(&self.addresses).take(&address.to_owned(), now),
        };
        taken.map_err(|retry_after| PortalError::RateLimited { retry_after })
    }

    /// Decides an attempt and counts it as a failure until [`Self::succeeded`] says otherwise
    /// (counting first, so concurrent guesses cannot slip past the limit). A refusal means
    /// the password must not be checked.
    pub fn admit(&self, a: &Attempt<'_>) -> Result<Admitted> {
        let p = self.policy;
        let throttled = if a.recognised {
            lock(&self.devices).take(&a.scope, a.now)
        } else {
            lock(&self.usernames).take(&a.account.to_owned(), a.now)
        };
        throttled.map_err(|retry_after| PortalError::RateLimited { retry_after })?;

        let mut accounts = lock(&self.accounts);
        if accounts.len() >= MAX_ACCOUNTS && !accounts.contains_key(a.account) {
            accounts.retain(|_, acc| !acc.quiet(a.now, p.lock_ms));
            if accounts.len() >= MAX_ACCOUNTS {
                return Err(PortalError::RateLimited { retry_after: 60 });
            }
        }
        let account = accounts.entry(a.account.to_owned()).or_insert(Account {
            since: a.now,
            ..Account::default()
        });
        if a.unlocked_at.is_some_and(|u| u >= account.since) {
            *account = Account {
                since: a.now,
                ..Account::default()
            };
        }
        account.last = a.now;

        if let Decision::Locked { retry_after_secs } =
            lockout::decide(account.codes, a.now, p.failures - 1)
        {
            return Err(PortalError::Locked {
                retry_after: retry_after_secs,
            });
        }
        if !a.recognised {
            let c = account.unrecognised;
            if c.failures >= p.unrecognised_failures && c.locked_until > a.now {
                return Err(locked(c.locked_until - a.now));
            }
        }
        if account.scopes.len() >= MAX_SCOPES && !account.scopes.contains_key(&a.scope) {
            let now = a.now;
            account.scopes.retain(|_, c| c.locked_until > now);
            if account.scopes.len() >= MAX_SCOPES {
                return Err(PortalError::RateLimited { retry_after: 60 });
            }
        }
        let counter = account.scopes.entry(a.scope.clone()).or_default();
        *counter = count(*counter, a.now, p.failures, p.lock_ms);
        if let Decision::Locked { retry_after_secs } = lockout::decide(*counter, a.now, p.failures)
        {
            return Err(PortalError::Locked {
                retry_after: retry_after_secs,
            });
        }
        let mut locks_if_wrong = counter.failures == p.failures;
        if !a.recognised {
            let c = &mut account.unrecognised;
            c.failures += 1;
            if c.failures >= p.unrecognised_failures {
                // At the cap, and each guess after it: one more try per lock period.
                c.locked_until = a.now + p.lock_ms;
                locks_if_wrong |= c.failures == p.unrecognised_failures;
            }
        }
        Ok(Admitted { locks_if_wrong })
    }

    /// The password was right: this account's password counters start over (its count of
    /// wrong codes does not).
    pub fn succeeded(&self, account: &str) {
        let mut accounts = lock(&self.accounts);
        match accounts.get_mut(account) {
            Some(a) if a.codes.failures > 0 => {
                *a = Account {
                    since: a.since,
                    last: a.last,
                    codes: a.codes,
                    ..Account::default()
                };
            }
            _ => {
                accounts.remove(account);
            }
        }
    }

    /// Decides a second-factor code for `account` (whose password was right) and counts it as
    /// wrong until [`Self::code_succeeded`] says otherwise. A refusal means the code must not
    /// be checked.
    pub fn admit_code(&self, account: &str, now: Millis) -> Result<()> {
        let p = self.policy;
        let mut accounts = lock(&self.accounts);
        if accounts.len() >= MAX_ACCOUNTS && !accounts.contains_key(account) {
            accounts.retain(|_, acc| !acc.quiet(now, p.lock_ms));
            if accounts.len() >= MAX_ACCOUNTS {
                return Err(PortalError::RateLimited { retry_after: 60 });
            }
        }
        let entry = accounts.entry(account.to_owned()).or_insert(Account {
            since: now,
            ..Account::default()
        });
        entry.last = now;
        entry.codes = count(entry.codes, now, p.failures, p.lock_ms);
        match lockout::decide(entry.codes, now, p.failures) {
            Decision::Locked { retry_after_secs } => Err(PortalError::Locked {
                retry_after: retry_after_secs,
            }),
            Decision::Verify => Ok(()),
        }
    }

    /// The code was right: every counter of this account starts over.
    pub fn code_succeeded(&self, account: &str) {
        lock(&self.accounts).remove(account);
    }

    /// A teacher cleared the lockout in this process.
    pub fn clear(&self, account: &str) {
        lock(&self.accounts).remove(account);
    }

    /// Until when `account` is locked anywhere (for the teacher pages), if it is.
    pub fn locked_until(&self, account: &str, now: Millis) -> Option<Millis> {
        let p = self.policy;
        let accounts = lock(&self.accounts);
        let account = accounts.get(account)?;
        let unrecognised = account.unrecognised;
        let capped =
            (unrecognised.failures >= p.unrecognised_failures).then_some(unrecognised.locked_until);
        let codes = (account.codes.failures >= p.failures).then_some(account.codes.locked_until);
        account
            .scopes
            .values()
            .filter(|c| c.failures >= p.failures)
            .map(|c| c.locked_until)
            .chain(capped)
            .chain(codes)
            .filter(|&until| until > now)
            .max()
    }
}

/// The pair counter after one more attempt: an expired lock starts a new count; the attempt
/// that reaches `max` starts the lock.
fn count(c: Counter, now: Millis, max: i64, lock_ms: i64) -> Counter {
    if c.failures >= max && c.locked_until <= now {
        Counter {
            failures: 1,
            locked_until: if max <= 1 { now + lock_ms } else { 0 },
        }
    } else {
        let failures = c.failures + 1;
        Counter {
            failures,
            locked_until: if failures == max {
                now + lock_ms
            } else {
                c.locked_until
            },
        }
    }
}

fn locked(ms: i64) -> PortalError {
    PortalError::Locked {
        retry_after: u64::try_from((ms + 999) / 1000).unwrap_or(1).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN15: i64 = 15 * 60 * 1000;
    const POLICY: Policy = Policy {
        failures: 5,
        lock_ms: MIN15,
        unrecognised_failures: 100,
        address_rate: Rate {
            burst: 1000,
            per_second: 1000,
        },
        username_rate: Rate {
            burst: 1000,
            per_second: 1000,
        },
        device_rate: Rate {
            burst: 1000,
            per_second: 1000,
        },
    };

    fn from(scope: Scope, recognised: bool, now: Millis) -> Attempt<'static> {
        Attempt {
            account: "ms.rivera",
            scope,
            recognised,
            address: "192.0.2.9",
            unlocked_at: None,
            now,
        }
    }

    fn lab(now: Millis) -> Attempt<'static> {
        from(Scope::Address("192.0.2.9".into()), false, now)
    }

    fn classroom(now: Millis) -> Attempt<'static> {
        from(Scope::Browser("ab12".into()), true, now)
    }

    #[test]
    fn five_failures_lock_the_pair_for_fifteen_minutes() {
        let g = PasswordGuard::new(POLICY);
        for i in 0..4 {
            assert!(!g.admit(&lab(i)).unwrap().locks_if_wrong);
        }
        assert!(g.admit(&lab(4)).unwrap().locks_if_wrong);
        match g.admit(&lab(5)) {
            Err(PortalError::Locked { retry_after }) => assert_eq!(retry_after, 900),
            other => panic!("{other:?}"),
        }
        // The lock ends; counting starts over.
        g.admit(&lab(4 + MIN15)).unwrap();
    }

    #[test]
    fn spraying_from_the_lab_never_locks_the_teachers_own_browser() {
        let g = PasswordGuard::new(POLICY);
        let mut now = 0;
        // 200 guesses from many addresses: the unrecognised cap is reached.
        for i in 0..200 {
            now += 1;
            let a = from(Scope::Address(format!("198.51.100.{i}")), false, now);
            let _ = g.admit(&a);
        }
        assert!(matches!(
            g.admit(&lab(now)),
            Err(PortalError::Locked { .. })
        ));
        // Her own browser goes on as if nothing happened.
        for _ in 0..3 {
            now += 1;
            g.admit(&classroom(now)).unwrap();
        }
        assert!(g.locked_until("ms.rivera", now).is_some());
        g.succeeded("ms.rivera");
        assert_eq!(g.locked_until("ms.rivera", now), None);
        g.admit(&lab(now + 1)).unwrap();
    }

    #[test]
    fn at_most_a_hundred_unrecognised_guesses_then_one_per_lock_period() {
        let g = PasswordGuard::new(POLICY);
        let mut admitted = 0;
        for i in 0..300 {
            let a = from(Scope::Address(format!("a{i}")), false, 0);
            if g.admit(&a).is_ok() {
                admitted += 1;
            }
        }
        assert_eq!(admitted, 100);
        let later = from(Scope::Address("b".into()), false, MIN15);
        g.admit(&later).unwrap();
        assert!(
            g.admit(&from(Scope::Address("c".into()), false, MIN15))
                .is_err()
        );
    }

    #[test]
    fn an_unlock_elsewhere_clears_the_counters() {
        let g = PasswordGuard::new(POLICY);
        for i in 0..6 {
            let _ = g.admit(&lab(i));
        }
        assert!(g.admit(&lab(10)).is_err());
        let mut unlocked = lab(11);
        unlocked.unlocked_at = Some(10);
        g.admit(&unlocked).unwrap();
    }

    #[test]
    fn wrong_codes_lock_the_account_and_a_right_password_does_not_clear_them() {
        let g = PasswordGuard::new(POLICY);
        g.admit(&classroom(0)).unwrap();
        g.succeeded("ms.rivera");
        for i in 1..=4 {
            g.admit_code("ms.rivera", i).unwrap();
        }
        // The password again: right, but the count of wrong codes stays.
        g.admit(&classroom(5)).unwrap();
        g.succeeded("ms.rivera");
        g.admit_code("ms.rivera", 6).unwrap();
        assert!(matches!(
            g.admit_code("ms.rivera", 7),
            Err(PortalError::Locked { retry_after: 900 })
        ));
        // Locked everywhere, the password step included, until the lock ends.
        assert!(matches!(
            g.admit(&classroom(8)),
            Err(PortalError::Locked { .. })
        ));
        assert!(matches!(g.admit(&lab(9)), Err(PortalError::Locked { .. })));
        assert_eq!(g.locked_until("ms.rivera", 9), Some(6 + MIN15));
        g.admit(&classroom(6 + MIN15)).unwrap();
        g.admit_code("ms.rivera", 6 + MIN15).unwrap();
        g.code_succeeded("ms.rivera");
        assert_eq!(g.locked_until("ms.rivera", 6 + MIN15), None);
    }

    #[test]
    fn throttles_answer_with_retry_after() {
        let policy = Policy {
            username_rate: Rate {
                burst: 2,
                per_second: 1,
            },
            ..POLICY
        };
        let g = PasswordGuard::new(policy);
        g.admit(&lab(0)).unwrap();
        g.admit(&lab(0)).unwrap();
        assert!(matches!(
            g.admit(&lab(0)),
            Err(PortalError::RateLimited { retry_after: 1 })
        ));
        // Her recognised browser has its own bucket.
        g.admit(&classroom(0)).unwrap();
    }
}
