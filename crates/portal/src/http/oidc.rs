//! The identity provider's public documents: discovery (`/.well-known/openid-configuration`)
//! and the JWKS (`/oauth/jwks`). Both are the same for everyone, need no session, and may be
//! cached briefly. The authorization, token and userinfo endpoints are `http::oauth`'s, the
//! end-session endpoint `http::logout`'s; this module routes them all.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;

use super::AppState;
use crate::idp::discovery::{ProviderMetadata, paths};
use crate::idp::keys::JWKS_MAX_AGE;

/// How long the discovery document may be cached: briefly, like the JWKS, so that a changed
/// `--public-url` or a new endpoint reaches apps soon.
const DISCOVERY_MAX_AGE_SECS: u64 = 300;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::DISCOVERY, get(discovery))
        .route(paths::JWKS, get(jwks))
        .route(
            paths::AUTHORIZE,
            get(super::oauth::authorize_get).post(super::oauth::authorize_post),
        )
        .route(paths::TOKEN, post(super::oauth::token))
        .route(
            paths::USERINFO,
            get(super::oauth::userinfo).post(super::oauth::userinfo),
        )
        .route(
            paths::END_SESSION,
            get(super::logout::end_session_get).post(super::logout::end_session_post),
        )
}

async fn discovery(State(state): State<AppState>) -> Response {
    json(
        &ProviderMetadata::for_issuer(&state.base_url),
        DISCOVERY_MAX_AGE_SECS,
    )
}

async fn jwks(State(state): State<AppState>) -> Response {
    match state.run(state.portal.jwks()).await {
        Ok(set) => json(&set, JWKS_MAX_AGE.as_secs()),
        Err(e) => e.into_response(),
    }
}

/// `application/json`, public, cacheable for `max_age` seconds.
fn json(body: &impl Serialize, max_age: u64) -> Response {
    let mut response = axum::Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={max_age}")) {
        response.headers_mut().insert(header::CACHE_CONTROL, v);
    }
    response
}
