//! The provider metadata (OpenID Connect Discovery 1.0), served at
//! `/.well-known/openid-configuration`. Endpoints are the issuer plus a fixed path; the issuer
//! is the portal's public URL exactly as apps compare it with the `iss` of every token.

use serde::Serialize;

use super::SigningAlg;

/// Where each endpoint is, below the issuer.
pub mod paths {
    pub const DISCOVERY: &str = "/.well-known/openid-configuration";
    pub const AUTHORIZE: &str = "/oauth/authorize";
    pub const TOKEN: &str = "/oauth/token";
    pub const USERINFO: &str = "/oauth/userinfo";
    pub const JWKS: &str = "/oauth/jwks";
    pub const END_SESSION: &str = "/oauth/logout";
}

/// The scopes an app may ask for (docs/identity-provider.md says what each releases).
pub const SCOPES: &[&str] = &["openid", "profile", "email", "school"];

/// The claims a token or the userinfo answer may carry. `roles`, `school` and `grade` are
/// BadgeIn's own.
pub const CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "amr",
    "sid",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "email",
    "email_verified",
    "locale",
    "roles",
    "school",
    "grade",
];

/// The discovery document. Field names are the specification's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
    pub jwks_uri: String,
    pub end_session_endpoint: String,
    pub response_types_supported: Vec<&'static str>,
    pub response_modes_supported: Vec<&'static str>,
    pub grant_types_supported: Vec<&'static str>,
    pub subject_types_supported: Vec<&'static str>,
    pub id_token_signing_alg_values_supported: Vec<&'static str>,
    pub scopes_supported: Vec<&'static str>,
    pub claims_supported: Vec<&'static str>,
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    pub code_challenge_methods_supported: Vec<&'static str>,
    pub backchannel_logout_supported: bool,
    pub backchannel_logout_session_supported: bool,
}

impl ProviderMetadata {
    /// The document for `issuer` (no trailing slash: `https://portal.example.org`).
    pub fn for_issuer(issuer: &str) -> Self {
        let at = |path: &str| format!("{issuer}{path}");
        Self {
            issuer: issuer.to_owned(),
            authorization_endpoint: at(paths::AUTHORIZE),
            token_endpoint: at(paths::TOKEN),
            userinfo_endpoint: at(paths::USERINFO),
            jwks_uri: at(paths::JWKS),
            end_session_endpoint: at(paths::END_SESSION),
            // The authorization code flow only (RFC 9700: no implicit flow).
            response_types_supported: vec!["code"],
            response_modes_supported: vec!["query"],
            grant_types_supported: vec!["authorization_code"],
            subject_types_supported: vec!["public", "pairwise"],
            id_token_signing_alg_values_supported: SigningAlg::ALL
                .iter()
                .map(|a| a.as_str())
                .collect(),
            scopes_supported: SCOPES.to_vec(),
            claims_supported: CLAIMS.to_vec(),
            token_endpoint_auth_methods_supported: vec![
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            // S256 only: `plain` gives no protection against a stolen code.
            code_challenge_methods_supported: vec!["S256"],
            backchannel_logout_supported: true,
            backchannel_logout_session_supported: true,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn endpoints_sit_below_the_issuer_and_rs256_comes_first() {
        let m = ProviderMetadata::for_issuer("https://portal.example.org");
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["issuer"], "https://portal.example.org");
        assert_eq!(json["jwks_uri"], "https://portal.example.org/oauth/jwks");
        assert_eq!(
            json["authorization_endpoint"],
            "https://portal.example.org/oauth/authorize"
        );
        assert_eq!(json["id_token_signing_alg_values_supported"][0], "RS256");
        assert_eq!(
            json["response_types_supported"],
            serde_json::json!(["code"])
        );
        assert_eq!(
            json["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
    }
}
