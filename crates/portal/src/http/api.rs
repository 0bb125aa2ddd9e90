//! The kiosk-facing JSON API (docs/API.md).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use badgein_proto::{BadgeSignIn, EnrollRequest, PasswordSignIn, ProblemCode, SignIn};
use serde_json::json;

use std::net::IpAddr;

use super::AppState;
use super::extract::{ApiJson, Bearer, ClientIp};
use crate::client_addr::limit_key;
use crate::error::{PortalError, Result};
use crate::metrics::sign_in::{Outcome, SignInMethod};
use crate::store::audit::Entry;
use crate::tokens;

pub async fn enroll(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<EnrollRequest>,
) -> Result<Response> {
    let enrolled = state.run(state.portal.enroll(&request, ip)).await?;
    Ok((StatusCode::CREATED, no_store(), Json(enrolled)).into_response())
}

pub async fn me(State(state): State<AppState>, Bearer(credential): Bearer) -> Result<Response> {
    let (school, settings) = state
        .run(async {
            let kiosk = state.portal.kiosk_by_credential(&credential).await?;
            state.portal.kiosk_settings(&kiosk).await
        })
        .await?;
    let mut body = serde_json::to_value(&settings).unwrap_or_default();
    body["school"] = json!(school);
    Ok((no_store(), Json(body)).into_response())
}

pub async fn sign_in_badge(
    State(state): State<AppState>,
    Bearer(credential): Bearer,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<BadgeSignIn>,
) -> Result<Response> {
    let sign_in = limited(
        &state,
        &credential,
        ip,
        state
            .portal
            .sign_in_badge(&credential, &request.badge, ip, &state.base_url),
    )
    .await;
    counted(&state, SignInMethod::Badge, sign_in)
}

pub async fn sign_in_password(
    State(state): State<AppState>,
    Bearer(credential): Bearer,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<PasswordSignIn>,
) -> Result<Response> {
    let sign_in = limited(
        &state,
        &credential,
        ip,
        state
            .portal
            .sign_in_password_at_kiosk(&credential, &request, ip, &state.base_url),
    )
    .await;
    counted(&state, SignInMethod::Password, sign_in)
}

/// A kiosk sign-in's answer, counted by its outcome (rate-limited ones too).
fn counted(state: &AppState, method: SignInMethod, sign_in: Result<SignIn>) -> Result<Response> {
    state
        .portal
        .metrics()
        .sign_in(method, Outcome::of(&sign_in));
    Ok((no_store(), Json(sign_in?)).into_response())
}

/// Runs a sign-in under the rate limits (docs/API.md). A refused attempt costs no database
/// work and is not in the audit log: a hammering client must not be able to fill it. A
/// credential that turned out to be a kiosk's gets its own bucket from now on.
async fn limited<T>(
    state: &AppState,
    credential: &str,
    ip: IpAddr,
    sign_in: impl Future<Output = Result<T>>,
) -> Result<T> {
    let portal = &state.portal;
    let digest = tokens::digest(credential.as_bytes());
    if let Err(refused) = portal
        .limiter()
        .admit(&digest, &limit_key(ip), portal.now())
    {
        let entry = Entry::new(portal.now(), "sign_in", refused.code().as_str());
        portal.junk().count(&entry, &limit_key(ip));
        return Err(refused);
    }
    let result = state.run(sign_in).await;
    let unrecognised = result.as_ref().is_err_and(|e| {
        matches!(
            e.code(),
            ProblemCode::KioskNotEnrolled | ProblemCode::Unavailable
        )
    });
    if !unrecognised {
        portal.limiter().recognise(&digest, portal.now());
    }
    result
}

pub async fn end_session(
    State(state): State<AppState>,
    Bearer(credential): Bearer,
    Path(session_id): Path<String>,
) -> Result<StatusCode> {
    state
        .run(state.portal.end_session_as_kiosk(&credential, &session_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn not_found() -> PortalError {
    PortalError::Refused(ProblemCode::NotFound)
}

fn no_store() -> [(axum::http::HeaderName, &'static str); 1] {
    [(axum::http::header::CACHE_CONTROL, "no-store")]
}
