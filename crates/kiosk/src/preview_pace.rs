//! Which camera frames the live preview shows. While something moves in front of the camera
//! (a child aiming a badge) every frame the window can take; while the scene is still (nobody
//! there) only a few a second, which is most of an idle kiosk's CPU saved and looks the same.
//!
//! "Still" is judged on block means, not single pixels: sensor noise averages out over a block,
//! while a small badge far away changes the few blocks it covers a lot. A frame-wide mean
//! difference would miss that badge, and the child would aim it at a stuttering preview.

use badgein_frame::frame::Frame;

/// Blocks across and down the frame.
const BLOCKS_X: u32 = 32;
const BLOCKS_Y: u32 = 18;
/// Pixels sampled per block side: enough to average out noise, far fewer than all of them.
const SAMPLES: u32 = 6;
/// A block whose mean moved more than this many grey levels is a change. Sensor noise moves
/// a 36-sample mean by under one level; a badge edge crossing it by tens.
const BLOCK_THRESHOLD: u16 = 4;

#[derive(Debug, Clone)]
pub struct PreviewPace {
    /// Block means of the last frame shown, and its size.
    shown: Vec<u8>,
    size: (u32, u32),
    /// While still, one frame in `idle_every` is shown.
    idle_every: u32,
    skipped: u32,
}

impl PreviewPace {
    /// While the scene is still, shows one frame in `idle_every` (at least 1: every frame).
    pub fn new(idle_every: u32) -> Self {
        Self {
            shown: Vec::new(),
            size: (0, 0),
            idle_every: idle_every.max(1),
            skipped: 0,
        }
    }

    /// Whether to show `frame` (the window is ready for one). Counts the frame as shown when
    /// it says yes.
    pub fn show(&mut self, frame: &Frame) -> bool {
        let means = block_means(frame);
        let size = (frame.width(), frame.height());
        let still = size == self.size
            && means.len() == self.shown.len()
            && means
                .iter()
                .zip(&self.shown)
                .all(|(a, b)| u16::from(a.abs_diff(*b)) <= BLOCK_THRESHOLD);
        if still && self.skipped + 1 < self.idle_every {
            self.skipped += 1;
            return false;
        }
        self.shown = means;
        self.size = size;
        self.skipped = 0;
        true
    }
}

/// The mean of `SAMPLES x SAMPLES` pixels spread over each block.
fn block_means(frame: &Frame) -> Vec<u8> {
    let (w, h) = (frame.width(), frame.height());
    let (bx, by) = (BLOCKS_X.min(w), BLOCKS_Y.min(h));
    // Sample columns of each block column, and sample rows of each block row.
    let spread = |blocks: u32, side: u32, i: u32| {
        let (start, end) = (i * side / blocks, (i + 1) * side / blocks);
        (0..SAMPLES).map(move |s| start + s * (end - start) / SAMPLES)
    };
    let columns: Vec<Vec<usize>> = (0..bx)
        .map(|i| spread(bx, w, i).map(|x| x as usize).collect())
        .collect();
    let mut sums = vec![0u32; (bx * by) as usize];
    for j in 0..by {
        let block_row = sums
            .get_mut((j * bx) as usize..((j + 1) * bx) as usize)
            .unwrap_or_default();
        for y in spread(by, h, j) {
            let row = frame.row(y);
            for (sum, xs) in block_row.iter_mut().zip(&columns) {
                *sum += xs
                    .iter()
                    .map(|&x| u32::from(row.get(x).copied().unwrap_or(0)))
                    .sum::<u32>();
            }
        }
    }
    let count = SAMPLES * SAMPLES;
    sums.into_iter()
        .map(|sum| u8::try_from(sum / count).unwrap_or(u8::MAX))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1280x720 grey scene with deterministic noise of about `amplitude` levels, and an
    /// optional badge (x, y, side) far away.
    fn scene(seed: u32, amplitude: u8, badge: Option<(u32, u32, u32)>) -> Frame {
        let (w, h) = (1280u32, 720u32);
        let mut state = seed.wrapping_mul(2_654_435_761).max(1);
        let mut data = Vec::with_capacity((w * h) as usize);
        for y in 0..h {
            for x in 0..w {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let noise = (state % (2 * u32::from(amplitude) + 1)) as i32 - i32::from(amplitude);
                let base = match badge {
                    // A white card with a code of 4 px modules in its middle.
                    Some((bx, by, side))
                        if (bx..bx + side).contains(&x) && (by..by + side).contains(&y) =>
                    {
                        let (cx, cy) = (x - bx, y - by);
                        let margin = side / 6;
                        let code = (margin..side - margin).contains(&cx)
                            && (margin..side - margin).contains(&cy);
                        if code && (cx / 4 + cy / 4) % 2 == 0 {
                            20
                        } else {
                            235
                        }
                    }
                    _ => 128,
                };
                data.push(u8::try_from((base + noise).clamp(0, 255)).unwrap());
            }
        }
        Frame::from_luma(w, h, data).unwrap()
    }

    #[test]
    fn a_still_noisy_scene_is_shown_one_frame_in_n() {
        let mut pace = PreviewPace::new(6);
        let shown: Vec<bool> = (0..13).map(|i| pace.show(&scene(i, 6, None))).collect();
        assert_eq!(
            shown,
            [
                true, false, false, false, false, false, true, false, false, false, false, false,
                true
            ]
        );
    }

    #[test]
    fn a_small_badge_far_away_is_shown_at_once() {
        let mut pace = PreviewPace::new(6);
        assert!(pace.show(&scene(1, 6, None)));
        assert!(!pace.show(&scene(2, 6, None)));
        // 80 px: a badge about 60 cm from a 720p camera. Under 1% of the frame.
        assert!(pace.show(&scene(3, 6, Some((600, 300, 80)))));
        // It moves by a few pixels: still a change, frame after frame.
        assert!(pace.show(&scene(4, 6, Some((620, 310, 80)))));
        assert!(pace.show(&scene(5, 6, Some((640, 320, 80)))));
        // Held still: back to the idle rate.
        assert!(!pace.show(&scene(6, 6, Some((640, 320, 80)))));
    }

    #[test]
    fn every_frame_when_idle_every_is_one_and_tiny_frames_work() {
        let mut pace = PreviewPace::new(0);
        let tiny = Frame::from_luma(1, 1, vec![7]).unwrap();
        assert!(pace.show(&tiny));
        assert!(pace.show(&tiny));
        let mut pace = PreviewPace::new(3);
        assert!(pace.show(&tiny));
        assert!(!pace.show(&tiny));
        // A new size is a change.
        assert!(pace.show(&Frame::from_luma(2, 1, vec![7, 7]).unwrap()));
    }
}
