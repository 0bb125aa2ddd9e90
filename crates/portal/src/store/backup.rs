//! Online backup and offline restore of a SQLite database. PostgreSQL has its own tools
//! (`pg_dump`, `pg_restore`); for it both answer [`BackupError::Postgres`] with the lines to run.
//!
//! Backup uses `VACUUM INTO` rather than a file copy or SQLite's backup API:
//! * a file copy of a live WAL database is not a database (the `-wal` file holds the latest
//!   commits, and both change while they are copied);
//! * SQLite's backup API copies page ranges step by step and starts over whenever another
//!   connection writes between steps, so under a steady stream of sign-ins it may never
//!   finish; done in one step it is one read transaction like `VACUUM INTO`, but sqlx does not
//!   expose it and reaching it through the raw handle takes `unsafe` (forbidden here);
//! * `VACUUM INTO` reads the database in one read transaction: a consistent snapshot of every
//!   commit before it started. In WAL mode a reader never blocks the writer, so `serve` keeps
//!   answering sign-ins meanwhile. The copy is compact and in rollback-journal mode, one
//!   self-contained file.
//!
//! Every copy is written to a temporary file beside its destination, checked (`PRAGMA
//! integrity_check`, BadgeIn tables, migrations this binary knows), synced, and only then renamed
//! into place, so a failed backup or restore leaves the destination as it was.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode};
use sqlx::{ConnectOptions, Connection, SqliteConnection};

// The SQLite migrations this binary knows (the ones `Pool::open` runs).
use super::SQLITE_MIGRATIONS as MIGRATOR;

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Tables every BadgeIn database has since its first migration.
const BADGEIN_TABLES: [&str; 6] = ["schools", "users", "badges", "kiosks", "sessions", "audit"];

/// How long `VACUUM INTO` waits for a lock (only a rollback-journal source can make it wait).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What the commands print for PostgreSQL.
pub const POSTGRES_HINT: &str = "backup and restore of a PostgreSQL database are done with \
PostgreSQL's own tools:\n  \
backup:  pg_dump --format=custom --file=badgein.dump \"$BADGEIN_DB\"\n  \
restore: pg_restore --clean --if-exists --no-owner --dbname=\"$BADGEIN_DB\" badgein.dump\n\
($BADGEIN_DB: the database URL; stop the service before pg_restore; see docs/operations.md)";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{POSTGRES_HINT}")]
    Postgres,
    #[error("{}: no such file", .0.display())]
    Missing(PathBuf),
    #[error("{} is not a SQLite database", .0.display())]
    NotADatabase(PathBuf),
    #[error("{} cannot be read as a SQLite database: {detail}", .path.display())]
    Unreadable { path: PathBuf, detail: String },
    #[error("{} fails PRAGMA integrity_check: {report}", .path.display())]
    Damaged { path: PathBuf, report: String },
    #[error("{} is a SQLite database but not a BadgeIn one", .0.display())]
    NotBadgeIn(PathBuf),
    #[error(
        "{} was made by a newer badgein-portal (migration {found}; this one knows up to \
         {known}): restore it with that version",
        .path.display()
    )]
    Newer {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "{} has migration {version}, which this badgein-portal does not know or knows \
         differently",
        .path.display()
    )]
    UnknownMigration { path: PathBuf, version: i64 },
    #[error("{} has a migration that did not complete (version {version})", .path.display())]
    IncompleteMigration { path: PathBuf, version: i64 },
    #[error("{} is the database itself: give another file", .0.display())]
    SameFile(PathBuf),
    #[error(
        "{} is in use (is `badgein-portal serve` running?): stop the service, then restore; \
         nothing was changed",
        .0.display()
    )]
    InUse(PathBuf),
    #[error(
        "the current database {} cannot be opened ({detail}): with the service stopped, move \
         it (and its -wal and -shm files) aside by hand and restore again; nothing was changed",
        .path.display()
    )]
    CurrentUnreadable { path: PathBuf, detail: String },
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrating the restored copy failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

type Result<T, E = BackupError> = std::result::Result<T, E>;

/// What a checked database file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The newest migration applied.
    pub migration: i64,
    pub sessions: i64,
    pub audit_rows: i64,
    pub bytes: u64,
    pub took: Duration,
}

/// The SQLite file named by a `--db` value, or [`BackupError::Postgres`].
pub fn sqlite_path(db_url: &str) -> Result<PathBuf> {
    if db_url.starts_with("postgres://") || db_url.starts_with("postgresql://") {
        return Err(BackupError::Postgres);
    }
    let path = db_url
        .strip_prefix("sqlite://")
        .or_else(|| db_url.strip_prefix("sqlite:"))
        .map_or(db_url, |rest| rest.split('?').next().unwrap_or(rest));
    Ok(PathBuf::from(path))
}

