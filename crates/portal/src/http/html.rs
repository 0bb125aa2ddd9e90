//! Server-rendered HTML, built with maud (every splice is escaped by its type; `PreEscaped`
//! only for the fixed doctype below): the page frame with its security headers, and the
//! message pages of the portal's own pages.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use badgein_proto::ProblemCode;
use maud::{Markup, PreEscaped, html};

use super::i18n::Strings;
use crate::error::PortalError;

/// A whole page around `body`; maud's response sets `text/html; charset=utf-8`.
pub fn page(status: StatusCode, s: &Strings, title: &str, body: Markup) -> Response {
    let html = html! {
        (PreEscaped("<!doctype html>\n"))
        html lang=(s.lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="/portal.css";
            }
            body { (body) }
        }
        "\n"
    };
    let mut response = (status, html).into_response();
    secure_headers(response.headers_mut());
    response
}

pub fn secure_headers(h: &mut axum::http::HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Never a referrer to another origin (app tiles), but not `no-referrer`: under that
    // policy browsers send `Origin: null` with the portal's own form posts, which the
    // same-origin check must then refuse.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// The HTTP status of a failed operation's problem code.
pub fn status_of(e: &PortalError) -> StatusCode {
    StatusCode::from_u16(e.code().status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
}

/// A failed operation outside the teacher pages, with a way to the login page.
pub fn error_page(s: &Strings, e: &PortalError) -> Response {
    let text = match e.code() {
        ProblemCode::Unavailable => s.unavailable,
        ProblemCode::KioskRevoked | ProblemCode::InvalidCredentials => s.link_expired,
        _ => s.not_found,
    };
    message_page(status_of(e), s, text)
}

/// One sentence and a link to the login page.
pub fn message_page(status: StatusCode, s: &Strings, text: &str) -> Response {
    let body = html! {
        main {
            p role="alert" { (text) }
            p { a href="/login" { (s.sign_in) } }
        }
    };
    page(status, s, text, body)
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use crate::http::i18n::EN;

    /// Text is escaped in content and attributes, the translations included.
    #[tokio::test]
    async fn escapes_markup() {
        let response = super::page(
            StatusCode::OK,
            &EN,
            "<script>\"x\"&'y'",
            maud::html! { p title=("a\"b<") { ("<b>&") } },
        );
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        assert!(body.contains("<title>&lt;script&gt;&quot;x&quot;&amp;'y'</title>"));
        assert!(body.contains("<p title=\"a&quot;b&lt;\">&lt;b&gt;&amp;</p>"));
        assert!(body.starts_with("<!doctype html>\n<html lang=\"en\">"));
    }
}
