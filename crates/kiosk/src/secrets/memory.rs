//! A store in memory, for tests and demos. It can pretend to be persistent or not, so the
//! refusal to enroll without a persistent store can be tested.

use std::sync::{Mutex, PoisonError};

use super::{Credential, SecretError, SecretStore};

#[derive(Debug)]
pub struct MemoryStore {
    value: Mutex<Option<Credential>>,
    persistent: bool,
}

impl MemoryStore {
    /// A store that passes the self-check.
    pub fn new() -> Self {
        Self {
            value: Mutex::new(None),
            persistent: true,
        }
    }

    /// A store that fails the self-check, like keyutils alone on Linux.
    pub fn not_persistent() -> Self {
        Self {
            value: Mutex::new(None),
            persistent: false,
        }
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl SecretStore for MemoryStore {
    fn load(&self) -> Result<Option<Credential>, SecretError> {
        Ok(self
            .value
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone())
    }

    fn store(&self, credential: &Credential) -> Result<(), SecretError> {
        *self.value.lock().unwrap_or_else(PoisonError::into_inner) = Some(credential.clone());
        Ok(())
    }

    fn delete(&self) -> Result<(), SecretError> {
        *self.value.lock().unwrap_or_else(PoisonError::into_inner) = None;
        Ok(())
    }

    fn self_check(&self) -> Result<(), SecretError> {
        if self.persistent {
            Ok(())
        } else {
            Err(SecretError::NotPersistent(
                "this test store forgets everything when the kiosk stops".into(),
            ))
        }
    }
}
