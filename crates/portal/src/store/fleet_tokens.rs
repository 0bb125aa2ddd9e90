//! Fleet enrollment tokens (`crate::fleet_tokens`), stored as the SHA-256 digest of the
//! normalised token. A use is spent in `kiosks::enroll`, with [`SPEND`].

use super::{Pool, on_pool, on_reader};
use crate::error::Result;
use crate::ids::{FleetTokenId, SchoolId};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FleetToken {
    pub id: FleetTokenId,
    pub school_id: SchoolId,
    /// How many kiosks it may enroll.
    pub uses: i64,
    /// How many it has enrolled.
    pub used: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// Spends one use (`$1` the digest, `$2` now) and names the token and its school: one
/// conditional `UPDATE`, so concurrent enrollments never spend more than `uses`. Shaped like
/// the code's claim in `kiosks::enroll`.
pub(super) const SPEND: &str = "UPDATE fleet_tokens SET used = used + 1 \
    WHERE token_hash = $1 AND used < uses AND expires_at > $2 AND revoked_at IS NULL \
    RETURNING school_id, id AS fleet_token";

const COLUMNS: &str = "id, school_id, uses, used, created_at, expires_at, revoked_at";

pub async fn create(db: &Pool, token: &FleetToken, token_hash: &[u8]) -> Result<()> {
    const SQL: &str = "INSERT INTO fleet_tokens \
        (id, token_hash, school_id, uses, used, created_at, expires_at, revoked_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(&token.id)
        .bind(token_hash)
        .bind(&token.school_id)
        .bind(token.uses)
        .bind(token.used)
        .bind(token.created_at)
        .bind(token.expires_at)
        .bind(token.revoked_at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The school's tokens, oldest first.
pub async fn of_school(db: &Pool, school_id: &SchoolId) -> Result<Vec<FleetToken>> {
    let sql =
        format!("SELECT {COLUMNS} FROM fleet_tokens WHERE school_id = $1 ORDER BY created_at, id");
    Ok(on_reader!(db, |p| sqlx::query_as(&sql)
        .bind(school_id)
        .fetch_all(p)
        .await)?)
}

/// The token with this digest (to say in the audit log why it was refused).
pub async fn by_hash(db: &Pool, token_hash: &[u8]) -> Result<Option<FleetToken>> {
    let sql = format!("SELECT {COLUMNS} FROM fleet_tokens WHERE token_hash = $1");
    Ok(on_reader!(db, |p| sqlx::query_as(&sql)
        .bind(token_hash)
        .fetch_optional(p)
        .await)?)
}

/// Revokes a token (kept at its first revocation); `None`: no such token, else its school.
/// A kiosk enrolling at the same moment either spent its use before (and stays enrolled) or is
/// refused: the `UPDATE`s of both take the same row.
pub async fn revoke(db: &Pool, id: &FleetTokenId, now: i64) -> Result<Option<SchoolId>> {
    const SQL: &str = "UPDATE fleet_tokens SET revoked_at = COALESCE(revoked_at, $2) \
        WHERE id = $1 RETURNING school_id";
    Ok(on_pool!(db, |p| sqlx::query_scalar(SQL)
        .bind(id)
        .bind(now)
        .fetch_optional(p)
        .await)?)
}
