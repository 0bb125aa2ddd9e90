//! Whether the camera's scene changed since the last frame let through: the kiosk lets a still
//! scene's frames go by without decoding them (the badge reader) and without repainting them
//! (the live preview), which is most of an idle kiosk's CPU.
//!
//! A change is judged on blocks, not single pixels or the frame as a whole. Sensor noise
//! averages out over a block, while a small badge far away changes the few blocks it covers a
//! lot: a frame-wide difference would miss that badge (and, as a frame-wide mean absolute
//! difference, counts a dim room's noise as change in every frame). Each block has two numbers,
//! its brightness (the mean) and its detail (the mean absolute step between neighbouring
//! pixels): a badge coming in moves both, a webcam focusing on a badge held still moves only
//! the detail. Its sampled pixels are compared too, on average: a badge swapped for another in
//! the same place in one frame moves neither number, only the pixels (the kiosk bench's badge
//! swap at 60 cm waited for the still scene's next decode, up to half a second).
//!
//! Both are taken over enough pixels that a dim room's noise stays far under the thresholds: a
//! webcam in a dim classroom has a noise sigma of 4 to 6 grey levels; the difference of two
//! 144-pixel means has a sigma of `sigma * sqrt(2 / 144)`, 0.7 levels at 6, so a threshold of 4
//! is over 5 of those sigmas in each of the 144 blocks (the detail's spread is about the same).
//! With 36 pixels a block, a still room at sigma 6 counted as moving in most frames.
//!
//! A frame is sampled once ([`SceneSample::of`]) and the sample shared: the camera loop's
//! badge reader and the live preview each judge it against the frame they last let through.

use badgein_frame::frame::Frame;

/// Blocks across and down the frame: 80 px squares of a 720p frame, under a badge 60 cm away.
const BLOCKS_X: u32 = 16;
const BLOCKS_Y: u32 = 9;
/// Pixels sampled per block side: enough to average out a dim room's noise, 1 in 44 of them.
const SAMPLES: u32 = 12;
/// Pixels sampled per block.
const PER_BLOCK: usize = (SAMPLES * SAMPLES) as usize;
/// A block whose mean moved more than this many grey levels is a change; a badge edge
/// crossing it moves it by tens.
const MEAN_THRESHOLD: u8 = 4;
/// A block whose detail moved more than this is a change: noise at sigma 6 gives a detail of
/// about 7 that moves by under one level; a code coming into focus raises it by tens.
const DETAIL_THRESHOLD: u8 = 6;
/// A block whose sampled pixels moved by more than this on average is a change: another code
/// where one was (a badge swapped for another in one frame keeps its blocks' brightness and
/// detail, while its modules turn over by a hundred levels and more). Noise at sigma 6 moves
/// them by about 7 on average (the mean absolute difference of two readings).
const PIXEL_THRESHOLD: u8 = 24;

/// Lets a frame through when its scene changed since the last frame let through, and one in
/// `every` of a still scene's.
#[derive(Debug, Clone)]
pub struct SceneChange {
    last: Option<SceneSample>,
    every: u32,
    skipped: u32,
}

impl SceneChange {
    /// While the scene is still, lets one frame in `every` through (at least 1: every frame).
    pub fn new(every: u32) -> Self {
        Self {
            last: None,
            every: every.max(1),
            skipped: 0,
        }
    }

    /// Forgets the frame last let through: the next frame goes whatever it holds (a new
    /// preview canvas shows nothing until it gets one).
    pub fn reset(&mut self) {
        self.last = None;
        self.skipped = 0;
    }

    /// Whether the frame `sample` was taken of goes through (it then becomes the frame
    /// compared with).
    pub fn pass(&mut self, sample: &SceneSample) -> bool {
        let still = self
            .last
            .as_ref()
            .is_some_and(|last| last.same_scene(sample));
        if still && self.skipped + 1 < self.every {
            self.skipped += 1;
            return false;
        }
        self.last = Some(sample.clone());
        self.skipped = 0;
        true
    }
}

/// Each block's mean and detail, and the frame's size: what [`SceneChange`] compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SceneSample {
    size: (u32, u32),
    mean: Vec<u8>,
    detail: Vec<u8>,
    /// The sampled pixels, block by block (`SAMPLES x SAMPLES` each, as `mean` orders blocks).
    pixels: Vec<u8>,
}

