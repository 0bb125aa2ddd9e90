//! Where the device credential lives: the operating system's secret store, never the config
//! file, the logs or the window (X8). Behind a trait so tests and the shell can choose.

mod keyring_store;
mod memory;

pub use keyring_store::KeyringStore;
pub use memory::MemoryStore;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use url::Url;

use crate::redacted::Redacted;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SecretError {
    /// No store that keeps a secret across restarts: the kiosk refuses to enroll.
    #[error("no persistent secret store: {0}")]
    NotPersistent(String),
    #[error("the secret store failed: {0}")]
    Store(String),
}

/// The device credential and the origin (scheme, host, port) of the portal that issued it.
/// It is only ever sent there: [`crate::portal_client::PortalClient::new`] refuses it for any
/// other address, so a portal address changed in setup (or in the config file) cannot lure
/// it elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    origin: String,
    secret: Redacted,
}

/// The credential as the secret store keeps it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    origin: String,
    secret: String,
}

impl Credential {
    /// The credential the portal at `portal` issued.
    pub fn issued_by(portal: &Url, secret: Redacted) -> Self {
        Self {
            origin: portal.origin().ascii_serialization(),
            secret,
        }
    }

    /// The origin it was issued by, e.g. `https://portal.school.example`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Whether it may be sent to `url`: same scheme, host and port as its issuer.
    pub fn is_for(&self, url: &Url) -> bool {
        url.origin().ascii_serialization() == self.origin
    }

    pub fn secret(&self) -> &Redacted {
        &self.secret
    }

    /// The text the secret store keeps.
    fn to_stored(&self) -> Redacted {
        let stored = Stored {
            origin: self.origin.clone(),
            secret: self.secret.expose().to_owned(),
        };
        // Two strings always serialise.
        Redacted::new(serde_json::to_string(&stored).unwrap_or_default())
    }

    /// Reads what [`Self::to_stored`] wrote. A bare credential without its origin cannot be
    /// bound to a portal safely and is refused (enroll again).
    fn from_stored(text: &Redacted) -> Result<Self, SecretError> {
        let stored: Stored = serde_json::from_str(text.expose()).map_err(|_| {
            SecretError::Store(
                "the stored device credential has no issuing portal; enroll again".into(),
            )
        })?;
        Ok(Self {
            origin: stored.origin,
            secret: Redacted::new(stored.secret),
        })
    }
}

/// The one secret the kiosk keeps: its device credential.
pub trait SecretStore: Send + Sync {
    /// The stored credential, if any.
    fn load(&self) -> Result<Option<Credential>, SecretError>;
    fn store(&self, credential: &Credential) -> Result<(), SecretError>;
    /// Forgets the credential; forgetting nothing is fine.
    fn delete(&self) -> Result<(), SecretError>;
    /// Proves the store keeps secrets across restarts: writes, reads back and deletes a probe.
    /// Run before enrolling; a kiosk that would lose its credential at the next reboot must
    /// say so to the teacher instead.
    fn self_check(&self) -> Result<(), SecretError>;
}

/// A random probe value, so two kiosks checking at once cannot confuse each other.
fn probe_value() -> Result<String, SecretError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| SecretError::Store(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_belongs_to_its_issuers_origin_only() {
        let issuer = Url::parse("https://portal.school.example/kiosk/").unwrap();
        let c = Credential::issued_by(&issuer, Redacted::new("cred-1"));
        assert_eq!(c.origin(), "https://portal.school.example");
        assert!(c.is_for(&Url::parse("https://portal.school.example/other").unwrap()));
        for elsewhere in [
            "https://evil.example",
            "http://portal.school.example",
            "https://portal.school.example:8443",
            "https://portal.school.example.evil.example",
        ] {
            assert!(!c.is_for(&Url::parse(elsewhere).unwrap()), "{elsewhere}");
        }
        assert!(!format!("{c:?}").contains("cred-1"));
        let back = Credential::from_stored(&c.to_stored()).unwrap();
        assert_eq!(back, c);
        assert!(Credential::from_stored(&Redacted::new("bare-old-credential")).is_err());
    }
}
