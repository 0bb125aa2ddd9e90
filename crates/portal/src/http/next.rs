//! Where the login page may send the browser after a sign-in (`/login?next=...`): back to a
//! page of this portal, never anywhere else, so `next` is never an open redirect. Who sends a
//! user here with a `next`: `/oauth/authorize` with its request, `/saml/sso` with its request
//! in the HTTP-Redirect (GET) form, and every page that needs a session, with itself (a
//! teacher whose session timed out signs in again and is back on the class page).

use percent_encoding::percent_decode_str;
use url::form_urlencoded;

use crate::idp::authorize::MAX_QUERY;

/// The longest `next` taken: an authorization request's own limit. A SAML request (deflated,
/// a few hundred bytes to 2 KiB) fits with room to spare.
pub const MAX_NEXT: usize = MAX_QUERY;

/// `next` when it is a path of this portal: it starts with one `/` (never `//`, another host),
/// is at most [`MAX_NEXT`] visible ASCII characters with no backslash (some browsers read `\`
/// as `/`, making `/\evil` another host), does not spell either of those percent-encoded
/// either (`/%2F%2Fevil`, `/%5Cevil`), and is not the login page itself (which would only
/// ask again). `None` for anything else: the user lands on the dashboard.
pub fn safe_next(next: &str) -> Option<&str> {
    let plain = next.len() <= MAX_NEXT
        && next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if !plain {
        return None;
    }
    let decoded = percent_decode_str(next).decode_utf8_lossy();
    let path = decoded.split(['?', '#']).next().unwrap_or_default();
    let sneaky = decoded.starts_with("//")
        || decoded.contains('\\')
        || decoded.chars().any(char::is_control)
        || path == "/login";
    (!sneaky).then_some(next)
}

/// The login page that comes back to `next` after a sign-in; `None` when `next` is not one
/// the login page would follow ([`safe_next`]).
pub fn login_url(next: &str) -> Option<String> {
    let next = safe_next(next)?;
    let mut login = form_urlencoded::Serializer::new(String::new());
    login.append_pair("next", next);
    Some(format!("/login?{}", login.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_portal() {
        for good in [
            "/oauth/authorize?client_id=a&x=%20",
            "/saml/sso?SAMLRequest=abc%2B&RelayState=x",
            "/teach",
            "/teach/classes/c-1?print=1",
            "/",
            "/a%20b",
        ] {
            assert_eq!(safe_next(good), Some(good));
            assert!(login_url(good).is_some_and(|u| u.starts_with("/login?next=%2F")));
        }
        let huge = format!("/saml/sso?SAMLRequest={}", "a".repeat(MAX_NEXT));
        for bad in [
            "https://evil.example/saml/sso?x",
            "//evil.example/saml/sso?x",
            "/\\evil.example/saml/sso?x",
            "/saml/sso?a=\\b",
            "/%2F%2Fevil.example",
            "/%2f/evil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/x%0d%0aSet-Cookie:%20a=b",
            "%2F%2Fevil.example",
            "/login",
            "/login?next=/teach",
            "/%6Cogin",
            "/saml/sso?a=b c",
            "/saml/sso?a=b\r\nSet-Cookie: x=y",
            "/saml/sso?é",
            " /saml/sso?x",
            "javascript:alert(1)",
            "http:/evil.example",
            "",
            huge.as_str(),
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
            assert_eq!(login_url(bad), None, "{bad:?}");
        }
    }
}
