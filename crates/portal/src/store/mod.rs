//! The database: SQLite or PostgreSQL behind one enum. Every query is written once in SQL that
//! both understand (`$n` parameters, `ON CONFLICT`, `RETURNING`) and run through [`on_pool!`]
//! (reads and writes) or [`on_reader!`] (reads only), which type-check it against each driver.

use std::str::FromStr;
use std::time::Duration;

use prometheus_client::metrics::histogram::Histogram;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::error::{PortalError, Result};
use group_commit::GroupCommit;

pub mod accounts;
pub mod apps;
pub mod audit;
pub mod backup;
pub mod badges;
pub mod claim;
pub mod devices;
pub mod directory;
pub mod family;
pub mod fleet_tokens;
mod group_commit;
pub mod kiosks;
pub mod oauth;
pub mod password_failures;
pub mod pending_sign_ins;
pub mod prune;
pub mod roster;
pub mod school_policy;
pub mod sessions;
pub mod sign_ins;
pub mod signing_keys;
pub mod teaching;
pub mod totp;

#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(Sqlite),
    Postgres(PgPool),
}

/// SQLite allows one writer at a time. Several connections that all write fight over the lock
/// with SQLite's sleeping busy handler (the morning-rush p99 came from there), so writes go
/// through one connection, queued fairly by the pool, and reads through a few read-only
/// connections that WAL lets run beside the writer.
#[derive(Debug, Clone)]
pub struct Sqlite {
    /// The one writing connection.
    pub write: SqlitePool,
    /// Read-only connections.
    pub read: SqlitePool,
    /// Sign-in records (sessions and audit rows) committed in groups on `write`.
    pub(crate) records: GroupCommit,
}

