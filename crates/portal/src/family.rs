//! What a parent or guardian may see and do (issue 11, item 9): their linked children
//! (name, classes, whether a badge works: `store::family::Child`, nothing else) and "Badge
//! lost", which voids their own child's badges at once. Who counts as a guardian is the role
//! (`Role::Guardian`, from the roster's `parent` and `guardian`) and the roster's links.

use crate::error::Result;
use crate::ids::UserId;
use crate::portal::Portal;
use crate::store::audit::{self, Entry};
use crate::store::directory::User;
use crate::store::family::{self, Child};

/// What "Badge lost" did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeLost {
    /// The child's badges voided (how many) and the sessions they gave ended.
    Voided(u64),
    /// Not a child linked to this guardian: nothing changed (recorded).
    NotYourChild,
}

impl Portal {
    /// The children linked to `guardian`.
    pub async fn children_of(&self, guardian: &User) -> Result<Vec<Child>> {
        family::children(self.db(), &guardian.id, self.now()).await
    }

    /// Voids `child`'s badges for their guardian and ends the sessions they started, audited
    /// (`badge.void`, the guardian's id, "by guardian") in the same transaction, or refuses
    /// a child not linked to `guardian` (audited `forbidden`, nothing changed).
    pub async fn badge_lost(&self, guardian: &UserId, child: &UserId) -> Result<BadgeLost> {
        let now = self.now();
        let mut entry = Entry::new(now, "badge.void", "ok");
        entry.user_id = Some(guardian.clone());
        match family::void_for_guardian(self.db(), guardian, child, now, entry.clone()).await? {
            Some(done) => {
                if done.sessions_ended > 0 {
                    self.wake_logouts();
                }
                Ok(BadgeLost::Voided(done.badges))
            }
            None => {
                "forbidden".clone_into(&mut entry.result);
                // The id as sent (a forged form's), cut short.
                let sent: String = child.chars().take(100).collect();
                entry.detail = Some(format!("by guardian: student {sent}: not linked"));
                audit::record(self.db(), &entry).await?;
                Ok(BadgeLost::NotYourChild)
            }
        }
    }
}
