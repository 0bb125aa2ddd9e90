//! Carrying out `Effect::EnrollWithQr` (a setup QR read on the setup screen): the shell takes
//! the requests from [`crate::driver::Driver::take_qr_enrollments`] and calls [`enroll`], then
//! keeps the config as after a typed enrollment.
//!
//! Switching portals, the old credential is deleted from the secret store *before* anything
//! is sent to the new portal ([`crate::enroll::unenroll`]); if it cannot be deleted, nothing is
//! sent. (The client would refuse to carry it to another origin anyway:
//! [`crate::portal_client::PortalClient::new`].)

use std::sync::Arc;

use crate::driver::KioskHandle;
use crate::enroll::{self, EnrollError, Enrollment};
use crate::portal_client::PortalClient;
use crate::secrets::SecretStore;
use crate::setup_qr::SetupQr;

/// Where the driver puts the enrollments the machine asks for.
pub type QrEnrollments = tokio::sync::mpsc::UnboundedReceiver<QrEnrollment>;

/// One enrollment the machine asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrEnrollment {
    pub qr: SetupQr,
    /// The kiosk is enrolled elsewhere: unenroll first.
    pub switching: bool,
}

/// Enrolls as `name` with the QR's portal, unenrolling first when switching. On failure the
/// caller tells the machine (`SetupEvent::Message(err.code())`), which also lets it read the
/// next QR.
pub async fn enroll(
    store: Arc<dyn SecretStore>,
    handle: &KioskHandle,
    request: &QrEnrollment,
    name: &str,
) -> Result<(PortalClient, Enrollment), EnrollError> {
    if request.switching {
        enroll::unenroll(store.clone(), handle)
            .await
            .map_err(EnrollError::NoPersistentStore)?;
    }
    tracing::info!(switching = request.switching, "enrolling from a setup QR");
    enroll::enroll(store, request.qr.origin(), request.qr.code().expose(), name).await
}
