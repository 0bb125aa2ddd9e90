//! `keys`: the identity provider's signing keys. `rotate` makes new current keys (the old ones
//! stay in the JWKS until the tokens they signed have expired); `list` prints one JSON line a
//! key, never key material.

use std::io::Write;

use anyhow::Context;
use clap::Subcommand;

use crate::Portal;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make new current signing keys (RS256 and ES256). The old keys stop signing (a running
    /// service switches within a minute) and stay published in the JWKS for an hour.
    Rotate,
    /// Print every signing key as a JSON line: kid, alg, created, retired, unpublished.
    List,
}

pub async fn run(portal: &Portal, command: KeysCommand) -> anyhow::Result<()> {
    let keys = match command {
        KeysCommand::Rotate => {
            let keys = portal
                .rotate_signing_keys()
                .await
                .context("signing keys not rotated")?;
            eprintln!(
                "new signing keys made; the old ones stay published for {} minutes",
                crate::idp::keys::RETIRED_KEY_PUBLISHED.as_secs() / 60
            );
            keys
        }
        KeysCommand::List => portal.list_signing_keys().await?,
    };
    let mut out = std::io::stdout().lock();
    for key in keys {
        serde_json::to_writer(&mut out, &key)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}
