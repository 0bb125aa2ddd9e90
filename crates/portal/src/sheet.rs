//! Printing a class's badges. The secret of a badge is never stored, so a sheet cannot show
//! existing badges: printing one issues new badges and voids the old ones.

pub use badgein_sheet::Layout;
use badgein_sheet::SheetEntry;

use crate::error::{PortalError, Result};
use crate::portal::Portal;
use crate::store::audit::{self, Entry};
use crate::store::directory;

impl Portal {
    /// Issues a new badge for every enabled student of `class_id` (voiding their old ones)
    /// and returns the PDF sheet of them, and how many badges it holds.
    pub async fn badge_sheet(&self, class_id: &str, layout: Layout) -> Result<(Vec<u8>, usize)> {
        let (title, students) = directory::class_students(self.db(), class_id)
            .await?
            .ok_or_else(|| PortalError::NotFound(format!("class {class_id}")))?;
        if students.is_empty() {
            return Err(PortalError::BadRequest(format!(
                "class {class_id} has no enabled students"
            )));
        }
        let mut entries = Vec::with_capacity(students.len());
        for student in &students {
            let badge = self.issue_badge(&student.id, None).await?;
            entries.push(SheetEntry {
                payload: badge.encode(),
                first_name: student.given_name.clone(),
                class_name: title.clone(),
            });
        }
        let pdf = badgein_sheet::render(layout, &entries)
            .map_err(|e| PortalError::BadRequest(format!("cannot render the sheet: {e}")))?;
        let mut entry = Entry::new(self.now(), "badge.sheet", "ok");
        entry.detail = Some(format!("class {class_id}: {} badges", entries.len()));
        audit::record(self.db(), &entry).await?;
        Ok((pdf, entries.len()))
    }
}
