//! `school`: a school's settings. `policy` sets what the school requires of its staff (the
//! second factor) and the time zone its pages tell times in.

use anyhow::bail;
use clap::{Subcommand, ValueEnum};

use crate::Portal;

#[derive(Debug, Subcommand)]
pub enum SchoolCommand {
    /// Set a school's policy; what is not given stays as it is.
    Policy {
        #[arg(long)]
        school: String,
        /// Whether staff must turn on the second factor (an authenticator app) before the
        /// teacher pages open (docs/staff-second-factor.md).
        #[arg(long, value_enum)]
        staff_totp: Option<StaffTotp>,
        /// The school's time zone, an IANA name such as America/Chicago (default UTC): the
        /// pages say when a lockout ends in it.
        #[arg(long, value_name = "ZONE")]
        time_zone: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StaffTotp {
    Required,
    Optional,
}

pub async fn run(portal: &Portal, command: SchoolCommand) -> anyhow::Result<()> {
    match command {
        SchoolCommand::Policy {
            school,
            staff_totp,
            time_zone,
        } => {
            if staff_totp.is_none() && time_zone.is_none() {
                bail!("nothing to set: give --staff-totp or --time-zone");
            }
            let required = staff_totp.map(|s| matches!(s, StaffTotp::Required));
            portal
                .set_school_policy(school.as_str(), required, time_zone.as_deref())
                .await?;
            eprintln!("school {school}: policy set");
        }
    }
    Ok(())
}
