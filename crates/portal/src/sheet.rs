//! Printing a class's badges. The secret of a badge is never stored, so a sheet cannot show
//! existing badges: printing one issues new badges and voids the old ones.

use badgein_badge::Badge;
pub use badgein_sheet::Layout;
use badgein_sheet::SheetEntry;

use crate::config::ms;
use crate::error::{PortalError, Result};
use crate::fixed_password::{FixedPassword, WordList};
use crate::ids::{ClassId, UserId};
use crate::portal::Portal;
use crate::store::audit::Entry;
use crate::store::badges::{self as stored, NewBadge, NewPassword};
use crate::store::directory::{self, User};
use crate::tokens;

/// Whether the cards of a print carry new fixed passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardPasswords<'a> {
    None,
    /// A new fixed password each, given by the teacher or delegate `by`.
    Fixed {
        by: &'a UserId,
    },
}

impl Portal {
    /// Issues a new badge for every enabled student of `class_id` (voiding their old ones)
    /// and returns the PDF sheet of them, and how many badges it holds.
    pub async fn badge_sheet(
        &self,
        class_id: impl Into<ClassId>,
        layout: Layout,
    ) -> Result<(Vec<u8>, usize)> {
        let class_id = class_id.into();
        let (title, students) = directory::class_students(self.db(), &class_id)
            .await?
            .ok_or_else(|| PortalError::NotFound(format!("class {class_id}")))?;
        if students.is_empty() {
            return Err(PortalError::BadRequest(format!(
                "class {class_id} has no enabled students"
            )));
        }
        // Only the children the grade rules give a badge (docs/accounts.md).
        let mut eligible = Vec::with_capacity(students.len());
        for student in students {
            if self.badge_allowed(&student).await? {
                eligible.push(student);
            }
        }
        if eligible.is_empty() {
            return Err(PortalError::BadRequest(format!(
                "no student of class {class_id} is in the badge grades or needs a badge"
            )));
        }
        let detail = format!("class {class_id}: {} badges", eligible.len());
        let pdf = self
            .print_badges(&eligible, &title, layout, detail, CardPasswords::None)
            .await?;
        Ok((pdf, eligible.len()))
    }

    /// Issues a new badge (school-year lifetime) for each of `students`, voiding their old
    /// ones, and returns the PDF of them. Refused when a student is one the grade rules give
    /// no badge. With [`CardPasswords::Fixed`] each child also gets a new fixed password
    /// (`fixed_password`), printed on their card and nowhere else: the plain text lives only
    /// while the PDF is rendered, the old password stops working and every session ends.
    /// All or nothing: the sheet is rendered before anything is stored, and the badges, the
    /// voids, the passwords and the audit entries (`badge.issue` for each, `user.fixed_password`
    /// for each new password, then `badge.sheet` with `detail`) are written in one
    /// transaction. A failure part-way leaves every old badge and password working.
    pub async fn print_badges(
        &self,
        students: &[User],
        class_title: &str,
        layout: Layout,
        mut detail: String,
        passwords: CardPasswords<'_>,
    ) -> Result<Vec<u8>> {
        let mut ids: Vec<&str> = students.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            // The second badge of a child would void the first one printed on the same sheet.
            return Err(PortalError::BadRequest("a child is listed twice".into()));
        }
        for student in students {
            self.check_badge_allowed(student).await?;
        }
        let mut fixed = Vec::new();
        if let CardPasswords::Fixed { by } = passwords {
            if layout != Layout::Cards {
                return Err(PortalError::BadRequest(
                    "fixed passwords print only on cards".into(),
                ));
            }
            for student in students {
                let password = FixedPassword::generate(WordList::for_locale(&student.locale))?;
                let hash = self.hasher().hash(password.expose().to_owned()).await?;
                fixed.push((password, hash));
            }
            detail.push_str(&format!(", fixed passwords, by {by}"));
        }
        // A clash of a 40-bit id with a stored one fails the whole transaction: draw again.
        for _ in 0..3 {
            let now = self.now();
            let mut entries = Vec::with_capacity(students.len());
            let mut rows = Vec::with_capacity(students.len());
            let mut audit = Vec::with_capacity(students.len() + 1);
            for (i, student) in students.iter().enumerate() {
                let badge = Badge::generate().map_err(|e| PortalError::Hashing(e.to_string()))?;
                let id = badge.id().to_string();
                let mut entry = Entry::new(now, "badge.issue", "ok");
                entry.badge_id = Some(id.clone());
                entry.user_id = Some(student.id.clone());
                audit.push(entry);
                rows.push(NewBadge {
                    id,
                    user_id: student.id.clone(),
                    secret_hash: tokens::digest(badge.secret().expose_bytes()),
                });
                entries.push(SheetEntry {
                    payload: badge.encode(),
                    first_name: student.given_name.clone(),
                    class_name: class_title.to_owned(),
                    password: fixed.get(i).map(|(p, _)| p.expose().to_owned()),
                });
            }
            let pdf = badgein_sheet::render(layout, &entries)
                .map_err(|e| PortalError::BadRequest(format!("cannot render the sheet: {e}")))?;
            let mut new_passwords = Vec::with_capacity(fixed.len());
            for (student, (_, hash)) in students.iter().zip(&fixed) {
                let mut entry = Entry::new(now, "user.fixed_password", "ok");
                entry.user_id = Some(student.id.clone());
                if let CardPasswords::Fixed { by } = passwords {
                    entry.detail = Some(format!("printed on a card, by {by}"));
                }
                audit.push(entry);
                new_passwords.push(NewPassword {
                    user_id: student.id.clone(),
                    hash: hash.clone(),
                });
            }
            let mut sheet = Entry::new(now, "badge.sheet", "ok");
            sheet.detail = Some(detail.clone());
            audit.push(sheet);
            let expires_at = now + ms(self.config().badge_lifetime);
            let issued =
                stored::issue_all(self.db(), &rows, &new_passwords, now, expires_at, &audit);
            match issued.await {
                Ok(()) => {
                    if !fixed.is_empty() {
                        for student in students {
                            // The sheet is issued: a database that did not answer here must
                            // not lose its passwords.
                            let account = student.username.to_lowercase();
                            if let Err(error) = self.guard().clear(self.db(), &account).await {
                                tracing::warn!(%error, "lockout counters not cleared");
                            }
                        }
                        self.wake_logouts();
                    }
                    return Ok(pdf);
                }
                Err(PortalError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Err(PortalError::Conflict(
            "could not draw fresh badge ids".into(),
        ))
    }
}
