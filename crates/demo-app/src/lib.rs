//! Story Time: a tiny app that trusts BadgeIn. It is an OpenID Connect relying party of the
//! portal: a child who opens its tile at the kiosk is signed in without pressing anything, and
//! a back-channel logout from the portal ends her session here. It shows how an app plugs
//! into BadgeIn, and the portal's tests use it to check badge -> app -> logout end to end.
//!
//! [`serve`] starts it on a listener the caller bound (tests use `127.0.0.1:0`).

pub mod config;
mod http;
pub mod logout_token;
pub mod provider_keys;
pub mod relying_party;
pub mod sessions;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::Config;
use relying_party::{DiscoverError, RelyingParty};

/// Why the app could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the public URL must be an http:// or https:// URL with a host")]
    PublicUrl,
    #[error("the listener has no local address")]
    Listener(#[source] std::io::Error),
    #[error(transparent)]
    Discover(#[from] DiscoverError),
}

/// The app serving in the background. Dropping it (or [`RunningApp::stop`]) stops it.
#[derive(Debug)]
pub struct RunningApp {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningApp {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets requests in flight finish, and waits for the server to end.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|e| Err(std::io::Error::other(e))),
            None => Ok(()),
        }
    }
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Reads the portal's discovery document and keys, then serves the app on `listener`.
pub async fn serve(listener: TcpListener, config: Config) -> Result<RunningApp, StartError> {
    if !config.public_url_is_web() {
        return Err(StartError::PublicUrl);
    }
    let addr = listener.local_addr().map_err(StartError::Listener)?;
    let relying_party = RelyingParty::discover(&config).await?;
    let state = http::AppState {
        relying_party: Arc::new(relying_party),
        sessions: Arc::default(),
        secure: config.secure_cookies(),
    };
    let app = http::router(state);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    tracing::info!(%addr, "Story Time listening");
    Ok(RunningApp {
        addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}
