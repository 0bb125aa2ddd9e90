//! The single sign-on endpoint's rules, free of HTTP: which requests get an answer, and where
//! it may go. The answer only ever goes to the ACS the app registered; a request naming
//! another is refused (with a page, never a post or a redirect there).

use thiserror::Error;

use super::request::{AuthnRequest, RequestError};
use super::response::{NameId, ns};
use crate::clock::{Millis, parse_instant};

/// The one binding we answer with.
pub const HTTP_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

/// Why the endpoint answers with an error page. The messages name the rule, never the input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SsoError {
    #[error("no SAML request was given")]
    NoRequest,
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("the app asking is not registered with BadgeIn for SAML sign-in")]
    UnknownApp,
    #[error("the app asked for its answer at an address it did not register")]
    AcsMismatch,
    #[error("the SAML request was meant for another identity provider")]
    WrongDestination,
    #[error("the app asked for an answer binding BadgeIn does not offer (only HTTP-POST)")]
    UnsupportedBinding,
    #[error("this app is not available to you")]
    NotShown,
    #[error(
        "this app signs people in by their e-mail address, and the school's roster has none \
         for you: ask the school office to add it"
    )]
    NoEmail,
}

/// Checks `request` against the app's registered ACS and our SSO URL. An ACS index is taken
/// only as 0 (an app registers one ACS).
pub fn check(request: &AuthnRequest, registered_acs: &str, sso_url: &str) -> Result<(), SsoError> {
    if request.destination.as_deref().is_some_and(|d| d != sso_url) {
        return Err(SsoError::WrongDestination);
    }
    if request
        .acs_url
        .as_deref()
        .is_some_and(|a| a != registered_acs)
        || request.acs_index.is_some_and(|i| i != 0)
    {
        return Err(SsoError::AcsMismatch);
    }
    if request
        .protocol_binding
        .as_deref()
        .is_some_and(|b| b != HTTP_POST)
    {
        return Err(SsoError::UnsupportedBinding);
    }
    Ok(())
}

/// How far behind ours an app's clock may be for a sign-in it forced to count: a session that
/// began up to this long before the request's `IssueInstant` was made for it.
pub const FORCE_AUTHN_SKEW_MS: Millis = 60_000;

/// Whether a live session that began at `started_at` may answer `request` at `now`. Any may,
/// unless the request says `ForceAuthn` (SAML Core 3.4.1: the user signs in again rather than
/// rely on an earlier sign-in); then only one begun after the request was made, as the user's
/// sign-in on the login page it leads to is. When it was made is the app's `IssueInstant`, by
/// the app's clock: taken no later than `now` (an app whose clock runs ahead would otherwise
/// send the user round the login page forever), and with [`FORCE_AUTHN_SKEW_MS`] for a clock
/// behind. The answer's `AuthnInstant` says when the session began, for the app to check.
pub fn session_answers(request: &AuthnRequest, started_at: Millis, now: Millis) -> bool {
    if !request.force_authn {
        return true;
    }
    let asked_at = parse_instant(&request.issue_instant).map_or(now, |t| t.min(now));
    started_at >= asked_at.saturating_sub(FORCE_AUTHN_SKEW_MS)
}

/// The `NameID` for `request` from the app `sp_entity_id`: the user's address when the
/// request's `NameIDPolicy` asks for the emailAddress format, or when the app is Google
/// Workspace, which matches accounts only by the address in the NameID and whose requests do
/// not ask for a format (the organization's SSO profile's entity id is `google.com`, or
/// `google.com/a/<domain>` with a domain-specific issuer; a newer per-profile one's starts
/// with `https://accounts.google.com/samlrp/`); else the persistent, per-app id. Asked but the roster has no
/// address: refused ([`SsoError::NoEmail`]), never another NameID in its place, which the
/// app would take for a different account.
///
/// `asked_format` is the request's `NameIDPolicy/@Format`; `None` for an IdP-initiated
/// sign-in, which has no request.
pub fn name_id<'a>(
    asked_format: Option<&str>,
    sp_entity_id: &str,
    email: Option<&'a str>,
) -> Result<NameId<'a>, SsoError> {
    let asked = asked_format == Some(ns::EMAIL_ADDRESS) || is_google_workspace(sp_entity_id);
    match (asked, email) {
        (false, _) => Ok(NameId::Persistent),
        (true, Some(address)) => Ok(NameId::Email(address)),
        (true, None) => Err(SsoError::NoEmail),
    }
}

