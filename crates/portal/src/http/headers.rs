//! Headers every response carries, whatever produced it (handlers, extractor rejections,
//! timeouts): `X-Content-Type-Options: nosniff`, and HSTS when the portal is served over
//! HTTPS.

use axum::http::{HeaderValue, header};
use axum::response::Response;

/// One year, as browsers' preload lists expect.
const HSTS: &str = "max-age=31536000";

pub async fn on_every_response(mut response: Response, https: bool) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}
