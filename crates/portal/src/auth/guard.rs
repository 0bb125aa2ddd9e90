//! The password guard: throttles and lockout counters for password attempts, decided
//! before a password is hashed. The policy (docs/API.md, "Password attempts"):
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
//! The lockout counters are in the database (`store::password_failures`), so that every
//! instance of the service counts the same failures and a lock made at one holds at all
//! (docs/deploy.md, "Running more than one instance"); an administrator's unlock, in any
//! process, forgets them. They are written only after the throttles, which stay in this
//! process's memory (per instance: N instances admit at most N times a throttle's rate), and
//! after a place in the hashing pool: each write is bound to an Argon2 check that costs far
//! more, so a flood that the throttles let through cannot outrun the hashing.

use std::sync::Mutex;

use super::lockout::{self, Decision};
use super::rate_limit::{KeyedBuckets, Rate, lock};
use crate::clock::Millis;
use crate::error::{PortalError, Result};
use crate::ids::KioskId;
use crate::store::{Pool, password_failures as rows};
use crate::tokens;

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

impl Scope {
    /// The scope's counter as stored: a digest, kind and key apart.
    fn counter(&self) -> Vec<u8> {
        let named = match self {
            Self::Browser(hash) => format!("browser {hash}"),
            Self::Kiosk(id) => format!("kiosk {id}"),
            Self::Address(key) => format!("address {key}"),
        };
        tokens::digest(named.as_bytes())
    }
}

/// The counter of an account's attempts from unrecognised scopes.
fn unrecognised_counter() -> Vec<u8> {
    tokens::digest(b"unrecognised")
}

/// The counter of an account's wrong second-factor codes.
fn codes_counter() -> Vec<u8> {
    tokens::digest(b"codes")
}

/// The account as stored: the digest of the lowercased username.
fn account_key(account: &str) -> Vec<u8> {
    tokens::digest(account.as_bytes())
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
}

impl PasswordGuard {
    pub fn new(policy: Policy) -> Self {
        Self {
            policy,
            addresses: Mutex::new(KeyedBuckets::new(policy.address_rate)),
            usernames: Mutex::new(KeyedBuckets::new(policy.username_rate)),
            devices: Mutex::new(KeyedBuckets::new(policy.device_rate)),
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
    pub async fn admit(&self, db: &Pool, a: &Attempt<'_>) -> Result<Admitted> {
        let p = self.policy;
        let throttled = if a.recognised {
            lock(&self.devices).take(&a.scope, a.now)
        } else {
            lock(&self.usernames).take(&a.account.to_owned(), a.now)
        };
        throttled.map_err(|retry_after| PortalError::RateLimited { retry_after })?;

        let account = account_key(a.account);
        let codes = rows::read(db, &account, &codes_counter()).await?;
        if let Decision::Locked { retry_after_secs } = lockout::decide(codes, a.now, p.failures - 1)
        {
            return Err(PortalError::Locked {
                retry_after: retry_after_secs,
            });
        }
        if !a.recognised {
            let c = rows::read(db, &account, &unrecognised_counter()).await?;
            if c.failures >= p.unrecognised_failures && c.locked_until > a.now {
                return Err(locked(c.locked_until - a.now));
            }
        }
        let lock_at = a.now + p.lock_ms;
        let counter =
            rows::count_pair(db, &account, &a.scope.counter(), a.now, p.failures, lock_at).await?;
        if let Decision::Locked { retry_after_secs } = lockout::decide(counter, a.now, p.failures) {
            return Err(PortalError::Locked {
                retry_after: retry_after_secs,
            });
        }
        let mut locks_if_wrong = counter.failures == p.failures;
        if !a.recognised {
            let c = rows::count_capped(
                db,
                &account,
                &unrecognised_counter(),
                a.now,
                p.unrecognised_failures,
                lock_at,
            )
            .await?;
            // At the cap, and each guess after it: one more try per lock period.
            locks_if_wrong |= c.failures == p.unrecognised_failures;
        }
        Ok(Admitted { locks_if_wrong })
    }

    /// The password was right: this account's password counters start over (its count of
    /// wrong codes does not).
    pub async fn succeeded(&self, db: &Pool, account: &str) -> Result<()> {
        rows::clear(db, &account_key(account), Some(codes_counter().as_slice())).await
    }

    /// Decides a second-factor code for `account` (whose password was right) and counts it as
    /// wrong until [`Self::code_succeeded`] says otherwise. A refusal means the code must not
    /// be checked.
    pub async fn admit_code(&self, db: &Pool, account: &str, now: Millis) -> Result<()> {
        let p = self.policy;
        let account = account_key(account);
        let codes = rows::count_pair(
            db,
            &account,
            &codes_counter(),
            now,
            p.failures,
            now + p.lock_ms,
        )
        .await?;
        match lockout::decide(codes, now, p.failures) {
            Decision::Locked { retry_after_secs } => Err(PortalError::Locked {
                retry_after: retry_after_secs,
            }),
            Decision::Verify => Ok(()),
        }
    }

    /// The code was right: every counter of this account starts over.
    pub async fn code_succeeded(&self, db: &Pool, account: &str) -> Result<()> {
        rows::clear(db, &account_key(account), None).await
    }

    /// A teacher or administrator cleared the lockout (at any instance, or the CLI).
    pub async fn clear(&self, db: &Pool, account: &str) -> Result<()> {
        rows::clear(db, &account_key(account), None).await
    }

    /// Until when `account` is locked anywhere (for the teacher pages), if it is: every
    /// counter's lock is set only when its limit is reached.
    pub async fn locked_until(
        &self,
        db: &Pool,
        account: &str,
        now: Millis,
    ) -> Result<Option<Millis>> {
        rows::locked_until(db, &account_key(account), now).await
    }

    /// Forgets counters quiet for a day and locking nothing (`Portal::minute_chores`): a
    /// slow guesser still meets the cap within a day's quiet, and the table does not grow
    /// with every username ever mistyped.
    pub async fn forget_quiet(&self, db: &Pool, now: Millis) -> Result<u64> {
        let before = now - QUIET_MS.max(self.policy.lock_ms);
        rows::forget_quiet(db, before, now, 1000).await
    }
}

/// How long an unlocked counter is kept after its last failure.
const QUIET_MS: Millis = 24 * 60 * 60 * 1000;

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

    /// A fresh SQLite database in the temporary directory, removed on drop.
    struct Db {
        pool: Pool,
        dir: std::path::PathBuf,
    }

    impl Db {
        async fn new() -> Self {
            let dir = std::env::temp_dir()
                .join(format!("badgein-guard-{}", tokens::random_hex(8).unwrap()));
            std::fs::create_dir_all(&dir).unwrap();
            let pool = Pool::open(&dir.join("guard.db").display().to_string())
                .await
                .unwrap();
            Self { pool, dir }
        }
    }

    impl Drop for Db {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn from(scope: Scope, recognised: bool, now: Millis) -> Attempt<'static> {
        Attempt {
            account: "ms.rivera",
            scope,
            recognised,
            address: "192.0.2.9",
            now,
        }
    }

    fn lab(now: Millis) -> Attempt<'static> {
        from(Scope::Address("192.0.2.9".into()), false, now)
    }

