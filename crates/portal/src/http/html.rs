//! Server-rendered HTML: escaping, the page frame with its security headers, and the message
//! pages of the portal's own pages.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use badgein_proto::ProblemCode;

use super::i18n::Strings;
use crate::error::PortalError;

/// Escapes text for HTML element content and double-quoted attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A whole page. `body` must already be escaped.
pub fn page(status: StatusCode, s: &Strings, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/portal.css\"></head>\
         <body>{body}</body></html>\n",
        lang = s.lang,
        title = esc(title),
    );
    let mut response = (status, html).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure_headers(h);
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
    let body = format!(
        "<main><p role=\"alert\">{}</p><p><a href=\"/login\">{}</a></p></main>",
        esc(text),
        s.sign_in
    );
    page(status, s, text, &body)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::esc("<script>\"x\"&'y'"),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;"
        );
    }
}
