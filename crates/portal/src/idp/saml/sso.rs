//! The single sign-on endpoint's rules, free of HTTP: which requests get an answer, and where
//! it may go. The answer only ever goes to the ACS the app registered; a request naming
//! another is refused (with a page, never a post or a redirect there).

use thiserror::Error;

use super::request::{AuthnRequest, RequestError};

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
}
