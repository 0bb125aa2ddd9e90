//! `badgein-portal delegate`: staff a principal names to print badges or reset passwords in
//! every class of the school (docs/accounts.md).

use clap::Subcommand;
use serde::Serialize;

use crate::Portal;
use crate::auth::delegation::{Capability, Delegation};
use crate::ids::SchoolId;

#[derive(Debug, Subcommand)]
pub enum DelegateCommand {
    /// Make a staff member of the school a delegate (or change what they may do).
    Add {
        #[arg(long)]
        school: String,
        #[arg(long)]
        user: String,
        /// `badges` (print and void badges), `passwords` (reset passwords, clear lockouts),
        /// or `badges,passwords`.
        #[arg(long, value_name = "LIST")]
        can: Delegation,
    },
    /// Take a delegation away.
    Remove {
        #[arg(long)]
        school: String,
        #[arg(long)]
        user: String,
    },
    /// The delegates (of one school), one JSON object a line.
    List {
        #[arg(long)]
        school: Option<String>,
    },
}

#[derive(Debug, Serialize)]
struct Line<'a> {
    school: &'a str,
    user: &'a str,
    name: String,
    can: Vec<Capability>,
}

pub async fn run(portal: &Portal, command: DelegateCommand) -> anyhow::Result<()> {
    match command {
        DelegateCommand::Add { school, user, can } => {
            portal.add_delegate(school, user, can, None).await?;
            eprintln!("delegate added: {can}");
        }
        DelegateCommand::Remove { school, user } => {
            portal.remove_delegate(school, user, None).await?;
            eprintln!("delegate removed");
        }
        DelegateCommand::List { school } => {
            let school = school.map(SchoolId::from);
            for d in portal.delegates(school.as_ref()).await? {
                let can = Delegation {
                    badges: d.can_badges,
                    passwords: d.can_passwords,
                };
                let line = Line {
                    school: d.school_id.as_str(),
                    user: d.user_id.as_str(),
                    name: format!("{} {}", d.given_name, d.family_name),
                    can: Capability::ALL
                        .into_iter()
                        .filter(|c| can.allows(*c))
                        .collect(),
                };
                super::print_value(&serde_json::to_string(&line)?)?;
            }
        }
    }
    Ok(())
}
