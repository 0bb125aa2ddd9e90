//! Importing a OneRoster export: schools, people, classes and memberships.

use std::collections::HashSet;

use badgein_roster::{Email, Grade, Roster};

use crate::error::Result;
use crate::ids::{ClassId, SchoolId, UserId};
use crate::portal::Portal;
use crate::roles::Role;
use crate::store::audit::Entry;
use crate::store::roster::{self as stored, Rows, UserRow};

pub use crate::store::roster::Changes;

/// What an import wrote, and what it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub schools: usize,
    pub users: usize,
    pub classes: usize,
    pub memberships: usize,
    /// People the roster lists but BadgeIn leaves out: guardians, aides and the like, and
    /// staff of a district with no school.
    pub skipped_users: usize,
    pub changes: Changes,
}

impl Portal {
    /// Applies `roster` in one transaction. Importing the same roster again changes nothing.
    /// Students of the roster's schools that it no longer lists are disabled, and so are the
    /// users it marks disabled; their badges are voided.
    pub async fn import_roster(&self, roster: &Roster) -> Result<ImportSummary> {
        let rows = rows(roster);
        let skipped_users = roster.users.len() - rows.users.len();
        let now = self.now();
        let mut entry = Entry::new(now, "roster.import", "ok");
        let changes = stored::apply(self.db(), &rows, now, &mut entry).await?;
        Ok(ImportSummary {
            schools: rows.schools.len(),
            users: rows.users.len(),
            classes: rows.classes.len(),
            memberships: rows.members.len(),
            skipped_users,
            changes,
        })
    }
}

/// Keeps the orgs that are schools, the students, teachers and administrators of those
/// schools (a user's school is the first school among their orgs), and the classes and
/// memberships between them.
fn rows(roster: &Roster) -> Rows {
    let schools: Vec<(SchoolId, String)> = roster
        .orgs
        .iter()
        .filter(|o| o.org_type == "school")
        .map(|o| (SchoolId::new(o.sourced_id.clone()), o.name.clone()))
        .collect();
    let school_ids: HashSet<&str> = schools.iter().map(|(id, _)| id.as_str()).collect();
    let users: Vec<UserRow> = roster
        .users
        .iter()
        .filter_map(|u| {
            let role = role(u.role)?;
            let school = u.org_ids.iter().find(|o| school_ids.contains(o.as_str()))?;
            Some(UserRow {
                id: UserId::new(u.sourced_id.clone()),
                school_id: SchoolId::new(school.clone()),
                role,
                username: u.username.clone(),
                given_name: u.given_name.clone(),
                family_name: u.family_name.clone(),
                email: u.email.clone().map(Email::into_string),
                grade: Grade::first_of(&u.grades).map(|g| g.as_str().to_owned()),
                enabled: u.enabled,
            })
        })
        .collect();
    let user_ids: HashSet<&str> = users.iter().map(|u| u.id.as_str()).collect();
    let classes: Vec<(ClassId, SchoolId, String)> = roster
        .classes
        .iter()
        .filter(|c| school_ids.contains(c.school_id.as_str()))
        .map(|c| {
            (
                ClassId::new(c.sourced_id.clone()),
                SchoolId::new(c.school_id.clone()),
                c.title.clone(),
            )
        })
        .collect();
    let class_ids: HashSet<&str> = classes.iter().map(|(id, _, _)| id.as_str()).collect();
    let mut seen = HashSet::new();
    let members = roster
        .enrollments
        .iter()
        .filter(|e| {
            class_ids.contains(e.class_id.as_str()) && user_ids.contains(e.user_id.as_str())
        })
        // A class lists a person once, even if two enrollment rows name them.
        .filter(|e| seen.insert((e.class_id.as_str(), e.user_id.as_str())))
        .filter_map(|e| {
            Some((
                ClassId::new(e.class_id.clone()),
                UserId::new(e.user_id.clone()),
                role(e.role)?,
            ))
        })
        .collect();
    Rows {
        schools,
        users,
        classes,
        members,
    }
}

/// The roster's role as BadgeIn keeps it; `None`: a person BadgeIn leaves out (guardians,
/// aides and the like).
fn role(role: badgein_roster::Role) -> Option<Role> {
    use badgein_roster::Role as R;
    match role {
        R::Student => Some(Role::Student),
        R::Teacher => Some(Role::Teacher),
        R::Administrator => Some(Role::Administrator),
        R::Other => None,
    }
}
