//! The password guard's failure counters (`auth::guard`), one row per account and counter, so
//! that every instance of the service counts the same failures. Each count is one atomic
//! statement (`ON CONFLICT ... RETURNING`): concurrent guesses at several instances each get a
//! number of their own and none slips past the limit. Accounts and counters are digests
//! (`auth::guard` makes them); nothing typed is stored.

use super::{Pool, on_pool};
use crate::auth::lockout::Counter;
use crate::error::Result;

/// One more failure on a pair counter (an account's device or address, or its wrong codes):
/// a lock that has ended starts a new count; the failure that reaches `max` locks it until
/// `lock_at`. Returns the counter with this failure.
pub async fn count_pair(
    db: &Pool,
    account: &[u8],
    counter: &[u8],
    now: i64,
    max: i64,
    lock_at: i64,
) -> Result<Counter> {
    // A new round's first failure locks at once only when the limit is one.
    let first_lock = if max <= 1 { lock_at } else { 0 };
    const SQL: &str = "INSERT INTO password_failures \
        (account_hash, counter_hash, failures, locked_until, last_at) VALUES ($1, $2, 1, $5, $3) \
        ON CONFLICT (account_hash, counter_hash) DO UPDATE SET \
        failures = CASE WHEN password_failures.failures >= $4 \
            AND password_failures.locked_until <= $3 THEN 1 \
            ELSE password_failures.failures + 1 END, \
        locked_until = CASE WHEN password_failures.failures >= $4 \
            AND password_failures.locked_until <= $3 THEN $5 \
            WHEN password_failures.failures + 1 = $4 THEN $6 \
            ELSE password_failures.locked_until END, \
        last_at = $3 \
        RETURNING failures, locked_until";
    count(db, SQL, account, counter, [now, max, first_lock, lock_at]).await
}

/// One more failure from an unrecognised device: from the `cap`-th on, each locks such devices
/// out until `lock_at` (one more guess per lock period). Returns the counter with it.
pub async fn count_capped(
    db: &Pool,
    account: &[u8],
    counter: &[u8],
    now: i64,
    cap: i64,
    lock_at: i64,
) -> Result<Counter> {
    let first_lock = if cap <= 1 { lock_at } else { 0 };
    const SQL: &str = "INSERT INTO password_failures \
        (account_hash, counter_hash, failures, locked_until, last_at) VALUES ($1, $2, 1, $5, $3) \
        ON CONFLICT (account_hash, counter_hash) DO UPDATE SET \
        failures = password_failures.failures + 1, \
        locked_until = CASE WHEN password_failures.failures + 1 >= $4 THEN $6 \
            ELSE password_failures.locked_until END, \
        last_at = $3 \
        RETURNING failures, locked_until";
    count(db, SQL, account, counter, [now, cap, first_lock, lock_at]).await
}

/// Runs one of the counting upserts: `$1` the account, `$2` the counter, `$3..$6` `numbers`
/// (now, the limit, the lock of a first failure, the lock when the limit is reached).
async fn count(
    db: &Pool,
    sql: &'static str,
    account: &[u8],
    counter: &[u8],
    numbers: [i64; 4],
) -> Result<Counter> {
    let [now, limit, first_lock, lock_at] = numbers;
    let (failures, locked_until): (i64, i64) = on_pool!(db, |p| sqlx::query_as(sql)
        .bind(account)
        .bind(counter)
        .bind(now)
        .bind(limit)
        .bind(first_lock)
        .bind(lock_at)
        .fetch_one(p)
        .await)?;
    Ok(Counter {
        failures,
        locked_until,
    })
}

/// The counter `counter` of `account` (zero if there is none). Read on the writer: the count
/// an instance just wrote is what the next attempt, anywhere, must see.
pub async fn read(db: &Pool, account: &[u8], counter: &[u8]) -> Result<Counter> {
    const SQL: &str = "SELECT failures, locked_until FROM password_failures \
        WHERE account_hash = $1 AND counter_hash = $2";
    let row: Option<(i64, i64)> = on_pool!(db, |p| sqlx::query_as(SQL)
        .bind(account)
        .bind(counter)
        .fetch_optional(p)
        .await)?;
    Ok(
        row.map_or_else(Counter::default, |(failures, locked_until)| Counter {
            failures,
            locked_until,
        }),
    )
}

/// Forgets `account`'s counters, all of them or all but `keep`.
pub async fn clear(db: &Pool, account: &[u8], keep: Option<&[u8]>) -> Result<()> {
    const ALL: &str = "DELETE FROM password_failures WHERE account_hash = $1";
    const BUT: &str =
        "DELETE FROM password_failures WHERE account_hash = $1 AND counter_hash <> $2";
    on_pool!(db, |p| match keep {
        None => sqlx::query(ALL).bind(account).execute(p).await,
        Some(keep) => sqlx::query(BUT).bind(account).bind(keep).execute(p).await,
    }
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Until when some counter of `account` locks it, if one does at `now`.
pub async fn locked_until(db: &Pool, account: &[u8], now: i64) -> Result<Option<i64>> {
    const SQL: &str = "SELECT MAX(locked_until) FROM password_failures \
        WHERE account_hash = $1 AND locked_until > $2";
    Ok(on_pool!(db, |p| sqlx::query_scalar(SQL)
        .bind(account)
        .bind(now)
        .fetch_one(p)
        .await)?)
}

/// Forgets counters untouched since `before` and not locking anything at `now`, at most
/// `batch` at a time. Returns how many went.
pub async fn forget_quiet(db: &Pool, before: i64, now: i64, batch: i64) -> Result<u64> {
    const SQL: &str = "DELETE FROM password_failures WHERE (account_hash, counter_hash) IN \
        (SELECT account_hash, counter_hash FROM password_failures \
        WHERE last_at <= $1 AND locked_until <= $2 LIMIT $3)";
    Ok(on_pool!(db, |p| sqlx::query(SQL)
        .bind(before)
        .bind(now)
        .bind(batch)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?)
}
