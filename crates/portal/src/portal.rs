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
use crate::idp::SigningKeys;
use crate::metrics::Metrics;
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
    /// Claims a day per address and per number (`claim::limit`).
    claims: crate::claim::limit::ClaimLimiter,
    signing_keys: SigningKeys,
    /// Rung when a session ends: the back-channel logout worker sends what it owes now
    /// rather than at its next poll (`idp::backchannel`).
    logouts_due: tokio::sync::Notify,
    /// Counters and timings for `serve --metrics-listen` (`crate::metrics`).
    metrics: Metrics,
}

impl Portal {
    /// Opens the database (a SQLite path or `sqlite:` URL, or a `postgres://` URL), creating and
    /// migrating it as needed.
    pub async fn open(db_url: &str, clock: Arc<dyn Clock>, config: Config) -> Result<Self> {
        let db = Pool::open(db_url).await?;
        let metrics = Metrics::new(db.group_commit_time());
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
        let signing_keys = SigningKeys::new(
            config
                .key_file
                .clone()
                .or_else(|| crate::idp::kek::default_path(db_url)),
        );
        Ok(Self(Arc::new(Inner {
            db,
            clock,
            config,
            hasher,
            limiter,
            guard,
            junk: JunkLog::default(),
            claims: crate::claim::limit::ClaimLimiter::default(),
            signing_keys,
            logouts_due: tokio::sync::Notify::new(),
            metrics,
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

    /// The service's metrics (`crate::metrics`).
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
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

    pub(crate) fn claims(&self) -> &crate::claim::limit::ClaimLimiter {
        &self.0.claims
    }

    pub(crate) fn signing_keys(&self) -> &SigningKeys {
        &self.0.signing_keys
    }

    /// Wakes the back-channel logout worker: a session ended, or (tests) the clock moved past a
    /// retry. A wake with no worker waiting is kept for its next wait.
    pub fn wake_logouts(&self) {
        self.0.logouts_due.notify_one();
    }

    /// Until [`Portal::wake_logouts`] is called.
    pub(crate) async fn logouts_woken(&self) {
        self.0.logouts_due.notified().await;
    }

    /// The server's chores every minute: learn kiosks enrolled elsewhere, write the junk
    /// counts, forget quiet lockout counters, expired sign-ins waiting for a code and old
    /// device cookies, pick up signing keys rotated by another process,
    /// count the live sessions for the metrics. Failures are logged and tried again next time.
    pub async fn minute_chores(&self) {
        if let Err(error) = self.refresh_kiosk_limits().await {
            tracing::warn!(%error, "kiosk credentials not refreshed");
        }
        if let Err(error) = self.flush_junk().await {
            tracing::warn!(%error, "junk counts not written");
        }
        if let Err(error) = self.forget_quiet_guard_rows().await {
            tracing::warn!(%error, "quiet lockout counters not forgotten");
        }
        let stale = self.now() - ms(self.config().device_lifetime);
        if let Err(error) = crate::store::devices::forget_browsers(self.db(), stale, 1000).await {
            tracing::warn!(%error, "old device cookies not forgotten");
        }
        if let Err(error) = self.refresh_signing_keys().await {
            tracing::warn!(%error, "signing keys not refreshed");
        }
        if let Err(error) = self.count_active_sessions().await {
            tracing::warn!(%error, "live sessions not counted");
        }
    }

    /// Forgets the password guard's quiet counters and the expired sign-ins waiting for a code.
    async fn forget_quiet_guard_rows(&self) -> Result<()> {
        let now = self.now();
        self.guard().forget_quiet(self.db(), now).await?;
        crate::store::pending_sign_ins::forget_expired(self.db(), now).await?;
        Ok(())
    }

    /// Sets the `badgein_active_sessions` gauge to the sessions live now.
    pub async fn count_active_sessions(&self) -> Result<()> {
        let idle = ms(self.config().session_idle);
        let live = crate::store::sessions::count_live(self.db(), self.now(), idle).await?;
        self.metrics().set_active_sessions(live);
        Ok(())
    }

    /// Whether the database answers (`/readyz`): a trivial query with a short deadline.
    pub async fn ready(&self) -> Result<()> {
        self.db().ready().await
    }

    /// Closes the pool (waits for checked-out connections to come back).
    pub async fn close(&self) {
        self.0.db.close().await;
    }
}
