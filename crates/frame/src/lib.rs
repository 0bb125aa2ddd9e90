//! Camera frames as the scanner sees them (8-bit luma) and the trait every frame producer
//! implements. Its own crate so the camera adapter and the scanner both depend on it and on
//! nothing of each other.

pub mod frame;
pub mod source;

pub use frame::{Frame, FrameError};
pub use source::{FrameSource, SourceError};
