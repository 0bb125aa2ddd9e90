//! The identity provider's signing keys as rows (`signing_keys`). The store neither seals nor
//! opens them: the private key arrives sealed and leaves sealed (`idp::keys` does the crypto),
//! and the algorithm is the text the JWS header carries.

use super::{Pool, on_pool, on_reader};
use crate::clock::Millis;
use crate::error::Result;

/// One stored key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Row {
    pub kid: String,
    pub alg: String,
    /// Sealed; see `idp::kek`.
    pub private_key: Vec<u8>,
    pub public_jwk: String,
    pub created_at: Millis,
    pub retired_at: Option<Millis>,
    pub not_after: Option<Millis>,
}

/// A new key, as it is inserted.
#[derive(Debug, Clone, Copy)]
pub struct NewKey<'a> {
    pub kid: &'a str,
    pub alg: &'a str,
    pub private_key: &'a [u8],
    pub public_jwk: &'a str,
}

const COLUMNS: &str = "kid, alg, private_key, public_jwk, created_at, retired_at, not_after";

/// The current keys (one per algorithm at most).
pub async fn current(db: &Pool) -> Result<Vec<Row>> {
    let sql = format!("SELECT {COLUMNS} FROM signing_keys WHERE retired_at IS NULL ORDER BY alg");
    Ok(on_pool!(db, |p| sqlx::query_as(&sql).fetch_all(p).await)?)
}

/// The keys the JWKS publishes at `now`: the current ones and the retired ones whose tokens
/// may still be valid.
pub async fn published(db: &Pool, now: Millis) -> Result<Vec<Row>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM signing_keys WHERE not_after IS NULL OR not_after > $1 \
         ORDER BY created_at DESC, kid"
    );
    Ok(on_reader!(db, |p| sqlx::query_as(&sql)
        .bind(now)
        .fetch_all(p)
        .await)?)
}

/// Every key, newest first (`keys list`).
pub async fn all(db: &Pool) -> Result<Vec<Row>> {
    let sql = format!("SELECT {COLUMNS} FROM signing_keys ORDER BY created_at DESC, kid");
    Ok(on_reader!(db, |p| sqlx::query_as(&sql).fetch_all(p).await)?)
}

/// Retires the current keys (they stop signing at `now` and stay published until `not_after`)
/// and inserts `new` as the current ones, in one transaction: there is never a moment with no
/// current key, nor two of one algorithm (a unique index says so too).
pub async fn replace_current(
    db: &Pool,
    new: &[NewKey<'_>],
    now: Millis,
    not_after: Millis,
) -> Result<()> {
    const RETIRE: &str = "UPDATE signing_keys SET retired_at = $1, not_after = $2 \
        WHERE retired_at IS NULL";
    const INSERT: &str = "INSERT INTO signing_keys \
        (kid, alg, private_key, public_jwk, created_at) VALUES ($1, $2, $3, $4, $5)";
    on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        sqlx::query(RETIRE)
            .bind(now)
            .bind(not_after)
            .execute(&mut *tx)
            .await?;
        for key in new {
            sqlx::query(INSERT)
                .bind(key.kid)
                .bind(key.alg)
                .bind(key.private_key)
                .bind(key.public_jwk)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    })?;
    Ok(())
}

/// Inserts `new` as the current keys only if there are none yet (first start); returns whether
/// it did. Two instances starting at once on one database: one wins, the other loads its keys.
pub async fn insert_first(db: &Pool, new: &[NewKey<'_>], now: Millis) -> Result<bool> {
    const ANY: &str = "SELECT COUNT(*) FROM signing_keys";
    const INSERT: &str = "INSERT INTO signing_keys \
        (kid, alg, private_key, public_jwk, created_at) VALUES ($1, $2, $3, $4, $5)";
    let inserted = on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let existing: i64 = sqlx::query_scalar(ANY).fetch_one(&mut *tx).await?;
        if existing > 0 {
            tx.rollback().await?;
            Ok::<bool, sqlx::Error>(false)
        } else {
            for key in new {
                sqlx::query(INSERT)
                    .bind(key.kid)
                    .bind(key.alg)
                    .bind(key.private_key)
                    .bind(key.public_jwk)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        }
    });
    match inserted {
        Ok(v) => Ok(v),
        // The other instance's insert won the race (the unique index on the current key).
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// How many keys are stored (any state).
pub async fn count(db: &Pool) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM signing_keys";
    Ok(on_pool!(db, |p| sqlx::query_scalar(SQL)
        .fetch_one(p)
        .await)?)
}

/// Deletes the retired keys that left the JWKS before `before`; returns how many.
pub async fn delete_unpublished(db: &Pool, before: Millis) -> Result<u64> {
    const SQL: &str = "DELETE FROM signing_keys WHERE not_after IS NOT NULL AND not_after < $1";
    Ok(on_pool!(db, |p| sqlx::query(SQL)
        .bind(before)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?)
}
