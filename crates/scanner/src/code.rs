//! What the scanner reports for each QR code it read.

use serde::Serialize;

/// A point in the frame's pixel coordinates.
pub type Point = [f32; 2];

/// One decoded QR code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Code {
    /// The payload as text: UTF-8 when it is valid UTF-8, otherwise read as ISO-8859-1 (the QR
    /// standard's default byte encoding), so no byte is ever lost or rejected.
    pub text: String,
    /// The raw payload bytes as the code carries them.
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// Corners in the frame: top-left, top-right, bottom-right, bottom-left of the code as
    /// printed (so a mirrored code has them mirrored too).
    pub corners: [Point; 4],
}

impl Code {
    pub fn new(bytes: Vec<u8>, corners: [Point; 4]) -> Self {
        let text = match std::str::from_utf8(&bytes) {
            Ok(s) => s.to_owned(),
            Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
        };
        Self {
            text,
            bytes,
            corners,
        }
    }

    /// The centre of the code, for de-duplicating reads of one code found twice.
    pub fn centre(&self) -> Point {
        let (sx, sy) = self
            .corners
            .iter()
            .fold((0.0, 0.0), |(sx, sy), p| (sx + p[0], sy + p[1]));
        [sx / 4.0, sy / 4.0]
    }
}
