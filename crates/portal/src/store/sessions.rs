//! Sessions. A session has a public handle (`id`, what the kiosk uses to end it), a one-time
//! launch ticket until redeemed, and then a browser cookie. Tickets and cookies are stored as
//! SHA-256 digests. A session records how it was made (`method`, and the badge that started a
//! badge session), so that voiding the badge, revoking the kiosk or disabling the user ends it:
//! the operation ends the sessions in its own transaction (`END_*`), and every check of a live
//! session refuses one whose badge, kiosk or user was withdrawn anyway ([`STILL_ALLOWED`]).

use std::sync::LazyLock;

use sqlx::query::Query;
use sqlx::{Database, Encode, Postgres, Sqlite, Type};

use super::audit::{self, Entry};
use super::directory::{USER_COLUMNS, User};
use super::group_commit::Statement;
use super::{Pool, on_pool, on_reader};
use crate::error::Result;
use crate::ids::{KioskId, UserId};
use crate::session_method::SessionMethod;

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: String,
    pub user_id: UserId,
    pub kiosk_id: Option<KioskId>,
    pub method: SessionMethod,
    /// The badge that started a badge session.
    pub badge_id: Option<String>,
    pub now: i64,
    pub expires_at: i64,
    pub ticket_hash: Option<Vec<u8>>,
    pub ticket_expires_at: Option<i64>,
    pub ticket_ip: Option<String>,
    pub cookie_hash: Option<Vec<u8>>,
}

/// The session columns and their values, in the order [`NewSession::bind_with_audit`] binds
/// them (`created_at` and `last_seen_at` both start at `now`, `$4`).
const INSERT: &str = "INSERT INTO sessions (id, user_id, kiosk_id, created_at, last_seen_at, \
    expires_at, ticket_hash, ticket_expires_at, ticket_ip, cookie_hash, method, badge_id, \
    second_factor) VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
/// The first value of the audit entry that follows the session's.
const AUDIT_FROM: usize = 13;

/// The session row and the audit row of the sign-in that started it: on PostgreSQL one
/// statement (a data-modifying `WITH`); on SQLite two statements sent as one (inside the group
/// commit's transaction), one hand-over to the database thread instead of two.
static WITH_AUDIT_PG: LazyLock<String> =
    LazyLock::new(|| format!("WITH s AS ({INSERT}) {}", audit::insert_sql(AUDIT_FROM)));
static WITH_AUDIT_SQLITE: LazyLock<String> =
    LazyLock::new(|| format!("{INSERT}; {}", audit::insert_sql(AUDIT_FROM)));

impl NewSession {
    /// Binds the session's values onto `query` (a statement from [`WITH_AUDIT_PG`] or
    /// [`WITH_AUDIT_SQLITE`]), then `audit`'s.
    fn bind_with_audit<'q, DB: Database>(
        &'q self,
        audit: &'q Entry,
        query: Query<'q, DB, DB::Arguments<'q>>,
    ) -> Query<'q, DB, DB::Arguments<'q>>
    where
        i64: Encode<'q, DB> + Type<DB>,
        Option<i64>: Encode<'q, DB> + Type<DB>,
        &'q str: Encode<'q, DB> + Type<DB>,
        Option<&'q str>: Encode<'q, DB> + Type<DB>,
        Option<&'q [u8]>: Encode<'q, DB> + Type<DB>,
    {
        let query = query
            .bind(self.id.as_str())
            .bind(self.user_id.as_str())
            .bind(self.kiosk_id.as_ref().map(KioskId::as_str))
            .bind(self.now)
            .bind(self.expires_at)
            .bind(self.ticket_hash.as_deref())
            .bind(self.ticket_expires_at)
            .bind(self.ticket_ip.as_deref())
            .bind(self.cookie_hash.as_deref())
            .bind(self.method.as_str())
            .bind(self.badge_id.as_deref())
            .bind(self.method.second_factor());
        audit.bind(query)
    }
}