impl SceneSample {
    /// `SAMPLES x SAMPLES` pixels spread over each block, each with its right-hand neighbour.
    pub fn of(frame: &Frame) -> Self {
        let (w, h) = (frame.width(), frame.height());
        let (bx, by) = (BLOCKS_X.min(w), BLOCKS_Y.min(h));
        let spread = |blocks: u32, side: u32, i: u32| {
            let (start, end) = (i * side / blocks, (i + 1) * side / blocks);
            (0..SAMPLES).map(move |s| start + s * (end - start) / SAMPLES)
        };
        let columns: Vec<Vec<usize>> = (0..bx)
            .map(|i| spread(bx, w, i).map(|x| x as usize).collect())
            .collect();
        let blocks = (bx * by) as usize;
        let (mut sums, mut steps) = (vec![0u32; blocks], vec![0u32; blocks]);
        let mut pixels = vec![0u8; blocks * PER_BLOCK];
        for j in 0..by {
            let range = (j * bx) as usize..((j + 1) * bx) as usize;
            let pixel_range = range.start * PER_BLOCK..range.end * PER_BLOCK;
            let (Some(sum_row), Some(step_row), Some(pixel_row)) = (
                sums.get_mut(range.clone()),
                steps.get_mut(range),
                pixels.get_mut(pixel_range),
            ) else {
                continue;
            };
            for (r, y) in spread(by, h, j).enumerate() {
                let row = frame.row(y);
                let at = |x: usize| row.get(x).copied().unwrap_or(0);
                let blocks = sum_row
                    .iter_mut()
                    .zip(step_row.iter_mut())
                    .zip(pixel_row.chunks_mut(PER_BLOCK));
                for (((sum, step), block_pixels), xs) in blocks.zip(&columns) {
                    let sampled = block_pixels.iter_mut().skip(r * SAMPLES as usize);
                    for (&x, pixel) in xs.iter().zip(sampled) {
                        let (here, right) = (at(x), at((x + 1).min(row.len().saturating_sub(1))));
                        *sum += u32::from(here);
                        *step += u32::from(here.abs_diff(right));
                        *pixel = here;
                    }
                }
            }
        }
        let count = SAMPLES * SAMPLES;
        let level = |total: u32| u8::try_from(total / count).unwrap_or(u8::MAX);
        Self {
            size: (w, h),
            mean: sums.into_iter().map(level).collect(),
            detail: steps.into_iter().map(level).collect(),
            pixels,
        }
    }

    /// Whether every block's sampled pixels are within [`PIXEL_THRESHOLD`] of `other`'s on
    /// average.
    fn pixels_close(&self, other: &Self) -> bool {
        let limit = u32::from(PIXEL_THRESHOLD) * SAMPLES * SAMPLES;
        self.pixels.len() == other.pixels.len()
            && self
                .pixels
                .chunks(PER_BLOCK)
                .zip(other.pixels.chunks(PER_BLOCK))
                .all(|(a, b)| {
                    a.iter()
                        .zip(b)
                        .map(|(a, b)| u32::from(a.abs_diff(*b)))
                        .sum::<u32>()
                        <= limit
                })
    }

