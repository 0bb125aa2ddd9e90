//! A webcam as a [`FrameSource`]: a [`Capture`] that can be reopened after the camera was
//! unplugged, turning raw buffers into luma frames.

use crate::capture::{Capture, Device, Timeouts};
use crate::mode::Mode;
use crate::nokhwa_backend;
use crate::raw::PixelFormat;
use badgein_frame::{Frame, FrameSource, SourceError};
use std::sync::Arc;

/// What to ask the camera for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CameraConfig {
    /// The preferred resolution and frame rate; the nearest mode the camera offers is used
    /// (see [`crate::mode::choose`]).
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub timeouts: Timeouts,
}

impl Default for CameraConfig {
    fn default() -> Self {
        Self {
            width: 1280,
            height: 720,
            fps: 30,
            timeouts: Timeouts::default(),
        }
    }
}

impl CameraConfig {
    pub(crate) fn wanted_mode(&self) -> Mode {
        Mode {
            width: self.width,
            height: self.height,
            fps: self.fps,
            format: PixelFormat::Yuyv,
        }
    }
}

/// Corrupt frames in a row that are skipped silently (a glitched MJPEG frame now and then is
/// normal on USB); more than that and the camera is reported as sending bad frames.
const MAX_BAD_FRAMES: u32 = 10;

type Opener = Arc<dyn Fn() -> Result<Box<dyn Device>, SourceError> + Send + Sync>;

/// A camera, read on its own thread. Dropping it stops the thread without ever hanging.
pub struct Camera {
    name: String,
    open: Opener,
    timeouts: Timeouts,
    capture: Option<Capture>,
    bad_frames: u32,
}

impl std::fmt::Debug for Camera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Camera")
            .field("name", &self.name)
            .field("capture", &self.capture)
            .finish_non_exhaustive()
    }
}

impl Camera {
    /// Opens the camera with this index (as [`crate::list`] numbers them).
    pub fn open(index: u32, config: CameraConfig) -> Result<Self, SourceError> {
        nokhwa_backend::ensure_permission()?;
        let want = config.wanted_mode();
        Self::with_device(
            format!("camera {index}"),
            move || nokhwa_backend::open(index, want),
            config.timeouts,
        )
    }

    /// A camera over any [`Device`]: `open` is called again by [`Camera::reopen`]. For tests and
    /// for simulating a flaky camera in the kiosk.
    pub fn with_device<D, F>(
        name: impl Into<String>,
        open: F,
        timeouts: Timeouts,
    ) -> Result<Self, SourceError>
    where
        D: Device + 'static,
        F: Fn() -> Result<D, SourceError> + Send + Sync + 'static,
    {
        let open: Opener = Arc::new(move || open().map(|d| Box::new(d) as Box<dyn Device>));
        let mut camera = Self {
            name: name.into(),
            open,
            timeouts,
            capture: None,
            bad_frames: 0,
        };
        camera.reopen()?;
        Ok(camera)
    }

    /// Closes the device and opens it again: what the kiosk does after
    /// [`SourceError::Disconnected`] (the camera was unplugged and plugged back).
    pub fn reopen(&mut self) -> Result<(), SourceError> {
        // Release the device first: the same device cannot be opened twice.
        self.capture = None;
        self.bad_frames = 0;
        let open = Arc::clone(&self.open);
        self.capture = Some(Capture::start(&self.name, move || open(), self.timeouts)?);
        Ok(())
    }

    /// Frames the camera has delivered since it was (re)opened, including those replaced before
    /// anyone took them: compared with the frames scanned, it shows how many the scanner skips.
    pub fn frames_captured(&self) -> u64 {
        self.capture.as_ref().map_or(0, Capture::captured)
    }
}

