//! BadgeIn as the school's identity provider: the protocols apps use to trust its sign-in.
//!
//! * `saml`: SAML 2.0 (the `AuthnRequest` reader, the signed `Response`, the certificate and
//!   the metadata; `http::saml` serves them);
//!
//! and the foundation of the OpenID Connect provider (issue 10, item 2):
//!
//! * `kek`: the key-encryption key, a file outside the database that seals the private keys;
//! * `alg`: the JWS algorithms offered (RS256 always, as OpenID Connect Discovery requires;
//!   ES256 too);
//! * `keys`: the signing keys: made at first start, kept sealed in the database, rotated, and
//!   published (the JWKS) until every token they signed has expired;
//! * `signer`: signs a token with the current key of an algorithm, naming it in `kid`;
//! * `discovery`: the provider metadata (`/.well-known/openid-configuration`);
//! * `authorize`: the authorization request read and checked, PKCE, the redirect answers;
//! * `codes`: authorization codes issued and redeemed for an access token and an ID token;
//! * `logout`: the `sid` an app sees and the back-channel logout token;
//! * `backchannel`: the worker that sends those tokens when a session ends;
//! * `end_session`: RP-initiated logout (an app asks to sign the user out).
//!
//! No axum here: `http::oidc` serves these.

use std::path::PathBuf;
use std::time::Duration;

pub mod alg;
pub mod authorization;
pub mod authorize;
pub mod backchannel;
pub mod codes;
pub mod discovery;
pub mod end_session;
pub mod kek;
pub mod keys;
pub mod logout;
pub mod rsa_key;
pub mod saml;
pub mod signer;

pub use alg::SigningAlg;
pub use keys::{KeyInfo, SigningKeys};
pub use signer::{Signer, TokenType};

/// How long an ID token is valid (its `exp` minus its `iat`). Short: an app exchanges it once,
/// at sign-in, and classroom devices are shared.
pub const ID_TOKEN_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// How long a back-channel logout token is valid: it is sent at once and retried briefly.
pub const LOGOUT_TOKEN_LIFETIME: Duration = Duration::from_secs(2 * 60);

/// What can go wrong with the signing keys. Every variant says what to do; none shows key
/// material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the signing keys (or birth-date hashes) in this database need the key file {0}, which is missing: \
         restore it from the backup taken with the database (docs/operations.md)"
    )]
    KekMissing(PathBuf),
    #[error("cannot read the key file {path}: {source}")]
    KekUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the new key file {path}: {source}")]
    KekUnwritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("a key could not be derived from the key file")]
    Derive,
    #[error("the key file {0} is not a BadgeIn key file (64 hex digits)")]
    KekMalformed(PathBuf),
    #[error(
        "the key file {0} does not open the signing keys in this database: it is another \
         database's key file, or the keys were damaged (restore both from one backup)"
    )]
    WrongKek(PathBuf),
    #[error(
        "no key file for the signing keys: give --key-file (or BADGEIN_KEY_FILE); it is \
         required with PostgreSQL, and with SQLite it defaults to the database file's path + .kek"
    )]
    NoKeyFile,
    #[error(
        "signing key {kid} is damaged (it does not open, or is not the key its row names); \
         restore the database and its key file from one backup, or run `keys rotate`"
    )]
    Damaged { kid: String },
    #[error("stored signing key {kid} has an algorithm this version does not know")]
    UnknownAlgorithm { kid: String },
    #[error("no current {0} signing key: run `badgein-portal keys rotate`")]
    NoCurrentKey(SigningAlg),
    #[error("the signing keys are not loaded (the portal loads them when it starts serving)")]
    NotLoaded,
    #[error("key generation failed: {0}")]
    Generate(String),
    #[error("sealing a private key failed")]
    Seal,
    #[error("signing failed: {0}")]
    Sign(#[source] jsonwebtoken::errors::Error),
    #[error("a token's header or claims could not be written: {0}")]
    Encode(#[source] serde_json::Error),
    /// The SAML side of the RSA key: an XML signature, or the certificate of the key.
    #[error("SAML {what} failed: {reason}")]
    Saml { what: &'static str, reason: String },
    #[error("operating system random source failed: {0}")]
    Random(#[source] getrandom::Error),
    #[error(transparent)]
    Store(#[from] crate::error::PortalError),
}