fn is_google_workspace(sp_entity_id: &str) -> bool {
    sp_entity_id == "google.com"
        || sp_entity_id
            .strip_prefix("google.com/a/")
            .is_some_and(|domain| !domain.is_empty() && !domain.contains('/'))
        || sp_entity_id
            .strip_prefix("https://accounts.google.com/samlrp/")
            .is_some_and(|profile| !profile.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACS: &str = "https://sp.example/acs";
    const SSO: &str = "https://portal.example/saml/sso";

    fn request() -> AuthnRequest {
        AuthnRequest {
            id: "_r".into(),
            issuer: "urn:sp".into(),
            issue_instant: "2026-01-01T00:00:00Z".into(),
            destination: None,
            acs_url: None,
            acs_index: None,
            protocol_binding: None,
            name_id_format: None,
            force_authn: false,
            is_passive: false,
        }
    }

    #[test]
    fn only_the_registered_acs_and_our_endpoint() {
        assert_eq!(check(&request(), ACS, SSO), Ok(()));
        let full = AuthnRequest {
            destination: Some(SSO.into()),
            acs_url: Some(ACS.into()),
            protocol_binding: Some(HTTP_POST.into()),
            ..request()
        };
        assert_eq!(check(&full, ACS, SSO), Ok(()));
        for (bad, err) in [
            (
                AuthnRequest {
                    acs_url: Some("https://evil.example/acs".into()),
                    ..request()
                },
                SsoError::AcsMismatch,
            ),
            (
                AuthnRequest {
                    acs_url: Some(format!("{ACS}/")),
                    ..request()
                },
                SsoError::AcsMismatch,
            ),
            (
                AuthnRequest {
                    acs_index: Some(3),
                    ..request()
                },
                SsoError::AcsMismatch,
            ),
            (
                AuthnRequest {
                    destination: Some("https://other-idp.example/sso".into()),
                    ..request()
                },
                SsoError::WrongDestination,
            ),
            (
                AuthnRequest {
                    protocol_binding: Some(
                        "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact".into(),
                    ),
                    ..request()
                },
                SsoError::UnsupportedBinding,
            ),
        ] {
            assert_eq!(check(&bad, ACS, SSO), Err(err));
        }
    }

    #[test]
    fn a_forced_sign_in_is_one_made_after_the_request() {
        let at = |t: &str| parse_instant(t).unwrap();
        let asked = AuthnRequest {
            issue_instant: "2026-12-05T09:00:00Z".into(),
            force_authn: true,
            ..request()
        };
        let now = at("2026-12-05T09:00:30Z");
        // Without ForceAuthn any live session answers.
        assert!(session_answers(&request(), at("2026-12-01T08:00:00Z"), now));
        assert!(session_answers(&asked, at("2026-12-05T09:00:10Z"), now));
        assert!(session_answers(&asked, at("2026-12-05T08:59:00Z"), now));
        assert!(!session_answers(&asked, at("2026-12-05T08:58:59Z"), now));
        assert!(!session_answers(&asked, at("2026-12-05T07:00:00Z"), now));
        // The app's clock an hour ahead: the request counts as made now, so a sign-in
        // just made answers it (no loop through the login page).
        let ahead = AuthnRequest {
            issue_instant: "2026-12-05T10:00:00Z".into(),
            ..asked.clone()
        };
        assert!(session_answers(&ahead, now, now));
        assert!(!session_answers(&ahead, at("2026-12-05T08:00:00Z"), now));
        // An instant we cannot read: as if made now.
        let unreadable = AuthnRequest {
            issue_instant: "yesterday".into(),
            ..asked
        };
        assert!(session_answers(&unreadable, now, now));
        assert!(!session_answers(
            &unreadable,
            at("2026-12-05T08:00:00Z"),
            now
        ));
    }

    #[test]
    fn the_address_only_when_asked_and_known() {
        let email = Some("kim@maple.example");
        let asking = Some(ns::EMAIL_ADDRESS);
        assert_eq!(name_id(None, "urn:sp", email), Ok(NameId::Persistent));
        assert_eq!(
            name_id(asking, "urn:sp", email),
            Ok(NameId::Email("kim@maple.example"))
        );
        assert_eq!(name_id(asking, "urn:sp", None), Err(SsoError::NoEmail));
        let other = Some(ns::PERSISTENT);
        assert_eq!(name_id(other, "urn:sp", email), Ok(NameId::Persistent));
        // Google Workspace asks for no format and matches by the address.
        for google in [
            "google.com",
            "google.com/a/maple.example",
            "https://accounts.google.com/samlrp/03abc",
        ] {
            assert_eq!(
                name_id(None, google, email),
                Ok(NameId::Email("kim@maple.example"))
            );
            assert_eq!(name_id(None, google, None), Err(SsoError::NoEmail));
        }
        for not_google in [
            "google.com/a/",
            "google.com/a/x/y",
            "evil.google.com",
            "https://google.com",
            "https://accounts.google.com/samlrp/",
            "https://accounts.google.com.evil.example/samlrp/x",
        ] {
            assert_eq!(
                name_id(None, not_google, email),
                Ok(NameId::Persistent),
                "{not_google}"
            );
        }
    }
}
