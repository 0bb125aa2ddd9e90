//! The OpenID Connect authorization code flow's rows: codes and the access tokens issued for
//! them, each stored only as the SHA-256 digest of its token. A code is redeemed once: the
//! redemption marks it used and writes the access token in one transaction; a second try
//! revokes the code and everything issued for it, with its audit entry.

use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use sqlx::query::Query;
use sqlx::{Database, Encode, Sqlite, SqliteConnection, Type};

use super::audit::{self, Entry};
use super::directory::{USER_COLUMNS, User};
use super::group_commit::{Record, Statement, Writing};
use super::sessions::STILL_ALLOWED;
use super::sign_ins;
use super::{Pool, on_pool, on_reader};
use crate::error::Result;
use crate::ids::{AppId, UserId};

/// A code about to be stored (checked already).
#[derive(Debug)]
pub struct NewCode<'a> {
    pub code_hash: &'a [u8],
    pub app_id: &'a AppId,
    pub redirect_uri: &'a str,
    pub session_id: &'a str,
    pub user_id: &'a UserId,
    pub nonce: Option<&'a str>,
    pub code_challenge: Option<&'a str>,
    pub scope: &'a str,
    pub auth_time: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A stored code, as its redemption reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CodeRow {
    pub app_id: AppId,
    pub redirect_uri: String,
    pub session_id: String,
    pub user_id: UserId,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub scope: String,
    pub auth_time: i64,
    pub expires_at: i64,
}

/// What [`redeem`] found.
#[derive(Debug)]
pub enum Redeemed {
    /// The code was unused and is now used; the access token is stored.
    Fresh(CodeRow),
    /// The code had been redeemed before: it and what it issued are now revoked.
    Reused,
    /// No such code for this app.
    Unknown,
}

const INSERT_CODE: &str = "INSERT INTO oauth_codes (code_hash, app_id, redirect_uri, session_id, \
    user_id, nonce, code_challenge, scope, auth_time, created_at, expires_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// A code's row, owned, for the group commit (it outlives the request that made it).
#[derive(Debug)]
struct CodeRecord {
    code_hash: Vec<u8>,
    app_id: AppId,
    redirect_uri: String,
    session_id: String,
    user_id: UserId,
    nonce: Option<String>,
    code_challenge: Option<String>,
    scope: String,
    auth_time: i64,
    created_at: i64,
    expires_at: i64,
}

impl CodeRecord {
    fn of(code: &NewCode<'_>) -> Self {
        Self {
            code_hash: code.code_hash.to_vec(),
            app_id: code.app_id.clone(),
            redirect_uri: code.redirect_uri.to_owned(),
            session_id: code.session_id.to_owned(),
            user_id: code.user_id.clone(),
            nonce: code.nonce.map(str::to_owned),
            code_challenge: code.code_challenge.map(str::to_owned),
            scope: code.scope.to_owned(),
            auth_time: code.auth_time,
            created_at: code.created_at,
            expires_at: code.expires_at,
        }
    }

    /// Binds the row onto [`INSERT_CODE`] for either database.
    fn bind<'q, DB: Database>(
        &'q self,
        query: Query<'q, DB, DB::Arguments<'q>>,
    ) -> Query<'q, DB, DB::Arguments<'q>>
    where
        i64: Encode<'q, DB> + Type<DB>,
        &'q str: Encode<'q, DB> + Type<DB>,
        Option<&'q str>: Encode<'q, DB> + Type<DB>,
        &'q [u8]: Encode<'q, DB> + Type<DB>,
    {
        query
            .bind(self.code_hash.as_slice())
            .bind(self.app_id.as_str())
            .bind(self.redirect_uri.as_str())
            .bind(self.session_id.as_str())
            .bind(self.user_id.as_str())
            .bind(self.nonce.as_deref())
            .bind(self.code_challenge.as_deref())
            .bind(self.scope.as_str())
            .bind(self.auth_time)
            .bind(self.created_at)
            .bind(self.expires_at)
    }
}

impl Statement for CodeRecord {
    fn query(&self) -> Query<'_, Sqlite, <Sqlite as Database>::Arguments<'_>> {
        self.bind(sqlx::query(INSERT_CODE))
    }
}

/// Stores a code; answered once it is committed. On SQLite it goes in the next group commit
/// with the sign-ins (`store::group_commit`): at 9:00 every child's app asks for a code at
/// once, and one commit each made the authorization endpoint wait on the disk (benches/sso).
pub async fn insert_code(db: &Pool, code: &NewCode<'_>) -> Result<()> {
    let record = CodeRecord::of(code);
    match db {
        Pool::Sqlite(sqlite) => sqlite.records.write(Box::new(record)).await,
        Pool::Postgres(p) => {
            record.bind(sqlx::query(INSERT_CODE)).execute(p).await?;
            Ok(())
        }
    }
}

