//! The app's two cookies: the session, and the sign-in a browser started. Both `HttpOnly` and
//! `SameSite=Lax` (sent on the portal's redirect back, a top-level navigation, and not on
//! cross-site posts), `Secure` when the app is reached over HTTPS.

use axum::http::{HeaderMap, HeaderValue, header};

use crate::sessions::{LOGIN_LIFETIME, Token};

/// Names the app's session. Apps and the portal on one host (the demo: 127.0.0.1) share
/// cookies across ports, so the name must not be the portal's.
pub const SESSION: &str = "storytime_session";
/// Names the sign-in this browser started, until the portal's answer comes back.
pub const LOGIN: &str = "storytime_login";

/// The token of the first cookie `name` that holds one.
pub fn read(headers: &HeaderMap, name: &str) -> Option<Token> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(n, _)| *n == name)
        .find_map(|(_, value)| Token::parse(value))
}

/// `Set-Cookie` for a session (a browser-session cookie: the kiosk wipes its window anyway).
pub fn session(token: Token, secure: bool) -> HeaderValue {
    set(SESSION, &token.to_string(), None, secure)
}

/// `Set-Cookie` for a started sign-in, as long as it may take.
pub fn login(token: Token, secure: bool) -> HeaderValue {
    set(
        LOGIN,
        &token.to_string(),
        Some(LOGIN_LIFETIME.as_secs()),
        secure,
    )
}

/// `Set-Cookie` that removes the started sign-in's cookie.
pub fn clear_login(secure: bool) -> HeaderValue {
    set(LOGIN, "", Some(0), secure)
}

fn set(name: &str, value: &str, max_age: Option<u64>, secure: bool) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    // Names, hex digits and digits only: always a valid header value.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_cookie_among_others_and_ignores_junk() {
        let t = Token::random().unwrap();
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("badgein_session=x; a=b"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("{SESSION}=junk; {SESSION}={t}; {LOGIN}=zz")).unwrap(),
        );
        assert_eq!(read(&headers, SESSION), Some(t));
        assert_eq!(read(&headers, LOGIN), None);
        assert_eq!(read(&HeaderMap::new(), SESSION), None);
    }

    #[test]
    fn cookies_are_http_only_and_lax() {
        let t = Token::random().unwrap();
        let c = session(t, false);
        assert_eq!(
            c.to_str().unwrap(),
            format!("{SESSION}={t}; Path=/; HttpOnly; SameSite=Lax")
        );
        assert!(
            login(t, true)
                .to_str()
                .unwrap()
                .ends_with("; Max-Age=600; Secure")
        );
        assert!(clear_login(false).to_str().unwrap().contains("Max-Age=0"));
    }
}
