//! The identity provider's SAML signing certificate: self-signed X.509 (rcgen) over the
//! current RSA key, subject CN = the portal's public host.
//!
//! Derived, not stored: the serial number is the key's kid digest, `notBefore` the key's
//! creation, `notAfter` [`VALIDITY`] later, and RSA PKCS#1 v1.5 signatures are deterministic,
//! so the same key and host give the same certificate bytes on every start and on every portal
//! process. A rotation gives a new key and so a new certificate (apps must load the metadata
//! again; docs/identity-provider.md says so).

use std::sync::{Mutex, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::sha2::{Digest as _, Sha256};

use crate::idp::KeyError;
use crate::idp::rsa_key::RsaKey;

/// How long the certificate is valid. SAML apps check the signature against the pinned
/// certificate, and most ignore its dates; ten years keeps the few that check from failing
/// while a key stays current.
pub const VALIDITY_DAYS: i64 = 3650;

/// The certificate, DER.
#[derive(Clone, PartialEq, Eq)]
pub struct IdpCertificate {
    der: Vec<u8>,
}

impl std::fmt::Debug for IdpCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdpCertificate({} bytes)", self.der.len())
    }
}

impl IdpCertificate {
    /// Makes the certificate of `key` for `host` (the public URL's host, the subject's CN).
    pub fn for_key(key: &RsaKey, host: &str) -> Result<Self, KeyError> {
        let failed = |e: rcgen::Error| KeyError::Saml {
            what: "certificate",
            reason: e.to_string(),
        };
        let pkcs8 = key.pkcs8()?;
        let pair = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(
            &pkcs8.as_bytes().into(),
            &rcgen::PKCS_RSA_SHA256,
        )
        .map_err(failed)?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(failed)?;
        let mut name = rcgen::DistinguishedName::new();
        name.push(rcgen::DnType::CommonName, host);
        name.push(rcgen::DnType::OrganizationName, "BadgeIn identity provider");
        params.distinguished_name = name;
        let not_before = time::OffsetDateTime::from_unix_timestamp(
            key.created_at().div_euclid(1000),
        )
        .map_err(|e| KeyError::Saml {
            what: "certificate date",
            reason: e.to_string(),
        })?;
        params.not_before = not_before;
        params.not_after = not_before + time::Duration::days(VALIDITY_DAYS);
        // A positive 16-byte serial from the kid (RFC 5280: at most 20 octets, positive).
        let mut serial = Sha256::digest(key.kid().as_bytes())[..16].to_vec();
        serial[0] &= 0x7f;
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
        params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        let cert = params.self_signed(&pair).map_err(failed)?;
        Ok(Self {
            der: cert.der().to_vec(),
        })
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Base64 of the DER, as `ds:X509Certificate` carries it.
    pub fn base64(&self) -> String {
        STANDARD.encode(&self.der)
    }

    /// PEM, what an app's admin page takes as the "verification certificate".
    pub fn pem(&self) -> String {
        let b64 = self.base64();
        let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
        out
    }
}

/// The certificate of the last key and host asked for. Making one costs a PKCS#8 encoding,
/// ring's checks of the key and an RSA signature, as much again as the SAML response it goes
/// with; a key's certificate for a host never changes (see the top of this module), so the
/// serving portal makes it once per key.
#[derive(Debug, Default)]
pub struct CertificateCache {
    last: Mutex<Option<Cached>>,
}

#[derive(Debug)]
struct Cached {
    kid: String,
    host: String,
    cert: IdpCertificate,
}

impl CertificateCache {
    /// [`IdpCertificate::for_key`], made only when the key (by kid) or host is not the last.
    pub fn for_key(&self, key: &RsaKey, host: &str) -> Result<IdpCertificate, KeyError> {
        let lock = || self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(cached) = lock().as_ref()
            && cached.kid == key.kid()
            && cached.host == host
        {
            return Ok(cached.cert.clone());
        }
        // Made outside the lock: two requests racing after a rotation both make it, and
        // neither waits on the other's signature.
        let cert = IdpCertificate::for_key(key, host)?;
        *lock() = Some(Cached {
            kid: key.kid().to_owned(),
            host: host.to_owned(),
            cert: cert.clone(),
        });
        Ok(cert)
    }
}
