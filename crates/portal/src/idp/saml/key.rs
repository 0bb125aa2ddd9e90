//! [`SamlKey`]: the current RSA signing key as SAML uses it: RSA-SHA256 (RSASSA-PKCS1-v1_5)
//! signatures over canonical XML, and the self-signed certificate apps pin ([`super::cert`]).
//! It is the same key that signs RS256 ID tokens; `Debug` shows its kid only.

use std::fmt;

use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::sha2::{Digest as _, Sha256};

use crate::clock::Millis;
use crate::idp::KeyError;

/// The current RSA key, opened.
pub struct SamlKey {
    kid: String,
    created_at: Millis,
    key: rsa::PrivateKey,
}

impl fmt::Debug for SamlKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SamlKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SamlKey {
    pub(crate) fn new(kid: String, created_at: Millis, key: rsa::PrivateKey) -> Self {
        Self {
            kid,
            created_at,
            key,
        }
    }

    /// The key's kid (its RFC 7638 thumbprint, as in the JWKS).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// When the key was made: the certificate's `notBefore`.
    pub fn created_at(&self) -> Millis {
        self.created_at
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`
    /// (`http://www.w3.org/2001/04/xmldsig-more#rsa-sha256`).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let digest = Sha256::digest(message);
        self.key
            .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
            .map_err(|e| KeyError::Saml {
                what: "RSA-SHA256 signature",
                reason: e.to_string(),
            })
    }

    /// The private key as PKCS#8 DER (zeroized when dropped), for the certificate only.
    pub(super) fn pkcs8(&self) -> Result<rsa::pkcs8::SecretDocument, KeyError> {
        use rsa::pkcs8::EncodePrivateKey as _;
        self.key.to_pkcs8_der().map_err(|e| KeyError::Saml {
            what: "PKCS#8 encoding",
            reason: e.to_string(),
        })
    }
}