/// Copies the live database `db` to `out` (replacing `out` only once the copy is complete and
/// checked) while the service may keep writing.
pub async fn backup(db: &Path, out: &Path) -> Result<Summary> {
    let started = Instant::now();
    if !db.is_file() {
        return Err(BackupError::Missing(db.to_owned()));
    }
    if same_file(db, out) {
        return Err(BackupError::SameFile(out.to_owned()));
    }
    let staging = Staging::beside(out, "backup")?;
    let mut source = open(db, Access::ReadOnly)
        .await
        .map_err(|source| unreadable(db, source))?;
    let copied = vacuum_into(&mut source, staging.path()).await;
    source.close().await.ok();
    copied.map_err(|source| unreadable(db, source))?;
    let mut summary = check(staging.path()).await?;
    // A backup holds what the database holds: no more readable than the database itself.
    staging.take_permissions_of(db)?;
    staging.commit(out)?;
    summary.took = started.elapsed();
    Ok(summary)
}

/// Replaces the database `db` with the backup `from`, after checking it. The service must be
/// stopped: while another connection has `db` open this refuses with [`BackupError::InUse`].
/// The replaced database is kept beside it as `<db>.replaced-<time>`; returns its path (if
/// there was one) and what the restored database holds.
pub async fn restore(db: &Path, from: &Path) -> Result<(Summary, Option<PathBuf>)> {
    let started = Instant::now();
    if !from.is_file() {
        return Err(BackupError::Missing(from.to_owned()));
    }
    if same_file(db, from) {
        return Err(BackupError::SameFile(from.to_owned()));
    }
    check_header(from)?;
    // Copy first (never writing to the backup, and taking in a `-wal` beside it if there is
    // one), then check and migrate the copy: the live database is not touched before the copy
    // is known good.
    let staging = Staging::beside(db, "restore")?;
    let mut source = open(from, Access::ReadOnly)
        .await
        .map_err(|source| unreadable(from, source))?;
    let copied = vacuum_into(&mut source, staging.path()).await;
    source.close().await.ok();
    copied.map_err(|source| unreadable(from, source))?;
    let mut summary = check(staging.path()).await?;
    let mut staged = open(staging.path(), Access::ReadWrite).await?;
    MIGRATOR.run(&mut staged).await?;
    staged.close().await?;

    // Hold the live database exclusively until the new one is in place, so a service starting
    // meanwhile fails to open it instead of writing into the file being replaced.
    let lock = if db.exists() {
        Some(lock_alone(db).await?)
    } else {
        None
    };
    let kept = match &lock {
        Some(_) => {
            // The service must be able to write the restored file as it did the old one.
            staging.take_permissions_of(db)?;
            staging.take_owner_of(db)?;
            Some(keep_aside(db)?)
        }
        None => None,
    };
    staging.commit(db)?;
    if let Some(lock) = lock {
        lock.close().await.ok();
    }
    summary.took = started.elapsed();
    Ok((summary, kept))
}

/// Checks that `path` is an intact BadgeIn database whose migrations this binary knows.
pub async fn check(path: &Path) -> Result<Summary> {
    check_header(path)?;
    let mut conn = open(path, Access::ReadOnly)
        .await
        .map_err(|source| unreadable(path, source))?;
    let summary = check_open(path, &mut conn).await;
    conn.close().await.ok();
    summary
}

