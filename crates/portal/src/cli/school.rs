//! `badgein-portal school policy`: a school's grade rules (docs/accounts.md), printed as JSON.

use clap::{Args, Subcommand};

use crate::Portal;
use crate::accounts::PolicyChange;
use crate::grade_policy::GradeRange;
use crate::ids::SchoolId;

#[derive(Debug, Subcommand)]
pub enum SchoolCommand {
    /// Show a school's grade policy, changing the ranges given first. Ranges run over PK, K,
    /// 1 to 12 (`PK-5`, `3-12`, or one grade: `K`). Defaults: badges PK-5, password change
    /// 3-12, claim 6-12.
    Policy(PolicyArgs),
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[arg(long)]
    school: String,
    /// Students in these grades may be given a QR badge and a fixed password.
    #[arg(long, value_name = "RANGE")]
    badge_grades: Option<GradeRange>,
    /// Students in these grades may change their own password.
    #[arg(long, value_name = "RANGE")]
    password_change_grades: Option<GradeRange>,
    /// Students in these grades claim their account themselves.
    #[arg(long, value_name = "RANGE")]
    claim_grades: Option<GradeRange>,
}

pub async fn run(portal: &Portal, command: SchoolCommand) -> anyhow::Result<()> {
    match command {
        SchoolCommand::Policy(args) => {
            let school = SchoolId::from(args.school);
            let change = PolicyChange {
                badges: args.badge_grades,
                password_change: args.password_change_grades,
                claim: args.claim_grades,
            };
            let policy = portal
                .set_grade_policy(school.clone(), change, None)
                .await?;
            super::print_value(&serde_json::to_string(&policy.view(school.as_str()))?)?;
        }
    }
    Ok(())
}
