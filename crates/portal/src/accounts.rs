//! Issue 11's account rules as `Portal` methods (docs/accounts.md): a school's grade policy,
//! the "needs a badge" mark, delegates, and password resets by a teacher or delegate. The
//! decisions are `grade_policy` and `auth::delegation`; this reads and writes around them, each
//! change audited in its own transaction.

use crate::auth::delegation::Delegation;
use crate::auth::origin::is_staff;
use crate::error::{PortalError, Result};
use crate::fixed_password;
use crate::grade_policy::{self, GradePolicy, GradeRange};
use crate::ids::{SchoolId, UserId};
use crate::portal::Portal;
use crate::store::accounts::{self as stored, DelegateRow, Flags, StoredPolicy};
use crate::store::audit::Entry;
use crate::store::directory::{self, User};

/// A change to a school's policy: the ranges given replace the current ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PolicyChange {
    pub badges: Option<GradeRange>,
    pub password_change: Option<GradeRange>,
    pub claim: Option<GradeRange>,
}

/// An entry on `subject` with `detail`; who acted (a teacher's or delegate's id, none from the
/// CLI) ends the detail as `by <id>`.
fn entry(
    now: i64,
    action: &str,
    subject: Option<&UserId>,
    detail: String,
    by: Option<&UserId>,
) -> Entry {
    let mut e = Entry::new(now, action, "ok");
    e.user_id = subject.cloned();
    e.detail = Some(match by {
        Some(by) => format!("{detail}, by {by}"),
        None => detail,
    });
    e
}

impl Portal {
    /// The grade policy of `school` (the defaults until one is set).
    pub async fn grade_policy(&self, school: &SchoolId) -> Result<GradePolicy> {
        let Some(row) = stored::policy(self.db(), school).await? else {
            return Ok(GradePolicy::default());
        };
        let read = |text: &str| {
            GradeRange::parse(text).map_err(|e| {
                PortalError::BadRequest(format!("school {school}: stored grade policy: {e}"))
            })
        };
        Ok(GradePolicy {
            badges: read(&row.badge_grades)?,
            password_change: read(&row.password_change_grades)?,
            claim: read(&row.claim_grades)?,
        })
    }

    /// Applies `change` to the policy of `school` and returns the result (unchanged and not
    /// written when `change` is empty). Audited `school.policy`, with `by` when an
    /// administrator's page asked.
    pub async fn set_grade_policy(
        &self,
        school: impl Into<SchoolId>,
        change: PolicyChange,
        by: Option<&UserId>,
    ) -> Result<GradePolicy> {
        let school = school.into();
        if directory::school(self.db(), &school).await?.is_none() {
            return Err(PortalError::NotFound(format!("school {school}")));
        }
        let current = self.grade_policy(&school).await?;
        if change == PolicyChange::default() {
            return Ok(current);
        }
        let policy = GradePolicy {
            badges: change.badges.unwrap_or(current.badges),
            password_change: change.password_change.unwrap_or(current.password_change),
            claim: change.claim.unwrap_or(current.claim),
        };
        let view = policy.view(school.as_str());
        let detail = format!(
            "school {school}: badges {}, password change {}, claim {}",
            view.badge_grades, view.password_change_grades, view.claim_grades,
        );
        let e = entry(self.now(), "school.policy", None, detail, by);
        let row = StoredPolicy {
            badge_grades: view.badge_grades,
            password_change_grades: view.password_change_grades,
            claim_grades: view.claim_grades,
        };
        stored::set_policy(self.db(), &school, &row, &e).await?;
        Ok(policy)
    }

    /// The account flags of `user` (all clear for an unknown user).
    pub async fn account_flags(&self, user: &UserId) -> Result<Flags> {
        Ok(stored::flags(self.db(), user).await?.unwrap_or_default())
    }

    /// Whether `user` may be given a badge by the grade rules (staff: see `StaffBadges`).
    pub async fn badge_allowed(&self, user: &User) -> Result<bool> {
        if is_staff(user.role) {
            return Ok(true);
        }
        let policy = self.grade_policy(&user.school_id).await?;
        let flags = self.account_flags(&user.id).await?;
        Ok(grade_policy::may_have_badge(
            &policy,
            grade_policy::stored_grade(user.grade.as_deref()),
            flags.needs_badge,
        ))
    }

    /// The refusal for a student the grade rules give no badge.
    pub(crate) async fn check_badge_allowed(&self, user: &User) -> Result<()> {
        if self.badge_allowed(user).await? {
            return Ok(());
        }
        let policy = self.grade_policy(&user.school_id).await?;
        Err(PortalError::BadRequest(format!(
            "user {} is not in the school's badge grades ({}) and not marked as needing a \
             badge (the class page's \"Needs a badge\")",
            user.id, policy.badges
        )))
    }

