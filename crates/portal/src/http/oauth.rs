//! The OpenID Connect authorization code flow over HTTP: `GET`/`POST /oauth/authorize` (the
//! user's browser, sent by an app), `POST /oauth/token` and `/oauth/userinfo` (the app's
//! server). The rules and their order are `idp::authorization` (the endpoint's decision),
//! `idp::authorize` (the request) and `idp::codes`; this module reads requests and writes
//! answers.
//!
//! A request whose client is unknown or whose `redirect_uri` is not exactly one the client
//! registered gets an error page, never a redirect. Every other error goes back to that URI.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use url::form_urlencoded;

use std::net::IpAddr;

use super::extract::ClientIp;
use super::html::message_page;
use super::session;
use super::{AppState, next};
use crate::apps::ClientAuth;
use crate::client_addr::limit_key;
use crate::idp::authorization::{ACTION, Answer, sign_in_again};
use crate::idp::authorize::{MAX_QUERY, Params};
use crate::idp::codes::{Exchange, GrantError};
use crate::idp::discovery::paths;
use crate::store::audit::{self, Entry};

/// The audit action of the token endpoint (its successes are `oauth.token`, `ok`, written with
/// the token).
const TOKEN_ACTION: &str = "oauth.token";

pub async fn authorize_get(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    authorize(&state, &headers, ip, query.unwrap_or_default().as_bytes()).await
}

pub async fn authorize_post(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    authorize(&state, &headers, ip, &body).await
}

/// A 303 to `location`; a location that cannot be a header value is an error page.
pub(super) fn see_other(location: &str, headers: &HeaderMap) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => bad_link(headers),
    }
}

fn bad_link(headers: &HeaderMap) -> Response {
    let s = session::language(headers);
    message_page(StatusCode::BAD_REQUEST, s, s.bad_app_link)
}

fn parse(raw: &[u8]) -> Params {
    Params::new(form_urlencoded::parse(raw).into_owned().collect())
}

async fn authorize(state: &AppState, headers: &HeaderMap, ip: IpAddr, raw: &[u8]) -> Response {
    if raw.len() > MAX_QUERY {
        let entry = Entry::new(state.portal.now(), ACTION, "bad_link");
        state.portal.junk().count(&entry, &limit_key(ip));
        return bad_link(headers);
    }
    let params = parse(raw);
    let cookie = session::cookie_value(headers, state.cookie.name());
    let answer = state
        .run(
            state
                .portal
                .authorize(&params, cookie.as_deref(), &limit_key(ip)),
        )
        .await;
    match answer {
        Ok(Answer::BadLink) => bad_link(headers),
        Ok(Answer::Error { redirect, .. } | Answer::Code { redirect }) => {
            see_other(&redirect, headers)
        }
        Ok(Answer::SignIn { drop_prompt }) => see_other(&login_url(&params, drop_prompt), headers),
        Err(e) => super::html::error_page(session::language(headers), &e),
    }
}

/// `/login?next=` this request (see [`sign_in_again`]).
fn login_url(params: &Params, drop_prompt: bool) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(sign_in_again(params, drop_prompt));
    let next = format!("{}?{}", paths::AUTHORIZE, query.finish());
    // A request re-encoded past the login page's limit cannot come back: the user signs in
    // and opens the app again.
    next::login_url(&next).unwrap_or_else(|| "/login".to_owned())
}

/// `GET` or `POST /oauth/userinfo` with `Authorization: Bearer <access token>` (RFC 6750
/// 2.1; the token in a form or query is not taken): `sub` and the claims of the token's
/// scopes, `no-store`. A missing, unknown, expired or revoked token is 401 with
/// `WWW-Authenticate: Bearer` (RFC 6750 3).
pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer") && token.len() <= 128)
        .map(|(_, token)| token.trim());
    let challenge = |value: &'static str| {
        let mut r = no_store(StatusCode::UNAUTHORIZED.into_response());
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(value));
        r
    };
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return challenge("Bearer realm=\"badgein\"");
    };
    match state.run(state.portal.userinfo(token)).await {
        Ok(Some(info)) => no_store(axum::Json(info).into_response()),
        Ok(None) => challenge("Bearer realm=\"badgein\", error=\"invalid_token\""),
        Err(_) => no_store(StatusCode::SERVICE_UNAVAILABLE.into_response()),
    }
}

