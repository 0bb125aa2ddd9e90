//! Password failure counters, one row per username (known or not, so an unknown username is
//! locked exactly like a real one). Each attempt is counted *before* the password is checked,
//! by one atomic statement, so concurrent guesses cannot slip past the limit.

use super::{Pool, on_pool};
use crate::auth::lockout::Counter;
use crate::error::Result;

/// Counts an attempt and returns the counter after it. An expired lock starts a new count.
/// The attempt that reaches `max` starts the lock; a success resets the row (see [`reset`]).
pub async fn count_attempt(
    db: &Pool,
    username: &str,
    now: i64,
    max: i64,
    lock_ms: i64,
) -> Result<Counter> {
    const SQL: &str = "INSERT INTO login_failures (username, failures, locked_until) \
        VALUES ($1, 1, CASE WHEN $3 <= 1 THEN $2 + $4 ELSE 0 END) \
        ON CONFLICT (username) DO UPDATE SET \
          failures = CASE \
            WHEN login_failures.failures >= $3 AND login_failures.locked_until <= $2 THEN 1 \
            ELSE login_failures.failures + 1 END, \
          locked_until = CASE \
            WHEN login_failures.failures >= $3 AND login_failures.locked_until <= $2 THEN 0 \
            WHEN login_failures.failures + 1 = $3 THEN $2 + $4 \
            ELSE login_failures.locked_until END \
        RETURNING failures, locked_until";
    let (failures, locked_until): (i64, i64) = on_pool!(db, |p| sqlx::query_as(SQL)
        .bind(username)
        .bind(now)
        .bind(max)
        .bind(lock_ms)
        .fetch_one(p)
        .await)?;
    Ok(Counter {
        failures,
        locked_until,
    })
}

/// A correct password (or a teacher's unlock) clears the counter.
pub async fn reset(db: &Pool, username: &str) -> Result<()> {
    const SQL: &str = "DELETE FROM login_failures WHERE username = $1";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(username)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
