//! Camera frames in, QR codes and badges out.
//!
//! The scanner is the pure core of the kiosk's camera loop: it never opens a device, reads a
//! clock for decisions or touches the network. Callers hand it [`Frame`]s (from a
//! `badgein_frame::FrameSource`) and the current time; it hands back what it decoded
//! ([`pipeline::scan`]), what the child should be told ([`hints`]), and when a badge
//! presentation starts ([`debounce`]).

pub mod budget;
pub mod change;
pub mod code;
pub mod debounce;
pub mod detector;
pub use badgein_frame::frame;
pub mod grid_decode;
pub mod hints;
pub mod live;
pub mod pipeline;
pub mod preprocess;
pub mod quad_set;
mod rqrr_cost;
pub mod rqrr_pass;
pub mod sample_set;

pub use code::{Code, Point};
pub use frame::{Frame, FrameError};
pub use pipeline::{Effort, Scan, ScanOptions, scan};
