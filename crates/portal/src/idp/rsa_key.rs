//! [`RsaKey`]: the current RSA signing key: RSA-SHA256 (RSASSA-PKCS1-v1_5) signatures over
//! canonical XML for SAML and over the signing input of RS256 tokens (`idp::signer`), and the
//! self-signed certificate SAML apps pin (`idp::saml::cert`). `Debug` shows its kid only.
//!
//! The signatures are AWS-LC's (aws-lc-rs), not the `rsa` crate's that made the key: one
//! RSA-2048 signature per app sign-in was the largest single cost of single sign-on
//! (`benches/sso`), and on this machine it takes the `rsa` crate about 2.7 ms of CPU, ring
//! 0.61 ms and AWS-LC 0.27 ms.

use std::fmt;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};

use crate::clock::Millis;
use crate::idp::KeyError;

/// The current RSA key, opened.
pub struct RsaKey {
    kid: String,
    created_at: Millis,
    key: rsa::PrivateKey,
    /// The same key, as AWS-LC signs with it.
    signing: RsaKeyPair,
    rng: SystemRandom,
}

impl fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl RsaKey {
    pub(crate) fn new(
        kid: String,
        created_at: Millis,
        key: rsa::PrivateKey,
    ) -> Result<Self, KeyError> {
        use rsa::pkcs8::EncodePrivateKey as _;
        let refused = |reason: String| KeyError::Saml {
            what: "RSA key for signing",
            reason,
        };
        let pkcs8 = key.to_pkcs8_der().map_err(|e| refused(e.to_string()))?;
        let signing =
            RsaKeyPair::from_pkcs8(pkcs8.as_bytes()).map_err(|e| refused(e.to_string()))?;
        Ok(Self {
            kid,
            created_at,
            key,
            signing,
            rng: SystemRandom::new(),
        })
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
        let mut signature = vec![0; self.signing.public_modulus_len()];
        self.signing
            .sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
            .map_err(|e| KeyError::Saml {
                what: "RSA-SHA256 signature",
                reason: e.to_string(),
            })?;
        Ok(signature)
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