    fn same_scene(&self, other: &Self) -> bool {
        let close = |a: &[u8], b: &[u8], threshold: u8| {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.abs_diff(*b) <= threshold)
        };
        self.size == other.size
            && close(&self.mean, &other.mean, MEAN_THRESHOLD)
            && close(&self.detail, &other.detail, DETAIL_THRESHOLD)
            && self.pixels_close(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(change: &mut SceneChange, frame: &Frame) -> bool {
        change.pass(&SceneSample::of(frame))
    }

    /// A 1280x720 grey scene with deterministic uniform noise of +-`amplitude` levels, and an
    /// optional badge (x, y, side, module px) far away.
    fn scene(seed: u32, amplitude: u8, badge: Option<(u32, u32, u32, u32)>) -> Frame {
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
                    // A white card with a code of `module` px modules in its middle.
                    Some((bx, by, side, module))
                        if (bx..bx + side).contains(&x) && (by..by + side).contains(&y) =>
                    {
                        let (cx, cy) = (x - bx, y - by);
                        let margin = side / 6;
                        let code = (margin..side - margin).contains(&cx)
                            && (margin..side - margin).contains(&cy);
                        if code && (cx / module + cy / module) % 2 == 0 {
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

    /// `frame` seen out of focus: each pixel the mean of the `radius` around it in its row and
    /// column (a box blur), which keeps every block's brightness.
    fn blurred(frame: &Frame, radius: u32) -> Frame {
        let (w, h) = (frame.width(), frame.height());
        let pass = |get: &dyn Fn(u32, u32) -> u8, horizontal: bool| -> Vec<u8> {
            let mut out = Vec::with_capacity((w * h) as usize);
            for y in 0..h {
                for x in 0..w {
                    let (mut sum, mut n) = (0u32, 0u32);
                    for d in 0..=2 * radius {
                        let (sx, sy) = if horizontal {
                            ((x + d).checked_sub(radius), Some(y))
                        } else {
                            (Some(x), (y + d).checked_sub(radius))
                        };
                        if let (Some(sx), Some(sy)) = (sx, sy)
                            && sx < w
                            && sy < h
                        {
                            sum += u32::from(get(sx, sy));
                            n += 1;
                        }
                    }
                    out.push(u8::try_from(sum / n.max(1)).unwrap());
                }
            }
            out
        };
        let across = pass(&|x, y| frame.get(x, y), true);
        let down = pass(&|x, y| across[(y * w + x) as usize], false);
        Frame::from_luma(w, h, down).unwrap()
    }

    #[test]
    fn a_still_noisy_scene_goes_one_frame_in_n() {
        let mut change = SceneChange::new(6);
        let passed: Vec<bool> = (0..13)
            .map(|i| pass(&mut change, &scene(i, 6, None)))
            .collect();
        assert_eq!(
            passed,
            [
                true, false, false, false, false, false, true, false, false, false, false, false,
                true
            ]
        );
    }

    #[test]
    fn a_dim_rooms_noise_is_still() {
        // Uniform noise of +-10 levels: a sigma of 6, a dim room's webcam.
        let mut change = SceneChange::new(1000);
        assert!(pass(&mut change, &scene(1, 10, None)));
        let moving = (2..40)
            .filter(|&i| pass(&mut change, &scene(i, 10, None)))
            .count();
        assert_eq!(moving, 0);
        // ... and the far badge in it is a change at once.
        assert!(pass(&mut change, &scene(40, 10, Some((600, 300, 80, 3)))));
    }

    #[test]
    fn a_small_badge_far_away_is_a_change_at_once() {
        let mut change = SceneChange::new(6);
        assert!(pass(&mut change, &scene(1, 6, None)));
        assert!(!pass(&mut change, &scene(2, 6, None)));
        // 80 px: a badge about 60 cm from a 720p camera. Under 1% of the frame.
        assert!(pass(&mut change, &scene(3, 6, Some((600, 300, 80, 4)))));
        // It moves by a few pixels: still a change, frame after frame.
        assert!(pass(&mut change, &scene(4, 6, Some((620, 310, 80, 4)))));
        assert!(pass(&mut change, &scene(5, 6, Some((640, 320, 80, 4)))));
        // Held still: back to the idle rate.
        assert!(!pass(&mut change, &scene(6, 6, Some((640, 320, 80, 4)))));
    }

    /// `frame` with the code at (x, y, side) of [`scene`] turned over, light for dark: another
    /// badge's code in the same place, with the same brightness and detail (a checkerboard
    /// moved by one module).
    fn swapped(frame: &Frame, (bx, by, side, _): (u32, u32, u32, u32)) -> Frame {
        let (w, h) = (frame.width(), frame.height());
        let margin = side / 6;
        let mut data = Vec::with_capacity((w * h) as usize);
        for y in 0..h {
            for (x, &v) in (0..w).zip(frame.row(y)) {
                let (cx, cy) = (x.wrapping_sub(bx), y.wrapping_sub(by));
                let code =
                    (margin..side - margin).contains(&cx) && (margin..side - margin).contains(&cy);
                data.push(if code { 255 - v } else { v });
            }
        }
        Frame::from_luma(w, h, data).unwrap()
    }

    #[test]
    fn a_badge_swapped_for_another_in_the_same_place_is_a_change() {
        // 100 px, 60 cm away: a child showing a second badge where the first was. Block
        // brightness and detail hardly move; the pixels do.
        let badge = (600, 300, 100, 3);
        let mut change = SceneChange::new(1000);
        let first = scene(1, 6, Some(badge));
        assert!(pass(&mut change, &first));
        assert!(!pass(&mut change, &scene(2, 6, Some(badge))));
        assert!(pass(
            &mut change,
            &swapped(&scene(3, 6, Some(badge)), badge)
        ));
        assert!(!pass(
            &mut change,
            &swapped(&scene(4, 6, Some(badge)), badge)
        ));
    }

    #[test]
    fn a_badge_coming_into_focus_is_a_change() {
        let badge = Some((560, 260, 160, 4));
        let mut change = SceneChange::new(1000);
        let sharp = scene(1, 4, badge);
        assert!(pass(&mut change, &blurred(&sharp, 4)));
        assert!(!pass(&mut change, &blurred(&scene(2, 4, badge), 4)));
        assert!(pass(&mut change, &sharp));
        assert!(!pass(&mut change, &scene(3, 4, badge)));
    }

    #[test]
    fn after_a_reset_the_next_frame_goes() {
        let mut change = SceneChange::new(1000);
        assert!(pass(&mut change, &scene(1, 2, None)));
        assert!(!pass(&mut change, &scene(2, 2, None)));
        change.reset();
        assert!(pass(&mut change, &scene(3, 2, None)));
        assert!(!pass(&mut change, &scene(4, 2, None)));
    }

    #[test]
    fn every_frame_when_every_is_one_and_tiny_frames_work() {
        let mut change = SceneChange::new(0);
        let tiny = Frame::from_luma(1, 1, vec![7]).unwrap();
        assert!(pass(&mut change, &tiny));
        assert!(pass(&mut change, &tiny));
        let mut change = SceneChange::new(3);
        assert!(pass(&mut change, &tiny));
        assert!(!pass(&mut change, &tiny));
        // A new size is a change.
        assert!(pass(
            &mut change,
            &Frame::from_luma(2, 1, vec![7, 7]).unwrap()
        ));
    }
}
