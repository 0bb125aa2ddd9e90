//! `badgein-portal app`: register, list, remove apps and give a client a new secret. What a
//! script needs (the ids, a secret) goes to stdout as JSON, one object a line.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::Portal;
use crate::apps::icon::MAX_ICON_BYTES;
use crate::apps::{AppError, AppRequest, parse_id_token_alg, parse_roles, parse_scopes};
use crate::idp::SigningAlg;
use crate::roles::Role;

/// `--scopes` as typed (one value, comma-separated), checked.
#[derive(Debug, Clone)]
pub struct ScopeList(Vec<String>);

fn scope_list(text: &str) -> Result<ScopeList, AppError> {
    parse_scopes(text).map(ScopeList)
}

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Register an app and print {"app_id", "client_id", "client_secret"} (the client id only
    /// for an OpenID Connect client, the secret only for a confidential one, shown this once;
    /// a field that does not apply is left out).
    Add(Box<AddArgs>),
    /// Print every app, one JSON object a line (never a secret).
    List,
    /// Remove an app: its tile and its origin leave the dashboards and the kiosks.
    Remove {
        #[arg(long = "app", value_name = "ID")]
        app: String,
    },
    /// Give a confidential OpenID Connect client a new secret and print it once; the old one
    /// stops working (a public client has none).
    Secret {
        #[arg(long = "app", value_name = "ID")]
        app: String,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The tile's label.
    #[arg(long)]
    name: String,
    /// The tile's link: https:// (http:// only for loopback).
    #[arg(long)]
    url: String,
    /// A school whose dashboards show the app (repeatable); none: every school.
    #[arg(long = "school", value_name = "ID")]
    schools: Vec<String>,
    /// The roles shown the app, comma-separated (student, teacher, administrator, other);
    /// none: every role.
    #[arg(long, value_name = "ROLES", value_parser = roles)]
    roles: Option<Roles>,
    /// An OpenID Connect redirect URI, exact (repeatable); one makes the app a client.
    #[arg(long = "oidc-redirect", value_name = "URI")]
    oidc_redirects: Vec<String>,
    /// Where the portal posts an OpenID Connect back-channel logout token.
    #[arg(long, value_name = "URI")]
    backchannel_logout: Option<String>,
    /// Give the app its own user ids (OpenID Connect pairwise subjects).
    #[arg(long)]
    pairwise: bool,
    /// A public client (a single-page or native app): no secret, token endpoint auth `none`,
    /// PKCE S256 required.
    #[arg(long)]
    public: bool,
    /// The algorithm of the app's ID tokens: RS256 (the default) or ES256.
    #[arg(long, value_name = "ALG", value_parser = parse_id_token_alg)]
    id_token_alg: Option<SigningAlg>,
    /// The scopes it may be granted besides openid, comma-separated: profile, email, school
    /// (default: profile).
    #[arg(long, value_name = "SCOPES", value_parser = scope_list)]
    scopes: Option<ScopeList>,
    /// The SAML service provider's entity id (with --saml-acs).
    #[arg(long, value_name = "ID")]
    saml_entity_id: Option<String>,
    /// The SAML service provider's assertion consumer service URL (with --saml-entity-id).
    #[arg(long, value_name = "URL")]
    saml_acs: Option<String>,
    /// A PNG, JPEG or SVG picture for the tile, at most 256 KiB.
    #[arg(long, value_name = "FILE")]
    icon: Option<PathBuf>,
}

/// One `--roles` value: a list (clap would take a bare `Vec` for a repeated flag).
#[derive(Debug, Clone)]
struct Roles(Vec<Role>);

fn roles(text: &str) -> Result<Roles, AppError> {
    parse_roles(text).map(Roles)
}

/// The file, refused past the icon limit without reading it all.
fn read_icon(path: &Path) -> anyhow::Result<Vec<u8>> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(u64::try_from(MAX_ICON_BYTES).unwrap_or(u64::MAX) + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    // One byte past the limit is enough for the size rule to refuse it.
    Ok(bytes)
}

pub async fn run(portal: &Portal, command: AppCommand) -> anyhow::Result<()> {
    match command {
        AppCommand::Add(args) => {
            let icon = args.icon.as_deref().map(read_icon).transpose()?;
            let request = AppRequest {
                name: args.name,
                url: args.url,
                schools: args.schools.into_iter().map(Into::into).collect(),
                roles: args.roles.map(|Roles(r)| r).unwrap_or_default(),
                oidc_redirects: args.oidc_redirects,
                backchannel_logout: args.backchannel_logout,
                pairwise: args.pairwise,
                public_client: args.public,
                id_token_alg: args.id_token_alg,
                scopes: args.scopes.clone().map(|s| s.0).unwrap_or_default(),
                saml_entity_id: args.saml_entity_id,
                saml_acs: args.saml_acs,
                icon,
            };
            let registered = portal.add_app(&request).await?;
            print_line(&registered)?;
            eprintln!("app {} registered", registered.app_id);
        }
        AppCommand::List => {
            for app in portal.apps().await? {
                print_line(&app)?;
            }
        }
        AppCommand::Remove { app } => {
            portal.remove_app(&app).await?;
            eprintln!("app {app} removed");
        }
        AppCommand::Secret { app } => {
            let registered = portal.rotate_app_secret(&app).await?;
            print_line(&registered)?;
            eprintln!("app {app} has a new secret; the old one no longer works");
        }
    }
    Ok(())
}

fn print_line(value: &impl Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}
