//! The one trait every frame producer implements.

use crate::frame::{Frame, FrameError};
use thiserror::Error;

/// Why a source could not give a frame. The kiosk maps these to what it tells the teacher.
#[derive(Debug, Error)]
pub enum SourceError {
    #[error("no camera was found")]
    NoCamera,
    #[error("the camera is in use by another program")]
    Busy,
    #[error("permission to use the camera was denied")]
    PermissionDenied,
    #[error("the camera stopped answering (unplugged?)")]
    Disconnected,
    #[error("the camera gave a frame the scanner cannot read: {0}")]
    BadFrame(#[from] FrameError),
    #[error("could not read {path}: {message}")]
    File { path: String, message: String },
    #[error("camera error: {0}")]
    Other(String),
}

/// A stream of frames, pulled one at a time.
pub trait FrameSource: Send {
    /// The next frame, waiting for it if needed. `Ok(None)` means the stream has ended (a
    /// folder played once); a camera never ends, it errors.
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError>;

    /// A short human description ("folder demo-badges (12 images)", "USB camera 0").
    fn describe(&self) -> String;
}
