//! Where an account has signed in before: browsers by their device cookie's digest
//! (`known_devices`), kiosks by the account's sessions there. The password guard treats those
//! as recognised (`auth::guard`).

use super::{Pool, on_pool, on_reader};
use crate::error::Result;
use crate::ids::{KioskId, UserId};

/// Whether the browser whose device cookie has `device_hash` signed in to `user_id` since
/// `since`.
pub async fn browser_known(
    db: &Pool,
    device_hash: &[u8],
    user_id: &UserId,
    since: i64,
) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM known_devices \
        WHERE device_hash = $1 AND user_id = $2 AND last_seen_at > $3";
    let n: i64 = on_reader!(db, |p| sqlx::query_scalar(SQL)
        .bind(device_hash)
        .bind(user_id)
        .bind(since)
        .fetch_one(p)
        .await)?;
    Ok(n > 0)
}

/// Remembers (or refreshes) that this browser signed in to `user_id` at `now`.
pub async fn remember_browser(
    db: &Pool,
    device_hash: &[u8],
    user_id: &UserId,
    now: i64,
) -> Result<()> {
    const SQL: &str = "INSERT INTO known_devices (device_hash, user_id, last_seen_at) \
        VALUES ($1, $2, $3) ON CONFLICT (device_hash, user_id) \
        DO UPDATE SET last_seen_at = excluded.last_seen_at";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(device_hash)
        .bind(user_id)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether `user_id` has signed in at `kiosk_id` before.
pub async fn kiosk_known(db: &Pool, user_id: &UserId, kiosk_id: &KioskId) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM sessions \
        WHERE user_id = $1 AND kiosk_id = $2 LIMIT 1) AS s";
    let n: i64 = on_reader!(db, |p| sqlx::query_scalar(SQL)
        .bind(user_id)
        .bind(kiosk_id)
        .fetch_one(p)
        .await)?;
    Ok(n > 0)
}

/// Forgets browsers not seen since `before` (their cookie no longer counts anyway); at most
/// `batch` rows at a time, so the writer is not held long. Returns how many went.
pub async fn forget_browsers(db: &Pool, before: i64, batch: i64) -> Result<u64> {
    const SQL: &str = "DELETE FROM known_devices WHERE (device_hash, user_id) IN \
        (SELECT device_hash, user_id FROM known_devices WHERE last_seen_at <= $1 LIMIT $2)";
    Ok(on_pool!(db, |p| sqlx::query(SQL)
        .bind(before)
        .bind(batch)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?)
}
