//! Badges: a public id, the SHA-256 of the secret, a lifetime and a void mark.

use super::{Pool, on_pool};
use crate::error::Result;
use crate::store::directory::User;

/// What a badge sign-in needs, in one lookup.
#[derive(Debug, sqlx::FromRow)]
pub struct BadgeOwner {
    pub secret_hash: Vec<u8>,
    pub expires_at: i64,
    pub voided_at: Option<i64>,
    #[sqlx(flatten)]
    pub user: User,
}

/// Stores a new badge and voids every other live badge of the same user, atomically: a
/// reprint never leaves two valid badges.
pub async fn issue(
    db: &Pool,
    badge_id: &str,
    user_id: &str,
    secret_hash: &[u8],
    now: i64,
    expires_at: i64,
) -> Result<()> {
    const VOID: &str = "UPDATE badges SET voided_at = $2 WHERE user_id = $1 AND voided_at IS NULL";
    const INSERT: &str = "INSERT INTO badges (id, user_id, secret_hash, issued_at, expires_at) \
                          VALUES ($1, $2, $3, $4, $5)";
    on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        sqlx::query(VOID)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(INSERT)
            .bind(badge_id)
            .bind(user_id)
            .bind(secret_hash)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    })?;
    Ok(())
}

pub async fn owner(db: &Pool, badge_id: &str) -> Result<Option<BadgeOwner>> {
    const SQL: &str = "SELECT b.secret_hash, b.expires_at, b.voided_at, u.id, u.school_id, \
        u.role, u.username, u.given_name, u.family_name, u.locale, u.disabled_at \
        FROM badges b JOIN users u ON u.id = b.user_id WHERE b.id = $1";
    Ok(on_pool!(db, |p| sqlx::query_as(SQL)
        .bind(badge_id)
        .fetch_optional(p)
        .await)?)
}

/// Which badges a void applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoidScope {
    User(String),
    Class(String),
    School(String),
}

/// Voids the live badges in `scope`; returns how many.
pub async fn void(db: &Pool, scope: &VoidScope, now: i64) -> Result<u64> {
    let (sql, key) = match scope {
        VoidScope::User(id) => (
            "UPDATE badges SET voided_at = $2 WHERE voided_at IS NULL AND user_id = $1",
            id,
        ),
        VoidScope::Class(id) => (
            "UPDATE badges SET voided_at = $2 WHERE voided_at IS NULL AND user_id IN \
             (SELECT user_id FROM class_members WHERE class_id = $1)",
            id,
        ),
        VoidScope::School(id) => (
            "UPDATE badges SET voided_at = $2 WHERE voided_at IS NULL AND user_id IN \
             (SELECT id FROM users WHERE school_id = $1)",
            id,
        ),
    };
    let done = on_pool!(db, |p| sqlx::query(sql)
        .bind(key)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}
