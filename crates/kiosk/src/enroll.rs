//! Enrolling the kiosk: check the secret store first (refuse rather than lose the credential
//! at the next reboot), trade the teacher's code for a device credential, keep it in the
//! store. The credential itself is never returned to the caller.

use std::sync::Arc;

use badgein_proto::{KioskSettings, School};
use thiserror::Error;

use crate::machine::Code;
use crate::portal_client::{ClientError, PortalClient};
use crate::redacted::Redacted;
use crate::secrets::{SecretError, SecretStore};

/// What the kiosk learns by enrolling (everything but the credential).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub kiosk_id: String,
    pub school: School,
    pub portal_name: String,
    pub settings: KioskSettings,
}

#[derive(Debug, Error)]
pub enum EnrollError {
    /// No persistent secret store: nothing was sent to the portal.
    #[error("refusing to enroll: {0}")]
    NoPersistentStore(SecretError),
    #[error(transparent)]
    Portal(#[from] ClientError),
    #[error("enrolled, but the credential could not be stored: {0}")]
    Store(SecretError),
}

impl EnrollError {
    /// The message for the setup screen.
    pub fn code(&self) -> Code {
        match self {
            Self::NoPersistentStore(_) | Self::Store(_) => Code::KeyringUnavailable,
            Self::Portal(ClientError::Problem { code, .. }) => (*code).into(),
            Self::Portal(_) => Code::Offline,
        }
    }
}

/// Enrolls with the portal at `portal_url`; on success the credential is in `store` and the
/// returned client carries it.
pub async fn enroll(
    store: Arc<dyn SecretStore>,
    portal_url: &str,
    code: &str,
    kiosk_name: &str,
) -> Result<(PortalClient, Enrollment), EnrollError> {
    let checked = Arc::clone(&store);
    blocking(move || checked.self_check())
        .await
        .map_err(EnrollError::NoPersistentStore)?;
    let client = PortalClient::new(portal_url, None)?;
    let enrolled = client.enroll(code, kiosk_name).await?;
    let credential = Redacted::new(enrolled.device_credential);
    let kept = credential.clone();
    blocking(move || store.store(&kept))
        .await
        .map_err(EnrollError::Store)?;
    tracing::info!(kiosk_id = %enrolled.kiosk_id, "kiosk enrolled");
    let client = PortalClient::new(portal_url, Some(credential))?;
    Ok((
        client,
        Enrollment {
            kiosk_id: enrolled.kiosk_id,
            school: enrolled.school,
            portal_name: enrolled.portal_name,
            settings: enrolled.settings,
        },
    ))
}

/// Secret stores talk to D-Bus or the keychain synchronously (and may wait for an unlock):
/// keep that off the async workers.
async fn blocking(
    f: impl FnOnce() -> Result<(), SecretError> + Send + 'static,
) -> Result<(), SecretError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(SecretError::Store(e.to_string())))
}
