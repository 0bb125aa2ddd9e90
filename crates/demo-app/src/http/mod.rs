//! The app's HTTP side (axum): `/` (the story, or straight to the portal's sign-in), the
//! portal's answer at `/callback`, `/backchannel-logout` and `/status`. The rules live in
//! `sessions`, `relying_party` and `logout_token`; this only translates.

mod cookies;
mod pages;

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use openidconnect::AuthorizationCode;
use serde::Deserialize;

use crate::relying_party::RelyingParty;
use crate::sessions::Sessions;

/// A request body larger than this is refused (a logout token is a few KiB at most; the
/// token itself is refused past `logout_token::MAX_TOKEN_LEN`).
const MAX_BODY: usize = 16 * 1024;
/// An authorization code longer than this is not the portal's.
const MAX_CODE_LEN: usize = 2048;

#[derive(Debug, Clone)]
pub struct AppState {
    pub relying_party: Arc<RelyingParty>,
    pub sessions: Arc<Sessions>,
    /// Cookies get `Secure` (the app is reached over HTTPS).
    pub secure: bool,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/callback", get(callback))
        .route("/backchannel-logout", post(backchannel_logout))
        .route("/status", get(status))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::map_response(on_every_response))
        .with_state(state)
}

/// Nothing here may be cached (a page names a child; a kiosk is shared), sniffed, framed, or
/// load anything from elsewhere.
async fn on_every_response(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    r
}

/// `GET /`: the story for a signed-in child; otherwise straight on to the portal's sign-in, so
/// that opening the tile at the kiosk is all a child does.
async fn index(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let now = Instant::now();
    if let Some(session) =
        cookies::read(&headers, cookies::SESSION).and_then(|t| app.sessions.get(&t, now))
    {
        return pages::story(&session.name);
    }
    let (url, login) = app.relying_party.start_login();
    let Ok(token) = app.sessions.begin_login(login, now) else {
        return unavailable();
    };
    let Ok(location) = HeaderValue::from_str(url.as_str()) else {
        return unavailable();
    };
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, location),
            (header::SET_COOKIE, cookies::login(token, app.secure)),
        ],
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The error codes of RFC 6749 4.1.2.1 and OpenID Connect Core 3.1.2.6, the only text from the
/// query a page repeats.
const AUTH_ERRORS: [&str; 11] = [
    "invalid_request",
    "unauthorized_client",
    "access_denied",
    "unsupported_response_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
    "interaction_required",
    "login_required",
    "account_selection_required",
    "consent_required",
];

/// `GET /callback`: the portal's answer to a sign-in this browser started.
async fn callback(
    State(app): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> Response {
    let bad =
        |message: &str| pages::problem(StatusCode::BAD_REQUEST, "You are not signed in", message);
    let Ok(Query(query)) = query else {
        return bad("The portal's answer could not be read.");
    };
    let now = Instant::now();
    let Some(login) =
        cookies::read(&headers, cookies::LOGIN).and_then(|t| app.sessions.take_login(&t, now))
    else {
        return bad("This sign-in did not start here, or it took too long.");
    };
    let clear = [(header::SET_COOKIE, cookies::clear_login(app.secure))];
    if query.state.as_deref() != Some(login.state.secret().as_str()) {
        return (
            clear,
            bad("This answer is not for the sign-in this browser started."),
        )
            .into_response();
    }
    if let Some(error) = query.error {
        let code = AUTH_ERRORS
            .into_iter()
            .find(|known| *known == error)
            .unwrap_or("an unknown error");
        let message = if code == "access_denied" {
            "The portal did not let you into Story Time (access_denied).".to_owned()
        } else {
            format!("The portal could not sign you in ({code}).")
        };
        return (clear, bad(&message)).into_response();
    }
    let Some(code) = query
        .code
        .filter(|c| !c.is_empty() && c.len() <= MAX_CODE_LEN)
    else {
        return (clear, bad("The portal's answer has no code.")).into_response();
    };
    let session = match app
        .relying_party
        .finish_login(AuthorizationCode::new(code), login)
        .await
    {
        Ok(session) => session,
        Err(error) => {
            tracing::warn!(error = %error, "a sign-in could not be finished");
            let page = pages::problem(
                StatusCode::BAD_GATEWAY,
                "You are not signed in",
                "The portal's answer could not be checked.",
            );
            return (clear, page).into_response();
        }
    };
    let Ok(token) = app.sessions.open(session, now) else {
        return unavailable();
    };
    tracing::info!("a child signed in");
    // Appended, not inserted: two `Set-Cookie` headers.
    (
        StatusCode::SEE_OTHER,
        AppendHeaders([
            (header::LOCATION, HeaderValue::from_static("/")),
            (header::SET_COOKIE, cookies::session(token, app.secure)),
            (header::SET_COOKIE, cookies::clear_login(app.secure)),
        ]),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct LogoutForm {
    logout_token: Option<String>,
}

/// `POST /backchannel-logout` (Back-Channel Logout 1.0, section 2.5 and 2.8): 200 when the
/// token is valid (whether or not a session here matched), else 400 `invalid_request`.
async fn backchannel_logout(
    State(app): State<AppState>,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    let token = match form {
        Ok(Form(LogoutForm {
            logout_token: Some(token),
        })) => token,
        Ok(_) => return refused("the request has no logout_token"),
        Err(_) => return refused("the request is not a form with one logout_token"),
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    match app.relying_party.check_logout_token(&token, now).await {
        Ok(subject) => match app.sessions.back_channel_logout(&subject, Instant::now()) {
            Ok(ended) => {
                tracing::info!(ended, "back-channel logout");
                StatusCode::OK.into_response()
            }
            Err(replayed) => {
                tracing::info!(reason = %replayed, "a logout token was refused");
                refused(&replayed.to_string())
            }
        },
        Err(error) => {
            tracing::info!(reason = %error, "a logout token was refused");
            refused(&error.to_string())
        }
    }
}

/// The answer of section 2.8 to a refused logout request.
fn refused(description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({
            "error": "invalid_request",
            "error_description": description,
        })),
    )
        .into_response()
}

/// `GET /status`: who is signed in and how many logout tokens were accepted (tests, the demo).
async fn status(State(app): State<AppState>) -> Response {
    Json(app.sessions.status(Instant::now())).into_response()
}

async fn not_found() -> Response {
    pages::problem(
        StatusCode::NOT_FOUND,
        "Not here",
        "There is nothing at this address.",
    )
}

fn unavailable() -> Response {
    pages::problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "Story Time is not ready",
        "Something went wrong here. Please try again.",
    )
}
