//! `badgein-portal school policy`: a school's rules, printed as JSON: its grade rules
//! (docs/accounts.md), whether staff must turn on the second factor
//! (docs/staff-second-factor.md) and the time zone its pages tell times in.

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::Portal;
use crate::accounts::PolicyChange;
use crate::grade_policy::{GradeRange, PolicyView};
use crate::ids::SchoolId;

#[derive(Debug, Subcommand)]
pub enum SchoolCommand {
    /// Show a school's policy, changing what is given first. Ranges run over PK, K, 1 to 12
    /// (`PK-5`, `3-12`, or one grade: `K`). Defaults: badges PK-5, password change 3-12, claim
    /// 6-12, staff second factor optional, time zone UTC.
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
    /// Whether staff must turn on the second factor (an authenticator app) before the teacher
    /// pages open.
    #[arg(long, value_enum)]
    staff_totp: Option<StaffTotp>,
    /// The school's time zone, an IANA name such as America/Chicago: the pages say when a
    /// lockout ends in it.
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffTotp {
    Required,
    Optional,
}

/// What `school policy` prints.
#[derive(Serialize)]
struct Printed {
    #[serde(flatten)]
    grades: PolicyView,
    staff_totp: StaffTotp,
    time_zone: String,
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
            // The time zone is checked before anything is written.
            if args.staff_totp.is_some() || args.time_zone.is_some() {
                let required = args.staff_totp.map(|s| s == StaffTotp::Required);
                portal
                    .set_school_policy(school.clone(), required, args.time_zone.as_deref())
                    .await?;
            }
            let policy = portal
                .set_grade_policy(school.clone(), change, None)
                .await?;
            let staff = portal
                .staff_settings(&school)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no school {school}"))?;
            let printed = Printed {
                grades: policy.view(school.as_str()),
                staff_totp: if staff.staff_totp_required == 1 {
                    StaffTotp::Required
                } else {
                    StaffTotp::Optional
                },
                time_zone: staff.time_zone,
            };
            super::print_value(&serde_json::to_string(&printed)?)?;
        }
    }
    Ok(())
}
