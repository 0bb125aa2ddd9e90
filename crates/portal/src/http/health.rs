//! `/healthz` and `/readyz`, for a load balancer's or an orchestrator's probes: no session, no
//! cookie, no log line, and outside the sign-in rate limits (they count sign-in attempts
//! only), so probing every second costs nothing and never throttles anyone.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use badgein_proto::{Problem, ProblemCode};

use super::AppState;
use crate::error::problem_response;

/// `GET /healthz`: the process is up and serving. Touches nothing, the database least of all
/// (a liveness probe that failed with the database would restart a healthy process).
pub async fn healthz() -> Response {
    ok()
}

/// `GET /readyz`: the database answers a trivial query within `store::READY_DEADLINE`; else
/// 503 `unavailable` (problem+json), so a load balancer stops sending sign-ins here. Not
/// logged: a database that is down is logged by the requests that need it, not once per probe.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.portal.ready().await {
        Ok(()) => ok(),
        Err(_) => problem_response(&Problem::new(ProblemCode::Unavailable)),
    }
}

fn ok() -> Response {
    let mut response = (StatusCode::OK, "ok\n").into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
