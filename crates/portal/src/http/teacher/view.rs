//! The teacher pages' frame and shared pieces: navigation, refusals, dates, confirm steps,
//! CSRF fields and PDF downloads.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use badgein_proto::ProblemCode;
use maud::{Markup, html};

use crate::clock::{Millis, rfc3339};
use crate::error::PortalError;
use crate::http::html::{page, secure_headers, status_of};
use crate::http::i18n::Strings;

/// Which navigation entry the page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Classes,
    Kiosks,
    /// Administrators only, reached from the dashboard.
    Apps,
    /// Administrators only: the school's staff and their second factor.
    Staff,
}

/// A teacher page: a header with the title, the navigation and sign-out, then `main`.
pub fn frame(
    status: StatusCode,
    s: &Strings,
    section: Section,
    title: &str,
    main: Markup,
) -> Response {
    let current = |which: Section| (which == section).then_some("page");
    let body = html! {
        header {
            h1 { (title) }
            nav aria-label={ (s.teach.my_classes) ", " (s.teach.kiosks) } {
                ul class="nav" {
                    li { a href="/teach" aria-current=[current(Section::Classes)] { (s.teach.my_classes) } }
                    li { a href="/teach/kiosks" aria-current=[current(Section::Kiosks)] { (s.teach.kiosks) } }
                    li { a href="/" { (s.teach.my_apps) } }
                }
            }
            form method="post" action="/logout" { button type="submit" { (s.sign_out) } }
        }
        main { (main) }
    };
    page(status, s, title, body)
}

/// A refusal (not a teacher, not yours, stale form) with a way back.
pub fn refusal(status: StatusCode, s: &Strings, text: &str) -> Response {
    let body = html! {
        main {
            p role="alert" class="error" { (text) }
            p { a href="/" { (s.teach.my_apps) } }
        }
    };
    page(status, s, text, body)
}

/// A failed operation: the database is away (503), or what was asked for is gone.
pub fn failure(s: &Strings, e: &PortalError) -> Response {
    match e.code() {
        ProblemCode::Unavailable => refusal(status_of(e), s, s.unavailable),
        ProblemCode::NotFound => refusal(StatusCode::FORBIDDEN, s, s.teach.not_yours),
        ProblemCode::AccountDisabled => refusal(StatusCode::FORBIDDEN, s, s.disabled),
        _ => refusal(StatusCode::BAD_REQUEST, s, s.not_found),
    }
}

/// A note after an action (`role=status`, read out by screen readers).
pub fn note(text: &str) -> Markup {
    html! { p role="status" class="note" { (text) } }
}

/// The hidden CSRF field every form carries.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// A day, `2026-11-23` (UTC).
pub fn day(at: Millis) -> Markup {
    let full = rfc3339(at);
    html! { time datetime=(full) { (&full[..10.min(full.len())]) } }
}

/// A moment to the minute, `2026-11-23 08:05 UTC`.
pub fn moment(at: Millis) -> Markup {
    let full = rfc3339(at);
    let shown = full.get(..16).unwrap_or(&full).replace('T', " ");
    html! { time datetime=(full) { (shown) " UTC" } }
}

/// The confirm step before a destructive action: what happens, a button that posts to
/// `action` and a way back to `back`.
#[derive(Debug)]
pub struct Confirm<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub yes: &'a str,
    pub action: &'a str,
    pub back: &'a str,
    pub csrf: &'a str,
}

pub fn confirm(s: &Strings, section: Section, c: &Confirm<'_>) -> Response {
    let main = html! {
        p class="subject" { (c.subject) }
        p { (c.text) }
        form method="post" action=(c.action) {
            (csrf_field(c.csrf))
            button type="submit" class="danger" { (c.yes) }
            " "
            a class="button" href=(c.back) { (s.teach.cancel) }
        }
    };
    frame(StatusCode::OK, s, section, c.title, main)
}

/// A PDF download named `name` (letters, digits, `-` and `_` kept).
pub fn pdf(bytes: Vec<u8>, name: &str) -> Response {
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .take(60)
        .collect();
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    secure_headers(h);
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}.pdf\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// The part of a URL path that names one thing, for links (`/teach/classes/{id}`).
pub fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(super::segment("c-1_a.b"), "c-1_a.b");
        assert_eq!(super::segment("a/b c\"<"), "a%2Fb%20c%22%3C");
    }

    #[test]
    fn times_are_shown_in_utc() {
        assert!(super::day(0).into_string().contains(">1970-01-01<"));
        assert!(
            super::moment(3_723_000)
                .into_string()
                .contains(">1970-01-01 01:02 UTC<")
        );
    }
}
