//! Enrollment codes and kiosks. Codes and device credentials are stored as SHA-256 digests.

use super::{Pool, on_pool, on_reader, sessions};
use crate::error::Result;
use crate::ids::{KioskId, SchoolId};

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

/// Spends the code and creates the kiosk in one transaction. `None`: the code is unknown,
/// spent or expired. The code is claimed by a single `UPDATE`, so two kiosks racing for one
/// code cannot both win.
pub async fn enroll(
    db: &Pool,
    code_hash: &[u8],
    now: i64,
    kiosk_id: &KioskId,
    name: &str,
    credential_hash: &[u8],
) -> Result<Option<SchoolId>> {
    const CLAIM: &str = "UPDATE enrollment_codes SET used_at = $2 \
        WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING school_id";
    const INSERT: &str = "INSERT INTO kiosks (id, school_id, name, credential_hash, enrolled_at) \
                          VALUES ($1, $2, $3, $4, $5)";
    let school = on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let school: Option<SchoolId> = sqlx::query_scalar(CLAIM)
            .bind(code_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(school_id) = &school {
            sqlx::query(INSERT)
                .bind(kiosk_id)
                .bind(school_id)
                .bind(name)
                .bind(credential_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await.map(|()| school)
    })?;
    Ok(school)
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
