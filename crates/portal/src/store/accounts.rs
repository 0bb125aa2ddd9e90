//! What issue 11's account rules keep (migration 0014): a school's grade policy, a student's
//! "needs a badge" mark and "must change the password" flag, and the school's delegates. Each
//! change is one transaction with its audit entry.

use super::audit::Entry;
use super::{Pool, on_pool, on_reader, sessions};
use crate::error::Result;
use crate::ids::{SchoolId, UserId};

/// A school's grade ranges as stored (`PK-5`); `grade_policy` reads them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredPolicy {
    pub badge_grades: String,
    pub password_change_grades: String,
    pub claim_grades: String,
}

/// A user's account flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct Flags {
    pub needs_badge: bool,
    pub must_change_password: bool,
}

/// A delegate as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DelegateRow {
    pub school_id: SchoolId,
    pub user_id: UserId,
    pub given_name: String,
    pub family_name: String,
    pub can_badges: bool,
    pub can_passwords: bool,
}

pub async fn policy(db: &Pool, school: &SchoolId) -> Result<Option<StoredPolicy>> {
    const SQL: &str = "SELECT badge_grades, password_change_grades, claim_grades \
                       FROM school_policies WHERE school_id = $1";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(school)
        .fetch_optional(p)
        .await)?)
}

pub async fn set_policy(
    db: &Pool,
    school: &SchoolId,
    policy: &StoredPolicy,
    entry: &Entry,
) -> Result<()> {
    const SQL: &str = "INSERT INTO school_policies \
        (school_id, badge_grades, password_change_grades, claim_grades) VALUES ($1, $2, $3, $4) \
        ON CONFLICT (school_id) DO UPDATE SET badge_grades = excluded.badge_grades, \
        password_change_grades = excluded.password_change_grades, \
        claim_grades = excluded.claim_grades";
    on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        sqlx::query(SQL)
            .bind(school)
            .bind(&policy.badge_grades)
            .bind(&policy.password_change_grades)
            .bind(&policy.claim_grades)
            .execute(&mut *tx)
            .await?;
        entry.insert().execute(&mut *tx).await?;
        tx.commit().await
    })?;
    Ok(())
}

pub async fn flags(db: &Pool, user: &UserId) -> Result<Option<Flags>> {
    const SQL: &str = "SELECT needs_badge, must_change_password FROM users WHERE id = $1";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(user)
        .fetch_optional(p)
        .await)?)
}

/// Whether the account named `username` must change its password before anything else.
pub async fn must_change_by_username(db: &Pool, username: &str) -> Result<bool> {
    const SQL: &str = "SELECT must_change_password FROM users WHERE username = $1";
    let found: Option<bool> = on_reader!(db, |p| sqlx::query_scalar(SQL)
        .bind(username.to_lowercase())
        .fetch_optional(p)
        .await)?;
    Ok(found.unwrap_or(false))
}

pub async fn set_needs_badge(db: &Pool, user: &UserId, needs: bool, entry: &Entry) -> Result<()> {
    const SQL: &str = "UPDATE users SET needs_badge = $2 WHERE id = $1";
    on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        sqlx::query(SQL)
            .bind(user)
            .bind(needs)
            .execute(&mut *tx)
            .await?;
        entry.insert().execute(&mut *tx).await?;
        tx.commit().await
    })?;
    Ok(())
}

/// Sets the user's password hash and whether it must be changed at the next sign-in, and
/// ends every session of the user (whoever knew the old one is out), with `entry`, in one
/// transaction. Returns how many sessions ended.
pub async fn reset_password(
    db: &Pool,
    user: &UserId,
    hash: &str,
    must_change: bool,
    now: i64,
    entry: &Entry,
) -> Result<u64> {
    const SQL: &str = "UPDATE users SET password_hash = $2, must_change_password = $3 \
                       WHERE id = $1";
    let ended = on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        sqlx::query(SQL)
            .bind(user)
            .bind(hash)
            .bind(must_change)
            .execute(&mut *tx)
            .await?;
        let ended = sqlx::query(sessions::END_BY_USER)
            .bind(user)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        entry.insert().execute(&mut *tx).await?;
        tx.commit().await.map(|()| ended)
    })?;
    Ok(ended)
}

/// Clears the must-change flag (the user chose a password of their own).
pub async fn password_changed(db: &Pool, user: &UserId) -> Result<()> {
    const SQL: &str = "UPDATE users SET must_change_password = $2 WHERE id = $1";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(user)
        .bind(false)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn add_delegate(
    db: &Pool,
    school: &SchoolId,
    user: &UserId,
    can: (bool, bool),
    entry: &Entry,
) -> Result<()> {
    const SQL: &str = "INSERT INTO delegates (school_id, user_id, can_badges, can_passwords) \
        VALUES ($1, $2, $3, $4) ON CONFLICT (school_id, user_id) DO UPDATE SET \
        can_badges = excluded.can_badges, can_passwords = excluded.can_passwords";
    on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        sqlx::query(SQL)
            .bind(school)
            .bind(user)
            .bind(can.0)
            .bind(can.1)
            .execute(&mut *tx)
            .await?;
        entry.insert().execute(&mut *tx).await?;
        tx.commit().await
    })?;
    Ok(())
}

/// Removes a delegate; `false` (and nothing written) when there was none.
pub async fn remove_delegate(
    db: &Pool,
    school: &SchoolId,
    user: &UserId,
    entry: &Entry,
) -> Result<bool> {
    const SQL: &str = "DELETE FROM delegates WHERE school_id = $1 AND user_id = $2";
    Ok(on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let gone = sqlx::query(SQL)
            .bind(school)
            .bind(user)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 1 {
            entry.insert().execute(&mut *tx).await?;
            tx.commit().await.map(|()| true)
        } else {
            tx.rollback().await.map(|()| false)
        }
    })?)
}

/// The delegates of `school` (every school's when `None`), by school and name.
pub async fn delegates(db: &Pool, school: Option<&SchoolId>) -> Result<Vec<DelegateRow>> {
    const SQL: &str = "SELECT d.school_id, d.user_id, u.given_name, u.family_name, \
        d.can_badges, d.can_passwords FROM delegates d JOIN users u ON u.id = d.user_id \
        WHERE ($1 IS NULL OR d.school_id = $1) \
        ORDER BY d.school_id, u.family_name, u.given_name, d.user_id";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(school)
        .fetch_all(p)
        .await)?)
}

/// What `user` was delegated at `school`, if anything: (badges, passwords). Only while the
/// user still belongs to that school and is enabled.
pub async fn delegation(
    db: &Pool,
    school: &SchoolId,
    user: &UserId,
) -> Result<Option<(bool, bool)>> {
    const SQL: &str = "SELECT d.can_badges, d.can_passwords FROM delegates d \
        JOIN users u ON u.id = d.user_id \
        WHERE d.school_id = $1 AND d.user_id = $2 AND u.school_id = $1 \
        AND u.disabled_at IS NULL";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(school)
        .bind(user)
        .fetch_optional(p)
        .await)?)
}

/// A staff member a delegation may name.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffRow {
    pub id: UserId,
    pub given_name: String,
    pub family_name: String,
}

/// The enabled staff of `school` (anyone but a student), by name.
pub async fn staff(db: &Pool, school: &SchoolId) -> Result<Vec<StaffRow>> {
    const SQL: &str = "SELECT id, given_name, family_name FROM users \
        WHERE school_id = $1 AND role <> $2 AND disabled_at IS NULL \
        ORDER BY family_name, given_name, id";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(school)
        .bind(crate::roles::Role::Student)
        .fetch_all(p)
        .await)?)
}
