//! The four OneRoster 1.1 CSV files: which columns each needs and how a row becomes a record.
//!
//! Only the columns BadgeIn uses are required (plus `status` when present); the spec's other
//! columns (dateLastModified, courseSourcedId, termSourcedIds, ...) may be there and are
//! ignored. Rows marked `tobedeleted` are dropped; their sourcedId still counts for duplicates.

use std::collections::HashMap;

use crate::birth_date::BirthDate;
use crate::error::{Cell, RosterError};
use crate::identifier::Identifier;
use crate::model::{Class, Demographic, Email, Enrollment, ORG_TYPES, Org, Role, User};
use crate::table::{RowRef, Table};

pub const ORGS: &str = "orgs.csv";
pub const USERS: &str = "users.csv";
pub const CLASSES: &str = "classes.csv";
pub const ENROLLMENTS: &str = "enrollments.csv";
/// Optional: without it no one has a date of birth.
pub const DEMOGRAPHICS: &str = "demographics.csv";

/// A sourcedId one record points at, checked once every file is read.
#[derive(Debug)]
pub struct Reference {
    pub at: Cell,
    pub target: Target,
    pub id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Org,
    Class,
    User,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Self::Org => "org",
            Self::Class => "class",
            Self::User => "user",
        }
    }
}

/// One `agentSourcedIds` entry: `owner` names `agent`, read at `at`. Checked once every user
/// is known (a child's agent must be a parent or guardian, and the other way round).
#[derive(Debug)]
pub struct Agent {
    pub at: Cell,
    pub owner: String,
    pub agent: String,
}

/// The active records of one file and the references they make.
#[derive(Debug)]
pub struct Parsed<T> {
    pub records: Vec<T>,
    pub references: Vec<Reference>,
    /// Only `users.csv` has them.
    pub agents: Vec<Agent>,
}

pub fn orgs(bytes: &[u8]) -> Result<Parsed<Org>, RosterError> {
    let table = Table::parse(ORGS, bytes, &["sourcedId", "name", "type"], &["status"])?;
    each_active(&table, |row, sourced_id, _| {
        let org_type = row.required("type")?.to_ascii_lowercase();
        if !ORG_TYPES.contains(&org_type.as_str()) {
            return Err(row.bad("type", "not a OneRoster org type"));
        }
        Ok(Org {
            sourced_id,
            name: row.required("name")?.to_owned(),
            org_type,
        })
    })
}

pub fn users(bytes: &[u8]) -> Result<Parsed<User>, RosterError> {
    let required = [
        "sourcedId",
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "givenName",
        "familyName",
    ];
    let optional = ["status", "email", "grades", "identifier", "agentSourcedIds"];
    let table = Table::parse(USERS, bytes, &required, &optional)?;
    let mut agents = Vec::new();
    let mut parsed = each_active(&table, |row, sourced_id, references| {
        let enabled = match row.required("enabledUser")? {
            v if v.eq_ignore_ascii_case("true") => true,
            v if v.eq_ignore_ascii_case("false") => false,
            _ => return Err(row.bad("enabledUser", "must be true or false")),
        };
        let org_ids = row.list("orgSourcedIds");
        if org_ids.is_empty() {
            return Err(row.bad("orgSourcedIds", "must name at least one org"));
        }
        for id in &org_ids {
            references.push(reference(row, "orgSourcedIds", Target::Org, id));
        }
        let email = match row.value("email") {
            "" => None,
            value => Some(Email::parse(value).ok_or_else(|| {
                row.bad(
                    "email",
                    "not an e-mail address (ASCII, one @, at most 254 characters)",
                )
            })?),
        };
        let identifier = match row.value("identifier") {
            "" => None,
            value => Some(Identifier::parse(value).ok_or_else(|| {
                row.bad(
                    "identifier",
                    "not a student or staff number (visible ASCII, at most 64 characters)",
                )
            })?),
        };
        let agent_ids = row.list("agentSourcedIds");
        for id in &agent_ids {
            references.push(reference(row, "agentSourcedIds", Target::User, id));
            agents.push(Agent {
                at: row.cell("agentSourcedIds"),
                owner: sourced_id.clone(),
                agent: id.clone(),
            });
        }
        Ok(User {
            sourced_id,
            enabled,
            role: role(row)?,
            username: row.required("username")?.to_owned(),
            given_name: row.required("givenName")?.to_owned(),
            family_name: row.required("familyName")?.to_owned(),
            org_ids,
            email,
            grades: row.list("grades"),
            identifier,
            agent_ids,
        })
    })?;
    parsed.agents = agents;
    Ok(parsed)
}

