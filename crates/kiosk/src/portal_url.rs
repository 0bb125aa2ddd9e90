//! Which portal addresses the kiosk will talk to: HTTPS, or plain HTTP on this machine only
//! (a demo or a test). Everything a child's credentials travel over is encrypted.

use std::net::IpAddr;

use reqwest::Url;
use thiserror::Error;

#[derive(Debug, Clone, Copy, Error, PartialEq, Eq)]
pub enum PortalUrlError {
    #[error("the portal address is not a valid URL")]
    Invalid,
    #[error("the portal address must start with https:// (plain http only on this computer)")]
    NotHttps,
    #[error("the portal address must not contain a user name or password")]
    HasCredentials,
}

/// Parses and checks the portal address a teacher typed.
pub fn parse(text: &str) -> Result<Url, PortalUrlError> {
    let url = Url::parse(text.trim()).map_err(|_| PortalUrlError::Invalid)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(PortalUrlError::HasCredentials);
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(PortalUrlError::NotHttps),
        _ => Err(PortalUrlError::Invalid),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Whether `other` is on the same origin as the portal (scheme, host and port).
pub fn same_origin(portal: &Url, other: &Url) -> bool {
    portal.origin() == other.origin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        for ok in [
            "https://portal.school.example",
            "https://portal.school.example:8443/",
            "http://127.0.0.1:8080",
            "http://127.5.6.7",
            "http://[::1]:3000/",
            "http://localhost:3000",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for (bad, err) in [
            ("http://portal.school.example", PortalUrlError::NotHttps),
            ("http://10.0.0.5", PortalUrlError::NotHttps),
            ("http://localhost.evil.example", PortalUrlError::NotHttps),
            ("ftp://portal.school.example", PortalUrlError::Invalid),
            ("javascript:alert(1)", PortalUrlError::Invalid),
            ("portal.school.example", PortalUrlError::Invalid),
            (
                "https://user:pw@portal.example",
                PortalUrlError::HasCredentials,
            ),
        ] {
            assert_eq!(parse(bad), Err(err), "{bad}");
        }
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let portal = parse("https://portal.example").unwrap();
        let same = Url::parse("https://portal.example/launch?t=1").unwrap();
        let port = Url::parse("https://portal.example:444/launch").unwrap();
        let other = Url::parse("https://evil.example/launch").unwrap();
        let plain = Url::parse("http://portal.example/launch").unwrap();
        assert!(same_origin(&portal, &same));
        assert!(!same_origin(&portal, &port));
        assert!(!same_origin(&portal, &other));
        assert!(!same_origin(&portal, &plain));
    }
}
