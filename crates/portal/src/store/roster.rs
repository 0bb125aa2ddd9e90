//! Applying a roster in one transaction: all of it or none of it.

use super::audit::Entry;
use super::{Pool, on_pool, sessions};
use crate::error::Result;
use crate::ids::{ClassId, SchoolId, UserId};
use crate::roles::Role;

/// A roster reduced to the rows BadgeIn keeps, ready to write.
#[derive(Debug, Default)]
pub struct Rows {
    pub schools: Vec<(SchoolId, String)>,
    pub users: Vec<UserRow>,
    pub classes: Vec<(ClassId, SchoolId, String)>,
    /// (class id, user id, role)
    pub members: Vec<(ClassId, UserId, Role)>,
    /// (student id, guardian id): the links of the roster's children, in place of the ones
    /// stored before.
    pub guardians: Vec<(UserId, UserId)>,
}

#[derive(Debug)]
pub struct UserRow {
    pub id: UserId,
    pub school_id: SchoolId,
    pub role: Role,
    pub username: String,
    pub given_name: String,
    pub family_name: String,
    /// Checked and lowercased by the roster reader.
    pub email: Option<String>,
    /// `PK`, `K`, `1` .. `12` (`badgein_roster::Grade`).
    pub grade: Option<String>,
    pub enabled: bool,
    /// The student or staff number (`badgein_roster::Identifier`).
    pub number: Option<String>,
    /// The date of birth's keyed hash (`claim::birth_key`); `None` keeps what is stored (the
    /// demographics file is optional, and its absence says nothing of a date).
    pub birth_date_hmac: Option<Vec<u8>>,
}

/// What an import changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    /// Users newly disabled: disabled in the roster, or users who left it.
    pub disabled: u64,
    pub badges_voided: u64,
    /// Live sessions of disabled users, ended with the import.
    pub sessions_ended: u64,
}

// A disabled user keeps the time they were first disabled, so a second import of the same
// roster writes the same values.
const UPSERT_USER: &str = "INSERT INTO users \
    (id, school_id, role, username, given_name, family_name, disabled_at, email, grade, \
    number, birth_date_hmac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
    ON CONFLICT (id) DO UPDATE SET school_id = excluded.school_id, role = excluded.role, \
    username = excluded.username, given_name = excluded.given_name, \
    family_name = excluded.family_name, email = excluded.email, grade = excluded.grade, \
    number = excluded.number, \
    birth_date_hmac = COALESCE(excluded.birth_date_hmac, users.birth_date_hmac), \
    disabled_at = CASE WHEN excluded.disabled_at IS NULL THEN NULL \
                  ELSE COALESCE(users.disabled_at, excluded.disabled_at) END";
const UPSERT_SCHOOL: &str = "INSERT INTO schools (id, name) VALUES ($1, $2) \
    ON CONFLICT (id) DO UPDATE SET name = excluded.name";
const UPSERT_CLASS: &str = "INSERT INTO classes (id, school_id, title) VALUES ($1, $2, $3) \
    ON CONFLICT (id) DO UPDATE SET school_id = excluded.school_id, title = excluded.title";
const CLEAR_MEMBERS: &str = "DELETE FROM class_members WHERE class_id = $1";
const ADD_MEMBER: &str = "INSERT INTO class_members (class_id, user_id, role) VALUES ($1, $2, $3)";
const CLEAR_GUARDIANS: &str = "DELETE FROM guardians WHERE student_id = $1";
const ADD_GUARDIAN: &str = "INSERT INTO guardians (student_id, guardian_id) VALUES ($1, $2)";
const IS_DISABLED: &str = "SELECT disabled_at FROM users WHERE id = $1";
// Everyone the roster no longer lists, whatever their role: a teacher who left must lose the
// teacher pages (their classes' badges and the school's kiosks) as surely as a child loses
// their badge.
const USERS_OF_SCHOOL: &str = "SELECT id FROM users WHERE school_id = $1 AND disabled_at IS NULL";
const DISABLE: &str = "UPDATE users SET disabled_at = $2 WHERE id = $1";
const VOID: &str = "UPDATE badges SET voided_at = $2 WHERE user_id = $1 AND voided_at IS NULL";