/// A new session and the audit entry of the sign-in that started it, for the group commit.
#[derive(Debug)]
struct SessionAndAudit(NewSession, Entry);

impl Statement for SessionAndAudit {
    fn query(&self) -> Query<'_, Sqlite, <Sqlite as Database>::Arguments<'_>> {
        self.0
            .bind_with_audit(&self.1, sqlx::query(&WITH_AUDIT_SQLITE))
    }
}

/// Creates the session and writes its audit entry atomically: a sign-in is recorded exactly
/// when it happened. On SQLite both go in the next group commit.
pub async fn create(db: &Pool, s: NewSession, audit: Entry) -> Result<()> {
    match db {
        Pool::Sqlite(sqlite) => {
            sqlite
                .records
                .write(Box::new(SessionAndAudit(s, audit)))
                .await
        }
        Pool::Postgres(p) => {
            s.bind_with_audit(&audit, sqlx::query(&WITH_AUDIT_PG))
                .execute(p)
                .await?;
            Ok(())
        }
    }
}

/// A ticket just taken out of its session (it can never be redeemed again).
#[derive(Debug, sqlx::FromRow)]
pub struct ClaimedTicket {
    pub id: String,
    pub user_id: UserId,
    pub kiosk_id: Option<KioskId>,
    pub ticket_expires_at: Option<i64>,
    pub ticket_ip: Option<String>,
    pub ended_at: Option<i64>,
    /// The kiosk that asked was revoked since.
    pub kiosk_revoked: i64,
    /// The badge that started the session was voided, or its user disabled, since.
    pub withdrawn: i64,
}

/// Removes the ticket from its session in one statement, so of two concurrent redemptions only
/// one gets a row. The caller then checks its lifetime and binding.
pub async fn claim_ticket(db: &Pool, ticket_hash: &[u8]) -> Result<Option<ClaimedTicket>> {
    const SQL: &str = "UPDATE sessions SET ticket_hash = NULL WHERE ticket_hash = $1 \
        RETURNING id, user_id, kiosk_id, ticket_expires_at, ticket_ip, ended_at, \
        (SELECT COUNT(*) FROM kiosks k WHERE k.id = sessions.kiosk_id \
         AND k.revoked_at IS NOT NULL) AS kiosk_revoked, \
        (SELECT COUNT(*) FROM badges b WHERE b.id = sessions.badge_id \
         AND b.voided_at IS NOT NULL) + (SELECT COUNT(*) FROM users u \
         WHERE u.id = sessions.user_id AND u.disabled_at IS NOT NULL) AS withdrawn";
    Ok(on_pool!(db, |p| sqlx::query_as(SQL)
        .bind(ticket_hash)
        .fetch_optional(p)
        .await)?)
}