impl FrameSource for Camera {
    /// The newest frame. [`SourceError::Disconnected`] when no frame came within the watchdog's
    /// timeout (or the last reopen failed); call [`Camera::reopen`] to try again.
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let capture = self.capture.as_mut().ok_or(SourceError::Disconnected)?;
        loop {
            let raw = capture.latest()?;
            match raw.to_frame() {
                Ok(frame) => {
                    self.bad_frames = 0;
                    return Ok(Some(frame));
                }
                Err(e) => {
                    self.bad_frames += 1;
                    if self.bad_frames >= MAX_BAD_FRAMES {
                        self.bad_frames = 0;
                        return Err(SourceError::BadFrame(e));
                    }
                    tracing::debug!("{}: skipping a bad {} frame: {e}", self.name, raw.format);
                }
            }
        }
    }

    fn describe(&self) -> String {
        match &self.capture {
            Some(capture) => capture.description().to_owned(),
            None => format!("{} (closed)", self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{Script, Scripted, scripted};
    use crate::raw::RawFrame;
    use std::sync::Mutex;
    use std::time::Duration;

    fn quick() -> Timeouts {
        Timeouts {
            open: Duration::from_millis(300),
            first_frame: Duration::from_millis(200),
            frame: Duration::from_millis(200),
            stop: Duration::from_millis(100),
        }
    }

    /// A camera whose successive opens hand out these devices, then fail with `NoCamera`.
    fn camera_over(devices: Vec<Scripted>) -> Result<Camera, SourceError> {
        let devices = Mutex::new(devices.into_iter());
        Camera::with_device(
            "fake",
            move || {
                let mut devices = devices
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                devices.next().ok_or(SourceError::NoCamera)
            },
            quick(),
        )
    }

    fn two_devices() -> (Script, Script, Vec<Scripted>) {
        let (a, da) = scripted();
        let (b, db) = scripted();
        (a, b, vec![da, db])
    }

    #[test]
    fn frames_come_out_as_luma() {
        let (script, device) = scripted();
        let mut camera = camera_over(vec![device]).expect("opens");
        script.frame(42);
        let frame = camera.next_frame().expect("no error").expect("a frame");
        assert_eq!(frame.data(), &[42]);
        assert_eq!(camera.describe(), "scripted test device");
        assert_eq!(camera.frames_captured(), 1);
    }

    #[test]
    fn no_device_is_no_camera() {
        assert!(matches!(camera_over(vec![]), Err(SourceError::NoCamera)));
    }

    #[test]
    fn unplugged_then_reopened() {
        let (first, second, devices) = two_devices();
        let mut camera = camera_over(devices).expect("opens");
        first.frame(1);
        assert!(camera.next_frame().is_ok());
        // Unplugged: reads block.
        assert!(matches!(
            camera.next_frame(),
            Err(SourceError::Disconnected)
        ));
        camera.reopen().expect("plugged back");
        second.frame(2);
        let frame = camera.next_frame().expect("no error").expect("a frame");
        assert_eq!(frame.data(), &[2]);
        // A third open finds nothing, and the camera says so instead of hanging.
        assert!(matches!(camera.reopen(), Err(SourceError::NoCamera)));
        assert!(matches!(
            camera.next_frame(),
            Err(SourceError::Disconnected)
        ));
        assert_eq!(camera.describe(), "fake (closed)");
    }

    #[test]
    fn isolated_bad_frames_are_skipped_and_a_stream_of_them_reported() {
        let (script, device) = scripted();
        let mut camera = camera_over(vec![device]).expect("opens");
        let corrupt = RawFrame {
            width: 4,
            height: 4,
            format: PixelFormat::Mjpeg,
            data: vec![1],
        };
        let _ = script.send.send(Ok(corrupt.clone()));
        script.frame(9);
        // The consumer may see the corrupt frame replaced before it looks; either way it gets 9.
        let frame = camera.next_frame().expect("no error").expect("a frame");
        assert_eq!(frame.data(), &[9]);

        // A camera that only sends garbage: one frame each time the device reads, so every
        // look finds a fresh one, until the capture releases the device. Bounded, so that a
        // camera that never reported them would end in the watchdog instead of spinning.
        let feeder = std::thread::spawn(move || {
            for _ in 0..1000 {
                let read = script.device.reads_entered();
                if script.send.send(Ok(corrupt.clone())).is_err()
                    || !script.device.wait_read_after(read)
                {
                    break;
                }
            }
        });
        assert!(matches!(camera.next_frame(), Err(SourceError::BadFrame(_))));
        drop(camera);
        let _ = feeder.join();
    }
}