/// A code's redemption: everything it needs, owned, for on SQLite it is written by the group
/// commit (one commit for the codes that came in together, where one each made the token
/// endpoint wait on the disk and the one writer at 9:00: benches/sso).
pub struct Redemption {
    pub code_hash: Vec<u8>,
    pub app_id: AppId,
    pub now: i64,
    /// The access token's digest, stored when the code is exchanged.
    pub token_hash: Vec<u8>,
    pub token_expires_at: i64,
    /// Whether the code's row allows the exchange; a code that fails it is spent all the same.
    pub check: Box<dyn Fn(&CodeRow) -> bool + Send + Sync>,
    /// Audited with the token (the user filled in).
    pub issued: Entry,
    /// Audited when the code was used before.
    pub reused: Entry,
}

impl std::fmt::Debug for Redemption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redemption")
            .field("app_id", &self.app_id)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// What a redemption found, and whether its check passed (a token was stored).
type Outcome = (Redeemed, bool);

/// A redemption's writes once its code is accepted, at one hand-over to the database: the
/// access token ($1 .. $7), the record that the app signed in to the session (it is owed a
/// logout when the session ends; $8 is now) and the audit entry. On SQLite statements sent as
/// one, on PostgreSQL one statement (data-modifying `WITH`s), as a session and its audit entry.
const ISSUE_TOKEN: &str = "INSERT INTO oauth_access_tokens (token_hash, code_hash, app_id, \
    user_id, session_id, scope, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const ISSUE_AUDIT_FROM: usize = 9;
static ISSUE_SQLITE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{ISSUE_TOKEN}; {}; {}",
        sign_ins::RECORD,
        audit::insert_sql(ISSUE_AUDIT_FROM)
    )
});
static ISSUE_PG: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH t AS ({ISSUE_TOKEN}), s AS ({}) {}",
        sign_ins::RECORD,
        audit::insert_sql(ISSUE_AUDIT_FROM)
    )
});

/// The statements of a redemption on `$tx` (a `&mut` connection of either database, inside a
/// transaction) with `$issue` (its database's [`ISSUE_SQLITE`] or [`ISSUE_PG`]), evaluating to
/// `Result<Outcome, sqlx::Error>`.
macro_rules! redeem_on {
    ($tx:ident, $r:expr, $issue:expr) => {
        async {
            const USE: &str = "UPDATE oauth_codes SET used_at = $3 \
                WHERE code_hash = $1 AND app_id = $2 AND used_at IS NULL \
                RETURNING app_id, redirect_uri, session_id, user_id, nonce, code_challenge, \
                scope, auth_time, expires_at";
            const REVOKE_CODE: &str = "UPDATE oauth_codes \
                SET revoked_at = COALESCE(revoked_at, $3) \
                WHERE code_hash = $1 AND app_id = $2 AND used_at IS NOT NULL";
            const REVOKE_TOKENS: &str = "UPDATE oauth_access_tokens \
                SET revoked_at = COALESCE(revoked_at, $2) WHERE code_hash = $1";
            let r: &Redemption = $r;
            let row: Option<CodeRow> = sqlx::query_as(USE)
                .bind(&r.code_hash)
                .bind(&r.app_id)
                .bind(r.now)
                .fetch_optional(&mut *$tx)
                .await?;
            if let Some(row) = row {
                let ok = (r.check)(&row);
                if ok {
                    let mut issued = r.issued.clone();
                    issued.user_id = Some(row.user_id.clone());
                    let query = sqlx::query($issue)
                        .bind(&r.token_hash)
                        .bind(&r.code_hash)
                        .bind(&row.app_id)
                        .bind(&row.user_id)
                        .bind(&row.session_id)
                        .bind(&row.scope)
                        .bind(r.token_expires_at)
                        .bind(r.now);
                    issued.bind(query).execute(&mut *$tx).await?;
                }
                return Ok::<Outcome, sqlx::Error>((Redeemed::Fresh(row), ok));
            }
            let revoked = sqlx::query(REVOKE_CODE)
                .bind(&r.code_hash)
                .bind(&r.app_id)
                .bind(r.now)
                .execute(&mut *$tx)
                .await?
                .rows_affected()
                == 1;
            if !revoked {
                return Ok((Redeemed::Unknown, false));
            }
            sqlx::query(REVOKE_TOKENS)
                .bind(&r.code_hash)
                .bind(r.now)
                .execute(&mut *$tx)
                .await?;
            r.reused.insert().execute(&mut *$tx).await?;
            Ok((Redeemed::Reused, false))
        }
    };
}

/// A redemption in a group commit, with where its outcome goes (the last try's: a group the
/// database refused is written again one record at a time).
#[derive(Debug)]
struct RedemptionRecord {
    redemption: Redemption,
    outcome: Arc<Mutex<Outcome>>,
}

impl Record for RedemptionRecord {
    fn write<'c>(&'c self, tx: &'c mut SqliteConnection) -> Writing<'c> {
        Box::pin(async move {
            let outcome = redeem_on!(tx, &self.redemption, &ISSUE_SQLITE).await?;
            *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = outcome;
            Ok(())
        })
    }
}

