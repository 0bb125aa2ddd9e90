//! The HTTP side: the kiosk API (`api`), the portal's pages (`pages`), the teacher pages
//! (`teacher`), the probes (`health`), and [`spawn`]; the metrics listener
//! ([`spawn_metrics`]) is a server of its own. Both kinds of page build on `session` (cookie, origin,
//! language, the signed-in user), `avatar` and `html`, and neither on the other.

use std::net::SocketAddr;
use std::sync::Arc;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use badgein_proto::paths;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::timeout::TimeoutLayer;

use crate::error::Result;
use crate::idp::saml::cert::CertificateCache;
use crate::portal::Portal;
use crate::store::within;

pub use metrics_listener::{RunningMetrics, spawn_metrics};

mod account;
mod accounts_i18n;
mod api;
mod avatar;
mod claim;
mod claim_parent;
mod extract;
mod family;
mod headers;
mod health;
mod html;
mod i18n;
mod i18n_accounts;
mod i18n_family;
mod i18n_setup_qr;
mod logout;
mod metrics_listener;
mod next;
mod oauth;
mod oidc;
mod pages;
mod qr_svg;
mod saml;
pub mod server;
mod session;
mod teacher;
mod timing;
mod totp;
mod totp_text;

/// What every handler gets.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub portal: Portal,
    /// Origin the browser sees, without a trailing slash (`http://127.0.0.1:8750`).
    pub base_url: Arc<str>,
    pub cookie: CookiePolicy,
    /// The SAML signing certificate, made once per key (`idp::saml::cert`).
    pub saml_certificate: Arc<CertificateCache>,
}

/// The session cookie's name and flags. Over HTTPS it is `__Host-badgein` with `Secure`;
/// on plain-HTTP loopback (development, tests) browsers refuse a `__Host-` cookie without
/// `Secure` and may drop `Secure` cookies on `http://`, so the name drops the prefix and the
/// flag, keeping `HttpOnly`, `SameSite=Lax` and `Path=/`. See docs/API.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    pub fn name(self) -> &'static str {
        if self.secure {
            "__Host-badgein"
        } else {
            "badgein_session"
        }
    }

    pub fn set(self, value: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax{secure}",
            self.name()
        )
    }

    /// The device cookie (docs/API.md, "Password attempts"): kept across sign-outs, so the
    /// browser stays recognised for the accounts that signed in on it.
    pub fn device_name(self) -> &'static str {
        if self.secure {
            "__Host-badgein-device"
        } else {
            "badgein_device"
        }
    }

    pub fn device(self, value: &str, lifetime: Duration) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            self.device_name(),
            lifetime.as_secs()
        )
    }

    pub fn clear(self) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
            self.name()
        )
    }
}

impl AppState {
    /// Runs an operation under the database deadline: too slow is `unavailable`.
    pub async fn run<T>(&self, work: impl Future<Output = Result<T>>) -> Result<T> {
        within(self.portal.config().db_deadline, work).await
    }
}

pub(crate) fn router(state: AppState) -> Router {
    let limit = state.portal.config().body_limit;
    let request_timeout = state.portal.config().server.request_timeout;
    let hsts = state.cookie.secure;
    let metrics = state.portal.metrics().clone();
    Router::new()
        .route(paths::ENROLL, post(api::enroll))
        .route(paths::KIOSK_ME, get(api::me))
        .route(paths::SIGN_IN_BADGE, post(api::sign_in_badge))
        .route(paths::SIGN_IN_PASSWORD, post(api::sign_in_password))
        .route("/api/v1/sessions/{id}/end", post(api::end_session))
        .route("/api/{*rest}", axum::routing::any(api::not_found))
        .route("/", get(pages::dashboard))
        .route("/launch", get(pages::launch))
        .route("/login", get(pages::login_page).post(pages::login))
        .route("/claim", get(claim::claim_page).post(claim::claim))
        .route(
            "/claim/parent",
            get(claim_parent::claim_page).post(claim_parent::claim),
        )
        .route("/family", get(family::family_page))
        .route(
            "/family/children/{child}/badge-lost",
            post(family::badge_lost),
        )
        .route("/logout", post(pages::logout))
        .route(
            "/account/password",
            get(account::password_page).post(pages::change_password),
        )
        .route("/account/totp", get(totp::setup_page).post(totp::turn_on))
        .route("/login/code", post(totp::code_step))
        .route("/avatars/{file}", get(pages::avatar))
        .route("/apps/{id}/icon", get(pages::app_icon))
        .route("/portal.css", get(pages::stylesheet))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(teacher::routes())
        .merge(oidc::routes())
        .merge(saml::routes())
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(axum::middleware::map_response(move |r| {
            headers::on_every_response(r, hsts)
        }))
        .layer(axum::middleware::from_fn_with_state(metrics, timing::timed))
        .with_state(state)
}

