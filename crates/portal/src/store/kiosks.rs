//! Enrollment codes and kiosks (an enrollment by fleet token spends its use here too, with
//! `fleet_tokens::SPEND`). Codes and device credentials are stored as SHA-256 digests.

use super::{Pool, fleet_tokens, on_pool, on_reader, sessions};
use crate::error::Result;
use crate::ids::{FleetTokenId, KioskId, SchoolId};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Kiosk {
    pub id: KioskId,
    pub school_id: SchoolId,
    pub name: String,
    pub revoked_at: Option<i64>,
}

pub async fn create_code(
    db: &Pool,
    code_hash: &[u8],
    school_id: &SchoolId,
    expires_at: i64,
) -> Result<()> {
    const SQL: &str =
        "INSERT INTO enrollment_codes (code_hash, school_id, expires_at) VALUES ($1, $2, $3)";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(code_hash)
        .bind(school_id)
        .bind(expires_at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The secret a kiosk enrolls with, as the digest of its normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// A single-use enrollment code.
    Code(Vec<u8>),
    /// A fleet enrollment token (`store::fleet_tokens`): one of its uses.
    FleetToken(Vec<u8>),
}

/// An enrollment that went through: the kiosk's school, and the fleet token whose use it spent.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Claimed {
    pub school_id: SchoolId,
    pub fleet_token: Option<FleetTokenId>,
}

/// Spends the code (or one use of the fleet token) and creates the kiosk in one transaction.
/// `None`: the code is unknown, spent or expired (the token unknown, used up, expired or
/// revoked). Either is claimed by a single conditional `UPDATE`, so kiosks racing for one code
/// or for a token's last uses cannot win more than there is (PostgreSQL re-reads the row a
/// racing `UPDATE` waited for; SQLite has one writer).
pub async fn enroll(
    db: &Pool,
    claim: &Claim,
    now: i64,
    kiosk_id: &KioskId,
    name: &str,
    credential_hash: &[u8],
) -> Result<Option<Claimed>> {
    const CODE: &str = "UPDATE enrollment_codes SET used_at = $2 \
        WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 \
        RETURNING school_id, CAST(NULL AS TEXT) AS fleet_token";
    const INSERT: &str = "INSERT INTO kiosks (id, school_id, name, credential_hash, enrolled_at) \
                          VALUES ($1, $2, $3, $4, $5)";
    let (sql, secret_hash): (&str, &[u8]) = match claim {
        Claim::Code(hash) => (CODE, hash),
        Claim::FleetToken(hash) => (fleet_tokens::SPEND, hash),
    };
    let claimed = on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let claimed: Option<Claimed> = sqlx::query_as(sql)
            .bind(secret_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(claimed) = &claimed {
            sqlx::query(INSERT)
                .bind(kiosk_id)
                .bind(&claimed.school_id)
                .bind(name)
                .bind(credential_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await.map(|()| claimed)
    })?;
    Ok(claimed)
}

pub async fn by_credential(db: &Pool, credential_hash: &[u8]) -> Result<Option<Kiosk>> {
    const SQL: &str =
        "SELECT id, school_id, name, revoked_at FROM kiosks WHERE credential_hash = $1";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(credential_hash)
        .fetch_optional(p)
        .await)?)
}

/// Revokes a kiosk and ends the sessions started at it, in one transaction. `None`: no such
/// kiosk; otherwise how many live sessions were ended.
pub async fn revoke(db: &Pool, kiosk_id: &KioskId, now: i64) -> Result<Option<u64>> {
    const SQL: &str = "UPDATE kiosks SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1";
    sessions::withdraw(db, SQL, kiosk_id.as_str(), now, sessions::END_BY_KIOSK, now).await
}

/// Every kiosk's credential digest, revoked ones too (their attempts are theirs to pay for),
/// for the rate limiter.
pub async fn credential_hashes(db: &Pool) -> Result<Vec<Vec<u8>>> {
    const SQL: &str = "SELECT credential_hash FROM kiosks";
    Ok(on_reader!(db, |p| sqlx::query_scalar(SQL)
        .fetch_all(p)
        .await)?)
}
