//! `badgein-demo-app`: Story Time, an app that signs children in through the BadgeIn portal.
//!
//!     badgein-portal app add --name "Story Time" --url http://127.0.0.1:8751/ \
//!         --oidc-redirect http://127.0.0.1:8751/callback \
//!         --backchannel-logout http://127.0.0.1:8751/backchannel-logout
//!     BADGEIN_DEMO_APP_SECRET=<client_secret> badgein-demo-app \
//!         --issuer http://127.0.0.1:8750 --client-id <client_id> --listen 127.0.0.1:8751

use std::net::SocketAddr;

use anyhow::Context as _;
use badgein_demo_app::Config;
use clap::Parser;
use openidconnect::{ClientId, ClientSecret, IssuerUrl};
use url::Url;

/// Story Time: a tiny app that trusts BadgeIn over OpenID Connect.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The portal's issuer (its public URL), e.g. https://portal.example.org
    #[arg(long, env = "BADGEIN_DEMO_APP_ISSUER")]
    issuer: String,
    /// The client id `badgein-portal app add` printed.
    #[arg(long, env = "BADGEIN_DEMO_APP_CLIENT_ID")]
    client_id: String,
    /// The client secret printed with it (better in the environment than on a command line
    /// others can read).
    #[arg(long, env = "BADGEIN_DEMO_APP_SECRET", hide_env_values = true)]
    client_secret: String,
    /// Where to listen.
    #[arg(
        long,
        env = "BADGEIN_DEMO_APP_LISTEN",
        default_value = "127.0.0.1:8751"
    )]
    listen: SocketAddr,
    /// The app's own base URL as browsers reach it [default: http://<listen>]; the redirect
    /// URI is <public-url>/callback.
    #[arg(long, env = "BADGEIN_DEMO_APP_PUBLIC_URL")]
    public_url: Option<Url>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "badgein_demo_app=info".into()),
        )
        .init();
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let public_url = match args.public_url {
        Some(url) => url,
        None => Url::parse(&format!("http://{}", args.listen))?,
    };
    let config = Config {
        issuer: IssuerUrl::new(args.issuer).context("--issuer")?,
        client_id: ClientId::new(args.client_id),
        client_secret: ClientSecret::new(args.client_secret),
        public_url,
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let running = badgein_demo_app::serve(listener, config).await?;
    tokio::signal::ctrl_c().await?;
    tracing::info!("stopping");
    running.stop().await?;
    Ok(())
}
