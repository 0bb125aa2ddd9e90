//! Where the login page may send the browser after a sign-in (`/login?next=...`): only back to
//! one of this portal's own sign-in endpoints for apps, so `next` is never an open redirect.
//! `/oauth/authorize` sends a signed-out user here with its request; `/saml/sso` does too,
//! with the request in its HTTP-Redirect (GET) form.

use url::form_urlencoded;

use crate::idp::authorize::MAX_QUERY;
use crate::idp::discovery::paths as oidc;
use crate::idp::saml::metadata::paths as saml;

/// The longest `next` taken: an authorization request's own limit. A SAML request (deflated,
/// a few hundred bytes to 2 KiB) fits with room to spare.
pub const MAX_NEXT: usize = MAX_QUERY;

/// `next` when it is a relative path to `/oauth/authorize?` or `/saml/sso?` of at most
/// [`MAX_NEXT`] visible ASCII characters without a backslash (which some browsers read as
/// `/`, making `/\evil` another host); `None` for anything else.
pub fn safe_next(next: &str) -> Option<&str> {
    let allowed = [oidc::AUTHORIZE, saml::SSO]
        .iter()
        .any(|path| next.strip_prefix(path).is_some_and(|q| q.starts_with('?')));
    (allowed && next.len() <= MAX_NEXT && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\'))
        .then_some(next)
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
    fn only_the_portals_own_sign_in_endpoints() {
        for good in [
            "/oauth/authorize?client_id=a&x=%20",
            "/saml/sso?SAMLRequest=abc%2B&RelayState=x",
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
            "/saml/sso",
            "/saml/ssox?y",
            "/saml/metadata?x",
            "/teach?x",
            "/?x",
            "/saml/sso?a=b c",
            "/saml/sso?a=b\r\nSet-Cookie: x=y",
            "/saml/sso?é",
            " /saml/sso?x",
            "javascript:alert(1)",
            huge.as_str(),
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
            assert_eq!(login_url(bad), None, "{bad:?}");
        }
    }
}