/// Writes `rows`, disables the users (students, teachers, administrators) of the roster's
/// schools it no longer lists, voids the badges and ends the sessions of every disabled user,
/// then records `audit` (with the changes in its detail).
pub async fn apply(db: &Pool, rows: &Rows, now: i64, audit: &mut Entry) -> Result<Changes> {
    let mut changes = Changes::default();
    on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        for (id, name) in &rows.schools {
            sqlx::query(UPSERT_SCHOOL)
                .bind(id)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        let listed: std::collections::HashSet<&str> =
            rows.users.iter().map(|u| u.id.as_str()).collect();
        let mut to_disable: Vec<String> = Vec::new();
        for (school, _) in &rows.schools {
            let ids: Vec<String> = sqlx::query_scalar(USERS_OF_SCHOOL)
                .bind(school)
                .fetch_all(&mut *tx)
                .await?;
            to_disable.extend(ids.into_iter().filter(|id| !listed.contains(id.as_str())));
        }
        for u in &rows.users {
            let before: Option<Option<i64>> = sqlx::query_scalar(IS_DISABLED)
                .bind(&u.id)
                .fetch_optional(&mut *tx)
                .await?;
            let was_disabled = matches!(before, Some(Some(_)));
            sqlx::query(UPSERT_USER)
                .bind(&u.id)
                .bind(&u.school_id)
                .bind(u.role)
                .bind(u.username.to_lowercase())
                .bind(&u.given_name)
                .bind(&u.family_name)
                .bind((!u.enabled).then_some(now))
                .bind(&u.email)
                .bind(&u.grade)
                .bind(&u.number)
                .bind(&u.birth_date_hmac)
                .execute(&mut *tx)
                .await?;
            if u.role == Role::Student {
                sqlx::query(CLEAR_GUARDIANS)
                    .bind(&u.id)
                    .execute(&mut *tx)
                    .await?;
            }
            if !u.enabled {
                if !was_disabled {
                    changes.disabled += 1;
                }
                changes.badges_voided += sqlx::query(VOID)
                    .bind(&u.id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                changes.sessions_ended += sqlx::query(sessions::END_BY_USER)
                    .bind(&u.id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
        }
        for id in &to_disable {
            sqlx::query(DISABLE)
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            changes.disabled += 1;
            changes.badges_voided += sqlx::query(VOID)
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            changes.sessions_ended += sqlx::query(sessions::END_BY_USER)
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        for (id, school, title) in &rows.classes {
            sqlx::query(UPSERT_CLASS)
                .bind(id)
                .bind(school)
                .bind(title)
                .execute(&mut *tx)
                .await?;
            sqlx::query(CLEAR_MEMBERS)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for (class, user, role) in &rows.members {
            sqlx::query(ADD_MEMBER)
                .bind(class)
                .bind(user)
                .bind(role)
                .execute(&mut *tx)
                .await?;
        }
        for (student, guardian) in &rows.guardians {
            sqlx::query(ADD_GUARDIAN)
                .bind(student)
                .bind(guardian)
                .execute(&mut *tx)
                .await?;
        }
        audit.detail = Some(format!(
            "{} schools, {} users, {} classes, {} memberships, {} guardian links; {} disabled, \
             {} badges voided, {} sessions ended",
            rows.schools.len(),
            rows.users.len(),
            rows.classes.len(),
            rows.members.len(),
            rows.guardians.len(),
            changes.disabled,
            changes.badges_voided,
            changes.sessions_ended
        ));
        audit.insert().execute(&mut *tx).await?;
        tx.commit().await
    })?;
    Ok(changes)
}
