//! Everything that touches nokhwa: listing cameras, opening one in the mode we choose, reading
//! raw buffers, and turning nokhwa's error strings into [`SourceError`]s.
//!
//! We never use nokhwa's `CallbackCamera` (it can deadlock) nor its RGB decoding (slow): the
//! capture thread is ours ([`crate::capture`]) and luma conversion is the frame crate's.
//!
//! macOS: the app bundle's Info.plist must carry `NSCameraUsageDescription` (e.g. "BadgeIn reads
//! the children's badges with the camera."), or macOS kills the process on first camera access.

use crate::capture::Device;
use crate::mode::{self, Mode};
use crate::raw::{PixelFormat, RawFrame};
use crate::{CameraError, CameraInfo};
use badgein_frame::SourceError;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
};
use nokhwa::{Camera, NokhwaError};

/// Every format we can convert, in nokhwa's terms.
const CONVERTIBLE: [FrameFormat; 6] = [
    FrameFormat::YUYV,
    FrameFormat::MJPEG,
    FrameFormat::NV12,
    FrameFormat::GRAY,
    FrameFormat::RAWRGB,
    FrameFormat::RAWBGR,
];

pub(crate) fn list() -> Result<Vec<CameraInfo>, CameraError> {
    let found = nokhwa::query(ApiBackend::Auto).map_err(|e| match e {
        NokhwaError::UnsupportedOperationError(_) => CameraError::Unsupported,
        e => CameraError::Query(e.to_string()),
    })?;
    Ok(found
        .iter()
        .filter_map(|info| {
            // Only IP cameras have string indexes, and we open by number.
            let index = info.index().as_index().ok()?;
            Some(CameraInfo {
                index,
                name: info.human_name(),
                description: info.description().to_owned(),
            })
        })
        .collect())
}

/// An open camera with its stream started.
pub(crate) struct NokhwaDevice {
    camera: Camera,
    description: String,
}

pub(crate) fn open(index: u32, want: Mode) -> Result<NokhwaDevice, SourceError> {
    // Any convertible mode opens the device; the one we want is chosen from the full list next.
    let any = RequestedFormat::with_formats(RequestedFormatType::None, &CONVERTIBLE);
    let mut camera = Camera::new(CameraIndex::Index(index), any).map_err(open_error)?;
    switch_to_best(&mut camera, index, want)?;
    camera.open_stream().map_err(open_error)?;
    let format = camera.camera_format();
    let description = format!(
        "{} ({}x{} {} @{})",
        camera.info().human_name(),
        format.width(),
        format.height(),
        format.format(),
        format.frame_rate()
    );
    tracing::info!("camera {index} open: {description}");
    Ok(NokhwaDevice {
        camera,
        description,
    })
}

/// Switches the freshly opened camera to the mode [`mode::choose`] prefers, if it offers one.
fn switch_to_best(camera: &mut Camera, index: u32, want: Mode) -> Result<(), SourceError> {
    let formats = match camera.compatible_camera_formats() {
        Ok(formats) => formats,
        Err(e) => {
            tracing::debug!("camera {index} cannot list its modes ({e}); keeping its own");
            return Ok(());
        }
    };
    let offered: Vec<Mode> = formats.iter().map(|f| to_mode(*f)).collect();
    let Some(best) = mode::choose(&offered, want) else {
        return Ok(());
    };
    if to_mode(camera.camera_format()) == best {
        return Ok(());
    }
    let exact =
        RequestedFormat::with_formats(RequestedFormatType::Exact(from_mode(best)), &CONVERTIBLE);
    if let Err(e) = camera.set_camera_requset(exact) {
        // Some drivers list modes they then refuse; the opening mode still works.
        tracing::warn!("camera {index} refused {best}: {e}");
        camera.refresh_camera_format().map_err(open_error)?;
    }
    Ok(())
}

