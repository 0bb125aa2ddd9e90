//! The rows a parent's or guardian's pages read and write (issue 11, item 9): the guardians a
//! child's number leads to (claiming a parent's account), the children linked to a guardian
//! with their classes and whether a badge works, and a lost badge voided by a guardian, only
//! for their own child, with its audit row in the same transaction.

use super::audit::Entry;
use super::badges::Voided;
use super::{Pool, on_pool, on_reader, sessions};
use crate::error::Result;
use crate::ids::UserId;
use crate::roles::Role;

/// A child a number names, with one of their guardians (none: the child has no guardian
/// linked), and what a parent's claim compares.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GuardianCandidate {
    pub child_id: UserId,
    pub child_role: Role,
    pub child_disabled: bool,
    /// `claim::birth_key`'s HMAC of the child's date of birth.
    pub child_birth_date_hmac: Option<Vec<u8>>,
    pub guardian_id: Option<UserId>,
    pub guardian_role: Option<Role>,
    /// Lowercased by the roster import.
    pub guardian_email: Option<String>,
    pub guardian_number: Option<String>,
    pub guardian_has_password: bool,
    pub guardian_disabled: bool,
}

/// Rows compared at most: the children a number names (as `store::claim::MAX_CANDIDATES`)
/// times a few guardians each.
pub const MAX_GUARDIAN_CANDIDATES: i64 = 64;

/// The children whose number is `number`, each with every guardian linked to them.
pub async fn guardian_candidates(db: &Pool, number: &str) -> Result<Vec<GuardianCandidate>> {
    const SQL: &str = "SELECT c.id AS child_id, c.role AS child_role, \
        c.disabled_at IS NOT NULL AS child_disabled, c.birth_date_hmac AS child_birth_date_hmac, \
        g.id AS guardian_id, g.role AS guardian_role, g.email AS guardian_email, \
        g.number AS guardian_number, \
        (g.password_hash IS NOT NULL) AS guardian_has_password, \
        (g.disabled_at IS NOT NULL) AS guardian_disabled \
        FROM users c LEFT JOIN guardians l ON l.student_id = c.id \
        LEFT JOIN users g ON g.id = l.guardian_id \
        WHERE c.number = $1 ORDER BY c.id, g.id LIMIT $2";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(number)
        .bind(MAX_GUARDIAN_CANDIDATES)
        .fetch_all(p)
        .await)?)
}

/// A child as their guardian sees them: nothing but the name, the classes and whether a badge
/// works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub id: UserId,
    pub given_name: String,
    pub family_name: String,
    /// Class titles, in order.
    pub classes: Vec<String>,
    /// A live badge: not voided, not expired.
    pub badge_works: bool,
}

/// (id, given name, family name, badge works).
type ChildRow = (UserId, String, String, bool);

// Enabled students only: a child who left the school (disabled by the roster) is no longer
// shown, whatever links remain.
const LINKED: &str = "FROM guardians g JOIN users u ON u.id = g.student_id \
    WHERE g.guardian_id = $1 AND u.role = $2 AND u.disabled_at IS NULL";

/// The children linked to `guardian`, by name, at `now`.
pub async fn children(db: &Pool, guardian: &UserId, now: i64) -> Result<Vec<Child>> {
    let kids = format!(
        "SELECT u.id, u.given_name, u.family_name, EXISTS (SELECT 1 FROM badges b \
         WHERE b.user_id = u.id AND b.voided_at IS NULL AND b.expires_at > $3) AS badge_works \
         {LINKED} ORDER BY u.given_name, u.family_name, u.id"
    );
    let classes = format!(
        "SELECT m.user_id, c.title FROM class_members m JOIN classes c ON c.id = m.class_id \
         WHERE m.role = $2 AND m.user_id IN (SELECT u.id {LINKED}) ORDER BY c.title, c.id"
    );
    let (rows, titles): (Vec<ChildRow>, Vec<(UserId, String)>) = on_reader!(db, |p| {
        let rows = sqlx::query_as(&kids)
            .bind(guardian)
            .bind(Role::Student)
            .bind(now)
            .fetch_all(p)
            .await?;
        let titles = sqlx::query_as(&classes)
            .bind(guardian)
            .bind(Role::Student)
            .fetch_all(p)
            .await?;
        Ok::<_, sqlx::Error>((rows, titles))
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, given_name, family_name, badge_works)| Child {
            classes: titles
                .iter()
                .filter(|(child, _)| *child == id)
                .map(|(_, title)| title.clone())
                .collect(),
            id,
            given_name,
            family_name,
            badge_works,
        })
        .collect())
}

/// Voids `child`'s live badges and ends the sessions they started, with `audit` (its detail
/// completed with the counts), in one transaction, only when `child` is a child linked to
/// `guardian` (checked in that transaction). `None`: not their child, nothing changed.
pub async fn void_for_guardian(
    db: &Pool,
    guardian: &UserId,
    child: &UserId,
    now: i64,
    mut audit: Entry,
) -> Result<Option<Voided>> {
    let linked = format!("SELECT u.id {LINKED} AND u.id = $3");
    const VOID: &str = "UPDATE badges SET voided_at = $2 WHERE voided_at IS NULL AND user_id = $1";
    let end = sessions::end_by_voided_badges("$1");
    let done = on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let found: Option<UserId> = sqlx::query_scalar(&linked)
            .bind(guardian)
            .bind(Role::Student)
            .bind(child)
            .fetch_optional(&mut *tx)
            .await?;
        if found.is_none() {
            // Not their child: the transaction rolls back untouched.
            Ok(None)
        } else {
            let badges = sqlx::query(VOID)
                .bind(child)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let sessions_ended = sqlx::query(&end)
                .bind(child)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            audit.detail = Some(format!(
                "by guardian: student {child}: {badges}; ended {sessions_ended} sessions"
            ));
            audit.insert().execute(&mut *tx).await?;
            tx.commit().await.map(|()| {
                Some(Voided {
                    badges,
                    sessions_ended,
                })
            })
        }
    })?;
    Ok(done)
}
