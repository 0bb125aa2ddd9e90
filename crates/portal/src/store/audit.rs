//! The audit table: every sign-in attempt and every admin action, with ids and result codes
//! only. Never a secret: badge ids are the public selector, never the badge text.

use serde::Serialize;

use super::group_commit::Record;
use super::{Pool, on_reader};
use crate::error::Result;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub at: i64,
    /// `sign_in.badge`, `sign_in.password`, `kiosk.enroll`, `badge.issue`, …
    pub action: String,
    /// `ok` or a problem code.
    pub result: String,
    pub badge_id: Option<String>,
    pub kiosk_id: Option<String>,
    pub user_id: Option<String>,
    pub detail: Option<String>,
    pub latency_ms: Option<i64>,
}

impl Entry {
    pub fn new(at: i64, action: &str, result: &str) -> Self {
        Self {
            at,
            action: action.to_owned(),
            result: result.to_owned(),
            ..Self::default()
        }
    }
}

pub(crate) const INSERT: &str = "INSERT INTO audit \
    (at, action, result, badge_id, kiosk_id, user_id, detail, latency_ms) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Binds an [`Entry`] to [`INSERT`] (a macro so it serves both drivers and transactions).
macro_rules! bind_entry {
    ($e:expr) => {{
        let e: &$crate::store::audit::Entry = $e;
        sqlx::query($crate::store::audit::INSERT)
            .bind(e.at)
            .bind(&e.action)
            .bind(&e.result)
            .bind(&e.badge_id)
            .bind(&e.kiosk_id)
            .bind(&e.user_id)
            .bind(&e.detail)
            .bind(e.latency_ms)
    }};
}
pub(crate) use bind_entry;

/// Writes `entry`; returns once it is committed.
pub async fn record(db: &Pool, entry: &Entry) -> Result<()> {
    match db {
        Pool::Sqlite(sqlite) => sqlite.records.write(Record::Audit(entry.clone())).await,
        Pool::Postgres(p) => {
            bind_entry!(entry).execute(p).await?;
            Ok(())
        }
    }
}

pub async fn all(db: &Pool) -> Result<Vec<Entry>> {
    const SQL: &str = "SELECT at, action, result, badge_id, kiosk_id, user_id, detail, \
                       latency_ms FROM audit ORDER BY id";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL).fetch_all(p).await)?)
}
