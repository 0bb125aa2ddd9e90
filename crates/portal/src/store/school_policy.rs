//! A school's settings for its staff and its clock: whether staff must enroll the second
//! factor (`schools.staff_totp_required`) and its time zone (`schools.time_zone`).

use super::audit::Entry;
use super::{Pool, on_pool, on_reader};
use crate::error::Result;
use crate::ids::SchoolId;

/// Sets what is `Some`, and writes `audit`, in one transaction. `false`: no such school.
pub async fn set(
    db: &Pool,
    school: &SchoolId,
    staff_totp_required: Option<bool>,
    time_zone: Option<&str>,
    audit: &Entry,
) -> Result<bool> {
    const SQL: &str = "UPDATE schools SET \
        staff_totp_required = COALESCE($2, staff_totp_required), \
        time_zone = COALESCE($3, time_zone) WHERE id = $1";
    let done = on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let found = sqlx::query(SQL)
            .bind(school)
            .bind(staff_totp_required.map(i64::from))
            .bind(time_zone)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if found == 1 {
            audit.insert().execute(&mut *tx).await?;
        }
        tx.commit().await.map(|()| found == 1)
    })?;
    Ok(done)
}

/// The school's time zone as stored.
pub async fn time_zone(db: &Pool, school: &SchoolId) -> Result<Option<String>> {
    const SQL: &str = "SELECT time_zone FROM schools WHERE id = $1";
    Ok(on_reader!(db, |p| sqlx::query_scalar(SQL)
        .bind(school)
        .fetch_optional(p)
        .await)?)
}

/// The time zone of the school of the account `username` (lowercased) if there is one, else
/// the zone most schools use: what an unknown username is told, so that the answer does not
/// say whether the account exists.
pub async fn time_zone_for_login(db: &Pool, username: &str) -> Result<Option<String>> {
    const SQL: &str = "SELECT COALESCE(\
        (SELECT s.time_zone FROM schools s JOIN users u ON u.school_id = s.id \
         WHERE u.username = $1), \
        (SELECT time_zone FROM schools GROUP BY time_zone \
         ORDER BY COUNT(*) DESC, time_zone LIMIT 1))";
    Ok(on_reader!(db, |p| sqlx::query_scalar(SQL)
        .bind(username)
        .fetch_one(p)
        .await)?)
}

/// A school's staff settings as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffSettings {
    /// 1: staff must turn on the second factor.
    pub staff_totp_required: i64,
    pub time_zone: String,
}

/// The staff settings of `school`; `None`: no such school.
pub async fn settings(db: &Pool, school: &SchoolId) -> Result<Option<StaffSettings>> {
    const SQL: &str = "SELECT staff_totp_required, time_zone FROM schools WHERE id = $1";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(school)
        .fetch_optional(p)
        .await)?)
}
