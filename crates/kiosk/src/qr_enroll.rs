//! Carrying out `Effect::EnrollWithQr` (a setup QR read on the setup screen): the shell takes
//! the requests from [`crate::driver::Driver::take_qr_enrollments`] and calls [`enroll`], then
//! keeps the config and uses the client as after a typed enrollment.
//!
//! Switching portals, the kiosk enrolls with the new portal before it lets go of the old one:
//! the enrollment carries the QR's code alone (the client for the new origin is made without a
//! credential, and [`crate::portal_client::PortalClient::new`] would refuse the old one there),
//! and only its success replaces the stored credential, as one write. A QR whose code is spent
//! or mistyped, or whose portal does not answer, leaves the kiosk enrolled where it was and
//! signing children in there; the teacher sees why on the setup screen.

use std::sync::Arc;

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
    /// The kiosk is enrolled elsewhere, and stays so unless this enrollment succeeds.
    pub switching: bool,
}

/// Enrolls as `name` with the QR's portal; on success the new credential has replaced any
/// old one in `store`. On failure nothing changed, and the caller tells the machine
/// (`SetupEvent::Message(err.code())`), which also lets it read the next QR.
pub async fn enroll(
    store: Arc<dyn SecretStore>,
    request: &QrEnrollment,
    name: &str,
) -> Result<(PortalClient, Enrollment), EnrollError> {
    tracing::info!(switching = request.switching, "enrolling from a setup QR");
    enroll::enroll(store, request.qr.origin(), request.qr.code().expose(), name).await
}
