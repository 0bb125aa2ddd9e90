//! The rows claiming an account reads and writes: the people a student or staff number names,
//! and a first password set only while there is none.

use super::audit::Entry;
use super::{Pool, on_pool, on_reader};
use crate::error::Result;
use crate::ids::{SchoolId, UserId};
use crate::roles::Role;

/// A person a number names, with what the claim compares.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Candidate {
    pub id: UserId,
    pub school_id: SchoolId,
    pub role: Role,
    /// `PK`, `K`, `1` .. `12`.
    pub grade: Option<String>,
    pub given_name: String,
    pub family_name: String,
    /// `claim::birth_key`'s HMAC; `None`: the roster gave no date of birth.
    pub birth_date_hmac: Option<Vec<u8>>,
    pub has_password: bool,
    pub disabled: bool,
}

/// Numbers are unique in a school but two schools may reuse one; a claim compares every
/// person it names, up to this many (a number shared wider than this is a roster mistake).
pub const MAX_CANDIDATES: i64 = 8;

/// The people whose number is `number` (as `badgein_roster::Identifier` writes it).
pub async fn candidates(db: &Pool, number: &str) -> Result<Vec<Candidate>> {
    const SQL: &str = "SELECT id, school_id, role, grade, given_name, family_name, birth_date_hmac, \
        password_hash IS NOT NULL AS has_password, disabled_at IS NOT NULL AS disabled \
        FROM users WHERE number = $1 ORDER BY id LIMIT $2";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(number)
        .bind(MAX_CANDIDATES)
        .fetch_all(p)
        .await)?)
}

/// Sets `user`'s first password and records `audit`, in one transaction, only if the account
/// is still enabled and has no password (two claims at once: one wins). Whether it was set.
pub async fn set_first_password(
    db: &Pool,
    user: &UserId,
    hash: &str,
    audit: &Entry,
) -> Result<bool> {
    const SQL: &str = "UPDATE users SET password_hash = $2 \
        WHERE id = $1 AND password_hash IS NULL AND disabled_at IS NULL";
    on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let set = sqlx::query(SQL)
            .bind(user)
            .bind(hash)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if set {
            audit.insert().execute(&mut *tx).await?;
        }
        tx.commit().await.map(|()| set)
    })
    .map_err(Into::into)
}

/// Whether any birth date hash is stored: then only the key file that made them may be used,
/// and a missing one must never be replaced by a new one.
pub async fn any_birth_dates(db: &Pool) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM users WHERE birth_date_hmac IS NOT NULL";
    let count: i64 = on_reader!(db, |p| sqlx::query_scalar(SQL).fetch_one(p).await)?;
    Ok(count > 0)
}