/// A token endpoint error (RFC 6749 5.2).
fn token_error(status: StatusCode, error: &str) -> Response {
    let mut response = no_store((status, axum::Json(json!({ "error": error }))).into_response());
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"badgein\""),
        );
    }
    response
}

fn no_store(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// One value of `application/x-www-form-urlencoded` decoded (RFC 6749 2.3.1 encodes the
/// client id and secret so before putting them in Basic).
fn form_decode(value: &str) -> String {
    form_urlencoded::parse(format!("v={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The client id and secret of an `Authorization: Basic` header.
fn basic(value: &HeaderValue) -> Option<(String, String)> {
    let value = value.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") || encoded.len() > 1024 {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_decode(id), form_decode(secret)))
}

/// `POST /oauth/token`. Every refusal is audited: as junk per address (one row a minute) when
/// it is about the request or the client's credentials, as a row naming the app when an
/// authenticated client's code is refused.
pub async fn token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let junk = |error: &str| {
        let entry = Entry::new(state.portal.now(), TOKEN_ACTION, error);
        state.portal.junk().count(&entry, &limit_key(ip));
    };
    let unauthorized = || {
        junk("invalid_client");
        token_error(StatusCode::UNAUTHORIZED, "invalid_client")
    };
    let bad = |error: &str| {
        junk(error);
        token_error(StatusCode::BAD_REQUEST, error)
    };
    if body.len() > MAX_QUERY {
        return bad("invalid_request");
    }
    let params = parse(&body);
    if params.malformed() {
        return bad("invalid_request");
    }
    let (client_id, secret) = match (
        headers.get(header::AUTHORIZATION),
        params.get("client_secret"),
    ) {
        (Some(h), None) => match basic(h) {
            Some((id, secret)) if params.get("client_id").is_none_or(|c| c == id) => {
                (id, Some(secret))
            }
            _ => return unauthorized(),
        },
        (None, Some(secret)) => match params.get("client_id") {
            Some(id) => (id.to_owned(), Some(secret.to_owned())),
            None => return unauthorized(),
        },
        // Two ways at once is refused (RFC 6749 2.3).
        (Some(_), Some(_)) => return bad("invalid_request"),
        // `none`: the client id alone, which only a public client may send.
        (None, None) => match params.get("client_id") {
            Some(id) => (id.to_owned(), None),
            None => return unauthorized(),
        },
    };
    let auth = match &secret {
        Some(secret) => ClientAuth::Secret {
            client_id: &client_id,
            secret,
        },
        None => ClientAuth::None {
            client_id: &client_id,
        },
    };
    let client = match state.run(state.portal.authenticate_client(auth)).await {
        Ok(Some(client)) => client,
        Ok(None) => return unauthorized(),
        Err(_) => return token_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable"),
    };
    match params.get("grant_type") {
        Some("authorization_code") => {}
        None => return bad("invalid_request"),
        Some(_) => return bad("unsupported_grant_type"),
    }
    let Some(code) = params.get("code") else {
        return bad("invalid_request");
    };
    let app_id = &client.app_id;
    let exchange = Exchange {
        app_id,
        client_id: &client_id,
        redirect_uri: params.get("redirect_uri"),
        code_verifier: params.get("code_verifier"),
        pkce_required: client.public_client,
        id_token_alg: client.id_token_alg,
        issuer: &state.base_url,
    };
    let deadline = state.portal.config().db_deadline;
    let redeemed = tokio::time::timeout(deadline, state.portal.redeem_code(code, &exchange)).await;
    match redeemed {
        Ok(Ok(tokens)) => no_store(axum::Json(tokens).into_response()),
        // A reuse is audited with its revocation (`oauth.code_reused`).
        Ok(Err(GrantError::Reused)) => token_error(StatusCode::BAD_REQUEST, "invalid_grant"),
        Ok(Err(e @ (GrantError::Unknown | GrantError::Mismatch | GrantError::SessionEnded))) => {
            tracing::info!(error = %e, app = %app_id, "code refused");
            let mut entry = Entry::new(state.portal.now(), TOKEN_ACTION, "invalid_grant");
            entry.detail = Some(format!("app {app_id}: {e}"));
            if let Err(error) = state.run(audit::record(state.portal.db(), &entry)).await {
                tracing::warn!(%error, "refused code not audited");
            }
            token_error(StatusCode::BAD_REQUEST, "invalid_grant")
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "token endpoint failed");
            token_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable")
        }
        Err(_) => token_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable"),
    }
}
