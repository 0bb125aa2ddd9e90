//! Importing a OneRoster export: schools, people, classes and memberships.

use std::collections::{HashMap, HashSet};

use badgein_roster::{Email, Grade, Identifier, Roster};

use crate::claim::birth_key::BirthKey;
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
    /// People the roster lists but BadgeIn leaves out: aides and the like, staff of a
    /// district with no school, parents linked to no child of a school.
    pub skipped_users: usize,
    /// Links between a child and a parent or guardian.
    pub guardianships: usize,
    /// People whose date of birth is kept (as a keyed hash: `claim::birth_key`).
    pub birth_dates: usize,
    pub changes: Changes,
}

impl Portal {
    /// Applies `roster` in one transaction. Importing the same roster again changes nothing.
    /// Students of the roster's schools that it no longer lists are disabled, and so are the
    /// users it marks disabled; their badges are voided.
    ///
    /// Dates of birth are kept only as keyed hashes; the key comes from the key file, which
    /// this makes (beside a SQLite database) when the database has no use of it yet.
    pub async fn import_roster(&self, roster: &Roster) -> Result<ImportSummary> {
        let key = if roster.demographics.is_empty() {
            None
        } else {
            Some(self.birth_key(true).await?)
        };
        let rows = rows(roster, key.as_ref());
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
            guardianships: rows.guardians.len(),
            birth_dates: rows
                .users
                .iter()
                .filter(|u| u.birth_date_hmac.is_some())
                .count(),
            changes,
        })
    }
}

/// Keeps the orgs that are schools, the students, teachers and administrators of those
/// schools (a user's school is the first school among their orgs), the parents and guardians
/// of their students (their school: the first among their orgs, else their first child's),
/// and the classes and memberships between them. A kept person's date of birth becomes its
/// keyed hash under `key`.
fn rows(roster: &Roster, key: Option<&BirthKey>) -> Rows {
    let schools: Vec<(SchoolId, String)> = roster
        .orgs
        .iter()
        .filter(|o| o.org_type == "school")
        .map(|o| (SchoolId::new(o.sourced_id.clone()), o.name.clone()))
        .collect();
    let school_ids: HashSet<&str> = schools.iter().map(|(id, _)| id.as_str()).collect();
    let first_school = |orgs: &[String]| {
        orgs.iter()
            .find(|o| school_ids.contains(o.as_str()))
            .cloned()
    };
    let student_schools: HashMap<&str, String> = roster
        .users
        .iter()
        .filter(|u| u.role == badgein_roster::Role::Student)
        .filter_map(|u| Some((u.sourced_id.as_str(), first_school(&u.org_ids)?)))
        .collect();
    let births: HashMap<&str, &badgein_roster::BirthDate> = roster
        .demographics
        .iter()
        .map(|d| (d.user_id.as_str(), &d.birth_date))
        .collect();
    let users: Vec<UserRow> = roster
        .users
        .iter()
        .filter_map(|u| {
            let role = role(u.role)?;
            let school = first_school(&u.org_ids).or_else(|| match role {
                Role::Guardian => roster
                    .guardianships
                    .iter()
                    .filter(|g| g.guardian_id == u.sourced_id)
                    .find_map(|g| student_schools.get(g.student_id.as_str()).cloned()),
                _ => None,
            })?;
            let id = UserId::new(u.sourced_id.clone());
            let birth_date_hmac = key
                .zip(births.get(u.sourced_id.as_str()))
                .map(|(key, date)| key.digest(&id, date));
            Some(UserRow {
                id,
                school_id: SchoolId::new(school),
                role,
                username: u.username.clone(),
                given_name: u.given_name.clone(),
                family_name: u.family_name.clone(),
                email: u.email.clone().map(Email::into_string),
                grade: Grade::first_of(&u.grades).map(|g| g.as_str().to_owned()),
                enabled: u.enabled,
                number: u.identifier.clone().map(Identifier::into_string),
                birth_date_hmac,
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
    let guardians = roster
        .guardianships
        .iter()
        .filter(|g| {
            user_ids.contains(g.student_id.as_str()) && user_ids.contains(g.guardian_id.as_str())
        })
        .map(|g| {
            (
                UserId::new(g.student_id.clone()),
                UserId::new(g.guardian_id.clone()),
            )
        })
        .collect();
    Rows {
        schools,
        users,
        classes,
        members,
        guardians,
    }
}

/// The roster's role as BadgeIn keeps it; `None`: a person BadgeIn leaves out (aides,
/// proctors, relatives).
fn role(role: badgein_roster::Role) -> Option<Role> {
    use badgein_roster::Role as R;
    match role {
        R::Student => Some(Role::Student),
        R::Teacher => Some(Role::Teacher),
        R::Administrator => Some(Role::Administrator),
        R::Guardian => Some(Role::Guardian),
        R::Other => None,
    }
}
