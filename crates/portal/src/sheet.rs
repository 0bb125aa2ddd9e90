//! Printing a class's badges. The secret of a badge is never stored, so a sheet cannot show
//! existing badges: printing one issues new badges and voids the old ones.

use badgein_badge::Badge;
pub use badgein_sheet::Layout;
use badgein_sheet::SheetEntry;

use crate::config::ms;
use crate::error::{PortalError, Result};
use crate::ids::ClassId;
use crate::portal::Portal;
use crate::store::audit::Entry;
use crate::store::badges::{self as stored, NewBadge};
use crate::store::directory::{self, User};
use crate::tokens;

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
        let detail = format!("class {class_id}: {} badges", students.len());
        let pdf = self.print_badges(&students, &title, layout, detail).await?;
        Ok((pdf, students.len()))
    }

    /// Issues a new badge (school-year lifetime) for each of `students`, voiding their old
    /// ones, and returns the PDF of them. All or nothing: the sheet is rendered before anything
    /// is stored, and the badges, the voids and the audit entries (`badge.issue` for each,
    /// then `badge.sheet` with `detail`) are written in one transaction. A failure part-way
    /// leaves every old badge working and no new one.
    pub async fn print_badges(
        &self,
        students: &[User],
        class_title: &str,
        layout: Layout,
        detail: String,
    ) -> Result<Vec<u8>> {
        let mut ids: Vec<&str> = students.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            // The second badge of a child would void the first one printed on the same sheet.
            return Err(PortalError::BadRequest("a child is listed twice".into()));
        }
        // A clash of a 40-bit id with a stored one fails the whole transaction: draw again.
        for _ in 0..3 {
            let now = self.now();
            let mut entries = Vec::with_capacity(students.len());
            let mut rows = Vec::with_capacity(students.len());
            let mut audit = Vec::with_capacity(students.len() + 1);
            for student in students {
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
                });
            }
            let pdf = badgein_sheet::render(layout, &entries)
                .map_err(|e| PortalError::BadRequest(format!("cannot render the sheet: {e}")))?;
            let mut sheet = Entry::new(now, "badge.sheet", "ok");
            sheet.detail = Some(detail.clone());
            audit.push(sheet);
            let expires_at = now + ms(self.config().badge_lifetime);
            match stored::issue_all(self.db(), &rows, now, expires_at, &audit).await {
                Ok(()) => return Ok(pdf),
                Err(PortalError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Err(PortalError::Conflict(
            "could not draw fresh badge ids".into(),
        ))
    }
}