/// Redeems a code, atomically: an unused code becomes used and, when the check accepts its
/// row, the access token is stored for it (`true`) with its audit entry and the record that
/// the app signed in to the session (its logout is owed); a code used before is revoked with
/// every access token issued for it, and that is audited. An unknown code changes nothing.
pub async fn redeem(db: &Pool, redemption: Redemption) -> Result<Outcome> {
    match db {
        Pool::Sqlite(sqlite) => {
            // Every write sets it before its group commits; were one not to, the code is
            // refused, never exchanged.
            let outcome = Arc::new(Mutex::new((Redeemed::Unknown, false)));
            sqlite
                .records
                .write(Box::new(RedemptionRecord {
                    redemption,
                    outcome: Arc::clone(&outcome),
                }))
                .await?;
            let mut written = outcome.lock().unwrap_or_else(PoisonError::into_inner);
            Ok(std::mem::replace(&mut *written, (Redeemed::Unknown, false)))
        }
        Pool::Postgres(p) => {
            let mut tx = p.begin().await?;
            let outcome = redeem_on!(tx, &redemption, &ISSUE_PG).await?;
            tx.commit().await?;
            Ok(outcome)
        }
    }
}

/// Revokes the access tokens issued for a code (its session ended meanwhile).
pub async fn revoke_for_code(db: &Pool, code_hash: &[u8], now: i64) -> Result<()> {
    const SQL: &str = "UPDATE oauth_access_tokens \
        SET revoked_at = COALESCE(revoked_at, $2) WHERE code_hash = $1";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(code_hash)
        .bind(now)
        .execute(p)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// What a live access token was issued for.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccessGrant {
    pub app_id: AppId,
    pub user_id: UserId,
    pub session_id: String,
    pub scope: String,
}

/// The grant of a stored, unrevoked, unexpired access token.
pub async fn live_access_token(
    db: &Pool,
    token_hash: &[u8],
    now: i64,
) -> Result<Option<AccessGrant>> {
    const SQL: &str = "SELECT app_id, user_id, session_id, scope FROM oauth_access_tokens \
        WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2";
    Ok(on_pool!(db, |p| sqlx::query_as(SQL)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(p)
        .await)?)
}

/// Whether an access token is live: stored, unrevoked, unexpired.
pub async fn access_token_live(db: &Pool, token_hash: &[u8], now: i64) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM oauth_access_tokens \
        WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2";
    let n: i64 = on_pool!(db, |p| sqlx::query_scalar(SQL)
        .bind(token_hash)
        .bind(now)
        .fetch_one(p)
        .await)?;
    Ok(n == 1)
}

/// How many access tokens `app_id` holds, live or not (tests: "nothing issued").
pub async fn access_tokens_of(db: &Pool, app_id: &AppId) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM oauth_access_tokens WHERE app_id = $1";
    Ok(on_pool!(db, |p| sqlx::query_scalar(SQL)
        .bind(app_id)
        .fetch_one(p)
        .await)?)
}

/// Who a code or access token was issued to, as the ID token and userinfo need them, read
/// once: the user, how the session was made, and the app's pairwise setting.
#[derive(Debug, sqlx::FromRow)]
pub struct Holder {
    #[sqlx(flatten)]
    pub user: User,
    /// `badge` or `password` (`SessionMethod::from_stored`).
    pub session_method: String,
    /// 1: the password session also passed the second factor.
    pub session_second_factor: i64,
    /// `None`: the app is gone.
    pub app_pairwise: Option<bool>,
    pub app_salt: Option<Vec<u8>>,
}

/// The holder of a grant to `app_id` for `user_id` in `session_id`, while that session is live
/// (not ended, within its lifetime, nothing behind it withdrawn: [`STILL_ALLOWED`]) and the
/// user is enabled. One read instead of four: the token endpoint's path at 9:00 (benches/sso).
pub async fn holder(
    db: &Pool,
    session_id: &str,
    user_id: &UserId,
    app_id: &AppId,
    now: i64,
) -> Result<Option<Holder>> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {USER_COLUMNS}, s.session_method, s.session_second_factor, \
             (SELECT pairwise FROM apps WHERE apps.id = $3) AS app_pairwise, \
             (SELECT pairwise_salt FROM apps WHERE apps.id = $3) AS app_salt \
             FROM users JOIN (SELECT user_id AS session_user, method AS session_method, \
             second_factor AS session_second_factor FROM sessions WHERE id = $1 AND ended_at IS NULL AND expires_at > $4 \
             AND {STILL_ALLOWED}) s ON s.session_user = users.id \
             WHERE users.id = $2 AND users.disabled_at IS NULL"
        )
    });
    Ok(on_reader!(db, |p| sqlx::query_as(&SQL)
        .bind(session_id)
        .bind(user_id)
        .bind(app_id)
        .bind(now)
        .fetch_optional(p)
        .await)?)
}