pub async fn set_cookie(db: &Pool, session_id: &str, cookie_hash: &[u8]) -> Result<()> {
    const SQL: &str = "UPDATE sessions SET cookie_hash = $2 WHERE id = $1";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(session_id)
        .bind(cookie_hash)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// What keeps a session alive besides time: the badge that started it is not voided, the kiosk
/// it was started at is not revoked, and its user is not disabled. The operations that
/// withdraw these also end the sessions (`END_*`); this is the second lock, for a session that
/// slipped past them (started while the withdrawal committed) and for the avatar by handle.
pub(crate) const STILL_ALLOWED: &str = "NOT EXISTS (SELECT 1 FROM badges b \
    WHERE b.id = sessions.badge_id AND b.voided_at IS NOT NULL) \
    AND NOT EXISTS (SELECT 1 FROM kiosks k WHERE k.id = sessions.kiosk_id \
    AND k.revoked_at IS NOT NULL) \
    AND EXISTS (SELECT 1 FROM users u WHERE u.id = sessions.user_id AND u.disabled_at IS NULL)";

/// How long a session's last use may go unwritten. Writing it at every page view made every
/// request of a signed-in user (an app's sign-in too) wait on the one writer and a commit
/// (benches/sso); the idle limit is hours (`Config::session_idle`), so a session may end up to
/// a minute before it, never after.
const TOUCH_EVERY_MS: i64 = 60_000;

/// A live session found by its cookie, with its user.
#[derive(Debug, sqlx::FromRow)]
pub struct LiveRow {
    #[sqlx(flatten)]
    pub user: User,
    pub session_id: String,
    /// `badge` or `password` ([`SessionMethod::from_stored`]).
    pub session_method: String,
    /// When the session was made (ms).
    pub session_created: i64,
    /// Its last use as written (ms).
    session_seen: i64,
    /// 1: the password session also passed the second factor.
    pub session_second_factor: i64,
    /// The user signed in with a temporary password they must change first.
    pub must_change_password: bool,
}

/// The session (and its user) of a cookie: live, not idle too long, within its absolute
/// lifetime and not withdrawn ([`STILL_ALLOWED`]). One read; its use is written only when the
/// last one written is older than [`TOUCH_EVERY_MS`].
static LIVE_BY_COOKIE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {USER_COLUMNS}, s.session_id, s.session_method, s.session_second_factor, \
         s.session_created, s.session_seen, users.must_change_password \
         FROM (SELECT id AS session_id, \
         user_id AS session_user, method AS session_method, \
         second_factor AS session_second_factor, created_at AS session_created, \
         last_seen_at AS session_seen FROM sessions WHERE cookie_hash = $1 \
         AND ended_at IS NULL AND expires_at > $2 AND last_seen_at > $2 - $3 \
         AND {STILL_ALLOWED}) s \
         JOIN users ON users.id = s.session_user"
    )
});

/// The live session behind a cookie, marked as used now (at most once a minute: see
/// [`TOUCH_EVERY_MS`]). `None`: unknown, ended, idle too long, past its absolute lifetime, or
/// withdrawn ([`STILL_ALLOWED`]).
pub async fn touch(
    db: &Pool,
    cookie_hash: &[u8],
    now: i64,
    idle_ms: i64,
) -> Result<Option<LiveRow>> {
    static MARK: LazyLock<String> = LazyLock::new(|| {
        format!(
            "UPDATE sessions SET last_seen_at = $2 WHERE id = $1 \
             AND ended_at IS NULL AND expires_at > $2 AND last_seen_at > $2 - $3 \
             AND {STILL_ALLOWED}"
        )
    });
    let found: Option<LiveRow> = on_reader!(db, |p| sqlx::query_as(&LIVE_BY_COOKIE)
        .bind(cookie_hash)
        .bind(now)
        .bind(idle_ms)
        .fetch_optional(p)
        .await)?;
    let Some(row) = found else {
        return Ok(None);
    };
    if row.session_seen > now - TOUCH_EVERY_MS {
        return Ok(Some(row));
    }
    // Checked again as it is written: it may have ended since the read.
    let marked = on_pool!(db, |p| sqlx::query(&MARK)
        .bind(&row.session_id)
        .bind(now)
        .bind(idle_ms)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok((marked == 1).then_some(row))
}

/// The user of a live session, by its public handle (for the avatar the kiosk shows).
pub async fn live_user(db: &Pool, session_id: &str, now: i64) -> Result<Option<UserId>> {
    let sql = format!(
        "SELECT user_id FROM sessions \
         WHERE id = $1 AND ended_at IS NULL AND expires_at > $2 AND {STILL_ALLOWED}"
    );
    Ok(on_reader!(db, |p| sqlx::query_scalar(&sql)
        .bind(session_id)
        .bind(now)
        .fetch_optional(p)
        .await)?)
}

/// How many sessions are live at `now`: not ended, within their absolute lifetime and used
/// within `idle_ms` (the `badgein_active_sessions` gauge, counted once a minute). Withdrawn
/// sessions are ended in their withdrawal's transaction, so the few a check would still
/// refuse are not looked for: one scan of the table's live rows, no join.
pub async fn count_live(db: &Pool, now: i64, idle_ms: i64) -> Result<i64> {
    Ok(on_reader!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions \
         WHERE ended_at IS NULL AND expires_at > $1 AND last_seen_at > $1 - $2"
    )
    .bind(now)
    .bind(idle_ms)
    .fetch_one(p)
    .await)?)
}

