//! The OpenID Connect authorization code flow over HTTP: `GET`/`POST /oauth/authorize` (the
//! user's browser, sent by an app), `POST /oauth/token` and `/oauth/userinfo` (the app's
//! server). The rules are
//! `idp::authorize` and `idp::codes`; this module reads requests and writes answers.
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

use super::html::message_page;
use super::session::{self, current};
use super::{AppState, next};
use crate::idp::authorize::{self, AuthError, MAX_QUERY, Params, Request};
use crate::idp::codes::{Exchange, Grant, GrantError};
use crate::idp::discovery::paths;

pub async fn authorize_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    authorize(&state, &headers, query.unwrap_or_default().as_bytes()).await
}

pub async fn authorize_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    authorize(&state, &headers, &body).await
}

/// A 303 to `location`; a location that cannot be a header value is an error page.
fn see_other(location: &str, headers: &HeaderMap) -> Response {
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

async fn authorize(state: &AppState, headers: &HeaderMap, raw: &[u8]) -> Response {
    if raw.len() > MAX_QUERY {
        return bad_link(headers);
    }
    let params = parse(raw);
    // The client and its redirect URI first: until both are known good, nothing is sent to
    // the URI.
    let (Some(client_id), Some(redirect_uri)) =
        (params.get("client_id"), params.get("redirect_uri"))
    else {
        return bad_link(headers);
    };
    let client = match state.run(state.portal.oidc_client(client_id)).await {
        Ok(Some(client)) => client,
        Ok(None) => return bad_link(headers),
        Err(e) => return super::html::error_page(session::language(headers), &e),
    };
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return bad_link(headers);
    }
    let app_state = params.get("state");
    let fail = |e: AuthError| {
        see_other(
            &authorize::error_redirect(redirect_uri, e, app_state),
            headers,
        )
    };
    let request = match authorize::check(&params) {
        Ok(request) => request,
        Err(e) => return fail(e),
    };
    // A pairwise app registered before salts existed has none: refused rather than given a
    // `sub` it did not register for.
    if client.pairwise && client.pairwise_salt.is_none() {
        return fail(AuthError::UnauthorizedClient);
    }
    let session = match current(state, headers).await {
        Ok(session) => session,
        Err(_) => return fail(AuthError::TemporarilyUnavailable),
    };
    let started = match &session {
        Some(session) => match state.run(state.portal.session_started(&session.id)).await {
            Ok(started) => started,
            Err(_) => return fail(AuthError::TemporarilyUnavailable),
        },
        None => None,
    };
    let now = state.portal.now();
    let (session, auth_time) = match (session, started) {
        (Some(session), Some(at)) if authorize::session_fresh(&request, at, now) => (session, at),
        _ if request.prompt.none => return fail(AuthError::LoginRequired),
        _ => return see_other(&login_url(&params, &request), headers),
    };
    match state.run(state.portal.tiles_for(&session.user)).await {
        Ok(tiles) if tiles.iter().any(|t| t.id == client.id) => {}
        Ok(_) => return fail(AuthError::AccessDenied),
        Err(_) => return fail(AuthError::TemporarilyUnavailable),
    }
    let grant = Grant {
        app_id: &client.id,
        redirect_uri,
        session_id: &session.id,
        user: &session.user,
        auth_time,
        request: &request,
    };
    match state.run(state.portal.issue_code(&grant)).await {
        Ok(code) => {
            let mut answer = vec![("code", code.as_str())];
            if let Some(s) = app_state {
                answer.push(("state", s));
            }
            see_other(&authorize::redirect_to(redirect_uri, &answer), headers)
        }
        Err(_) => fail(AuthError::TemporarilyUnavailable),
    }
}

/// `/login?next=` this request, without `prompt=login` (the sign-in it asks for is the one
/// about to happen; kept, it would ask again forever).
fn login_url(params: &Params, request: &Request) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.pairs() {
        if !(request.prompt.login && k == "prompt") {
            query.append_pair(k, v);
        }
    }
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

/// `POST /oauth/token`: a code for an access token and an ID token.
pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let unauthorized = || token_error(StatusCode::UNAUTHORIZED, "invalid_client");
    let bad = |error: &str| token_error(StatusCode::BAD_REQUEST, error);
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
            Some((id, secret)) if params.get("client_id").is_none_or(|c| c == id) => (id, secret),
            _ => return unauthorized(),
        },
        (None, Some(secret)) => match params.get("client_id") {
            Some(id) => (id.to_owned(), secret.to_owned()),
            None => return unauthorized(),
        },
        // Two ways at once is refused (RFC 6749 2.3); no registered client is public yet,
        // so none at all is refused too.
        (Some(_), Some(_)) => return bad("invalid_request"),
        (None, None) => return unauthorized(),
    };
    let app_id = match state
        .run(state.portal.check_client_secret(&client_id, &secret))
        .await
    {
        Ok(Some(app)) => app,
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
    let exchange = Exchange {
        app_id: &app_id,
        client_id: &client_id,
        redirect_uri: params.get("redirect_uri"),
        code_verifier: params.get("code_verifier"),
        issuer: &state.base_url,
    };
    let deadline = state.portal.config().db_deadline;
    let redeemed = tokio::time::timeout(deadline, state.portal.redeem_code(code, &exchange)).await;
    match redeemed {
        Ok(Ok(tokens)) => no_store(axum::Json(tokens).into_response()),
        Ok(Err(
            e @ (GrantError::Unknown
            | GrantError::Reused
            | GrantError::Mismatch
            | GrantError::SessionEnded),
        )) => {
            tracing::info!(error = %e, app = %app_id, "code refused");
            bad("invalid_grant")
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "token endpoint failed");
            token_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable")
        }
        Err(_) => token_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable"),
    }
}
