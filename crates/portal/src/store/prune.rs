//! Deleting old rows in batches. On SQLite every statement here goes through the one writer
//! connection, where the sign-ins' group commits queue too: one batch is one short transaction,
//! and between batches the sign-ins waiting for the writer get it (the pool hands it out in
//! order). A prune run by the CLI beside a live `serve` holds SQLite's write lock for one batch
//! at a time, well under the service's busy timeout.

use super::{Pool, on_pool};
use crate::clock::Millis;
use crate::error::Result;

/// Rows deleted per statement.
pub const BATCH: i64 = 1000;

const AUDIT: &str = "DELETE FROM audit WHERE id IN \
    (SELECT id FROM audit WHERE at < $1 ORDER BY id LIMIT $2)";

/// Sessions that ended, or reached their absolute expiry, before `$1`.
const SESSIONS: &str = "DELETE FROM sessions WHERE id IN \
    (SELECT id FROM sessions WHERE (ended_at IS NOT NULL AND ended_at < $1) \
     OR expires_at < $1 LIMIT $2)";

/// Enrollment codes used, or expired, before `$1`.
const ENROLLMENT_CODES: &str = "DELETE FROM enrollment_codes WHERE code_hash IN \
    (SELECT code_hash FROM enrollment_codes WHERE (used_at IS NOT NULL AND used_at < $1) \
     OR expires_at < $1 LIMIT $2)";

/// OpenID Connect codes and access tokens that expired before `$1` (a code lives a minute, a
/// token five; a code redeemed again after its row is gone is unknown, refused all the same).
const OAUTH_CODES: &str = "DELETE FROM oauth_codes WHERE code_hash IN \
    (SELECT code_hash FROM oauth_codes WHERE expires_at < $1 LIMIT $2)";
const OAUTH_TOKENS: &str = "DELETE FROM oauth_access_tokens WHERE token_hash IN \
    (SELECT token_hash FROM oauth_access_tokens WHERE expires_at < $1 LIMIT $2)";

/// The records of which apps a session signed in to, once their logout was done before `$1`
/// (a pending one stays: its logout is still owed).
const OIDC_SIGN_INS: &str = "DELETE FROM oidc_sign_ins WHERE (session_id, app_id) IN \
    (SELECT session_id, app_id FROM oidc_sign_ins WHERE logout_done_at < $1 LIMIT $2)";

/// Deletes the OpenID Connect codes and access tokens expired before `before`, and the
/// sign-in records whose logout was done before it; returns how many.
pub async fn expired_oauth_before(db: &Pool, before: Millis, batch: i64) -> Result<u64> {
    Ok(in_batches(db, OAUTH_TOKENS, before, batch).await?
        + in_batches(db, OAUTH_CODES, before, batch).await?
        + in_batches(db, OIDC_SIGN_INS, before, batch).await?)
}

/// Deletes the audit rows written before `before`; returns how many.
pub async fn audit_before(db: &Pool, before: Millis, batch: i64) -> Result<u64> {
    in_batches(db, AUDIT, before, batch).await
}

/// Deletes the sessions that ended or expired before `before`; returns how many.
pub async fn finished_sessions_before(db: &Pool, before: Millis, batch: i64) -> Result<u64> {
    in_batches(db, SESSIONS, before, batch).await
}

/// Deletes the enrollment codes used or expired before `before`; returns how many.
pub async fn finished_enrollment_codes_before(
    db: &Pool,
    before: Millis,
    batch: i64,
) -> Result<u64> {
    in_batches(db, ENROLLMENT_CODES, before, batch).await
}

async fn in_batches(db: &Pool, sql: &str, before: Millis, batch: i64) -> Result<u64> {
    let batch = batch.max(1);
    let mut total = 0;
    loop {
        let deleted = on_pool!(db, |p| sqlx::query(sql)
            .bind(before)
            .bind(batch)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        total += deleted;
        if deleted < u64::try_from(batch).unwrap_or(u64::MAX) {
            return Ok(total);
        }
        // Let the sign-ins queued behind this batch have the writer.
        tokio::task::yield_now().await;
    }
}