impl Device for NokhwaDevice {
    fn read(&mut self) -> Result<RawFrame, SourceError> {
        let buffer = self.camera.frame().map_err(read_error)?;
        let resolution = buffer.resolution();
        Ok(RawFrame {
            width: resolution.width(),
            height: resolution.height(),
            format: pixel_format(buffer.source_frame_format()),
            data: buffer.buffer().to_vec(),
        })
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

/// macOS asks the user once; elsewhere there is nothing to ask.
pub(crate) fn ensure_permission() -> Result<(), SourceError> {
    #[cfg(target_os = "macos")]
    {
        if !nokhwa::nokhwa_check() {
            let (tx, rx) = std::sync::mpsc::channel();
            nokhwa::nokhwa_initialize(move |granted| {
                let _ = tx.send(granted);
            });
            // The user may take a while to read the dialog.
            let granted = rx
                .recv_timeout(std::time::Duration::from_secs(120))
                .unwrap_or(false);
            if !granted {
                return Err(SourceError::PermissionDenied);
            }
        }
    }
    Ok(())
}

fn to_mode(format: CameraFormat) -> Mode {
    Mode {
        width: format.width(),
        height: format.height(),
        fps: format.frame_rate(),
        format: pixel_format(format.format()),
    }
}

fn from_mode(mode: Mode) -> CameraFormat {
    let format = match mode.format {
        PixelFormat::Yuyv => FrameFormat::YUYV,
        PixelFormat::Mjpeg => FrameFormat::MJPEG,
        PixelFormat::Nv12 => FrameFormat::NV12,
        PixelFormat::Gray => FrameFormat::GRAY,
        PixelFormat::Rgb => FrameFormat::RAWRGB,
        PixelFormat::Bgr => FrameFormat::RAWBGR,
    };
    CameraFormat::new_from(mode.width, mode.height, format, mode.fps)
}

fn pixel_format(format: FrameFormat) -> PixelFormat {
    match format {
        FrameFormat::YUYV => PixelFormat::Yuyv,
        FrameFormat::MJPEG => PixelFormat::Mjpeg,
        FrameFormat::NV12 => PixelFormat::Nv12,
        FrameFormat::GRAY => PixelFormat::Gray,
        FrameFormat::RAWRGB => PixelFormat::Rgb,
        FrameFormat::RAWBGR => PixelFormat::Bgr,
    }
}

/// nokhwa's errors are strings wrapping the OS error (`"V4L2 Error: No such file or directory
/// (os error 2)"`), so the OS's wording is what we can match on.
pub(crate) fn classify(message: &str) -> SourceError {
    let m = message.to_ascii_lowercase();
    if m.contains("no such file or directory") || m.contains("no such device") {
        SourceError::NoCamera
    } else if m.contains("device or resource busy") || m.contains("in use") {
        SourceError::Busy
    } else if m.contains("permission denied") || m.contains("not authorized") {
        SourceError::PermissionDenied
    } else {
        SourceError::Other(message.to_owned())
    }
}

fn open_error(e: NokhwaError) -> SourceError {
    classify(&e.to_string())
}

/// A device that vanished while streaming is unplugged, not absent.
fn read_error(e: NokhwaError) -> SourceError {
    match classify(&e.to_string()) {
        SourceError::NoCamera => SourceError::Disconnected,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_map_to_what_the_teacher_is_told() {
        let e = NokhwaError::OpenDeviceError(
            "3".into(),
            "V4L2 Error: No such file or directory (os error 2)".into(),
        );
        assert!(matches!(open_error(e), SourceError::NoCamera));
        let e = NokhwaError::SetPropertyError {
            property: "Resolution, FrameFormat".into(),
            value: "1280x720".into(),
            error: "Device or resource busy (os error 16)".into(),
        };
        assert!(matches!(open_error(e), SourceError::Busy));
        let e = NokhwaError::OpenDeviceError("0".into(), "Permission denied (os error 13)".into());
        assert!(matches!(open_error(e), SourceError::PermissionDenied));
        let e = NokhwaError::ReadFrameError("No such device (os error 19)".into());
        assert!(matches!(read_error(e), SourceError::Disconnected));
        let e = NokhwaError::ReadFrameError("Stream Not Started".into());
        assert!(matches!(read_error(e), SourceError::Other(m) if m.contains("Stream Not Started")));
    }

    #[test]
    fn modes_round_trip_through_nokhwa() {
        for format in CONVERTIBLE {
            let cf = CameraFormat::new_from(640, 480, format, 30);
            assert_eq!(from_mode(to_mode(cf)), cf);
        }
    }
}
