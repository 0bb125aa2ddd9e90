//! Cheap image transforms that raise rqrr's pass rate on real photos (measured in
//! SCANNER-NOTES.md): adaptive thresholding for uneven light, inversion for light-on-dark
//! codes, box downscaling for large frames and upscaling for tiny codes.

use crate::code::{Point, grow, quad_contains};
use crate::frame::Frame;

/// Halves each side by averaging 2x2 blocks: 0.3 ms at 720p, and codes keep decoding while
/// modules stay >= 2.5 px (a Triangle resize costs 30x more and blurs the code away).
pub fn half(frame: &Frame) -> Option<Frame> {
    let (w, h) = (frame.width() / 2, frame.height() / 2);
    if w == 0 || h == 0 {
        return None;
    }
    let mut out = Vec::with_capacity(w as usize * h as usize);
    for y in 0..h {
        let a = frame.row(2 * y);
        let b = frame.row(2 * y + 1);
        for x in 0..w as usize {
            let s = u16::from(a[2 * x])
                + u16::from(a[2 * x + 1])
                + u16::from(b[2 * x])
                + u16::from(b[2 * x + 1]);
            out.push(((s + 2) / 4) as u8);
        }
    }
    Frame::from_luma(w, h, out).ok()
}

/// Doubles each side with bilinear interpolation, for codes whose modules are too small for
/// rqrr's region finder.
pub fn double(frame: &Frame) -> Option<Frame> {
    let (w, h) = (frame.width(), frame.height());
    let (w2, h2) = (w.checked_mul(2)?, h.checked_mul(2)?);
    let mut out = Vec::with_capacity(w2 as usize * h2 as usize);
    for y in 0..h2 {
        let sy = (y as f32 - 0.5) / 2.0;
        let y0 = sy.floor().clamp(0.0, (h - 1) as f32) as u32;
        let y1 = (y0 + 1).min(h - 1);
        let fy = (sy - y0 as f32).clamp(0.0, 1.0);
        let (r0, r1) = (frame.row(y0), frame.row(y1));
        for x in 0..w2 {
            let sx = (x as f32 - 0.5) / 2.0;
            let x0 = sx.floor().clamp(0.0, (w - 1) as f32) as usize;
            let x1 = (x0 + 1).min(w as usize - 1);
            let fx = (sx - x0 as f32).clamp(0.0, 1.0);
            let top = f32::from(r0[x0]) * (1.0 - fx) + f32::from(r0[x1]) * fx;
            let bot = f32::from(r1[x0]) * (1.0 - fx) + f32::from(r1[x1]) * fx;
            out.push((top * (1.0 - fy) + bot * fy + 0.5) as u8);
        }
    }
    Frame::from_luma(w2, h2, out).ok()
}

/// The `w` x `h` rectangle at (`x`, `y`), clipped to the frame; `None` when nothing is left.
pub fn crop(frame: &Frame, x: u32, y: u32, w: u32, h: u32) -> Option<Frame> {
    let w = w.min(frame.width().checked_sub(x)?);
    let h = h.min(frame.height().checked_sub(y)?);
    let mut out = Vec::with_capacity(w as usize * h as usize);
    for row in y..y + h {
        out.extend_from_slice(&frame.row(row)[x as usize..(x + w) as usize]);
    }
    Frame::from_luma(w, h, out).ok()
}

