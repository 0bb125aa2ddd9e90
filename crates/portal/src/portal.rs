//! [`Portal`]: the service's state (database, clock, policy) and the entry point of every
//! operation, shared by the HTTP handlers, the CLI and tests.

use std::sync::Arc;

use crate::auth::password::Hasher;
use crate::auth::rate_limit::RateLimiter;
use crate::clock::{Clock, Millis};
use crate::config::Config;
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
}

impl Portal {
    /// Opens the database (a SQLite path or `sqlite:` URL, or a `postgres://` URL), creating and
    /// migrating it as needed.
    pub async fn open(db_url: &str, clock: Arc<dyn Clock>, config: Config) -> Result<Self> {
        let db = Pool::open(db_url).await?;
        let hasher = Hasher::new(config.argon2, config.hashing_concurrency)?;
        let limiter = RateLimiter::new(config.kiosk_rate, config.address_rate);
        Ok(Self(Arc::new(Inner {
            db,
            clock,
            config,
            hasher,
            limiter,
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

    pub(crate) fn limiter(&self) -> &RateLimiter {
        &self.0.limiter
    }

    /// Closes the pool (waits for checked-out connections to come back).
    pub async fn close(&self) {
        self.0.db.close().await;
    }
}
