//! Real webcams as a [`FrameSource`](badgein_frame::FrameSource).
//!
//! [`list`] names the cameras; [`Camera::open`] opens one on its own capture thread that keeps
//! only the newest frame, with a watchdog that turns a camera gone silent (unplugged) into
//! [`SourceError::Disconnected`](badgein_frame::SourceError::Disconnected) instead of a hang.
//! nokhwa is confined to `nokhwa_backend`; the thread logic in [`capture`] works over any
//! [`Device`], which is how it is tested without a camera.

pub mod camera;
pub mod capture;
pub mod mode;
mod nokhwa_backend;
pub mod raw;

#[cfg(test)]
mod fake;

pub use camera::{Camera, CameraConfig};
pub use capture::{Device, Timeouts};
pub use mode::Mode;
pub use raw::{PixelFormat, RawFrame};

use thiserror::Error;

/// A camera the system reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraInfo {
    /// What [`Camera::open`] takes.
    pub index: u32,
    /// The name to show the teacher ("HD Webcam C270").
    pub name: String,
    /// The backend's detail (on Linux, the device path).
    pub description: String,
}

/// Why the cameras could not be listed.
#[derive(Debug, Error)]
pub enum CameraError {
    #[error("this platform has no supported camera backend")]
    Unsupported,
    #[error("could not list the cameras: {0}")]
    Query(String),
}

/// The cameras the system knows, in index order. No camera is `Ok(vec![])`.
///
/// On Linux, a webcam often shows up twice (a capture node and a metadata node with the same
/// name); opening the metadata node fails with a clear error.
pub fn list() -> Result<Vec<CameraInfo>, CameraError> {
    nokhwa_backend::ensure_permission().map_err(|e| CameraError::Query(e.to_string()))?;
    let mut cameras = nokhwa_backend::list()?;
    cameras.sort_by_key(|c| c.index);
    Ok(cameras)
}

#[cfg(test)]
mod tests {
    use super::*;
    use badgein_frame::SourceError;

    #[test]
    fn listing_never_panics() {
        // CI has no webcam: an empty list or an error are both fine, a panic is not.
        match list() {
            Ok(cameras) => {
                for c in cameras {
                    assert!(!c.name.is_empty() || !c.description.is_empty());
                }
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn opening_a_camera_that_is_not_there_is_a_clear_error() {
        let result = Camera::open(99, CameraConfig::default());
        match result {
            Err(SourceError::NoCamera) => {}
            #[cfg(not(target_os = "linux"))]
            Err(_) => {}
            other => panic!("expected NoCamera for index 99, got {other:?}"),
        }
    }
}
