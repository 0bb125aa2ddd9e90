//! Schools, users and classes.

use super::{Pool, on_pool, on_reader, sessions};
use crate::error::Result;
use crate::ids::{ClassId, SchoolId, UserId};
use crate::roles::Role;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct School {
    pub id: SchoolId,
    pub name: String,
    pub idle_timeout_secs: i64,
    /// Comma-separated BCP 47 tags, first is the default.
    pub languages: String,
    pub allow_typed_login: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: UserId,
    pub school_id: SchoolId,
    pub role: Role,
    pub username: String,
    pub given_name: String,
    pub family_name: String,
    pub locale: String,
    pub disabled_at: Option<i64>,
    /// From the roster, checked and lowercased there (`badgein_roster::Email`).
    pub email: Option<String>,
    /// From the roster: `PK`, `K`, `1` .. `12` (`badgein_roster::Grade`).
    pub grade: Option<String>,
}

impl User {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// A user's columns, as [`User`] reads them.
pub(super) const USER_COLUMNS: &str =
    "id, school_id, role, username, given_name, family_name, locale, disabled_at, email, grade";

pub async fn upsert_school(db: &Pool, id: &SchoolId, name: &str) -> Result<()> {
    const SQL: &str = "INSERT INTO schools (id, name) VALUES ($1, $2) \
                       ON CONFLICT (id) DO UPDATE SET name = excluded.name";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(id)
        .bind(name)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn school(db: &Pool, id: &SchoolId) -> Result<Option<School>> {
    const SQL: &str = "SELECT id, name, idle_timeout_secs, languages, allow_typed_login \
                       FROM schools WHERE id = $1";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(id)
        .fetch_optional(p)
        .await)?)
}

/// Creates or updates a user; a re-enabled user is enabled again.
pub async fn upsert_user(db: &Pool, u: &User) -> Result<()> {
    const SQL: &str = "INSERT INTO users \
        (id, school_id, role, username, given_name, family_name, locale, disabled_at, email, \
        grade) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
        ON CONFLICT (id) DO UPDATE SET school_id = excluded.school_id, role = excluded.role, \
        username = excluded.username, given_name = excluded.given_name, \
        family_name = excluded.family_name, locale = excluded.locale, \
        disabled_at = excluded.disabled_at, email = excluded.email, grade = excluded.grade";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(&u.id)
        .bind(&u.school_id)
        .bind(u.role)
        .bind(u.username.to_lowercase())
        .bind(&u.given_name)
        .bind(&u.family_name)
        .bind(&u.locale)
        .bind(u.disabled_at)
        .bind(&u.email)
        .bind(&u.grade)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn user(db: &Pool, id: &UserId) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    Ok(on_reader!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)?)
}

/// A user with what a password sign-in needs, by username (usernames are stored lowercased,
/// so the lookup ignores case and still uses the unique index).
pub async fn user_for_login(db: &Pool, username: &str) -> Result<Option<Login>> {
    let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1");
    Ok(on_reader!(db, |p| sqlx::query_as(&sql)
        .bind(username.to_lowercase())
        .fetch_optional(p)
        .await)?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct Login {
    #[sqlx(flatten)]
    pub user: User,
    pub password_hash: Option<String>,
}

pub async fn set_password_hash(db: &Pool, user_id: &UserId, hash: &str) -> Result<bool> {
    const SQL: &str = "UPDATE users SET password_hash = $2 WHERE id = $1";
    let done = on_pool!(db, |p| sqlx::query(SQL)
        .bind(user_id)
        .bind(hash)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// An administrator's password reset: sets the hash and ends every session of the user, in
/// one transaction (whoever knew the old password is out). `None`: no such user; otherwise
/// how many live sessions were ended.
pub async fn reset_password_hash(
    db: &Pool,
    user_id: &UserId,
    hash: &str,
    now: i64,
) -> Result<Option<u64>> {
    const SQL: &str = "UPDATE users SET password_hash = $2 WHERE id = $1";
    sessions::withdraw(
        db,
        SQL,
        user_id.as_str(),
        hash.to_owned(),
        sessions::END_BY_USER,
        now,
    )
    .await
}

pub async fn upsert_class(
    db: &Pool,
    id: &ClassId,
    school_id: &SchoolId,
    title: &str,
) -> Result<()> {
    const SQL: &str = "INSERT INTO classes (id, school_id, title) VALUES ($1, $2, $3) \
        ON CONFLICT (id) DO UPDATE SET school_id = excluded.school_id, title = excluded.title";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(id)
        .bind(school_id)
        .bind(title)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn add_to_class(
    db: &Pool,
    class_id: &ClassId,
    user_id: &UserId,
    role: Role,
) -> Result<()> {
    const SQL: &str = "INSERT INTO class_members (class_id, user_id, role) VALUES ($1, $2, $3) \
        ON CONFLICT (class_id, user_id) DO UPDATE SET role = excluded.role";
    on_pool!(db, |p| sqlx::query(SQL)
        .bind(class_id)
        .bind(user_id)
        .bind(role)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The class title and its enabled students, by family then given name.
pub async fn class_students(db: &Pool, class_id: &ClassId) -> Result<Option<(String, Vec<User>)>> {
    const TITLE: &str = "SELECT title FROM classes WHERE id = $1";
    let sql = format!(
        "SELECT {} FROM users u JOIN class_members m ON m.user_id = u.id \
         WHERE m.class_id = $1 AND u.role = $2 AND u.disabled_at IS NULL \
         ORDER BY u.family_name, u.given_name, u.id",
        USER_COLUMNS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let title: Option<String> = on_reader!(db, |p| sqlx::query_scalar(TITLE)
        .bind(class_id)
        .fetch_optional(p)
        .await)?;
    let Some(title) = title else {
        return Ok(None);
    };
    let users = on_reader!(db, |p| sqlx::query_as(&sql)
        .bind(class_id)
        .bind(Role::Student)
        .fetch_all(p)
        .await)?;
    Ok(Some((title, users)))
}
