//! The audit table: every sign-in attempt and every admin action, with ids and result codes
//! only. Never a secret: badge ids are the public selector, never the badge text.
//!
//! The one place that knows the audit columns: [`Entry::bind`] binds an entry onto a query
//! whose values start where [`insert_sql`] was told, so a transaction, the group commit and
//! the session insert all write it the same way.

use std::sync::LazyLock;

use serde::Serialize;
use sqlx::query::Query;
use sqlx::{Database, Encode, Sqlite, Type};

use super::group_commit::Statement;
use super::{Pool, on_reader};
use crate::error::Result;
use crate::ids::{KioskId, UserId};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub at: i64,
    /// `sign_in.badge`, `sign_in.password`, `kiosk.enroll`, `badge.issue`, …
    pub action: String,
    /// `ok` or a problem code.
    pub result: String,
    pub badge_id: Option<String>,
    pub kiosk_id: Option<KioskId>,
    pub user_id: Option<UserId>,
    pub detail: Option<String>,
    pub latency_ms: Option<i64>,
}

/// The audit columns, in the order [`Entry::bind`] binds them.
const COLUMNS: &str = "at, action, result, badge_id, kiosk_id, user_id, detail, latency_ms";

/// `INSERT INTO audit` with the values at `$first` .. `$first + 7`, for a statement that
/// binds other values before the entry's.
pub(crate) fn insert_sql(first: usize) -> String {
    let values: Vec<String> = (first..first + COLUMNS.split(", ").count())
        .map(|n| format!("${n}"))
        .collect();
    format!(
        "INSERT INTO audit ({COLUMNS}) VALUES ({})",
        values.join(", ")
    )
}

/// An entry on its own.
static INSERT: LazyLock<String> = LazyLock::new(|| insert_sql(1));

impl Entry {
    pub fn new(at: i64, action: &str, result: &str) -> Self {
        Self {
            at,
            action: action.to_owned(),
            result: result.to_owned(),
            ..Self::default()
        }
    }

    /// Binds the entry's values, in [`COLUMNS`] order, after those already bound to `query`.
    /// Generic over the driver so one function serves SQLite, PostgreSQL and transactions.
    pub(crate) fn bind<'q, DB: Database>(
        &'q self,
        query: Query<'q, DB, DB::Arguments<'q>>,
    ) -> Query<'q, DB, DB::Arguments<'q>>
    where
        i64: Encode<'q, DB> + Type<DB>,
        Option<i64>: Encode<'q, DB> + Type<DB>,
        &'q str: Encode<'q, DB> + Type<DB>,
        Option<&'q str>: Encode<'q, DB> + Type<DB>,
    {
        query
            .bind(self.at)
            .bind(self.action.as_str())
            .bind(self.result.as_str())
            .bind(self.badge_id.as_deref())
            .bind(self.kiosk_id.as_ref().map(KioskId::as_str))
            .bind(self.user_id.as_ref().map(UserId::as_str))
            .bind(self.detail.as_deref())
            .bind(self.latency_ms)
    }

    /// The statement that writes this entry alone (in a transaction of the caller's).
    pub(crate) fn insert<'q, DB: Database>(&'q self) -> Query<'q, DB, DB::Arguments<'q>>
    where
        i64: Encode<'q, DB> + Type<DB>,
        Option<i64>: Encode<'q, DB> + Type<DB>,
        &'q str: Encode<'q, DB> + Type<DB>,
        Option<&'q str>: Encode<'q, DB> + Type<DB>,
    {
        self.bind(sqlx::query(&INSERT))
    }
}

impl Statement for Entry {
    fn query(&self) -> Query<'_, Sqlite, <Sqlite as Database>::Arguments<'_>> {
        self.insert()
    }
}

/// Writes `entry`; returns once it is committed.
pub async fn record(db: &Pool, entry: &Entry) -> Result<()> {
    match db {
        Pool::Sqlite(sqlite) => sqlite.records.write(Box::new(entry.clone())).await,
        Pool::Postgres(p) => {
            entry.insert().execute(p).await?;
            Ok(())
        }
    }
}

pub async fn all(db: &Pool) -> Result<Vec<Entry>> {
    let sql = format!("SELECT {COLUMNS} FROM audit ORDER BY id");
    Ok(on_reader!(db, |p| sqlx::query_as(&sql).fetch_all(p).await)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_insert_numbers_its_eight_values_from_where_it_is_told() {
        assert_eq!(
            super::insert_sql(12),
            "INSERT INTO audit (at, action, result, badge_id, kiosk_id, user_id, detail, \
             latency_ms) VALUES ($12, $13, $14, $15, $16, $17, $18, $19)"
        );
    }
}
