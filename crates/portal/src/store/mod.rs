//! The database: SQLite or PostgreSQL behind one enum. Every query is written once in SQL that
//! both understand (`$n` parameters, `ON CONFLICT`, `RETURNING`) and run through [`on_pool!`],
//! which type-checks it against each driver.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::error::{PortalError, Result};

pub mod audit;
pub mod badges;
pub mod directory;
pub mod kiosks;
pub mod lockout;
pub mod roster;
pub mod sessions;
pub mod teaching;

#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$p` bound to whichever pool `$db` holds.
macro_rules! on_pool {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::store::Pool::Sqlite($p) => $body,
            $crate::store::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// How long a connection may be waited for; below the request deadline so that a saturated
/// or absent database turns into `unavailable`, not a hung request.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
/// SQLite waits this long for another writer before giving up with `SQLITE_BUSY`.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_millis(2000);

impl Pool {
    /// Opens (creating if needed) and migrates the database named by `url`: a
    /// `postgres://`/`postgresql://` URL, or a SQLite path or `sqlite:` URL.
    pub async fn open(url: &str) -> Result<Self> {
        let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            Self::Postgres(
                PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options)
                    .await?,
            )
        } else {
            let options = if url.starts_with("sqlite:") {
                SqliteConnectOptions::from_str(url)?
            } else {
                SqliteConnectOptions::new().filename(url)
            }
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true);
            // SQLite has one writer at a time; a few connections serve concurrent readers
            // without making writers queue on busy retries.
            Self::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options)
                    .await?,
            )
        };
        pool.migrate().await?;
        Ok(pool)
    }

    async fn migrate(&self) -> Result<()> {
        match self {
            Self::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Self::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, |p| p.close().await);
    }
}

/// Runs `work` with a deadline: a database that does not answer in time is `unavailable`.
pub async fn within<T>(deadline: Duration, work: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::time::timeout(deadline, work)
        .await
        .unwrap_or(Err(PortalError::Timeout))
}
