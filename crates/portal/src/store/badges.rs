//! Badges: a public id, the SHA-256 of the secret, a lifetime and a void mark.

use super::audit::Entry;
use super::kiosks::Kiosk;
use super::{Pool, on_pool, on_reader, sessions};
use crate::error::Result;
use crate::ids::{ClassId, KioskId, SchoolId, UserId};
use crate::roles::Role;
use crate::store::directory::User;

/// What a badge sign-in needs, in one lookup.
#[derive(Debug, sqlx::FromRow)]
pub struct BadgeOwner {
    pub secret_hash: Vec<u8>,
    pub expires_at: i64,
    pub voided_at: Option<i64>,
    #[sqlx(flatten)]
    pub user: User,
}

const VOID_OTHERS: &str =
    "UPDATE badges SET voided_at = $2 WHERE user_id = $1 AND voided_at IS NULL";
const INSERT: &str = "INSERT INTO badges (id, user_id, secret_hash, issued_at, expires_at) \
                      VALUES ($1, $2, $3, $4, $5)";

/// Stores a new badge and voids every other live badge of the same user (ending the sessions
/// they started), atomically: a reprint never leaves two valid badges.
pub async fn issue(
    db: &Pool,
    badge_id: &str,
    user_id: &UserId,
    secret_hash: &[u8],
    now: i64,
    expires_at: i64,
) -> Result<()> {
    let end_voided = sessions::end_by_voided_badges("$1");
    on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        sqlx::query(VOID_OTHERS)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(&end_voided)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(INSERT)
            .bind(badge_id)
            .bind(user_id)
            .bind(secret_hash)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    })?;
    Ok(())
}

/// A badge to store: its public id, its owner and the digest of its secret.
#[derive(Debug, Clone)]
pub struct NewBadge {
    pub id: String,
    pub user_id: UserId,
    pub secret_hash: Vec<u8>,
}

/// A new password hash for a user (a fixed password printed on their card).
#[derive(Debug, Clone)]
pub struct NewPassword {
    pub user_id: UserId,
    pub hash: String,
}

/// Stores every badge of `badges` (voiding each owner's other live badges and ending their
/// sessions), every password of `passwords` (clearing the must-change flag and ending every
/// session of its user) and the `audit` entries in one transaction: all of them or none.
pub async fn issue_all(
    db: &Pool,
    badges: &[NewBadge],
    passwords: &[NewPassword],
    now: i64,
    expires_at: i64,
    audit: &[Entry],
) -> Result<()> {
    let end_voided = sessions::end_by_voided_badges("$1");
    on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        for badge in badges {
            sqlx::query(VOID_OTHERS)
                .bind(&badge.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(&end_voided)
                .bind(&badge.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(INSERT)
                .bind(&badge.id)
                .bind(&badge.user_id)
                .bind(&badge.secret_hash)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
        }
        for password in passwords {
            sqlx::query(SET_PASSWORD)
                .bind(&password.user_id)
                .bind(&password.hash)
                .bind(false)
                .execute(&mut *tx)
                .await?;
            sqlx::query(sessions::END_BY_USER)
                .bind(&password.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        for entry in audit {
            entry.insert().execute(&mut *tx).await?;
        }
        tx.commit().await
    })?;
    Ok(())
}

const SET_PASSWORD: &str =
    "UPDATE users SET password_hash = $2, must_change_password = $3 WHERE id = $1";

pub async fn owner(db: &Pool, badge_id: &str) -> Result<Option<BadgeOwner>> {
    const SQL: &str = "SELECT b.secret_hash, b.expires_at, b.voided_at, u.id, u.school_id, \
        u.role, u.username, u.given_name, u.family_name, u.locale, u.disabled_at, u.email, u.grade \
        FROM badges b JOIN users u ON u.id = b.user_id WHERE b.id = $1";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(badge_id)
        .fetch_optional(p)
        .await)?)
}

