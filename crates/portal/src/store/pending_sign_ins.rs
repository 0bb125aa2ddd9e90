//! Password sign-ins waiting for their second factor (`auth::pending`), by the digest of the
//! browser's token, so that the code step may reach any instance of the service.

use super::{Pool, on_pool};
use crate::error::Result;
use crate::ids::UserId;

/// A waiting sign-in as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct Row {
    pub user_id: UserId,
    pub account: String,
    pub device_sealed: Vec<u8>,
    pub expires_at: i64,
}

pub async fn insert(db: &Pool, token_hash: &[u8], row: &Row) -> Result<()> {
    const SQL: &str = "INSERT INTO pending_sign_ins \
        (token_hash, user_id, account, device_sealed, expires_at) VALUES ($1, $2, $3, $4, $5)";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(token_hash)
        .bind(&row.user_id)
        .bind(&row.account)
        .bind(&row.device_sealed)
        .bind(row.expires_at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Takes the sign-in behind `token_hash` out, live or not: of two code steps at once (at one
/// instance or two), one gets it.
pub async fn take(db: &Pool, token_hash: &[u8]) -> Result<Option<Row>> {
    const SQL: &str = "DELETE FROM pending_sign_ins WHERE token_hash = $1 \
        RETURNING user_id, account, device_sealed, expires_at";
    Ok(on_pool!(db, |p| sqlx::query_as(SQL)
        .bind(token_hash)
        .fetch_optional(p)
        .await)?)
}

/// Forgets the sign-ins that expired by `now`. Returns how many went.
pub async fn forget_expired(db: &Pool, now: i64) -> Result<u64> {
    const SQL: &str = "DELETE FROM pending_sign_ins WHERE expires_at <= $1";
    Ok(on_pool!(db, |p| sqlx::query(SQL)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?)
}