    fn classroom(now: Millis) -> Attempt<'static> {
        from(Scope::Browser("ab12".into()), true, now)
    }

    #[tokio::test]
    async fn five_failures_lock_the_pair_for_fifteen_minutes() {
        let db = Db::new().await;
        let g = PasswordGuard::new(POLICY);
        for i in 0..4 {
            assert!(!g.admit(&db.pool, &lab(i)).await.unwrap().locks_if_wrong);
        }
        assert!(g.admit(&db.pool, &lab(4)).await.unwrap().locks_if_wrong);
        match g.admit(&db.pool, &lab(5)).await {
            Err(PortalError::Locked { retry_after }) => assert_eq!(retry_after, 900),
            other => panic!("{other:?}"),
        }
        // The lock ends; counting starts over.
        g.admit(&db.pool, &lab(4 + MIN15)).await.unwrap();
    }

    #[tokio::test]
    async fn two_guards_on_one_database_count_the_same_failures() {
        let db = Db::new().await;
        let (a, b) = (PasswordGuard::new(POLICY), PasswordGuard::new(POLICY));
        for i in 0..5 {
            let g = if i % 2 == 0 { &a } else { &b };
            g.admit(&db.pool, &lab(i)).await.unwrap();
        }
        for g in [&a, &b] {
            assert!(matches!(
                g.admit(&db.pool, &lab(5)).await,
                Err(PortalError::Locked { .. })
            ));
        }
        assert_eq!(
            b.locked_until(&db.pool, "ms.rivera", 5).await.unwrap(),
            Some(4 + MIN15)
        );
        a.clear(&db.pool, "ms.rivera").await.unwrap();
        b.admit(&db.pool, &lab(6)).await.unwrap();
    }

    #[tokio::test]
    async fn spraying_from_the_lab_never_locks_the_teachers_own_browser() {
        let db = Db::new().await;
        let g = PasswordGuard::new(POLICY);
        let mut now = 0;
        // 200 guesses from many addresses: the unrecognised cap is reached.
        for i in 0..200 {
            now += 1;
            let a = from(Scope::Address(format!("198.51.100.{i}")), false, now);
            let _ = g.admit(&db.pool, &a).await;
        }
        assert!(matches!(
            g.admit(&db.pool, &lab(now)).await,
            Err(PortalError::Locked { .. })
        ));
        // Her own browser goes on as if nothing happened.
        for _ in 0..3 {
            now += 1;
            g.admit(&db.pool, &classroom(now)).await.unwrap();
        }
        assert!(
            g.locked_until(&db.pool, "ms.rivera", now)
                .await
                .unwrap()
                .is_some()
        );
        g.succeeded(&db.pool, "ms.rivera").await.unwrap();
        assert_eq!(
            g.locked_until(&db.pool, "ms.rivera", now).await.unwrap(),
            None
        );
        g.admit(&db.pool, &lab(now + 1)).await.unwrap();
    }

    #[tokio::test]
    async fn at_most_a_hundred_unrecognised_guesses_then_one_per_lock_period() {
        let db = Db::new().await;
        let g = PasswordGuard::new(POLICY);
        let mut admitted = 0;
        for i in 0..300 {
            let a = from(Scope::Address(format!("a{i}")), false, 0);
            if g.admit(&db.pool, &a).await.is_ok() {
                admitted += 1;
            }
        }
        assert_eq!(admitted, 100);
        let later = from(Scope::Address("b".into()), false, MIN15);
        g.admit(&db.pool, &later).await.unwrap();
        let again = from(Scope::Address("c".into()), false, MIN15);
        assert!(g.admit(&db.pool, &again).await.is_err());
    }

    #[tokio::test]
    async fn wrong_codes_lock_the_account_and_a_right_password_does_not_clear_them() {
        let db = Db::new().await;
        let d = &db.pool;
        let g = PasswordGuard::new(POLICY);
        g.admit(d, &classroom(0)).await.unwrap();
        g.succeeded(d, "ms.rivera").await.unwrap();
        for i in 1..=4 {
            g.admit_code(d, "ms.rivera", i).await.unwrap();
        }
        // The password again: right, but the count of wrong codes stays.
        g.admit(d, &classroom(5)).await.unwrap();
        g.succeeded(d, "ms.rivera").await.unwrap();
        g.admit_code(d, "ms.rivera", 6).await.unwrap();
        assert!(matches!(
            g.admit_code(d, "ms.rivera", 7).await,
            Err(PortalError::Locked { retry_after: 900 })
        ));
        // Locked everywhere, the password step included, until the lock ends.
        assert!(matches!(
            g.admit(d, &classroom(8)).await,
            Err(PortalError::Locked { .. })
        ));
        assert!(matches!(
            g.admit(d, &lab(9)).await,
            Err(PortalError::Locked { .. })
        ));
        assert_eq!(
            g.locked_until(d, "ms.rivera", 9).await.unwrap(),
            Some(6 + MIN15)
        );
        g.admit(d, &classroom(6 + MIN15)).await.unwrap();
        g.admit_code(d, "ms.rivera", 6 + MIN15).await.unwrap();
        g.code_succeeded(d, "ms.rivera").await.unwrap();
        assert_eq!(
            g.locked_until(d, "ms.rivera", 6 + MIN15).await.unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn throttles_answer_with_retry_after() {
        let db = Db::new().await;
        let policy = Policy {
            username_rate: Rate {
                burst: 2,
                per_second: 1,
            },
            ..POLICY
        };
        let g = PasswordGuard::new(policy);
        g.admit(&db.pool, &lab(0)).await.unwrap();
        g.admit(&db.pool, &lab(0)).await.unwrap();
        assert!(matches!(
            g.admit(&db.pool, &lab(0)).await,
            Err(PortalError::RateLimited { retry_after: 1 })
        ));
        // Her recognised browser has its own bucket.
        g.admit(&db.pool, &classroom(0)).await.unwrap();
    }

    #[tokio::test]
    async fn quiet_counters_are_forgotten_after_a_day() {
        let db = Db::new().await;
        let g = PasswordGuard::new(Policy {
            failures: 1,
            ..POLICY
        });
        g.admit(&db.pool, &classroom(0)).await.unwrap();
        let day = QUIET_MS;
        assert_eq!(g.forget_quiet(&db.pool, day - 1).await.unwrap(), 0);
        assert_eq!(g.forget_quiet(&db.pool, day).await.unwrap(), 1);
        assert_eq!(
            g.locked_until(&db.pool, "ms.rivera", 0).await.unwrap(),
            None
        );
    }
}
