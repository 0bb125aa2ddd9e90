//! Where frames come from. The kiosk's camera loop pulls from one [`FrameSource`] and does not
//! care whether it is a webcam (the `badgein-camera` crate), a folder of images played as a
//! video ([`files::FolderSource`]) or generated scenes ([`synthetic::SyntheticSource`]).

pub mod files;
pub mod synthetic;

pub use badgein_frame::source::{FrameSource, SourceError};