    /// Whether `user` may change their own password by the grade rules.
    pub async fn may_change_own_password(&self, user: &User) -> Result<bool> {
        let policy = self.grade_policy(&user.school_id).await?;
        Ok(grade_policy::may_change_password(
            &policy,
            user.role,
            grade_policy::stored_grade(user.grade.as_deref()),
        ))
    }

    /// Whether the account `username` signs in to the change-password page first.
    pub async fn must_change_password(&self, username: &str) -> Result<bool> {
        stored::must_change_by_username(self.db(), username).await
    }

    /// Marks (or unmarks) `student` as needing a badge outside the badge grades, for `by`.
    pub async fn set_needs_badge(&self, student: &UserId, needs: bool, by: &UserId) -> Result<()> {
        let answer = if needs { "yes" } else { "no" };
        let e = entry(
            self.now(),
            "user.needs_badge",
            Some(student),
            answer.into(),
            Some(by),
        );
        stored::set_needs_badge(self.db(), student, needs, &e).await
    }

    /// Makes `user` a delegate of `school` with `can`. Refused: an unknown school or user, a
    /// user of another school, a student, a disabled account.
    pub async fn add_delegate(
        &self,
        school: impl Into<SchoolId>,
        user: impl Into<UserId>,
        can: Delegation,
        by: Option<&UserId>,
    ) -> Result<()> {
        let (school, user) = (school.into(), user.into());
        if directory::school(self.db(), &school).await?.is_none() {
            return Err(PortalError::NotFound(format!("school {school}")));
        }
        let found = directory::user(self.db(), &user)
            .await?
            .ok_or_else(|| PortalError::NotFound(format!("user {user}")))?;
        if found.school_id != school {
            return Err(PortalError::BadRequest(format!(
                "user {user} is not of school {school}: a delegate acts only in their own school"
            )));
        }
        if !is_staff(found.role) {
            return Err(PortalError::BadRequest(format!(
                "user {user} is a student: delegates are staff"
            )));
        }
        if found.disabled_at.is_some() {
            return Err(PortalError::BadRequest(format!("user {user} is disabled")));
        }
        if !can.badges && !can.passwords {
            return Err(PortalError::BadRequest(
                "a delegate may do something".into(),
            ));
        }
        let e = entry(
            self.now(),
            "delegate.add",
            Some(&user),
            format!("school {school}: {can}"),
            by,
        );
        stored::add_delegate(self.db(), &school, &user, (can.badges, can.passwords), &e).await
    }

    pub async fn remove_delegate(
        &self,
        school: impl Into<SchoolId>,
        user: impl Into<UserId>,
        by: Option<&UserId>,
    ) -> Result<()> {
        let (school, user) = (school.into(), user.into());
        let e = entry(
            self.now(),
            "delegate.remove",
            Some(&user),
            format!("school {school}"),
            by,
        );
        if stored::remove_delegate(self.db(), &school, &user, &e).await? {
            Ok(())
        } else {
            Err(PortalError::NotFound(format!(
                "user {user} is not a delegate of school {school}"
            )))
        }
    }

    pub async fn delegates(&self, school: Option<&SchoolId>) -> Result<Vec<DelegateRow>> {
        stored::delegates(self.db(), school).await
    }

    /// What `user` may do as a delegate of their own school, if anything.
    pub async fn delegation_of(&self, user: &User) -> Result<Option<Delegation>> {
        Ok(stored::delegation(self.db(), &user.school_id, &user.id)
            .await?
            .map(|(badges, passwords)| Delegation { badges, passwords }))
    }

    /// A teacher's or delegate's reset of a student who may change their password: a
    /// temporary password, returned once, which the student must change at the next sign-in.
    /// Every session of the student ends. Refused for a student outside the password-change
    /// grades (their reset is a new fixed password on a card: `print_badges`).
    pub async fn temporary_password(&self, student: &User, by: &UserId) -> Result<String> {
        if !self.may_change_own_password(student).await? {
            return Err(PortalError::BadRequest(format!(
                "user {} may not change their password: give a fixed password on a card",
                student.id
            )));
        }
        let password = fixed_password::temporary()?;
        let hash = self.hasher().hash(password.clone()).await?;
        let now = self.now();
        let detail = "temporary, must change".to_owned();
        let e = entry(
            now,
            "user.password_reset",
            Some(&student.id),
            detail,
            Some(by),
        );
        stored::reset_password(self.db(), &student.id, &hash, true, now, &e).await?;
        // The new password is set: a database that did not answer here must not lose it.
        let account = student.username.to_lowercase();
        if let Err(error) = self.guard().clear(self.db(), &account).await {
            tracing::warn!(%error, "lockout counters not cleared after a password reset");
        }
        self.wake_logouts();
        Ok(password)
    }
}
