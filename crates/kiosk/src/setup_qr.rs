//! The kiosk setup QR (docs/API.md, "Setup QR"): `BADGEIN-SETUP/1 <origin> <code>`, which the
//! portal's enrollment code page and `badgein-portal kiosk code --qr` draw, and which the setup
//! screen (behind the teacher PIN, never the scan screen) reads with the camera so that nobody
//! types the portal's address or the code.
//!
//! Decoded QR text is hostile input: the parser is strict and pure, never echoes the text in an
//! error, and the origin it gives is only ever used as the portal address (checked as a typed
//! one is, [`crate::portal_url`]), never opened or navigated to.

use thiserror::Error;

use crate::portal_url::{self, PortalUrlError};
use crate::redacted::Redacted;

/// The text's first word: the format and its version.
pub const PREFIX: &str = "BADGEIN-SETUP/1";

/// The most bytes a setup QR's text may have.
pub const MAX_LEN: usize = 200;

/// The base32 alphabet of enrollment codes and fleet tokens.
fn base32(b: u8) -> bool {
    matches!(b, b'A'..=b'Z' | b'2'..=b'7')
}

/// Why a QR code was not taken as a setup QR. The variants say which rule failed; none holds
/// the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SetupQrError {
    #[error("the setup QR is longer than {MAX_LEN} bytes")]
    TooLong,
    #[error("the QR code is not text, or holds control characters")]
    NotText,
    #[error("the QR code is not a BadgeIn setup code")]
    NotSetupQr,
    #[error("the setup QR is not `{PREFIX} <origin> <code>`")]
    Malformed,
    #[error("the setup QR's portal address is refused: {0}")]
    Origin(PortalUrlError),
    #[error("the setup QR's portal address has a path, query, fragment or user name")]
    NotAnOrigin,
    #[error("the setup QR's code is neither an enrollment code nor a fleet token")]
    Code,
}

/// Which kind of code a setup QR carries (both go in the enroll body's `code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// `XXXXX-XXXXX`, single use, minutes long.
    EnrollmentCode,
    /// `BFT-` + 26, for many kiosks.
    FleetToken,
}

/// A setup QR that passed every rule. `Debug` never shows the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupQr {
    origin: String,
    code: Redacted,
    kind: CodeKind,
}

impl SetupQr {
    /// The portal's origin (`https://host[:port]`, or loopback `http://`), without a slash.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The code, upper-cased as the portal expects it.
    pub fn code(&self) -> &Redacted {
        &self.code
    }

    pub fn kind(&self) -> CodeKind {
        self.kind
    }
}

/// Reads a decoded QR code's bytes as a setup QR.
pub fn parse(bytes: &[u8]) -> Result<SetupQr, SetupQrError> {
    if bytes.len() > MAX_LEN {
        return Err(SetupQrError::TooLong);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| SetupQrError::NotText)?;
    let Some(rest) = text.strip_prefix(PREFIX) else {
        return Err(SetupQrError::NotSetupQr);
    };
    if text
        .chars()
        .any(|c| c.is_control() || (c.is_whitespace() && c != ' '))
    {
        return Err(SetupQrError::NotText);
    }
    let mut parts = rest.split(' ');
    let (Some(""), Some(origin), Some(code), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SetupQrError::Malformed);
    };
    let origin = parse_origin(origin)?;
    let (code, kind) = parse_code(code)?;
    Ok(SetupQr {
        origin,
        code: Redacted::new(code),
        kind,
    })
}

/// `https://host[:port]` (or loopback `http://`) and nothing more: the URL parser would quietly
/// accept a path, a user name or a query, so those are refused on the text first.
fn parse_origin(text: &str) -> Result<String, SetupQrError> {
    let (scheme, authority) = text.split_once("://").ok_or(SetupQrError::Malformed)?;
    if !matches!(scheme, "https" | "http") {
        return Err(SetupQrError::Origin(PortalUrlError::Invalid));
    }
    if authority.is_empty() || authority.contains(['/', '?', '#', '@', '\\', '%']) {
        return Err(SetupQrError::NotAnOrigin);
    }
    let url = portal_url::parse(text).map_err(SetupQrError::Origin)?;
    Ok(url.origin().ascii_serialization())
}

