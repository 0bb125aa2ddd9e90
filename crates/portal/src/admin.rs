//! Directory administration used by the CLI, the roster import, the demo and tests.
//!
//! The methods take an id or its text (`impl Into<UserId>`): this is where text from the
//! command line or a test becomes a typed id.

use badgein_roster::{Email, Grade};

use crate::error::{PortalError, Result};
use crate::ids::{ClassId, SchoolId, UserId};
use crate::portal::Portal;
use crate::roles::Role;
use crate::store::audit::{self, Entry};
use crate::store::directory::{self, User};

/// A new or updated user. `username` is compared without case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub id: UserId,
    pub school_id: SchoolId,
    pub role: Role,
    pub username: String,
    pub given_name: String,
    pub family_name: String,
    /// `en` or `es`.
    pub locale: String,
    pub email: Option<Email>,
    pub grade: Option<Grade>,
}

impl Portal {
    pub async fn add_school(&self, id: impl Into<SchoolId>, name: &str) -> Result<()> {
        directory::upsert_school(self.db(), &id.into(), name).await
    }

    /// Creates or updates (and re-enables) a user.
    pub async fn add_user(&self, user: &NewUser) -> Result<()> {
        let locale = if user.locale.starts_with("es") {
            "es"
        } else {
            "en"
        };
        directory::upsert_user(
            self.db(),
            &User {
                id: user.id.clone(),
                school_id: user.school_id.clone(),
                role: user.role,
                username: user.username.clone(),
                given_name: user.given_name.clone(),
                family_name: user.family_name.clone(),
                locale: locale.to_owned(),
                disabled_at: None,
                email: user.email.clone().map(Email::into_string),
                grade: user.grade.map(|g| g.as_str().to_owned()),
            },
        )
        .await
    }

    pub async fn add_class(
        &self,
        id: impl Into<ClassId>,
        school_id: impl Into<SchoolId>,
        title: &str,
    ) -> Result<()> {
        directory::upsert_class(self.db(), &id.into(), &school_id.into(), title).await
    }

    pub async fn add_to_class(
        &self,
        class_id: impl Into<ClassId>,
        user_id: impl Into<UserId>,
        role: Role,
    ) -> Result<()> {
        directory::add_to_class(self.db(), &class_id.into(), &user_id.into(), role).await
    }

    pub async fn user(&self, id: impl Into<UserId>) -> Result<Option<User>> {
        directory::user(self.db(), &id.into()).await
    }

    /// An administrator's password reset with an Argon2id `hash` already made: ends every
    /// session of the user in the same transaction and audits how many.
    pub(crate) async fn reset_password_hash(&self, user_id: &UserId, hash: &str) -> Result<()> {
        let now = self.now();
        let Some(ended) = directory::reset_password_hash(self.db(), user_id, hash, now).await?
        else {
            return Err(PortalError::NotFound(format!("user {user_id}")));
        };
        self.wake_logouts();
        let mut entry = Entry::new(now, "user.password_set", "ok");
        entry.user_id = Some(user_id.clone());
        entry.detail = Some(format!("ended {ended} sessions"));
        audit::record(self.db(), &entry).await
    }

    /// The whole audit log, oldest first.
    pub async fn audit_log(&self) -> Result<Vec<Entry>> {
        audit::all(self.db()).await
    }
}
