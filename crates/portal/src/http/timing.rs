//! Every answer of the public listener timed by route group and status class
//! (`badgein_http_request_duration_seconds`): the middleware outermost in the router, so
//! refusals, timeouts (408) and unknown paths are timed too.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::metrics::Metrics;
use crate::metrics::route::RouteGroup;

pub async fn timed(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let group = RouteGroup::of(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.request(group, response.status().as_u16(), started.elapsed());
    response
}