/// A portal serving HTTP in the background. Dropping it (or [`RunningPortal::stop`]) stops
/// the server.
#[derive(Debug)]
pub struct RunningPortal {
    addr: SocketAddr,
    base_url: String,
    portal: Portal,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningPortal {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>` or the configured public URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn portal(&self) -> &Portal {
        &self.portal
    }

    /// Stops accepting, lets requests in flight finish, and waits for the server to end.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let served = match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|e| Err(std::io::Error::other(e))),
            None => Ok(()),
        };
        // The junk counted since the last minute is not lost with the process.
        if let Err(error) = self.portal.flush_junk().await {
            tracing::warn!(%error, "junk counts not written");
        }
        served
    }

    /// Serves until the process is interrupted (Ctrl-C, SIGINT) or asked to stop (SIGTERM:
    /// what systemd and container runtimes send), then stops as [`Self::stop`] does.
    pub async fn until_stopped(self) -> std::io::Result<()> {
        stop_signal().await?;
        tracing::info!("stopping");
        self.stop().await
    }
}

impl Drop for RunningPortal {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// SIGINT or, on Unix, SIGTERM.
async fn stop_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

/// How often the rate limiter re-reads the kiosks' credentials (kiosks enrolled at another
/// instance) and the junk counts go to the audit log.
const CHORES_EVERY: Duration = Duration::from_secs(60);

/// Binds `listen` (e.g. `127.0.0.1:0`) and serves the portal on it in a background task.
/// A public URL that is not `https://` (except on loopback) is refused: the session cookie
/// would go without `Secure`.
pub async fn spawn(portal: Portal, listen: &str) -> std::io::Result<RunningPortal> {
    if let Some(url) = &portal.config().public_url {
        crate::config::check_public_url(url)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    }
    // The identity provider's keys are made at first start and must open before anything is
    // served: a missing or wrong key file stops the start with a message saying which.
    portal
        .load_signing_keys()
        .await
        .map_err(std::io::Error::other)?;
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let base_url = portal
        .config()
        .public_url
        .clone()
        .map(|u| u.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| format!("http://{addr}"));
    // Every kiosk has its own rate-limit bucket from its first request, also right after a
    // restart (a kiosk behind the school's NAT must not share the address's bucket with
    // whoever sprays made-up credentials there).
    if let Err(error) = portal.refresh_kiosk_limits().await {
        tracing::warn!(%error, "kiosk credentials not read; they are learnt at first use");
    }
    // The gauge is right from the start, not only after the first minute's chores.
    if let Err(error) = portal.count_active_sessions().await {
        tracing::warn!(%error, "live sessions not counted");
    }
    let state = AppState {
        portal: portal.clone(),
        base_url: base_url.clone().into(),
        cookie: CookiePolicy {
            secure: base_url.starts_with("https://"),
        },
        saml_certificate: Arc::default(),
    };
    let app = router(state);
    let limits = portal.config().server;
    let (tx, rx) = oneshot::channel::<()>();
    let chores_portal = portal.clone();
    let (logout_portal, logout_issuer) = (portal.clone(), base_url.clone());
    let task = tokio::spawn(async move {
        let chores = tokio::spawn(async move {
            let mut every = tokio::time::interval(CHORES_EVERY);
            every.tick().await;
            loop {
                every.tick().await;
                chores_portal.minute_chores().await;
            }
        });
        let logouts = crate::idp::backchannel::spawn(logout_portal, logout_issuer);
        let served = server::serve(listener, app, limits, async {
            let _ = rx.await;
        })
        .await;
        chores.abort();
        logouts.abort();
        served
    });
    tracing::info!(%addr, "portal listening");
    Ok(RunningPortal {
        addr,
        base_url,
        portal,
        shutdown: Some(tx),
        task: Some(task),
    })
}