/// Ends a kiosk's session (idempotent). `false`: no such session for this kiosk.
pub async fn end_for_kiosk(
    db: &Pool,
    session_id: &str,
    kiosk_id: &KioskId,
    now: i64,
) -> Result<bool> {
    const SQL: &str = "UPDATE sessions SET ended_at = COALESCE(ended_at, $3), ticket_hash = NULL \
        WHERE id = $1 AND kiosk_id = $2";
    let done = on_pool!(db, |p| sqlx::query(SQL)
        .bind(session_id)
        .bind(kiosk_id)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

pub async fn end(db: &Pool, session_id: &str, now: i64) -> Result<()> {
    const SQL: &str = "UPDATE sessions SET ended_at = COALESCE(ended_at, $2), ticket_hash = NULL \
        WHERE id = $1";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(session_id)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of `user_id` except `keep`; returns how many.
pub async fn end_others(db: &Pool, user_id: &UserId, keep: &str, now: i64) -> Result<u64> {
    const SQL: &str = "UPDATE sessions SET ended_at = $3, ticket_hash = NULL \
        WHERE user_id = $1 AND id <> $2 AND ended_at IS NULL";
    let done = on_pool!(db, |p| sqlx::query(SQL)
        .bind(user_id)
        .bind(keep)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Takes access away and ends the live sessions it gave, in one transaction (whoever held it
/// is out at once, not at the next check). `withdraw` updates the row `$1` (`id`) with `$2`
/// (`value`); `end` is the `END_BY_*` statement for the same id. `None`: no such row, nothing
/// ended; otherwise how many live sessions were ended.
pub(crate) async fn withdraw<T>(
    db: &Pool,
    withdraw: &str,
    id: &str,
    value: T,
    end: &str,
    now: i64,
) -> Result<Option<u64>>
where
    T: for<'q> Encode<'q, Sqlite> + Type<Sqlite>,
    T: for<'q> Encode<'q, Postgres> + Type<Postgres>,
    T: Send + 'static,
{
    let ended = on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let found = sqlx::query(withdraw)
            .bind(id)
            .bind(value)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let ended = if found == 1 {
            let ended = sqlx::query(end)
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            Some(ended.rows_affected())
        } else {
            None
        };
        tx.commit().await.map(|()| ended)
    })?;
    Ok(ended)
}

/// Ends the live sessions started at kiosk `$1` (at `$2`, now). For a transaction that
/// revokes the kiosk.
pub(crate) const END_BY_KIOSK: &str = "UPDATE sessions SET ended_at = $2, ticket_hash = NULL \
    WHERE kiosk_id = $1 AND ended_at IS NULL AND expires_at > $2";

/// Ends the live sessions of user `$1` (at `$2`, now). For a transaction that resets the
/// user's password or disables the user.
pub(crate) const END_BY_USER: &str = "UPDATE sessions SET ended_at = $2, ticket_hash = NULL \
    WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2";

/// Ends the live sessions started by a voided badge of the users `owners` selects (a
/// subquery on `$1`), at `$2` (now). For a transaction that voids badges.
pub(crate) fn end_by_voided_badges(owners: &str) -> String {
    format!(
        "UPDATE sessions SET ended_at = $2, ticket_hash = NULL \
         WHERE ended_at IS NULL AND expires_at > $2 AND badge_id IN \
         (SELECT b.id FROM badges b WHERE b.voided_at IS NOT NULL AND b.user_id IN ({owners}))"
    )
}
