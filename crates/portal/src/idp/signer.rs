//! [`Signer`]: signs a token (ID token, logout token) with the current key of the algorithm the
//! app registered, naming the key in the header's `kid` so the app finds it in the JWKS.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header};
use serde::Serialize;

use super::rsa_key::RsaKey;
use super::{KeyError, SigningAlg};

/// The header's `typ`: explicit typing keeps one kind of token from passing as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    /// An ID token: `JWT`.
    IdToken,
    /// A back-channel logout token: `logout+jwt` (Back-Channel Logout 1.0, section 2.4).
    LogoutToken,
}

impl TokenType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IdToken => "JWT",
            Self::LogoutToken => "logout+jwt",
        }
    }
}

/// A current key, opened.
pub(crate) struct CurrentKey {
    pub kid: String,
    pub alg: SigningAlg,
    pub encoding: EncodingKey,
    /// The RSA key as AWS-LC signs with it: RS256 tokens and SAML's XML signatures (`None`
    /// for the other algorithms).
    pub rsa: Option<RsaKey>,
}

impl fmt::Debug for CurrentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CurrentKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// The current key of each algorithm. Made by `Portal::load_signing_keys`; replaced, not
/// changed, at a rotation.
#[derive(Debug)]
pub struct Signer {
    keys: Vec<CurrentKey>,
}

impl Signer {
    pub(crate) fn new(keys: Vec<CurrentKey>) -> Self {
        Self { keys }
    }

    pub(crate) fn keys(&self) -> &[CurrentKey] {
        &self.keys
    }

    /// The kid of the current `alg` key.
    pub fn kid(&self, alg: SigningAlg) -> Option<&str> {
        self.key(alg).map(|k| k.kid.as_str())
    }

    /// The current RSA key as SAML signs with it.
    pub fn rsa_key(&self) -> Result<&RsaKey, KeyError> {
        self.keys
            .iter()
            .find_map(|k| k.rsa.as_ref())
            .ok_or(KeyError::NoCurrentKey(SigningAlg::Rs256))
    }

    fn key(&self, alg: SigningAlg) -> Option<&CurrentKey> {
        self.keys.iter().find(|k| k.alg == alg)
    }

    /// A compact JWS of `claims` with the current `alg` key; the header says `alg`, `kid` and
    /// `typ`. The claims are the caller's: this checks none of them.
    pub fn sign(
        &self,
        claims: &impl Serialize,
        alg: SigningAlg,
        typ: TokenType,
    ) -> Result<String, KeyError> {
        let key = self.key(alg).ok_or(KeyError::NoCurrentKey(alg))?;
        let mut header = Header::new(alg.jwt());
        header.kid = Some(key.kid.clone());
        header.typ = Some(typ.as_str().to_owned());
        match &key.rsa {
            // The RSA key signs through AWS-LC (`idp::rsa_key` says why); the token is the JWS
            // compact serialization jsonwebtoken::encode writes, and jsonwebtoken verifies it.
            Some(rsa) => compact(&header, claims, |input| rsa.sign(input)),
            None => jsonwebtoken::encode(&header, claims, &key.encoding).map_err(KeyError::Sign),
        }
    }
}

/// `base64url(header) . base64url(claims) . base64url(signature over the first two)` (RFC 7515
/// 7.1).
fn compact(
    header: &Header,
    claims: &impl Serialize,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, KeyError>,
) -> Result<String, KeyError> {
    let header = serde_json::to_vec(header).map_err(KeyError::Encode)?;
    let claims = serde_json::to_vec(claims).map_err(KeyError::Encode)?;
    let mut token = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let signature = sign(token.as_bytes())?;
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(signature));
    Ok(token)
}