pub fn demographics(bytes: &[u8]) -> Result<Parsed<Demographic>, RosterError> {
    let table = Table::parse(
        DEMOGRAPHICS,
        bytes,
        &["sourcedId", "birthDate"],
        &["status"],
    )?;
    // The row's sourcedId is the user's (OneRoster 1.1: a demographics record shares its
    // user's sourcedId).
    each_active(&table, |row, user_id, references| {
        references.push(reference(row, "sourcedId", Target::User, &user_id));
        let birth_date = BirthDate::parse_iso(row.required("birthDate")?)
            .ok_or_else(|| row.bad("birthDate", "not a date written YYYY-MM-DD"))?;
        Ok(Demographic {
            user_id,
            birth_date,
        })
    })
}

pub fn classes(bytes: &[u8]) -> Result<Parsed<Class>, RosterError> {
    let required = ["sourcedId", "title", "schoolSourcedId"];
    let table = Table::parse(CLASSES, bytes, &required, &["status"])?;
    each_active(&table, |row, sourced_id, references| {
        let school_id = row.required("schoolSourcedId")?.to_owned();
        references.push(reference(row, "schoolSourcedId", Target::Org, &school_id));
        Ok(Class {
            sourced_id,
            title: row.required("title")?.to_owned(),
            school_id,
        })
    })
}

pub fn enrollments(bytes: &[u8]) -> Result<Parsed<Enrollment>, RosterError> {
    let required = [
        "sourcedId",
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
    ];
    let table = Table::parse(ENROLLMENTS, bytes, &required, &["status"])?;
    each_active(&table, |row, sourced_id, references| {
        let class_id = row.required("classSourcedId")?.to_owned();
        let school_id = row.required("schoolSourcedId")?.to_owned();
        let user_id = row.required("userSourcedId")?.to_owned();
        references.push(reference(row, "classSourcedId", Target::Class, &class_id));
        references.push(reference(row, "schoolSourcedId", Target::Org, &school_id));
        references.push(reference(row, "userSourcedId", Target::User, &user_id));
        Ok(Enrollment {
            sourced_id,
            class_id,
            school_id,
            user_id,
            role: role(row)?,
        })
    })
}

/// Runs `record` on every active row, after checking that its sourcedId is present and new.
fn each_active<T>(
    table: &Table,
    mut record: impl FnMut(RowRef<'_>, String, &mut Vec<Reference>) -> Result<T, RosterError>,
) -> Result<Parsed<T>, RosterError> {
    let mut first_seen: HashMap<&str, u64> = HashMap::new();
    let mut parsed = Parsed {
        records: Vec::new(),
        references: Vec::new(),
        agents: Vec::new(),
    };
    for row in table.rows() {
        let sourced_id = row.required("sourcedId")?;
        if let Some(&first_line) = first_seen.get(sourced_id) {
            return Err(RosterError::Duplicate {
                at: row.cell("sourcedId"),
                first_line,
            });
        }
        first_seen.insert(sourced_id, row.line());
        if row.is_active()? {
            let value = record(row, sourced_id.to_owned(), &mut parsed.references)?;
            parsed.records.push(value);
        }
    }
    Ok(parsed)
}

fn role(row: RowRef<'_>) -> Result<Role, RosterError> {
    Role::parse(row.required("role")?).ok_or_else(|| row.bad("role", "not a OneRoster role"))
}

fn reference(row: RowRef<'_>, column: &'static str, target: Target, id: &str) -> Reference {
    Reference {
        at: row.cell(column),
        target,
        id: id.to_owned(),
    }
}
