//! The staff second factor's rows: the sealed secret per user (`staff_totp`), the recovery
//! codes' digests (`staff_totp_recovery`), and the marks it leaves on a session. Every change
//! is one transaction with its audit entry.

use super::audit::Entry;
use super::{Pool, on_pool, on_reader};
use crate::error::Result;
use crate::ids::UserId;

/// A user's authenticator as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct Row {
    /// nonce || ciphertext || tag (`idp::kek`).
    pub secret_sealed: Vec<u8>,
    /// `None` while the enrollment waits for its first code.
    pub confirmed_at: Option<i64>,
    pub last_step: i64,
}

pub async fn row(db: &Pool, user_id: &UserId) -> Result<Option<Row>> {
    const SQL: &str =
        "SELECT secret_sealed, confirmed_at, last_step FROM staff_totp WHERE user_id = $1";
    Ok(on_pool!(db, |p| sqlx::query_as(SQL)
        .bind(user_id)
        .fetch_optional(p)
        .await)?)
}

/// Starts an enrollment with `sealed`, and writes `audit`, unless the user already has a row
/// (an enrollment waiting for its code keeps its secret, so the QR code scanned a minute ago
/// still works); one transaction.
pub async fn start(db: &Pool, user_id: &UserId, sealed: &[u8], audit: &Entry) -> Result<()> {
    const SQL: &str = "INSERT INTO staff_totp (user_id, secret_sealed, created_at) \
        VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING";
    on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let started = sqlx::query(SQL)
            .bind(user_id)
            .bind(sealed)
            .bind(audit.at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if started == 1 {
            audit.insert().execute(&mut *tx).await?;
        }
        tx.commit().await
    })?;
    Ok(())
}

/// Confirms a waiting enrollment with the code of `step`: the factor is on, the recovery
/// codes `code_hashes` replace any others, `session_id` (the session that typed the code) has
/// passed the second factor, and `audit` is written: one transaction. `false`: nothing was
/// waiting (confirmed meanwhile, or reset).
pub async fn confirm(
    db: &Pool,
    user_id: &UserId,
    step: i64,
    code_hashes: &[Vec<u8>],
    session_id: &str,
    audit: &Entry,
) -> Result<bool> {
    const CONFIRM: &str = "UPDATE staff_totp SET confirmed_at = $2, last_step = $3 \
        WHERE user_id = $1 AND confirmed_at IS NULL";
    const CLEAR: &str = "DELETE FROM staff_totp_recovery WHERE user_id = $1";
    const CODE: &str = "INSERT INTO staff_totp_recovery (user_id, code_hash) VALUES ($1, $2)";
    const SESSION: &str = "UPDATE sessions SET second_factor = 1 WHERE id = $1 AND user_id = $2";
    let done = on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let confirmed = sqlx::query(CONFIRM)
            .bind(user_id)
            .bind(audit.at)
            .bind(step)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if confirmed == 1 {
            sqlx::query(CLEAR).bind(user_id).execute(&mut *tx).await?;
            for hash in code_hashes {
                sqlx::query(CODE)
                    .bind(user_id)
                    .bind(hash.as_slice())
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(SESSION)
                .bind(session_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            audit.insert().execute(&mut *tx).await?;
        }
        tx.commit().await.map(|()| confirmed == 1)
    })?;
    Ok(done)
}

/// Spends the code of `step`: `false` when a code of this step or a later one was already
/// accepted (a replay) or the factor is not on. One statement, so of two concurrent uses of a
/// code only one wins.
pub async fn spend_step(db: &Pool, user_id: &UserId, step: i64) -> Result<bool> {
    const SQL: &str = "UPDATE staff_totp SET last_step = $2 \
        WHERE user_id = $1 AND confirmed_at IS NOT NULL AND last_step < $2";
    let done = on_pool!(db, |p| sqlx::query(SQL)
        .bind(user_id)
        .bind(step)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Spends a recovery code by its digest: `false` when it is not one of the user's unused codes.
pub async fn spend_recovery(db: &Pool, user_id: &UserId, hash: &[u8], now: i64) -> Result<bool> {
    const SQL: &str = "UPDATE staff_totp_recovery SET used_at = $3 \
        WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL \
        AND EXISTS (SELECT 1 FROM staff_totp t WHERE t.user_id = $1 \
        AND t.confirmed_at IS NOT NULL)";
    let done = on_pool!(db, |p| sqlx::query(SQL)
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Whether the user has the factor on, and whether their school requires it of staff.
pub async fn standing(db: &Pool, user_id: &UserId) -> Result<(bool, bool)> {
    const SQL: &str = "SELECT \
        (SELECT COUNT(*) FROM staff_totp t WHERE t.user_id = $1 AND t.confirmed_at IS NOT NULL), \
        (SELECT COALESCE(MAX(s.staff_totp_required), 0) FROM schools s \
         JOIN users u ON u.school_id = s.id WHERE u.id = $1)";
    let (enrolled, required): (i64, i64) =
        on_reader!(db, |p| sqlx::query_as(SQL).bind(user_id).fetch_one(p).await)?;
    Ok((enrolled > 0, required != 0))
}

/// An administrator's reset: the authenticator and the recovery codes go, every session of the
/// user ends, `audit` is written; one transaction. `None`: no such user; otherwise how many
/// sessions were ended.
pub async fn reset(db: &Pool, user_id: &UserId, audit: &Entry) -> Result<Option<u64>> {
    const USER: &str = "SELECT COUNT(*) FROM users WHERE id = $1";
    const CODES: &str = "DELETE FROM staff_totp_recovery WHERE user_id = $1";
    const FACTOR: &str = "DELETE FROM staff_totp WHERE user_id = $1";
    let ended = on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let found: i64 = sqlx::query_scalar(USER)
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        let ended = if found == 1 {
            sqlx::query(CODES).bind(user_id).execute(&mut *tx).await?;
            sqlx::query(FACTOR).bind(user_id).execute(&mut *tx).await?;
            let ended = sqlx::query(super::sessions::END_BY_USER)
                .bind(user_id)
                .bind(audit.at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            audit.insert().execute(&mut *tx).await?;
            Some(ended)
        } else {
            None
        };
        tx.commit().await.map(|()| ended)
    })?;
    Ok(ended)
}

/// A member of staff of a school, as the administrators' staff page lists them.
#[derive(Debug, sqlx::FromRow)]
pub struct StaffRow {
    pub id: UserId,
    pub username: String,
    pub given_name: String,
    pub family_name: String,
    pub role: crate::roles::Role,
    /// 1: the second factor is on.
    pub enrolled: i64,
}

/// The enabled staff (everyone but students) of `school`, by family and given name.
pub async fn staff_of_school(db: &Pool, school: &crate::ids::SchoolId) -> Result<Vec<StaffRow>> {
    const SQL: &str = "SELECT u.id, u.username, u.given_name, u.family_name, u.role, \
        (SELECT COUNT(*) FROM staff_totp t WHERE t.user_id = u.id \
         AND t.confirmed_at IS NOT NULL) AS enrolled \
        FROM users u WHERE u.school_id = $1 AND u.role <> 'student' \
        AND u.disabled_at IS NULL ORDER BY u.family_name, u.given_name, u.id";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(school)
        .fetch_all(p)
        .await)?)
}
