//! What the teacher pages read: the classes a teacher may manage, a class's students with
//! their badge and lockout state, and a school's kiosks. Never a secret or a hash.

use super::{Pool, on_pool};
use crate::error::Result;
use crate::ids::{ClassId, KioskId, SchoolId, UserId};
use crate::roles::Role;

/// A class a teacher may manage, with its number of enabled students.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TaughtClass {
    pub id: ClassId,
    pub title: String,
    pub students: i64,
}

/// A student as the class page shows them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Pupil {
    pub id: UserId,
    pub given_name: String,
    pub family_name: String,
    /// When the live badge was issued; `None`: no badge that would work now.
    pub badge_issued_at: Option<i64>,
    pub badge_expires_at: Option<i64>,
    pub username: String,
    /// `PK`, `K`, `1` .. `12` from the roster, and a teacher's accessibility exception to the
    /// badge grades (migration 0014): what the grade rules decide on.
    pub grade: Option<String>,
    pub needs_badge: bool,
    /// Set while the password sign-in is locked out (from the password guard, not a column).
    #[sqlx(skip)]
    pub locked_until: Option<i64>,
}

/// A kiosk as the kiosks page shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct KioskRow {
    pub id: KioskId,
    pub name: String,
    pub enrolled_at: i64,
    pub revoked_at: Option<i64>,
    /// The last sign-in it started (the only trace of a kiosk being used that is stored).
    pub last_sign_in: Option<i64>,
}

/// Who may manage a class: its teachers (by enrollment) and the administrators of its
/// school, and only within their own school.
#[derive(Debug, Clone, Copy)]
pub struct Manager<'a> {
    pub user_id: &'a UserId,
    pub school_id: &'a SchoolId,
    pub administrator: bool,
}

/// The class members who manage their class (by their `class_members.role`): a class's
/// teachers and the administrators enrolled in it.
const MANAGING: [Role; 2] = [Role::Teacher, Role::Administrator];

/// The enabled students of class `c`, with [`Role::Student`] bound as `$5`.
const STUDENTS_OF_CLASS: &str = "SELECT COUNT(*) FROM class_members s \
    JOIN users u ON u.id = s.user_id \
    WHERE s.class_id = c.id AND u.role = $5 AND u.disabled_at IS NULL";

/// The classes `who` may manage, by title. `only`: just that class (or nothing).
pub async fn classes(
    db: &Pool,
    who: Manager<'_>,
    only: Option<&ClassId>,
) -> Result<Vec<TaughtClass>> {
    let sql = format!(
        "SELECT c.id, c.title, ({STUDENTS_OF_CLASS}) AS students FROM classes c \
         WHERE c.school_id = $1 AND ($4 IS NULL OR c.id = $4) \
         AND ($3 OR EXISTS (SELECT 1 FROM class_members m WHERE m.class_id = c.id \
              AND m.user_id = $2 AND m.role IN ($6, $7))) \
         ORDER BY c.title, c.id"
    );
    Ok(on_pool!(db, |p| sqlx::query_as(&sql)
        .bind(who.school_id)
        .bind(who.user_id)
        .bind(who.administrator)
        .bind(only)
        .bind(Role::Student)
        .bind(MANAGING[0])
        .bind(MANAGING[1])
        .fetch_all(p)
        .await)?)
}

/// The enabled students of a class by first name, with their live badge (not voided, not
/// expired at `now`).
pub async fn pupils(db: &Pool, class_id: &ClassId, now: i64) -> Result<Vec<Pupil>> {
    const LIVE: &str = "FROM badges b WHERE b.user_id = u.id AND b.voided_at IS NULL \
                        AND b.expires_at > $2";
    let sql = format!(
        "SELECT u.id, u.given_name, u.family_name, u.username, u.grade, u.needs_badge, \
         (SELECT MAX(b.issued_at) {LIVE}) AS badge_issued_at, \
         (SELECT MAX(b.expires_at) {LIVE}) AS badge_expires_at \
         FROM users u JOIN class_members m ON m.user_id = u.id \
         WHERE m.class_id = $1 AND u.role = $3 AND u.disabled_at IS NULL \
         ORDER BY u.given_name, u.family_name, u.id"
    );
    Ok(on_pool!(db, |p| sqlx::query_as(&sql)
        .bind(class_id)
        .bind(now)
        .bind(Role::Student)
        .fetch_all(p)
        .await)?)
}

/// Whether `student_id` is an enabled student of `class_id`.
pub async fn is_pupil(db: &Pool, class_id: &ClassId, student_id: &UserId) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM class_members m JOIN users u ON u.id = m.user_id \
        WHERE m.class_id = $1 AND m.user_id = $2 AND u.role = $3 \
        AND u.disabled_at IS NULL";
    let n: i64 = on_pool!(db, |p| sqlx::query_scalar(SQL)
        .bind(class_id)
        .bind(student_id)
        .bind(Role::Student)
        .fetch_one(p)
        .await)?;
    Ok(n > 0)
}

/// The kiosks of a school, working ones first, by name. `only`: just that kiosk (or nothing).
pub async fn kiosks(
    db: &Pool,
    school_id: &SchoolId,
    only: Option<&KioskId>,
) -> Result<Vec<KioskRow>> {
    const SQL: &str = "SELECT k.id, k.name, k.enrolled_at, k.revoked_at, \
        (SELECT MAX(s.created_at) FROM sessions s WHERE s.kiosk_id = k.id) AS last_sign_in \
        FROM kiosks k WHERE k.school_id = $1 AND ($2 IS NULL OR k.id = $2) \
        ORDER BY CASE WHEN k.revoked_at IS NULL THEN 0 ELSE 1 END, k.name, k.id";
    Ok(on_pool!(db, |p| sqlx::query_as(SQL)
        .bind(school_id)
        .bind(only)
        .fetch_all(p)
        .await)?)
}