/// Runs `$body` with `$p` bound to a pool that reads and writes (SQLite's writer).
macro_rules! on_pool {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::store::Pool::Sqlite(sqlite) => {
                let $p = &sqlite.write;
                $body
            }
            $crate::store::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Runs `$body` with `$p` bound to a pool for reads only (SQLite's readers); it sees every
/// write that committed before it started.
macro_rules! on_reader {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::store::Pool::Sqlite(sqlite) => {
                let $p = &sqlite.read;
                $body
            }
            $crate::store::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_reader;

/// How long a connection may be waited for; below the request deadline so that a saturated
/// or absent database turns into `unavailable`, not a hung request.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
/// SQLite waits this long for another writer before giving up with `SQLITE_BUSY`.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_millis(2000);

/// SQLite readers: enough for the pages and the sign-in lookups to overlap a commit, few enough
/// that they do not crowd two cores (each is a thread, and each drops its page cache after a
/// commit).
const SQLITE_READERS: u32 = 2;

/// The migrations this binary knows, per database.
pub(crate) static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The WAL is copied back into the database (a checkpoint, in the committing connection) each
/// time it has grown by this many pages. SQLite's default of 1,000 made each checkpoint a
/// stall of tens of milliseconds for every commit queued behind it: logins paced at 1,000 a
/// second had a p99 of 8 to 83 ms per request, under 20 ms in two runs of seven. At 400 the
/// stalls are shorter: under 20 ms in eight runs of eleven (7.2 to 36.3 ms), and the badge
/// rush kept its throughput (7,449 to 8,095 sign-ins/s against 7,217 to 8,230). At 200 alike
/// but the rush lost 15 %; at 100 the stalls were back; with none the WAL grows and reads slow
/// down. `docs/identity-provider.md` ("How fast") has the runs.
const WAL_CHECKPOINT_PAGES: u32 = 400;

/// How long the readiness probe's query may take (`/readyz`): well below a load balancer's
/// probe timeout, and a database slower than this is not ready for sign-ins either.
pub const READY_DEADLINE: Duration = Duration::from_secs(1);

impl Pool {
    /// Opens (creating if needed) and migrates the database named by `url`: a
    /// `postgres://`/`postgresql://` URL, or a SQLite path or `sqlite:` URL.
    pub async fn open(url: &str) -> Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await?;
            if let Err(e) = POSTGRES_MIGRATIONS.run(&pool).await {
                pool.close().await;
                return Err(refused_migration(e, &POSTGRES_MIGRATIONS));
            }
            return Ok(Self::Postgres(pool));
        }
        let options = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url)?
        } else {
            SqliteConnectOptions::new().filename(url)
        }
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: every commit is on disk before it returns, so a sign-in answered `ok` survives
        // a power cut too (NORMAL survives a process crash but may lose the last commits at a
        // power cut). One fsync per group commit: the rush benchmark (8000 sign-ins, 64 at
        // once, two loaded cores) went from about 5800 to 5500 sign-ins/s, p50 9 -> 11 ms.
        .synchronous(SqliteSynchronous::Full)
        .pragma("wal_autocheckpoint", WAL_CHECKPOINT_PAGES.to_string())
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .foreign_keys(true);
        // sqlx pings each idle connection before handing it out (`test_before_acquire`). A
        // SQLite connection is a file in this process: the ping detects nothing and is one
        // more hand-over to the connection's thread per query. Without it an app's sign-in
        // cost the portal about 8 % less CPU (benches/sso, "server CPU us/op").
        let one = || {
            SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .test_before_acquire(false)
        };
        let write = one()
            .connect_with(options.clone().create_if_missing(true))
            .await?;
        if let Err(e) = SQLITE_MIGRATIONS.run(&write).await {
            write.close().await;
            return Err(refused_migration(e, &SQLITE_MIGRATIONS));
        }
        let read = SqlitePoolOptions::new()
            .max_connections(SQLITE_READERS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self::Sqlite(Sqlite {
            records: GroupCommit::start(write.clone()),
            write,
            read,
        }))
    }

    /// The SQLite group commit's transaction times (PostgreSQL has no group commit).
    pub fn group_commit_time(&self) -> Option<Histogram> {
        match self {
            Self::Sqlite(s) => Some(s.records.commit_time()),
            Self::Postgres(_) => None,
        }
    }

    /// Whether the database answers a trivial query within [`READY_DEADLINE`] (`/readyz`). On
    /// SQLite a reader answers (the writer may be busy with a group commit, which is no
    /// reason to take the service out of a load balancer).
    pub async fn ready(&self) -> Result<()> {
        within(READY_DEADLINE, async {
            let one: i32 = on_reader!(self, |p| sqlx::query_scalar("SELECT 1")
                .fetch_one(p)
                .await?);
            if one == 1 {
                Ok(())
            } else {
                Err(PortalError::Timeout)
            }
        })
        .await
    }

    /// Waits for the queued sign-in records to be written, then closes the connections.
    pub async fn close(&self) {
        match self {
            Self::Sqlite(s) => {
                s.records.close().await;
                s.write.close().await;
                s.read.close().await;
            }
            Self::Postgres(p) => p.close().await,
        }
    }
}

/// A migration run that failed, as the start's error. A database that has a migration past the
/// newest this binary knows was upgraded by a newer badgein-portal: sqlx refuses it before
/// applying anything (an applied migration it does not know), and so does this, in words.
fn refused_migration(error: MigrateError, known: &Migrator) -> PortalError {
    let newest = known.iter().map(|m| m.version).max().unwrap_or(0);
    match error {
        MigrateError::VersionMissing(found) | MigrateError::Dirty(found) if found > newest => {
            PortalError::NewerDatabase {
                found,
                known: newest,
            }
        }
        other => PortalError::Migrate(other),
    }
}

/// Runs `work` with a deadline: a database that does not answer in time is `unavailable`.
pub async fn within<T>(deadline: Duration, work: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::time::timeout(deadline, work)
        .await
        .unwrap_or(Err(PortalError::Timeout))
}
