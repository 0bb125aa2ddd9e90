//! OneRoster 1.1 CSV import: the schools, people, classes and enrollments a district's student
//! information system exports, read and fully checked.
//!
//! [`Roster::load`] reads `orgs.csv`, `users.csv`, `classes.csv` and `enrollments.csv` from a
//! folder, and `demographics.csv` (dates of birth) when it is there (the other files of a
//! OneRoster export are not needed). `users.csv` may also give each person's `identifier` (the
//! student or staff number, [`Identifier`]) and `agentSourcedIds` (children and their parents
//! or guardians, [`Roster::guardianships`]). Each file has a header row
//! with the spec's column names, in any order; unknown columns are ignored. List fields
//! (`orgSourcedIds`, `grades`) hold comma-separated values in one quoted field. Rows whose
//! `status` is `tobedeleted` are dropped.
//!
//! Everything is checked before anything is returned: required columns and values, enumerated
//! values (`role`, `type`, `enabledUser`, `status`), unique sourcedIds within each file, and
//! that every org, class and user a record points at exists. The caller can therefore import
//! all or nothing. A [`RosterError`] names the file, line and column, never the values.
//!
//! ```
//! use badgein_roster::Roster;
//!
//! let roster = Roster::from_readers(
//!     "sourcedId,name,type\nsch1,Lincoln Elementary,school\n".as_bytes(),
//!     "sourcedId,enabledUser,orgSourcedIds,role,username,givenName,familyName\n\
//!      u1,true,sch1,student,maria.l,María,López\n".as_bytes(),
//!     "sourcedId,title,schoolSourcedId\nc1,Room 4,sch1\n".as_bytes(),
//!     "sourcedId,classSourcedId,schoolSourcedId,userSourcedId,role\n\
//!      e1,c1,sch1,u1,student\n".as_bytes(),
//! )?;
//! assert_eq!(roster.users[0].given_name, "María");
//! # Ok::<(), badgein_roster::RosterError>(())
//! ```

mod birth_date;
mod error;
mod files;
mod grade;
mod guardians;
mod identifier;
mod model;
mod table;

use std::collections::HashSet;
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::Path;

use serde::Serialize;

pub use birth_date::BirthDate;
pub use error::{Cell, RosterError};
pub use grade::Grade;
pub use identifier::{Identifier, MAX_IDENTIFIER_LEN};
pub use model::{
    Class, Demographic, Email, Enrollment, Guardianship, MAX_EMAIL_LEN, ORG_TYPES, Org, Role, User,
};
pub use table::MAX_FILE_BYTES;

use crate::files::{Reference, Target};

/// A whole roster, every record active and every reference resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Roster {
    pub orgs: Vec<Org>,
    pub users: Vec<User>,
    pub classes: Vec<Class>,
    pub enrollments: Vec<Enrollment>,
    /// Dates of birth, from the optional `demographics.csv`.
    pub demographics: Vec<Demographic>,
    /// Children and their parents or guardians, from `agentSourcedIds` (each pair once).
    pub guardianships: Vec<Guardianship>,
}

impl Roster {
    /// Reads the four CSV files from `dir`, and `demographics.csv` when it is there.
    pub fn load(dir: &Path) -> Result<Self, RosterError> {
        let open = |file: &'static str| {
            File::open(dir.join(file)).map_err(|source| match source.kind() {
                ErrorKind::NotFound => RosterError::MissingFile { file },
                _ => RosterError::Io { file, source },
            })
        };
        let demographics = match open(files::DEMOGRAPHICS) {
            Ok(file) => Some(file),
            Err(RosterError::MissingFile { .. }) => None,
            Err(e) => return Err(e),
        };
        Self::from_files(
            open(files::ORGS)?,
            open(files::USERS)?,
            open(files::CLASSES)?,
            open(files::ENROLLMENTS)?,
            demographics,
        )
    }

    /// Reads the four files' contents from readers (an upload, a zip entry, a test's bytes).
    pub fn from_readers(
        orgs: impl Read,
        users: impl Read,
        classes: impl Read,
        enrollments: impl Read,
    ) -> Result<Self, RosterError> {
        Self::from_files(orgs, users, classes, enrollments, None::<&[u8]>)
    }

    /// [`Roster::from_readers`] with `demographics.csv` too, when there is one.
    pub fn from_files(
        orgs: impl Read,
        users: impl Read,
        classes: impl Read,
        enrollments: impl Read,
        demographics: Option<impl Read>,
    ) -> Result<Self, RosterError> {
        let orgs = files::orgs(&table::read_limited(files::ORGS, orgs)?)?;
        let users = files::users(&table::read_limited(files::USERS, users)?)?;
        let classes = files::classes(&table::read_limited(files::CLASSES, classes)?)?;
        let enrollments =
            files::enrollments(&table::read_limited(files::ENROLLMENTS, enrollments)?)?;
        let demographics = match demographics {
            Some(reader) => {
                files::demographics(&table::read_limited(files::DEMOGRAPHICS, reader)?)?
            }
            None => files::Parsed {
                records: Vec::new(),
                references: Vec::new(),
                agents: Vec::new(),
            },
        };

        let org_ids: HashSet<&str> = orgs.records.iter().map(|o| o.sourced_id.as_str()).collect();
        let user_ids: HashSet<&str> = users
            .records
            .iter()
            .map(|u| u.sourced_id.as_str())
            .collect();
        let class_ids: HashSet<&str> = classes
            .records
            .iter()
            .map(|c| c.sourced_id.as_str())
            .collect();
        let references = users
            .references
            .iter()
            .chain(&classes.references)
            .chain(&enrollments.references)
            .chain(&demographics.references);
        for Reference { at, target, id } in references {
            let known = match target {
                Target::Org => &org_ids,
                Target::Class => &class_ids,
                Target::User => &user_ids,
            };
            if !known.contains(id.as_str()) {
                return Err(RosterError::UnknownReference {
                    at: at.clone(),
                    target: target.name(),
                });
            }
        }

        let guardianships = guardians::links(&users.records, &users.agents)?;
        Ok(Self {
            orgs: orgs.records,
            users: users.records,
            classes: classes.records,
            enrollments: enrollments.records,
            demographics: demographics.records,
            guardianships,
        })
    }
}
