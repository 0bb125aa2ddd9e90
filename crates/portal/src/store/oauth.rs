//! The OpenID Connect authorization code flow's rows: codes and the access tokens issued for
//! them, each stored only as the SHA-256 digest of its token. A code is redeemed once: the
//! redemption marks it used and writes the access token in one transaction; a second try
//! revokes the code and everything issued for it, with its audit entry.

use sqlx::query::Query;
use sqlx::{Database, Encode, Sqlite, Type};

use super::audit::Entry;
use super::group_commit::Record;
use super::{Pool, on_pool};
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

impl Record for CodeRecord {
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

/// An access token about to be stored with the redemption of its code.
#[derive(Debug)]
pub struct NewAccessToken<'a> {
    pub token_hash: &'a [u8],
    pub expires_at: i64,
}

/// The audit entries of a redemption: `issued` for a token (the user is filled in), `reused`
/// for a second try.
#[derive(Debug, Clone, Copy)]
pub struct RedeemAudit<'a> {
    pub issued: &'a Entry,
    pub reused: &'a Entry,
}

/// Redeems `code_hash` for `app_id` at `now`, in one transaction. An unused code becomes used
/// and, when `check` accepts its row, `token` is stored for it (`true`); a code that fails the
/// check is spent all the same; `issued` (with the user) is audited with the token. A code
/// used before is revoked with every access token issued for it, and `reused` is audited.
pub async fn redeem(
    db: &Pool,
    code_hash: &[u8],
    app_id: &AppId,
    now: i64,
    token: &NewAccessToken<'_>,
    check: impl Fn(&CodeRow) -> bool,
    audit: &RedeemAudit<'_>,
) -> Result<(Redeemed, bool)> {
    let RedeemAudit { issued, reused } = *audit;
    const USE: &str = "UPDATE oauth_codes SET used_at = $3 \
        WHERE code_hash = $1 AND app_id = $2 AND used_at IS NULL \
        RETURNING app_id, redirect_uri, session_id, user_id, nonce, code_challenge, scope, \
        auth_time, expires_at";
    const TOKEN: &str = "INSERT INTO oauth_access_tokens (token_hash, code_hash, app_id, \
        user_id, session_id, scope, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    const REVOKE_CODE: &str = "UPDATE oauth_codes SET revoked_at = COALESCE(revoked_at, $3) \
        WHERE code_hash = $1 AND app_id = $2 AND used_at IS NOT NULL";
    const REVOKE_TOKENS: &str = "UPDATE oauth_access_tokens \
        SET revoked_at = COALESCE(revoked_at, $2) WHERE code_hash = $1";
    let out = on_pool!(db, |p| async {
        let mut tx = p.begin().await?;
        let row: Option<CodeRow> = sqlx::query_as(USE)
            .bind(code_hash)
            .bind(app_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = row {
            let ok = check(&row);
            if ok {
                sqlx::query(TOKEN)
                    .bind(token.token_hash)
                    .bind(code_hash)
                    .bind(&row.app_id)
                    .bind(&row.user_id)
                    .bind(&row.session_id)
                    .bind(&row.scope)
                    .bind(token.expires_at)
                    .execute(&mut *tx)
                    .await?;
                // The app now holds tokens of this session: it is owed a logout when the
                // session ends.
                sqlx::query(super::sign_ins::RECORD)
                    .bind(&row.session_id)
                    .bind(&row.app_id)
                    .bind(&row.user_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let mut issued = issued.clone();
                issued.user_id = Some(row.user_id.clone());
                issued.insert().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            return Ok::<_, sqlx::Error>((Redeemed::Fresh(row), ok));
        }
        let revoked = sqlx::query(REVOKE_CODE)
            .bind(code_hash)
            .bind(app_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if !revoked {
            tx.rollback().await?;
            return Ok((Redeemed::Unknown, false));
        }
        sqlx::query(REVOKE_TOKENS)
            .bind(code_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        reused.insert().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok((Redeemed::Reused, false))
    }
    .await)?;
    Ok(out)
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

/// When a live session was made (the ID token's `auth_time`).
pub async fn session_started(db: &Pool, session_id: &str) -> Result<Option<i64>> {
    const SQL: &str = "SELECT created_at FROM sessions WHERE id = $1";
    Ok(on_pool!(db, |p| sqlx::query_scalar(SQL)
        .bind(session_id)
        .fetch_optional(p)
        .await)?)
}

/// How a session was made, as stored (`badge` or `password`).
pub async fn session_method(db: &Pool, session_id: &str) -> Result<Option<(String, i64)>> {
    const SQL: &str = "SELECT method, second_factor FROM sessions WHERE id = $1";
    Ok(on_pool!(db, |p| sqlx::query_as(SQL)
        .bind(session_id)
        .fetch_optional(p)
        .await)?)
}
