//! Where the device credential lives: the operating system's secret store, never the config
//! file, the logs or the window (X8). Behind a trait so tests and the shell can choose.

mod keyring_store;
mod memory;

pub use keyring_store::KeyringStore;
pub use memory::MemoryStore;

use thiserror::Error;

use crate::redacted::Redacted;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SecretError {
    /// No store that keeps a secret across restarts: the kiosk refuses to enroll.
    #[error("no persistent secret store: {0}")]
    NotPersistent(String),
    #[error("the secret store failed: {0}")]
    Store(String),
}

/// The one secret the kiosk keeps: its device credential.
pub trait SecretStore: Send + Sync {
    /// The stored credential, if any.
    fn load(&self) -> Result<Option<Redacted>, SecretError>;
    fn store(&self, credential: &Redacted) -> Result<(), SecretError>;
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
