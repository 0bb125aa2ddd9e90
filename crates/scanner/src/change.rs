//! Skipping frames that did not change (requirement S5): a webcam pointed at an empty
//! classroom sends 30 near-identical frames a second, and decoding each would burn a core.
//!
//! A frame is compared to the last decoded one on a sparse grid of about 2,000 pixels; if the
//! mean absolute difference stays under the sensor-noise level the frame is skipped. After
//! `max_skips` skipped frames one is decoded anyway, so a slow change (a badge slid in very
//! gently) is never missed for long.

use crate::frame::Frame;

const GRID_X: u32 = 48;
const GRID_Y: u32 = 36;

#[derive(Debug, Clone)]
pub struct ChangeDetector {
    last: Vec<u8>,
    size: (u32, u32),
    /// Mean absolute difference (grey levels) below which a frame counts as unchanged.
    threshold: u32,
    max_skips: u32,
    skipped: u32,
}

impl Default for ChangeDetector {
    fn default() -> Self {
        Self::new(3, 15)
    }
}

impl ChangeDetector {
    pub fn new(threshold: u32, max_skips: u32) -> Self {
        Self {
            last: Vec::new(),
            size: (0, 0),
            threshold,
            max_skips,
            skipped: 0,
        }
    }

    /// True when `frame` differs enough from the last frame that was let through (which it
    /// then becomes).
    pub fn changed(&mut self, frame: &Frame) -> bool {
        let sample = sample(frame);
        let size = (frame.width(), frame.height());
        let same_size = size == self.size && sample.len() == self.last.len();
        if same_size && self.skipped < self.max_skips {
            let diff: u32 = sample
                .iter()
                .zip(&self.last)
                .map(|(a, b)| u32::from(a.abs_diff(*b)))
                .sum();
            if diff <= self.threshold * sample.len() as u32 {
                self.skipped += 1;
                return false;
            }
        }
        self.last = sample;
        self.size = size;
        self.skipped = 0;
        true
    }
}

fn sample(frame: &Frame) -> Vec<u8> {
    let (w, h) = (frame.width(), frame.height());
    let (nx, ny) = (GRID_X.min(w), GRID_Y.min(h));
    let mut out = Vec::with_capacity((nx * ny) as usize);
    for j in 0..ny {
        let row = frame.row((2 * j + 1) * h / (2 * ny));
        for i in 0..nx {
            out.push(row[((2 * i + 1) * w / (2 * nx)) as usize]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(v: u8) -> Frame {
        Frame::from_luma(320, 240, vec![v; 320 * 240]).unwrap()
    }

    #[test]
    fn skips_still_frames_and_passes_changes() {
        let mut c = ChangeDetector::new(3, 4);
        assert!(c.changed(&flat(100)));
        assert!(!c.changed(&flat(101)));
        assert!(!c.changed(&flat(100)));
        assert!(c.changed(&flat(160)));
        // A badge-sized dark square appearing in the middle is a change.
        let mut data = vec![160u8; 320 * 240];
        for y in 80..160 {
            for x in 120..200 {
                data[y * 320 + x] = 20;
            }
        }
        assert!(c.changed(&Frame::from_luma(320, 240, data).unwrap()));
    }

    #[test]
    fn decodes_one_frame_after_max_skips() {
        let mut c = ChangeDetector::new(3, 2);
        assert!(c.changed(&flat(9)));
        assert!(!c.changed(&flat(9)));
        assert!(!c.changed(&flat(9)));
        assert!(c.changed(&flat(9)));
    }

    #[test]
    fn tiny_and_resized_frames() {
        let mut c = ChangeDetector::default();
        assert!(c.changed(&Frame::from_luma(1, 1, vec![0]).unwrap()));
        assert!(c.changed(&flat(0)));
    }
}