/// An enrollment code (`XXXXX-XXXXX`) or a fleet token (`BFT-` + 26), base32 either case,
/// given back in upper case.
fn parse_code(text: &str) -> Result<(String, CodeKind), SetupQrError> {
    let upper = text.to_ascii_uppercase();
    let b = upper.as_bytes();
    let kind = if b.len() == 11 && b[5] == b'-' && b[..5].iter().chain(&b[6..]).all(|&c| base32(c))
    {
        CodeKind::EnrollmentCode
    } else if b.len() == 30 && upper.starts_with("BFT-") && b[4..].iter().all(|&c| base32(c)) {
        CodeKind::FleetToken
    } else {
        return Err(SetupQrError::Code);
    };
    Ok((upper, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "BFT-ABCDEFGHIJKLMNOPQRSTUVWX23";

    fn ok(text: &str) -> SetupQr {
        parse(text.as_bytes()).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn refused(text: &[u8]) -> SetupQrError {
        parse(text).expect_err(&String::from_utf8_lossy(text))
    }

    #[test]
    fn the_contract_format_reads() {
        let qr = ok("BADGEIN-SETUP/1 https://portal.example.org ABCDE-FGHIJ");
        assert_eq!(qr.origin(), "https://portal.example.org");
        assert_eq!(qr.code().expose(), "ABCDE-FGHIJ");
        assert_eq!(qr.kind(), CodeKind::EnrollmentCode);
        let qr = ok(&format!(
            "BADGEIN-SETUP/1 https://portal.example.org:8443 {TOKEN}"
        ));
        assert_eq!(qr.origin(), "https://portal.example.org:8443");
        assert_eq!(qr.kind(), CodeKind::FleetToken);
        for loopback in [
            "http://127.0.0.1:8750",
            "http://localhost:8750",
            "http://[::1]:8750",
        ] {
            assert_eq!(
                ok(&format!("BADGEIN-SETUP/1 {loopback} ABCDE-FGHIJ")).origin(),
                loopback
            );
        }
        // Lower case is the same code (the portal upper-cases what is typed, too).
        let qr = ok("BADGEIN-SETUP/1 https://Portal.Example.org abcde-fghij");
        assert_eq!(qr.code().expose(), "ABCDE-FGHIJ");
        assert_eq!(qr.origin(), "https://portal.example.org");
        assert_eq!(
            ok(&format!(
                "BADGEIN-SETUP/1 https://p.example {}",
                TOKEN.to_lowercase()
            ))
            .code()
            .expose(),
            TOKEN
        );
        // The default port is the origin without it.
        assert_eq!(
            ok("BADGEIN-SETUP/1 https://p.example:443 ABCDE-FGHIJ").origin(),
            "https://p.example"
        );
    }

    #[test]
    fn hostile_text_is_refused_by_kind() {
        use SetupQrError::*;
        let code = "ABCDE-FGHIJ";
        for (text, why) in [
            (
                format!("BADGEIN-SETUP/1 javascript:alert(1) {code}"),
                Malformed,
            ),
            (
                format!("BADGEIN-SETUP/1 javascript://alert(1) {code}"),
                Origin(PortalUrlError::Invalid),
            ),
            (
                format!("BADGEIN-SETUP/1 file:///etc/passwd {code}"),
                Origin(PortalUrlError::Invalid),
            ),
            (
                format!("BADGEIN-SETUP/1 file://host {code}"),
                Origin(PortalUrlError::Invalid),
            ),
            (
                format!("BADGEIN-SETUP/1 http://portal.example.org {code}"),
                Origin(PortalUrlError::NotHttps),
            ),
            (
                format!("BADGEIN-SETUP/1 http://10.0.0.5:8750 {code}"),
                Origin(PortalUrlError::NotHttps),
            ),
            (
                format!("BADGEIN-SETUP/1 http://localhost.evil.example {code}"),
                Origin(PortalUrlError::NotHttps),
            ),
            (
                format!("BADGEIN-SETUP/1 https://user:pw@portal.example.org {code}"),
                NotAnOrigin,
            ),
            (
                format!("BADGEIN-SETUP/1 https://portal.example.org@evil.example {code}"),
                NotAnOrigin,
            ),
            (
                format!("BADGEIN-SETUP/1 https://portal.example.org/ {code}"),
                NotAnOrigin,
            ),
            (
                format!("BADGEIN-SETUP/1 https://portal.example.org/enroll {code}"),
                NotAnOrigin,
            ),
            (
                format!("BADGEIN-SETUP/1 https://portal.example.org?next=x {code}"),
                NotAnOrigin,
            ),
            (
                format!("BADGEIN-SETUP/1 https://portal.example.org#x {code}"),
                NotAnOrigin,
            ),
            (format!("BADGEIN-SETUP/1 https:// {code}"), NotAnOrigin),
            (
                format!("BADGEIN-SETUP/1 https://%65vil.example {code}"),
                NotAnOrigin,
            ),
            (
                format!("BADGEIN-SETUP/1 portal.example.org {code}"),
                Malformed,
            ),
            (
                format!("BADGEIN-SETUP/1 https://{}.example {code}", "a".repeat(170)),
                TooLong,
            ),
            (
                format!("BADGEIN-SETUP/1 https://portal.example.org {code}\n"),
                NotText,
            ),
            (
                format!("BADGEIN-SETUP/1 https://portal.example.org\n{code}"),
                NotText,
            ),
            (
                format!("BADGEIN-SETUP/1 https://portal.example.org {code}\0"),
                NotText,
            ),
            (
                format!("BADGEIN-SETUP/1 https://portal.example.org\t{code}"),
                NotText,
            ),
            (
                format!("BADGEIN-SETUP/1  https://portal.example.org {code}"),
                Malformed,
            ),
            (
                format!("BADGEIN-SETUP/1 https://portal.example.org  {code}"),
                Malformed,
            ),
            (
                format!("BADGEIN-SETUP/1 https://portal.example.org {code} "),
                Malformed,
            ),
            (
                format!("BADGEIN-SETUP/1 https://portal.example.org {code} extra"),
                Malformed,
            ),
            (
                "BADGEIN-SETUP/1 https://portal.example.org".into(),
                Malformed,
            ),
            ("BADGEIN-SETUP/1".into(), Malformed),
            (
                format!("BADGEIN-SETUP/2 https://portal.example.org {code}"),
                NotSetupQr,
            ),
            (
                format!("BADGEIN-SETUP/10 https://portal.example.org {code}"),
                Malformed,
            ),
            (
                format!("badgein-setup/1 https://portal.example.org {code}"),
                NotSetupQr,
            ),
            (
                format!(" BADGEIN-SETUP/1 https://portal.example.org {code}"),
                NotSetupQr,
            ),
            (format!("https://portal.example.org {code}"), NotSetupQr),
            (
                "BI1-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
                NotSetupQr,
            ),
            (
                "BADGEIN-SETUP/1 https://portal.example.org ABCDE-FGHI1".into(),
                Code,
            ),
            (
                "BADGEIN-SETUP/1 https://portal.example.org ABCDEFGHIJ".into(),
                Code,
            ),
            (
                "BADGEIN-SETUP/1 https://portal.example.org ABCDE-FGHIJK".into(),
                Code,
            ),
            (
                "BADGEIN-SETUP/1 https://portal.example.org BFT-ABC".into(),
                Code,
            ),
            (
                format!("BADGEIN-SETUP/1 https://portal.example.org {TOKEN}A"),
                Code,
            ),
            (
                "BADGEIN-SETUP/1 https://portal.example.org ÀBCDE-FGHIJ".into(),
                Code,
            ),
        ] {
            assert_eq!(refused(text.as_bytes()), why, "{text:?}");
        }
        assert_eq!(refused(&[0xff; 20]), NotText);
        assert_eq!(
            refused(b"BADGEIN-SETUP/1 https://p.example \xff\xfe"),
            NotText
        );
        assert_eq!(refused(&[b'A'; MAX_LEN + 1]), TooLong);
        assert_eq!(refused(b""), NotSetupQr);
    }

    #[test]
    fn neither_debug_nor_errors_show_the_code() {
        let qr = ok("BADGEIN-SETUP/1 https://portal.example.org ABCDE-FGHIJ");
        assert!(!format!("{qr:?}").contains("ABCDE"));
        let e = refused(b"BADGEIN-SETUP/1 https://portal.example.org/x ABCDE-FGHIJ");
        assert!(!e.to_string().contains("ABCDE") && !e.to_string().contains("portal.example"));
    }
}
