//! The kiosk setup QR (docs/API.md, "Setup QR"): `BADGEIN-SETUP/1 <origin> <code>`, read by a
//! kiosk's camera on its setup screen so that nobody types the portal's address or the code.
//! The origin is the one browsers and kiosks use (`--public-url`, or the loopback listen
//! address in development); it must be `https://host[:port]`, or plain http on loopback, with
//! no path: the kiosk refuses anything else, so the portal never draws such a QR.

use thiserror::Error;

/// The text's first word: the format and its version.
pub const PREFIX: &str = "BADGEIN-SETUP/1";

/// The most bytes a setup QR's text may have (the kiosk refuses longer ones).
pub const MAX_LEN: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SetupQrError {
    #[error(
        "the portal's public address is not an https:// origin without a path (or plain http \
         on loopback): give --public-url (BADGEIN_PUBLIC_URL) as https://host[:port]"
    )]
    Origin,
    #[error("the setup QR's text would be longer than {MAX_LEN} bytes")]
    TooLong,
}

/// The origin kiosks should use, from the portal's public URL (`https://portal.example.org/`
/// -> `https://portal.example.org`); an error for anything with a path, query, fragment or
/// user name, for plain http off loopback and for an empty host.
pub fn origin(public_url: &str) -> Result<String, SetupQrError> {
    let url = public_url.trim().trim_end_matches('/');
    let (scheme, rest) = url.split_once("://").ok_or(SetupQrError::Origin)?;
    let plain_ok = || {
        let host = match rest.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => rest.rsplit_once(':').map_or(rest, |(h, _)| h),
        };
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    };
    let allowed = match scheme {
        "https" => true,
        "http" => plain_ok(),
        _ => false,
    };
    let clean = !rest.is_empty()
        && !rest.starts_with(':')
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if allowed && clean {
        Ok(format!("{scheme}://{}", rest.to_ascii_lowercase()))
    } else {
        Err(SetupQrError::Origin)
    }
}

/// The setup QR's text for `code` (an enrollment code or a fleet token) at `origin` (see
/// [`origin`]).
pub fn text(origin: &str, code: &str) -> Result<String, SetupQrError> {
    let text = format!("{PREFIX} {origin} {code}");
    if text.len() > MAX_LEN {
        return Err(SetupQrError::TooLong);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_https_or_loopback_without_a_path() {
        for (url, want) in [
            ("https://portal.example.org", "https://portal.example.org"),
            ("https://Portal.Example.org/", "https://portal.example.org"),
            (
                "https://portal.example.org:8443",
                "https://portal.example.org:8443",
            ),
            ("http://127.0.0.1:8750", "http://127.0.0.1:8750"),
            ("http://localhost:8750/", "http://localhost:8750"),
            ("http://[::1]:8750", "http://[::1]:8750"),
        ] {
            assert_eq!(origin(url).as_deref(), Ok(want), "{url}");
        }
        for bad in [
            "http://portal.example.org",
            "http://0.0.0.0:8750",
            "https://portal.example.org/badgein",
            "https://portal.example.org?x=1",
            "https://user@portal.example.org",
            "https://",
            "https://:443",
            "ftp://portal.example.org",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(origin(bad), Err(SetupQrError::Origin), "{bad}");
        }
    }

    #[test]
    fn the_text_is_the_contract_and_bounded() {
        assert_eq!(
            text("https://portal.example.org", "ABCDE-FGHIJ").unwrap(),
            "BADGEIN-SETUP/1 https://portal.example.org ABCDE-FGHIJ"
        );
        let long = format!("https://{}.example.org", "a".repeat(180));
        assert_eq!(text(&long, "ABCDE-FGHIJ"), Err(SetupQrError::TooLong));
    }
}
