//! Enrolling the kiosk: check the secret store first (refuse rather than lose the credential
//! at the next reboot), trade the teacher's code for a device credential, keep it in the
//! store. The credential itself is never returned to the caller.

use std::sync::Arc;

use badgein_proto::{KioskSettings, School};
use thiserror::Error;

use crate::machine::Code;
use crate::portal_client::{ClientError, PortalClient};
use crate::redacted::Redacted;
use crate::secrets::{Credential, SecretError, SecretStore};

/// The name a kiosk enrolls under when the teacher typed none.
pub const DEFAULT_KIOSK_NAME: &str = "BadgeIn kiosk";

/// The name to enroll under: what the teacher typed, trimmed, or [`DEFAULT_KIOSK_NAME`].
pub fn kiosk_name(typed: &str) -> &str {
    match typed.trim() {
        "" => DEFAULT_KIOSK_NAME,
        name => name,
    }
}

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

/// Enrolls with the portal at `portal_url` as `name` (see [`kiosk_name`]); on success the
/// credential, bound to that portal's origin, is in `store` and the returned client carries
/// it. Surrounding spaces of the address and the code are ignored.
pub async fn enroll(
    store: Arc<dyn SecretStore>,
    portal_url: &str,
    code: &str,
    name: &str,
) -> Result<(PortalClient, Enrollment), EnrollError> {
    let portal_url = portal_url.trim();
    let code = code.trim();
    let name = kiosk_name(name);
    let checked = Arc::clone(&store);
    blocking(move || checked.self_check())
        .await
        .map_err(EnrollError::NoPersistentStore)?;
    let client = PortalClient::new(portal_url, None)?;
    let enrolled = client.enroll(code, name).await?;
    let credential =
        Credential::issued_by(client.base(), Redacted::new(enrolled.device_credential));
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

/// Leaves the portal the kiosk was enrolled with (its address changed): the credential is
/// deleted from the store first, then the driver drops its client and the machine hears
/// that the kiosk is no longer enrolled. The client is dropped even when the store fails, and
/// a credential left behind is still refused for any other portal by
/// [`PortalClient::new`].
pub async fn unenroll(
    store: Arc<dyn SecretStore>,
    handle: &crate::driver::KioskHandle,
) -> Result<(), SecretError> {
    let deleted = blocking(move || store.delete()).await;
    handle.use_client(None);
    handle.send(crate::machine::Event::Setup(
        crate::machine::SetupEvent::Unenrolled,
    ));
    if let Err(error) = &deleted {
        tracing::error!(%error, "the old device credential could not be deleted");
    }
    deleted
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typed_name_is_trimmed_and_an_empty_one_is_the_default() {
        assert_eq!(kiosk_name("  Room 12 \t"), "Room 12");
        assert_eq!(kiosk_name(""), DEFAULT_KIOSK_NAME);
        assert_eq!(kiosk_name(" \n "), DEFAULT_KIOSK_NAME);
    }
}
