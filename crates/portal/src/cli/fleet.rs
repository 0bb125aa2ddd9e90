//! `badgein-portal kiosk token | tokens | token-revoke`: fleet enrollment tokens
//! (`crate::fleet_tokens`, docs/fleet.md). The token goes alone to stdout, once; the list is
//! JSON lines and never holds a token (only digests are kept).

use clap::Subcommand;
use serde::Serialize;

use crate::Portal;
use crate::clock::rfc3339;
use crate::fleet_tokens::{MAX_DAYS, MAX_USES};
use crate::ids::{FleetTokenId, SchoolId};
use crate::store::fleet_tokens::FleetToken;

#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// Print a fleet enrollment token for a school (alone on stdout, shown this once).
    ///
    /// It enrolls up to N kiosks of the school unattended (the kiosks' managed configuration,
    /// docs/fleet.md) until it expires or is revoked; each kiosk still gets its own device
    /// credential. Keep it like a password.
    Token {
        #[arg(long)]
        school: String,
        /// How many kiosks it may enroll (1 to 10000).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_USES)))]
        uses: u32,
        /// Days it stays valid (1 to 90).
        #[arg(long, value_name = "D", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_DAYS)))]
        days: u32,
    },
    /// List a school's fleet tokens as JSON lines: id, uses, used, expiry, revoked.
    Tokens {
        #[arg(long)]
        school: String,
    },
    /// Revoke a fleet token: it enrolls no more kiosks.
    ///
    /// The kiosks it enrolled keep working (`kiosk revoke` each; `audit export` names the token
    /// of each enrollment).
    TokenRevoke {
        /// The token's id (`ft-…`, as `kiosk token` and `kiosk tokens` say), not the token.
        #[arg(long, value_name = "ID")]
        token: String,
    },
}

/// A line of `kiosk tokens`.
#[derive(Serialize)]
struct Listed<'a> {
    token_id: &'a FleetTokenId,
    school_id: &'a SchoolId,
    uses: i64,
    used: i64,
    expires_at: String,
    revoked: bool,
}

impl<'a> From<&'a FleetToken> for Listed<'a> {
    fn from(token: &'a FleetToken) -> Self {
        Self {
            token_id: &token.id,
            school_id: &token.school_id,
            uses: token.uses,
            used: token.used,
            expires_at: rfc3339(token.expires_at),
            revoked: token.revoked_at.is_some(),
        }
    }
}

pub async fn run(portal: &Portal, command: FleetCommand) -> anyhow::Result<()> {
    match command {
        FleetCommand::Token { school, uses, days } => {
            let issued = portal.fleet_token(school, uses, days).await?;
            eprintln!(
                "fleet token {} enrolls up to {uses} kiosk(s) until {}",
                issued.id,
                rfc3339(issued.expires_at)
            );
            super::print_value(&issued.token)?;
        }
        FleetCommand::Tokens { school } => {
            let lines: Vec<String> = portal
                .fleet_tokens(school)
                .await?
                .iter()
                .map(|token| serde_json::to_string(&Listed::from(token)))
                .collect::<Result<_, _>>()?;
            if !lines.is_empty() {
                super::print_value(&lines.join("\n"))?;
            }
        }
        FleetCommand::TokenRevoke { token } => {
            portal.revoke_fleet_token(token.as_str()).await?;
            eprintln!("fleet token {token} revoked; the kiosks it enrolled keep working");
        }
    }
    Ok(())
}