/// `frame` with each of `quads` (grown by a tenth around its centre, for corners a module
/// off) painted over in the shade around it, the median luma along its grown outline: the
/// quiet zone, so the paper's own shade. What was there, a code already read, is gone for the
/// steps after, which then spend no work finding and decoding it again.
pub fn blank(frame: &Frame, quads: &[[Point; 4]]) -> Frame {
    let (w, h) = (frame.width(), frame.height());
    let mut data: Vec<u8> = (0..h).flat_map(|y| frame.row(y).iter().copied()).collect();
    for quad in quads {
        let outline = grow(quad, 1.3);
        let mut shades: Vec<u8> = (0..4)
            .flat_map(|i| {
                let (a, b) = (outline[i], outline[(i + 1) % 4]);
                (0..16).map(move |k| {
                    let t = k as f32 / 16.0;
                    [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
                })
            })
            .filter(|p| p[0] >= 0.0 && p[1] >= 0.0 && p[0] < w as f32 && p[1] < h as f32)
            .map(|p| frame.get(p[0] as u32, p[1] as u32))
            .collect();
        if shades.is_empty() {
            continue;
        }
        let mid = shades.len() / 2;
        let (_, &mut shade, _) = shades.select_nth_unstable(mid);
        let area = grow(quad, 1.1);
        let lo = |i: usize| area.iter().map(|p| p[i]).fold(f32::INFINITY, f32::min);
        let hi = |i: usize| area.iter().map(|p| p[i]).fold(f32::NEG_INFINITY, f32::max);
        if !(lo(0).is_finite() && lo(1).is_finite() && hi(0).is_finite() && hi(1).is_finite()) {
            continue;
        }
        let (x0, x1) = (lo(0).max(0.0) as u32, (hi(0).max(0.0) as u32).min(w - 1));
        let (y0, y1) = (lo(1).max(0.0) as u32, (hi(1).max(0.0) as u32).min(h - 1));
        for y in y0..=y1 {
            for x in x0..=x1 {
                if quad_contains(&area, [x as f32 + 0.5, y as f32 + 0.5]) {
                    data[(y * w + x) as usize] = shade;
                }
            }
        }
    }
    Frame::from_luma(w, h, data).unwrap_or_else(|_| frame.clone())
}

/// Light-on-dark codes become dark-on-light.
pub fn invert(frame: &Frame) -> Frame {
    let data = (0..frame.height())
        .flat_map(|y| frame.row(y).iter().map(|&p| 255 - p))
        .collect();
    Frame::from_luma(frame.width(), frame.height(), data).unwrap_or_else(|_| frame.clone())
}

/// Mirrors left-right (a front camera's selfie view).
pub fn mirror(frame: &Frame) -> Frame {
    let data = (0..frame.height())
        .flat_map(|y| frame.row(y).iter().rev().copied())
        .collect();
    Frame::from_luma(frame.width(), frame.height(), data).unwrap_or_else(|_| frame.clone())
}

/// Binarises against the mean of a square window around each pixel (from an integral image),
/// so shadows and glare across the code do not push whole regions to one colour.
pub fn adaptive_threshold(frame: &Frame) -> Frame {
    let (w, h) = (frame.width() as usize, frame.height() as usize);
    let radius = (w.min(h) / 16).max(4);
    let iw = w + 1;
    let mut integral = vec![0u32; iw * (h + 1)];
    for y in 0..h {
        let row = frame.row(y as u32);
        let mut acc = 0u32;
        for x in 0..w {
            acc += u32::from(row[x]);
            integral[(y + 1) * iw + x + 1] = integral[y * iw + x + 1] + acc;
        }
    }
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(radius), (y + radius + 1).min(h));
        let row = frame.row(y as u32);
        for (x, &p) in row.iter().enumerate() {
            let (x0, x1) = (x.saturating_sub(radius), (x + radius + 1).min(w));
            let sum = integral[y1 * iw + x1] + integral[y0 * iw + x0]
                - integral[y0 * iw + x1]
                - integral[y1 * iw + x0];
            let n = ((y1 - y0) * (x1 - x0)) as u32;
            // A pixel must be clearly darker than its surroundings to count as dark, so flat
            // paper noise does not turn into speckle.
            let dark = u32::from(p) * n * 100 < sum * 93;
            out.push(if dark { 0 } else { 255 });
        }
    }
    Frame::from_luma(w as u32, h as u32, out).unwrap_or_else(|_| frame.clone())
}

/// Stretches the histogram so the 1st percentile becomes black and the 99th white: dim and
/// washed-out frames get their contrast back before a global threshold is applied.
pub fn stretch(frame: &Frame) -> Frame {
    let mut hist = [0u32; 256];
    for y in 0..frame.height() {
        for &p in frame.row(y) {
            hist[p as usize] += 1;
        }
    }
    let total: u32 = hist.iter().sum();
    let lo = percentile(&hist, total / 100);
    let hi = percentile(&hist, (total - total / 100).saturating_sub(1));
    if u16::from(hi) <= u16::from(lo) + 8 {
        return frame.clone();
    }
    let span = u32::from(hi - lo);
    let lut: Vec<u8> = (0..256u32)
        .map(|v| (v.saturating_sub(u32::from(lo)) * 255 / span).min(255) as u8)
        .collect();
    let data = (0..frame.height())
        .flat_map(|y| frame.row(y).iter().map(|&p| lut[p as usize]))
        .collect();
    Frame::from_luma(frame.width(), frame.height(), data).unwrap_or_else(|_| frame.clone())
}