/// The kiosk holding a credential and, in the same read, the presented badge and its owner
/// (`None` when no badge has that id). `None` when no kiosk holds the credential.
pub async fn at_kiosk(
    db: &Pool,
    credential_hash: &[u8],
    badge_id: &str,
) -> Result<Option<(Kiosk, Option<BadgeOwner>)>> {
    const SQL: &str = "SELECT k.id AS kiosk_id, k.school_id AS kiosk_school_id, \
        k.name AS kiosk_name, k.revoked_at AS kiosk_revoked_at, \
        b.secret_hash, b.expires_at, b.voided_at, u.id, u.school_id, u.role, u.username, \
        u.given_name, u.family_name, u.locale, u.disabled_at, u.email, u.grade \
        FROM kiosks k LEFT JOIN badges b ON b.id = $2 LEFT JOIN users u ON u.id = b.user_id \
        WHERE k.credential_hash = $1";
    let row: Option<KioskAndBadge> = on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(credential_hash)
        .bind(badge_id)
        .fetch_optional(p)
        .await)?;
    Ok(row.map(KioskAndBadge::split))
}

/// A row of [`at_kiosk`]: the badge and user columns are null when the badge is unknown.
#[derive(sqlx::FromRow)]
struct KioskAndBadge {
    kiosk_id: KioskId,
    kiosk_school_id: SchoolId,
    kiosk_name: String,
    kiosk_revoked_at: Option<i64>,
    secret_hash: Option<Vec<u8>>,
    expires_at: Option<i64>,
    voided_at: Option<i64>,
    id: Option<UserId>,
    school_id: Option<SchoolId>,
    role: Option<Role>,
    username: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    locale: Option<String>,
    disabled_at: Option<i64>,
    email: Option<String>,
    grade: Option<String>,
}

impl KioskAndBadge {
    fn split(self) -> (Kiosk, Option<BadgeOwner>) {
        let kiosk = Kiosk {
            id: self.kiosk_id,
            school_id: self.kiosk_school_id,
            name: self.kiosk_name,
            revoked_at: self.kiosk_revoked_at,
        };
        let owner = (|| {
            Some(BadgeOwner {
                secret_hash: self.secret_hash?,
                expires_at: self.expires_at?,
                voided_at: self.voided_at,
                user: User {
                    id: self.id?,
                    school_id: self.school_id?,
                    role: self.role?,
                    username: self.username?,
                    given_name: self.given_name?,
                    family_name: self.family_name?,
                    locale: self.locale?,
                    disabled_at: self.disabled_at,
                    email: self.email,
                    grade: self.grade,
                },
            })
        })();
        (kiosk, owner)
    }
}

/// Which badges a void applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoidScope {
    User(UserId),
    Class(ClassId),
    School(SchoolId),
}

/// What a void did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Voided {
    pub badges: u64,
    /// Live sessions started with one of those badges, ended with them.
    pub sessions_ended: u64,
}

/// Voids the live badges in `scope` and ends the sessions they started, in one transaction.
pub async fn void(db: &Pool, scope: &VoidScope, now: i64) -> Result<Voided> {
    // The users whose badges the scope covers, as a subquery on `$1`.
    let (owners, key) = match scope {
        VoidScope::User(id) => ("$1", id.as_str()),
        VoidScope::Class(id) => (
            "SELECT user_id FROM class_members WHERE class_id = $1",
            id.as_str(),
        ),
        VoidScope::School(id) => ("SELECT id FROM users WHERE school_id = $1", id.as_str()),
    };
    let void = format!(
        "UPDATE badges SET voided_at = $2 WHERE voided_at IS NULL AND user_id IN ({owners})"
    );
    let end = sessions::end_by_voided_badges(owners);
    let done = on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let badges = sqlx::query(&void)
            .bind(key)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let sessions_ended = sqlx::query(&end)
            .bind(key)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await.map(|()| Voided {
            badges,
            sessions_ended,
        })
    })?;
    Ok(done)
}
