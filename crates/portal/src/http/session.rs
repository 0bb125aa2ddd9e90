//! Who is asking, in which language, from where: the session cookie, the same-origin check for
//! form posts, the language of pages shown before a user is known, and [`SignedIn`], the
//! current user. The portal's pages and the teacher pages both build on this module and on
//! nothing of each other.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::html::error_page;
use super::i18n::{self, Strings};
use crate::auth::sessions::LiveSession;
use crate::error::PortalError;

/// The language for a request with no user yet (or whose session could not be read).
pub fn language(headers: &HeaderMap) -> &'static Strings {
    i18n::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// The value of cookie `name`; empty or oversized values count as absent.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty() && v.len() <= 128)
        .map(|(_, v)| v.to_owned())
}

/// Form posts must come from the portal's own pages: a cross-site `Origin` is refused (on
/// top of `SameSite=Lax`, which already keeps the cookie off cross-site posts).
pub fn same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    match headers.get(header::ORIGIN).map(HeaderValue::to_str) {
        None => true,
        Some(Ok(origin)) => origin == &*state.base_url,
        Some(Err(_)) => false,
    }
}

/// The session behind the request's cookie.
pub async fn current(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<LiveSession>, PortalError> {
    Ok(signed_in(state, headers).await?.map(|(session, _)| session))
}

async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(LiveSession, String)>, PortalError> {
    let Some(cookie) = cookie_value(headers, state.cookie.name()) else {
        return Ok(None);
    };
    let session = state.run(state.portal.session_by_cookie(&cookie)).await?;
    Ok(session.map(|s| (s, cookie)))
}

/// The live session behind the request's cookie, and the cookie (what the teacher pages'
/// CSRF token is derived from).
#[derive(Debug)]
pub struct SignedIn {
    pub session: LiveSession,
    pub cookie: String,
}

/// Why there is no [`SignedIn`]: no live session (answered with the login page, which comes
/// back to the page asked for), or the session could not be read (answered in the request's
/// language).
#[derive(Debug)]
pub enum NoSession {
    /// The login page to go to: with `next` = the page, for a `GET` of a page `next` may name.
    SignedOut(String),
    Failed(&'static Strings, PortalError),
}

impl IntoResponse for NoSession {
    fn into_response(self) -> Response {
        match self {
            Self::SignedOut(login) => Redirect::to(&login).into_response(),
            Self::Failed(s, e) => error_page(s, &e),
        }
    }
}

/// The login page for a request without a session: back to the page after the sign-in when it
/// was a `GET` of a path [`super::next::safe_next`] accepts, other than the dashboard (where
/// every sign-in lands anyway). A form posted after the session ended is not repeated after
/// the sign-in: the user lands on the dashboard and opens the page again.
fn login_for(parts: &Parts) -> String {
    let here = parts.uri.path_and_query().map(|p| p.as_str());
    match here {
        Some(here) if parts.method == axum::http::Method::GET && here != "/" => {
            super::next::login_url(here).unwrap_or_else(|| "/login".to_owned())
        }
        _ => "/login".to_owned(),
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = NoSession;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match signed_in(state, &parts.headers).await {
            Ok(Some((session, cookie))) => Ok(Self { session, cookie }),
            Ok(None) => Err(NoSession::SignedOut(login_for(parts))),
            Err(e) => Err(NoSession::Failed(language(&parts.headers), e)),
        }
    }
}
