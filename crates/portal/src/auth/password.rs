//! Argon2id password hashing, off the async executor and bounded in concurrency (each hash
//! holds `m_cost` of memory). Unknown usernames are checked against a dummy hash of the same
//! cost, so they take as long as a wrong password.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::config::Argon2Cost;
use crate::error::{PortalError, Result};

/// Passwords longer than this are refused before hashing (Argon2 would take them, but
/// nobody types 1 kB and it bounds the work per request).
pub const MAX_PASSWORD_LEN: usize = 1024;
/// NIST SP 800-63B minimum for a chosen password.
pub const MIN_PASSWORD_LEN: usize = 8;

#[derive(Debug, Clone)]
pub struct Hasher {
    argon2: Argon2<'static>,
    permits: Arc<Semaphore>,
    dummy: Arc<str>,
}

impl Hasher {
    pub fn new(cost: Argon2Cost, concurrency: usize) -> Result<Self> {
        let params = Params::new(cost.m_cost_kib, cost.t_cost, cost.p_cost, None)
            .map_err(|e| PortalError::Hashing(e.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy = hash_with(&argon2, "not a real password")?;
        Ok(Self {
            argon2,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy: dummy.into(),
        })
    }

    pub async fn hash(&self, password: String) -> Result<String> {
        let argon2 = self.argon2.clone();
        self.blocking(move || hash_with(&argon2, &password)).await?
    }

    /// `stored` is `None` for an unknown user or one without a password: the dummy hash is
    /// checked instead and the answer is `false`.
    pub async fn verify(&self, stored: Option<String>, password: String) -> Result<bool> {
        let argon2 = self.argon2.clone();
        let dummy = Arc::clone(&self.dummy);
        self.blocking(move || {
            let real = stored.is_some();
            let phc = stored.as_deref().unwrap_or(&dummy);
            let ok = PasswordHash::new(phc)
                .is_ok_and(|h| argon2.verify_password(password.as_bytes(), &h).is_ok());
            ok && real
        })
        .await
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| PortalError::Hashing(e.to_string()))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| PortalError::Hashing(e.to_string()))
    }
}

fn hash_with(argon2: &Argon2<'_>, password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(PortalError::Random)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PortalError::Hashing(e.to_string()))?;
    argon2
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PortalError::Hashing(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_never_pass() {
        let h = Hasher::new(Argon2Cost::CHEAP_FOR_TESTS, 2).unwrap();
        let phc = h.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(!phc.contains("correct horse"));
        assert!(
            h.verify(Some(phc.clone()), "correct horse".into())
                .await
                .unwrap()
        );
        assert!(!h.verify(Some(phc), "wrong".into()).await.unwrap());
        assert!(!h.verify(None, "not a real password".into()).await.unwrap());
    }
}