fn percentile(hist: &[u32; 256], rank: u32) -> u8 {
    let mut acc = 0;
    for (v, &n) in hist.iter().enumerate() {
        acc += n;
        if acc > rank {
            return v as u8;
        }
    }
    255
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(w: u32, h: u32) -> Frame {
        Frame::from_luma(w, h, (0..w * h).map(|i| (i % 251) as u8).collect()).unwrap()
    }

    #[test]
    fn half_and_double_sizes() {
        let f = ramp(7, 5);
        assert_eq!(half(&f).map(|f| (f.width(), f.height())), Some((3, 2)));
        assert!(half(&ramp(1, 9)).is_none());
        assert_eq!(double(&f).map(|f| (f.width(), f.height())), Some((14, 10)));
        assert_eq!(
            double(&ramp(1, 1)).map(|f| f.data().to_vec()),
            Some(vec![0; 4])
        );
    }

    #[test]
    fn crop_clips_to_the_frame() {
        let f = ramp(9, 4);
        let c = crop(&f, 2, 1, 3, 2).unwrap();
        assert_eq!((c.width(), c.height()), (3, 2));
        assert_eq!(c.row(1), &f.row(2)[2..5]);
        assert_eq!(
            crop(&f, 7, 3, 10, 10).map(|c| (c.width(), c.height())),
            Some((2, 1))
        );
        assert!(crop(&f, 9, 0, 1, 1).is_none());
        assert!(crop(&f, 20, 0, 1, 1).is_none());
    }

    #[test]
    fn stretch_leaves_flat_frames_alone() {
        // Found by the frame_scan fuzz target: a near-white frame overflowed the range check.
        for v in [0, 128, 250, 255] {
            let f = Frame::from_luma(4, 4, vec![v; 16]).unwrap();
            assert_eq!(stretch(&f), f);
        }
    }

    #[test]
    fn blank_paints_a_quad_in_the_shade_around_it() {
        // A dark square on light paper, with a darker stripe far from it.
        let (w, h) = (60u32, 40u32);
        let data = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                if (10..30).contains(&x) && (10..30).contains(&y) {
                    20
                } else if x >= 55 {
                    5
                } else {
                    200
                }
            })
            .collect();
        let f = Frame::from_luma(w, h, data).unwrap();
        let b = blank(
            &f,
            &[[[10.0, 10.0], [30.0, 10.0], [30.0, 30.0], [10.0, 30.0]]],
        );
        assert!((0..h).all(|y| (0..55).all(|x| b.get(x, y) == 200)));
        assert_eq!(b.get(57, 20), 5, "outside the quad nothing changes");
        // A quad partly or wholly off the frame, or not finite, is no panic.
        let off = blank(
            &f,
            &[[[50.0, -20.0], [90.0, -20.0], [90.0, 20.0], [50.0, 20.0]]],
        );
        assert_eq!(off.get(0, 0), 200);
        let nan = [[f32::NAN, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        assert_eq!(blank(&f, &[nan]), f);
        assert_eq!(blank(&f, &[[[-90.0, -90.0]; 4]]), f);
    }

    #[test]
    fn invert_and_mirror_are_involutions() {
        let f = ramp(9, 4);
        assert_eq!(invert(&invert(&f)), f);
        assert_eq!(mirror(&mirror(&f)), f);
        assert_eq!(mirror(&f).row(0)[0], f.row(0)[8]);
    }

    #[test]
    fn adaptive_threshold_separates_a_shadowed_edge() {
        // Left half dark grey, right half darker: a step inside a shadow still shows.
        let w = 64;
        let data: Vec<u8> = (0..w * w)
            .map(|i| if i % w < 32 { 90 } else { 40 })
            .collect();
        let t = adaptive_threshold(&Frame::from_luma(w, w, data).unwrap());
        assert_eq!(t.get(34, 10), 0);
        assert_eq!(t.get(30, 10), 255);
    }

    #[test]
    fn stretch_widens_a_dim_range() {
        let data: Vec<u8> = (0..100u32)
            .map(|i| if i % 2 == 0 { 20 } else { 60 })
            .collect();
        let s = stretch(&Frame::from_luma(10, 10, data).unwrap());
        assert_eq!(s.get(0, 0), 0);
        assert_eq!(s.get(1, 0), 255);
    }
}
