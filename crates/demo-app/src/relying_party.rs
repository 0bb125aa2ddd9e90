//! The OpenID Connect relying party, built on the `openidconnect` crate: discovery, the
//! authorization code flow (PKCE S256, state, nonce, `client_secret_basic`), the ID token
//! checked with the portal's JWKS, and logout tokens checked with the same keys.

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, DiscoveryError,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpClientError,
    IdTokenClaims, IdTokenFields, IdTokenVerifier, IssuerUrl, Nonce, PkceCodeChallenge,
    RequestTokenError, Scope, StandardErrorResponse, StandardTokenResponse, TokenResponse as _,
    reqwest,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use url::Url;

use crate::config::Config;
use crate::logout_token::{self, Expected, LogoutSubject, LogoutTokenError};
use crate::provider_keys::{KeysError, ProviderKeys};
use crate::sessions::{AppSession, PendingLogin};

/// How long a request to the portal may take.
const PORTAL_TIMEOUT: Duration = Duration::from_secs(10);

/// The ID token's `sid` (the portal's session), which `openidconnect`'s core claims lack.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionIdClaim {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
}

impl AdditionalClaims for SessionIdClaim {}

type HttpError = HttpClientError<reqwest::Error>;
type Fields = IdTokenFields<
    SessionIdClaim,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
type PortalClient = Client<
    SessionIdClaim,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
    EndpointMaybeSet,
>;

/// Why the relying party could not start.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("the HTTP client could not be made")]
    Client(#[source] reqwest::Error),
    #[error("OpenID Connect discovery at {issuer} failed")]
    Discovery {
        issuer: String,
        #[source]
        source: DiscoveryError<HttpError>,
    },
    #[error("the provider's discovery document names no token endpoint")]
    NoTokenEndpoint,
    #[error("the provider's signing keys could not be read")]
    Keys(#[from] KeysError),
}

/// Why a sign-in could not be finished.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("the portal refused the code")]
    Exchange(#[source] RequestTokenError<HttpError, StandardErrorResponse<CoreErrorResponseType>>),
    #[error("the portal's answer has no ID token")]
    NoIdToken,
    #[error("the ID token does not verify")]
    IdToken(#[source] openidconnect::ClaimsVerificationError),
}

/// The app as the portal's client.
#[derive(Debug)]
pub struct RelyingParty {
    client: PortalClient,
    http: reqwest::Client,
    keys: ProviderKeys,
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: ClientSecret,
}

impl RelyingParty {
    /// Reads the portal's discovery document and its JWKS.
    pub async fn discover(config: &Config) -> Result<Self, DiscoverError> {
        // No redirects: a relying party's requests to its provider must not be sent elsewhere.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PORTAL_TIMEOUT)
            .build()
            .map_err(DiscoverError::Client)?;
        let meta = CoreProviderMetadata::discover_async(config.issuer.clone(), &http)
            .await
            .map_err(|source| DiscoverError::Discovery {
                issuer: config.issuer.to_string(),
                source,
            })?;
        let token_url = meta
            .token_endpoint()
            .cloned()
            .ok_or(DiscoverError::NoTokenEndpoint)?;
        let keys = ProviderKeys::fetch(http.clone(), meta.jwks_uri().url().clone()).await?;
        let client = Client::from_provider_metadata(
            meta,
            config.client_id.clone(),
            Some(config.client_secret.clone()),
        )
        .set_redirect_uri(config.redirect_url())
        .set_token_uri(token_url);
        Ok(Self {
            client,
            http,
            keys,
            issuer: config.issuer.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
        })
    }

    /// Where to send the browser to sign in, and what its answer must match.
    pub fn start_login(&self) -> (Url, PendingLogin) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = self
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        (
            url,
            PendingLogin {
                state,
                nonce,
                verifier,
            },
        )
    }

    /// Exchanges `code` (its state already matched `login`'s) and checks the ID token.
    pub async fn finish_login(
        &self,
        code: AuthorizationCode,
        login: PendingLogin,
    ) -> Result<AppSession, LoginError> {
        let tokens = self
            .client
            .exchange_code(code)
            .set_pkce_verifier(login.verifier)
            .request_async(&self.http)
            .await
            .map_err(LoginError::Exchange)?;
        let id_token = tokens.id_token().ok_or(LoginError::NoIdToken)?;
        let verify = |jwks: CoreJsonWebKeySet| {
            let verifier = IdTokenVerifier::new_confidential_client(
                self.client_id.clone(),
                self.client_secret.clone(),
                self.issuer.clone(),
                jwks,
            );
            id_token.claims(&verifier, &login.nonce).map(session_of)
        };
        let checked = verify(self.keys.current().await.oidc.clone());
        let unknown_key = matches!(
            checked,
            Err(
                openidconnect::ClaimsVerificationError::SignatureVerification(
                    openidconnect::SignatureVerificationError::NoMatchingKey,
                )
            )
        );
        let checked = if unknown_key && let Some(keys) = self.keys.refetch().await {
            verify(keys.oidc.clone())
        } else {
            checked
        };
        checked.map_err(LoginError::IdToken)
    }

    /// Checks a logout token (section 2.6) at `now` (seconds since the Unix epoch), fetching
    /// the JWKS again once when it names a key not seen yet.
    pub async fn check_logout_token(
        &self,
        token: &str,
        now: i64,
    ) -> Result<LogoutSubject, LogoutTokenError> {
        let expected = Expected {
            issuer: self.issuer.as_str(),
            audience: self.client_id.as_str(),
            now,
        };
        match logout_token::check(token, &self.keys.current().await.jwt, &expected) {
            Err(LogoutTokenError::UnknownKey) => match self.keys.refetch().await {
                Some(keys) => logout_token::check(token, &keys.jwt, &expected),
                None => Err(LogoutTokenError::UnknownKey),
            },
            checked => checked,
        }
    }
}

/// The app's session from the ID token's claims: `name`, else `given_name`, else a word.
fn session_of(claims: &IdTokenClaims<SessionIdClaim, CoreGenderClaim>) -> AppSession {
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_owned())
        .or_else(|| {
            claims
                .given_name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned())
        })
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "a reader".to_owned());
    AppSession {
        name,
        sub: claims.subject().as_str().to_owned(),
        sid: claims.additional_claims().sid.clone(),
    }
}