async fn check_open(path: &Path, conn: &mut SqliteConnection) -> Result<Summary> {
    let report: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check(20)")
        .fetch_all(&mut *conn)
        .await
        .map_err(|source| unreadable(path, source))?;
    if report != ["ok"] {
        return Err(BackupError::Damaged {
            path: path.to_owned(),
            report: report.join("; "),
        });
    }
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' \
         AND name IN ($1, $2, $3, $4, $5, $6, '_sqlx_migrations')",
    )
    .bind(BADGEIN_TABLES[0])
    .bind(BADGEIN_TABLES[1])
    .bind(BADGEIN_TABLES[2])
    .bind(BADGEIN_TABLES[3])
    .bind(BADGEIN_TABLES[4])
    .bind(BADGEIN_TABLES[5])
    .fetch_one(&mut *conn)
    .await?;
    if tables != 7 {
        return Err(BackupError::NotBadgeIn(path.to_owned()));
    }
    let applied: Vec<(i64, bool, Vec<u8>)> =
        sqlx::query_as("SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await
            .map_err(|_| BackupError::NotBadgeIn(path.to_owned()))?;
    let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    for (version, success, checksum) in &applied {
        if *version > known {
            return Err(BackupError::Newer {
                path: path.to_owned(),
                found: *version,
                known,
            });
        }
        if !success {
            return Err(BackupError::IncompleteMigration {
                path: path.to_owned(),
                version: *version,
            });
        }
        let same = MIGRATOR
            .iter()
            .any(|m| m.version == *version && *m.checksum == **checksum);
        if !same {
            return Err(BackupError::UnknownMigration {
                path: path.to_owned(),
                version: *version,
            });
        }
    }
    let Some(migration) = applied.last().map(|(v, _, _)| *v) else {
        return Err(BackupError::NotBadgeIn(path.to_owned()));
    };
    let sessions = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&mut *conn)
        .await?;
    let audit_rows = sqlx::query_scalar("SELECT COUNT(*) FROM audit")
        .fetch_one(&mut *conn)
        .await?;
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(Summary {
        migration,
        sessions,
        audit_rows,
        bytes,
        took: Duration::ZERO,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadOnly,
    ReadWrite,
}

/// Opens an existing database file (never creating one).
async fn open(path: &Path, access: Access) -> std::result::Result<SqliteConnection, sqlx::Error> {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .read_only(access == Access::ReadOnly)
        .busy_timeout(BUSY_TIMEOUT)
        .connect()
        .await
}

async fn vacuum_into(
    source: &mut SqliteConnection,
    target: &Path,
) -> std::result::Result<(), sqlx::Error> {
    let target = target.to_str().ok_or_else(|| {
        sqlx::Error::Configuration("the destination path is not valid UTF-8".into())
    })?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(source)
        .await?;
    Ok(())
}

/// Takes the live database for this process alone, or refuses. A connection to a WAL database
/// holds a shared lock on the file for as long as it is open (an idle `serve` too), so the
/// exclusive lock of `locking_mode=EXCLUSIVE` is granted only when nobody else has it open.
/// Then the database leaves WAL mode, which writes the `-wal` file's commits into it and
/// deletes that file: a `-wal` left beside the restored file would be replayed into it.
async fn lock_alone(db: &Path) -> Result<SqliteConnection> {
    let options = SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(false)
        .locking_mode(SqliteLockingMode::Exclusive)
        .busy_timeout(Duration::from_millis(200));
    let mut conn = options
        .connect()
        .await
        .map_err(|source| current_error(db, source))?;
    let taken = async {
        sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await?;
        sqlx::query("COMMIT").execute(&mut conn).await?;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode = DELETE")
            .fetch_one(&mut conn)
            .await?;
        Ok::<_, sqlx::Error>(mode)
    }
    .await;
    let mode = match taken {
        Ok(mode) => mode,
        Err(source) => {
            conn.close().await.ok();
            return Err(current_error(db, source));
        }
    };
    if !mode.eq_ignore_ascii_case("delete") || sibling(db, "-wal").exists() {
        conn.close().await.ok();
        return Err(BackupError::InUse(db.to_owned()));
    }
    Ok(conn)
}

fn current_error(db: &Path, source: sqlx::Error) -> BackupError {
    // SQLITE_BUSY or SQLITE_LOCKED: another connection has it.
    if matches!(primary_code(&source), Some(5 | 6)) {
        BackupError::InUse(db.to_owned())
    } else {
        BackupError::CurrentUnreadable {
            path: db.to_owned(),
            detail: database_message(&source),
        }
    }
}

/// Keeps the database being replaced as `<db>.replaced-<time>` (a hard link, or a copy where
/// the file system has none): a restore never destroys data.
fn keep_aside(db: &Path) -> Result<PathBuf> {
    let stamp = crate::clock::rfc3339(crate::clock::Clock::now_ms(&crate::SystemClock))
        .replace([':', '-'], "");
    let kept = sibling(db, &format!(".replaced-{stamp}"));
    if std::fs::hard_link(db, &kept).is_err() {
        std::fs::copy(db, &kept).map_err(|source| BackupError::Io {
            what: format!("keeping {} as {}", db.display(), kept.display()),
            source,
        })?;
    }
    Ok(kept)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut header));
    match read {
        Ok(()) if &header == SQLITE_HEADER => Ok(()),
        Ok(()) => Err(BackupError::NotADatabase(path.to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Err(BackupError::NotADatabase(path.to_owned()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(BackupError::Missing(path.to_owned()))
        }
        Err(source) => Err(BackupError::Io {
            what: format!("reading {}", path.display()),
            source,
        }),
    }
}

/// SQLite's primary result code of a database error (`SQLITE_CORRUPT` = 11, …).
fn primary_code(error: &sqlx::Error) -> Option<i32> {
    let code = error.as_database_error()?.code()?;
    code.parse::<i32>().ok().map(|c| c & 0xff)
}

/// The database's own message, without sqlx's wrapping (which repeats it).
fn database_message(error: &sqlx::Error) -> String {
    error
        .as_database_error()
        .map_or_else(|| error.to_string(), |e| e.message().to_owned())
}

fn unreadable(path: &Path, source: sqlx::Error) -> BackupError {
    match primary_code(&source) {
        Some(26) => BackupError::NotADatabase(path.to_owned()),
        // A truncated or overwritten file: SQLite found the damage while reading it.
        Some(11) => BackupError::Damaged {
            path: path.to_owned(),
            report: database_message(&source),
        },
        _ => BackupError::Unreadable {
            path: path.to_owned(),
            detail: database_message(&source),
        },
    }
}

/// Whether `a` and `b` name the same file (both must exist to be the same).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A temporary file beside a destination, removed unless committed.
#[derive(Debug)]
struct Staging {
    path: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    fn beside(destination: &Path, purpose: &str) -> Result<Self> {
        let dir = match destination.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(BackupError::Io {
                what: format!("{}", destination.display()),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "its directory does not exist",
                ),
            });
        }
        let name = destination
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "badgein".to_owned());
        let suffix = crate::tokens::random_hex(6).map_err(|e| BackupError::Io {
            what: "the operating system random source".to_owned(),
            source: std::io::Error::other(e.to_string()),
        })?;
        Ok(Self {
            path: dir.join(format!(".{name}.{purpose}-{suffix}")),
            dir,
            committed: false,
        })
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn take_permissions_of(&self, original: &Path) -> Result<()> {
        let permissions = std::fs::metadata(original)
            .map_err(|source| BackupError::Io {
                what: format!("reading the permissions of {}", original.display()),
                source,
            })?
            .permissions();
        std::fs::set_permissions(&self.path, permissions).map_err(|source| BackupError::Io {
            what: format!("setting the permissions of {}", self.path.display()),
            source,
        })
    }

    /// Gives the copy the owner of `original` (when run as root for a service user); a user
    /// who cannot is told so before anything is replaced.
    #[cfg(unix)]
    fn take_owner_of(&self, original: &Path) -> Result<()> {
        use std::os::unix::fs::MetadataExt;
        let io = |what: String| move |source| BackupError::Io { what, source };
        let want = std::fs::metadata(original)
            .map_err(io(format!("reading the owner of {}", original.display())))?;
        let have = std::fs::metadata(&self.path)
            .map_err(io(format!("reading the owner of {}", self.path.display())))?;
        if (want.uid(), want.gid()) == (have.uid(), have.gid()) {
            return Ok(());
        }
        std::os::unix::fs::chown(&self.path, Some(want.uid()), Some(want.gid())).map_err(io(
            format!(
                "giving the restored copy the owner of {} (run restore as the service's user)",
                original.display()
            ),
        ))
    }

    #[cfg(not(unix))]
    fn take_owner_of(&self, _original: &Path) -> Result<()> {
        Ok(())
    }

    /// Syncs the file, renames it to `destination` (atomic on one file system), and syncs the
    /// directory so the rename itself survives a power cut.
    fn commit(mut self, destination: &Path) -> Result<()> {
        let io = |what: String| move |source| BackupError::Io { what, source };
        std::fs::File::open(&self.path)
            .and_then(|f| f.sync_all())
            .map_err(io(format!("syncing {}", self.path.display())))?;
        std::fs::rename(&self.path, destination).map_err(io(format!(
            "moving the copy into place as {}",
            destination.display()
        )))?;
        self.committed = true;
        // Not every platform can open a directory to sync it; the rename has happened anyway.
        if let Ok(dir) = std::fs::File::open(&self.dir) {
            dir.sync_all().ok();
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
            for suffix in ["-journal", "-wal", "-shm"] {
                let _ = std::fs::remove_file(sibling(&self.path, suffix));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_and_postgres_urls() {
        assert_eq!(sqlite_path("./x.db").unwrap(), PathBuf::from("./x.db"));
        assert_eq!(
            sqlite_path("sqlite:///var/b.db?mode=rwc").unwrap(),
            PathBuf::from("/var/b.db")
        );
        assert_eq!(sqlite_path("sqlite:b.db").unwrap(), PathBuf::from("b.db"));
        assert!(matches!(
            sqlite_path("postgres://u@h/db"),
            Err(BackupError::Postgres)
        ));
        assert!(BackupError::Postgres.to_string().contains("pg_dump"));
        assert!(BackupError::Postgres.to_string().contains("pg_restore"));
    }
}
