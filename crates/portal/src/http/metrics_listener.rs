//! `serve --metrics-listen ADDR`: the Prometheus exposition at `/metrics`, on a listener of its
//! own, never the public one (the counts say how busy each school is and how often sign-ins
//! are refused: for the district's monitoring, not the internet). Served by the same server
//! loop as the portal, with its timeouts and a small connection cap; nothing else is there.

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::server::{self, Limits};
use crate::metrics::{CONTENT_TYPE, Metrics};
use crate::portal::Portal;

/// A scraper or two, never a crowd.
const MAX_CONNECTIONS: usize = 16;

/// The metrics listener serving in the background; dropping it (or [`RunningMetrics::stop`])
/// stops it.
#[derive(Debug)]
pub struct RunningMetrics {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningMetrics {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and waits for the scrapes in flight.
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

impl Drop for RunningMetrics {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `listen` and serves `portal`'s metrics at `/metrics` on it.
pub async fn spawn_metrics(portal: &Portal, listen: &str) -> std::io::Result<RunningMetrics> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/metrics", get(exposition))
        .with_state(portal.metrics().clone());
    let limits = Limits {
        max_connections: MAX_CONNECTIONS,
        ..Limits::default()
    };
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(server::serve(listener, app, limits, async {
        let _ = rx.await;
    }));
    tracing::info!(%addr, "metrics listening");
    Ok(RunningMetrics {
        addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}

async fn exposition(axum::extract::State(metrics): axum::extract::State<Metrics>) -> Response {
    let mut response = (StatusCode::OK, metrics.exposition()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
