//! Children and their parents or guardians, from `agentSourcedIds`. OneRoster lets either side
//! name the other (a student lists their guardians, or a parent lists their children), and
//! exports do both; a pair is kept once however many times it is named.

use std::collections::{HashMap, HashSet};

use crate::error::RosterError;
use crate::files::Agent;
use crate::model::{Guardianship, Role, User};

/// The links `agents` make between `users` (every agent already known to be an active user).
/// A child's agent must be a parent or guardian (aides, proctors and relatives are left out:
/// they get nothing of the child's), and a parent's or guardian's agent must be a student;
/// anything else is an error at the agent's cell. Other people's agents are not read.
pub fn links(users: &[User], agents: &[Agent]) -> Result<Vec<Guardianship>, RosterError> {
    let roles: HashMap<&str, Role> = users
        .iter()
        .map(|u| (u.sourced_id.as_str(), u.role))
        .collect();
    let mut seen = HashSet::new();
    let mut links = Vec::new();
    for Agent { at, owner, agent } in agents {
        let (Some(&owner_role), Some(&agent_role)) =
            (roles.get(owner.as_str()), roles.get(agent.as_str()))
        else {
            continue;
        };
        let link = match (owner_role, agent_role) {
            (Role::Student, Role::Guardian) => (agent, owner),
            (Role::Student, Role::Other) => continue,
            (Role::Student, _) => {
                return Err(RosterError::BadValue {
                    at: at.clone(),
                    problem: "a student's agent must be a parent or guardian",
                });
            }
            (Role::Guardian, Role::Student) => (owner, agent),
            (Role::Guardian, _) => {
                return Err(RosterError::BadValue {
                    at: at.clone(),
                    problem: "a parent's or guardian's agent must be a student",
                });
            }
            _ => continue,
        };
        let (guardian_id, student_id) = link;
        if seen.insert((guardian_id.as_str(), student_id.as_str())) {
            links.push(Guardianship {
                student_id: student_id.clone(),
                guardian_id: guardian_id.clone(),
            });
        }
    }
    Ok(links)
}
