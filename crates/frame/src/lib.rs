//! Camera frames as the scanner sees them (8-bit luma), the trait every frame producer
//! implements, and the one producer that is only files ([`files::FolderSource`]). Its own crate
//! so the camera adapter, the scene generator and the scanner all depend on it and on nothing
//! of each other.

pub mod files;
pub mod frame;
pub mod source;

pub use frame::{Frame, FrameError};
pub use source::{FrameSource, SourceError};
