//! The apps each session signed in to over OpenID Connect, and the back-channel logouts owed
//! to them (`oidc_sign_ins`, migration 0007). [`RECORD`] is written with
//! an app its first access token for a session; once that session is no longer live, the
//! delivery worker (`idp::backchannel`) [`claim_due`]s the row, sends the logout, and marks it
//! [`done`] or [`retry_at`] a later time.

use super::audit::Entry;
use super::sessions::STILL_ALLOWED;
use super::{Pool, on_pool, on_reader};
use crate::error::Result;
use crate::idp::SigningAlg;
use crate::ids::{AppId, UserId};

/// Records that session `$5` signed in to app `$3` as user `$4` at `$8` (idempotent: the
/// first sign-in of the pair is kept). Numbered as the statement that issues the app its access
/// token binds them (`store::oauth`), of which it is a part.
pub(crate) const RECORD: &str = "INSERT INTO oidc_sign_ins (session_id, app_id, user_id, \
    signed_in_at) VALUES ($5, $3, $4, $8) ON CONFLICT (session_id, app_id) DO NOTHING";

/// A logout owed to an app: its session is over.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Due {
    pub session_id: String,
    pub app_id: AppId,
    pub user_id: UserId,
    /// Tries made before this one.
    pub logout_attempts: i32,
}

/// Claims up to `limit` logouts owed now: sign-ins still pending, not leased or waiting for a
/// retry (`logout_next_at <= now`), whose session is not live any more (ended, expired, idle
/// for `idle_ms`, withdrawn, or pruned). Each is leased until `lease_until`, so another portal
/// process on the same database does not send it too; a worker that dies mid-send leaves the
/// lease to run out and the row to be claimed again.
///
/// The search runs on a reader: it looks at every pending sign-in (all those of live sessions
/// too, thousands at 9:00) every poll, and on SQLite the writer is the sign-ins' one
/// connection. Only the rows found are then leased, on the writer, by key, re-checking that
/// they are still due, so of two processes that found the same row one gets it.
pub async fn claim_due(
    db: &Pool,
    now: i64,
    idle_ms: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<Due>> {
    let find = format!(
        "SELECT session_id, app_id FROM oidc_sign_ins \
         WHERE logout_done_at IS NULL AND logout_next_at <= $1 \
         AND NOT EXISTS (SELECT 1 FROM sessions WHERE sessions.id = oidc_sign_ins.session_id \
             AND sessions.ended_at IS NULL AND sessions.expires_at > $1 \
             AND sessions.last_seen_at > $1 - $2 AND {STILL_ALLOWED}) \
         LIMIT $3"
    );
    let found: Vec<(String, AppId)> = on_reader!(db, |p| sqlx::query_as(&find)
        .bind(now)
        .bind(idle_ms)
        .bind(limit)
        .fetch_all(p)
        .await)?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    const LEASE: &str = "UPDATE oidc_sign_ins SET logout_next_at = $3 \
        WHERE session_id = $1 AND app_id = $2 \
        AND logout_done_at IS NULL AND logout_next_at <= $4 \
        RETURNING session_id, app_id, user_id, logout_attempts";
    let claimed = on_pool!(db, |p| async {
        let mut tx = p.begin().await?;
        let mut claimed = Vec::with_capacity(found.len());
        for (session_id, app_id) in &found {
            let row: Option<Due> = sqlx::query_as(LEASE)
                .bind(session_id)
                .bind(app_id)
                .bind(lease_until)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            claimed.extend(row);
        }
        tx.commit().await.map(|()| claimed)
    }
    .await)?;
    Ok(claimed)
}

/// Marks a logout finished (sent, not needed, or given up) with its audit entry if any, in one
/// transaction.
pub async fn done(db: &Pool, due: &Due, now: i64, entry: Option<&Entry>) -> Result<()> {
    const SQL: &str = "UPDATE oidc_sign_ins SET logout_done_at = $3, \
        logout_attempts = logout_attempts + 1 WHERE session_id = $1 AND app_id = $2";
    on_pool!(db, |p| async {
        let mut tx = p.begin().await?;
        sqlx::query(SQL)
            .bind(&due.session_id)
            .bind(&due.app_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if let Some(entry) = entry {
            entry.insert().execute(&mut *tx).await?;
        }
        tx.commit().await
    }
    .await)?;
    Ok(())
}

/// A failed try: the next one not before `next_at`.
pub async fn retry_at(db: &Pool, due: &Due, next_at: i64) -> Result<()> {
    const SQL: &str = "UPDATE oidc_sign_ins SET logout_next_at = $3, \
        logout_attempts = logout_attempts + 1 WHERE session_id = $1 AND app_id = $2";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(&due.session_id)
        .bind(&due.app_id)
        .bind(next_at)
        .execute(p)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Where an app wants its logouts: its client id and back-channel logout URI, and its pairwise
/// salt when it is a pairwise app. `None`: the app is gone or is no OpenID Connect client.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Receiver {
    pub client_id: String,
    pub backchannel_logout_uri: Option<String>,
    pub pairwise: bool,
    pub pairwise_salt: Option<Vec<u8>>,
    /// What its ID tokens are signed with; its logout tokens are too (Back-Channel Logout
    /// 1.0, section 2.4).
    pub id_token_alg: SigningAlg,
}

pub async fn receiver(db: &Pool, app_id: &AppId) -> Result<Option<Receiver>> {
    const SQL: &str = "SELECT client_id, backchannel_logout_uri, pairwise, pairwise_salt, \
        id_token_alg FROM apps WHERE id = $1 AND client_id IS NOT NULL";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(app_id)
        .fetch_optional(p)
        .await)?)
}

/// The apps a session signed in to, in sign-in order (tests, and the audit's questions).
pub async fn apps_of_session(db: &Pool, session_id: &str) -> Result<Vec<AppId>> {
    const SQL: &str = "SELECT app_id FROM oidc_sign_ins WHERE session_id = $1 \
        ORDER BY signed_in_at, app_id";
    Ok(on_reader!(db, |p| sqlx::query_scalar(SQL)
        .bind(session_id)
        .fetch_all(p)
        .await)?)
}

/// How many logouts are still owed (sent to no app yet, whether or not their session ended).
pub async fn pending(db: &Pool) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM oidc_sign_ins WHERE logout_done_at IS NULL";
    Ok(on_reader!(db, |p| sqlx::query_scalar(SQL)
        .fetch_one(p)
        .await)?)
}
