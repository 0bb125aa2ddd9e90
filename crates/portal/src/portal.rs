//! [`Portal`]: the service's state (database, clock, policy) and the entry point of every
//! operation, shared by the HTTP handlers, the CLI and tests.

use std::sync::Arc;

use crate::auth::guard::{PasswordGuard, Policy};
use crate::auth::junk::JunkLog;
use crate::auth::password::Hasher;
use crate::auth::rate_limit::RateLimiter;
use crate::clock::{Clock, Millis};
use crate::config::{Config, ms};
use crate::error::Result;
use crate::store::Pool;

/// Cheap to clone; all clones share one database pool.
#[derive(Debug, Clone)]
pub struct Portal(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    db: Pool,
    clock: Arc<dyn Clock>,
    config: Config,
    hasher: Hasher,
    limiter: RateLimiter,
    guard: PasswordGuard,
    junk: JunkLog,
}

impl Portal {
    /// Opens the database (a SQLite path or `sqlite:` URL, or a `postgres://` URL), creating and
    /// migrating it as needed.
    pub async fn open(db_url: &str, clock: Arc<dyn Clock>, config: Config) -> Result<Self> {
        let db = Pool::open(db_url).await?;
        let hasher = Hasher::new(
            config.argon2,
            config.hashing_concurrency,
            config.hashing_queue,
        )?;
        let limiter = RateLimiter::new(config.kiosk_rate, config.address_rate);
        let guard = PasswordGuard::new(Policy {
            failures: config.lockout_failures,
            lock_ms: ms(config.lockout_duration),
            unrecognised_failures: config.lockout_unrecognised_failures,
            address_rate: config.login_address_rate,
            username_rate: config.login_username_rate,
            device_rate: config.login_device_rate,
        });
        Ok(Self(Arc::new(Inner {
            db,
            clock,
            config,
            hasher,
            limiter,
            guard,
            junk: JunkLog::default(),
        })))
    }

    pub fn now(&self) -> Millis {
        self.0.clock.now_ms()
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn db(&self) -> &Pool {
        &self.0.db
    }

    pub(crate) fn hasher(&self) -> &Hasher {
        &self.0.hasher
    }

    /// The Argon2 work done since start (what the password checks cost).
    pub fn password_work(&self) -> crate::auth::password::HashWork {
        self.0.hasher.work_done()
    }

    pub(crate) fn limiter(&self) -> &RateLimiter {
        &self.0.limiter
    }

    pub(crate) fn guard(&self) -> &PasswordGuard {
        &self.0.guard
    }

    pub(crate) fn junk(&self) -> &JunkLog {
        &self.0.junk
    }

    /// The server's chores every minute: learn kiosks enrolled elsewhere, write the junk
    /// counts. Failures are logged and tried again next time.
    pub async fn housekeeping(&self) {
        if let Err(error) = self.refresh_kiosk_limits().await {
            tracing::warn!(%error, "kiosk credentials not refreshed");
        }
        if let Err(error) = self.flush_junk().await {
            tracing::warn!(%error, "junk counts not written");
        }
        let stale = self.now() - ms(self.config().device_lifetime);
        if let Err(error) = crate::store::devices::forget_browsers(self.db(), stale, 1000).await {
            tracing::warn!(%error, "old device cookies not forgotten");
        }
    }

    /// Closes the pool (waits for checked-out connections to come back).
    pub async fn close(&self) {
        self.0.db.close().await;
    }
}
