//! Reading the module grid through a transform, and a cheap check of whether a sampled grid is
//! a QR code at all (its format information) before handing it to the decoder.

use super::binarize::Binarizer;
use super::transform::Homography;
use crate::frame::Frame;
use crate::grid_decode::version_distance;

/// Bilinear luma at a point in pixel coordinates (pixel `i` is centred on `i + 0.5`); points
/// outside the frame take the nearest edge pixel, non-finite points read as 0.
pub fn luma_at(frame: &Frame, x: f64, y: f64) -> f32 {
    if !x.is_finite() || !y.is_finite() {
        return 0.0;
    }
    let w = frame.width() as usize;
    let h = frame.height() as usize;
    let fx = (x - 0.5).clamp(0.0, (w - 1) as f64);
    let fy = (y - 0.5).clamp(0.0, (h - 1) as f64);
    let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (ax, ay) = ((fx - x0 as f64) as f32, (fy - y0 as f64) as f32);
    let stride = frame.stride();
    let d = frame.data();
    let p = |x: usize, y: usize| f32::from(d[y * stride + x]);
    let top = p(x0, y0) * (1.0 - ax) + p(x1, y0) * ax;
    let bottom = p(x0, y1) * (1.0 - ax) + p(x1, y1) * ax;
    top * (1.0 - ay) + bottom * ay
}

/// The local threshold at a point, clamped into the frame.
pub fn threshold_at(bin: &Binarizer<'_>, x: f64, y: f64) -> f32 {
    let cx = if x.is_finite() {
        x.clamp(0.0, (bin.width() - 1) as f64) as usize
    } else {
        0
    };
    let cy = if y.is_finite() {
        y.clamp(0.0, (bin.height() - 1) as f64) as usize
    } else {
        0
    };
    f32::from(bin.threshold(cx, cy))
}

/// Samples the `dim` x `dim` module grid, row-major; `true` is a set (dark) module of the code,
/// which for an inverted code (`dark == false`) is a light pixel.
pub fn sample_grid(bin: &Binarizer<'_>, h: &Homography, dim: usize, dark: bool) -> Vec<bool> {
    let module = module_at(bin, h, dark);
    let mut bits = Vec::with_capacity(dim * dim);
    for r in 0..dim {
        for c in 0..dim {
            bits.push(module(c, r));
        }
    }
    bits
}

/// Like [`sample_grid`], but with one threshold for the whole grid, splitting the module
/// centres' grey levels in two (Otsu). Where the local map is fooled (a block that is all
/// dark modules, a glare spot) a code under even light still separates cleanly.
pub fn sample_grid_global(
    bin: &Binarizer<'_>,
    h: &Homography,
    dim: usize,
    dark: bool,
) -> Vec<bool> {
    let frame = bin.frame();
    let mut lumas = Vec::with_capacity(dim * dim);
    for r in 0..dim {
        for c in 0..dim {
            let (x, y) = h.map(c as f64 + 0.5, r as f64 + 0.5);
            lumas.push(luma_at(frame, x, y));
        }
    }
    let t = otsu(&lumas);
    lumas.iter().map(|&l| (l <= t) == dark).collect()
}

/// The threshold that best splits `values` (0-255) into two classes.
fn otsu(values: &[f32]) -> f32 {
    let mut hist = [0u32; 256];
    for &v in values {
        hist[v.clamp(0.0, 255.0) as usize] += 1;
    }
    let total = values.len() as f64;
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &n)| i as f64 * f64::from(n))
        .sum();
    let (mut w0, mut sum0) = (0.0, 0.0);
    let (mut best, mut best_t) = (-1.0, 128.0);
    for (i, &n) in hist.iter().enumerate() {
        w0 += f64::from(n);
        sum0 += i as f64 * f64::from(n);
        let w1 = total - w0;
        if w0 == 0.0 || w1 == 0.0 {
            continue;
        }
        let (m0, m1) = (sum0 / w0, (sum_all - sum0) / w1);
        let between = w0 * w1 * (m0 - m1).powi(2);
        if between > best {
            best = between;
            best_t = i as f64 + 0.5;
        }
    }
    best_t as f32
}

/// All 32 valid (masked) format words.
fn format_words() -> [u16; 32] {
    let mut words = [0u16; 32];
    for (data, w) in words.iter_mut().enumerate() {
        let data = data as u16;
        let mut rem = data << 10;
        for i in (10..15).rev() {
            if rem & (1 << i) != 0 {
                rem ^= 0x537 << (i - 10);
            }
        }
        *w = ((data << 10) | rem) ^ 0x5412;
    }
    words
}

/// The fewest bit errors between the two copies of the format information (read straight or
/// mirrored) and one valid format word, over all 30 bits. A grid registered right at least
/// around the finders scores 0-5; a random grid almost never does (about 1 in 100), whereas a
/// single 15-bit copy lands within 3 bits of one of the 32 words by chance most of the time.
pub fn format_distance(bits: &[bool], dim: usize) -> u32 {
    if dim < 21 || bits.len() < dim * dim {
        return 30;
    }
    let words = format_words();
    let at = |x: usize, y: usize| bits[y * dim + x];
    let mut best = 30;
    for mirrored in [false, true] {
        let get = |x: usize, y: usize| if mirrored { at(y, x) } else { at(x, y) };
        let mut first = 0u16;
        for (x, y) in [
            (0, 8),
            (1, 8),
            (2, 8),
            (3, 8),
            (4, 8),
            (5, 8),
            (7, 8),
            (8, 8),
            (8, 7),
        ]
        .into_iter()
        .chain((0..6).rev().map(|y| (8, y)))
        {
            first = (first << 1) | u16::from(get(x, y));
        }
        let mut second = 0u16;
        for y in (dim - 7..dim).rev() {
            second = (second << 1) | u16::from(get(8, y));
        }
        for x in dim - 8..dim {
            second = (second << 1) | u16::from(get(x, 8));
        }
        for w in words {
            best = best.min((w ^ first).count_ones() + (w ^ second).count_ones());
        }
    }
    best
}

/// [`version_distance`] of the grid `h` maps, sampling only the 36 modules of the two
/// version blocks.
pub fn version_distance_at(bin: &Binarizer<'_>, h: &Homography, dim: usize, dark: bool) -> u32 {
    version_distance(dim, module_at(bin, h, dark))
}

/// Whether the module at column `c`, row `r` of the grid `h` maps is dark (in the code's own
/// sense: `dark` false for a light-on-dark code), one module sampled at its centre.
pub fn module_at<'a>(
    bin: &'a Binarizer<'_>,
    h: &'a Homography,
    dark: bool,
) -> impl Fn(usize, usize) -> bool + 'a {
    move |c, r| {
        let (x, y) = h.map(c as f64 + 0.5, r as f64 + 0.5);
        (luma_at(bin.frame(), x, y) <= threshold_at(bin, x, y)) == dark
    }
}

/// The share of the timing-pattern modules (row 6 and column 6 between the finders, dark on
/// even positions) that a sampled grid has right: near 1 when the grid is registered on a
/// code (they sit along the finders' edges, where a transform from the finders is at its
/// best), near one half for a grid sampled from anything else.
pub fn timing_agreement(bits: &[bool], dim: usize) -> f32 {
    if bits.len() < dim * dim {
        return 0.0;
    }
    timing_share(dim, |x, y| bits[y * dim + x])
}

/// The share of each timing pattern's modules right, the row's (between the top finders) and
/// the column's (between the left ones), in the grid `h` maps, sampling only those modules.
pub fn timing_lines_at(bin: &Binarizer<'_>, h: &Homography, dim: usize, dark: bool) -> [f32; 2] {
    timing_lines(dim, module_at(bin, h, dark))
}

/// The timing share of a `dim` x `dim` grid whose module at column `x`, row `y` is dark when
/// `dark(x, y)`; 0 for a grid too small to be a code.
fn timing_share(dim: usize, dark: impl Fn(usize, usize) -> bool) -> f32 {
    let [row, column] = timing_lines(dim, dark);
    (row + column) / 2.0
}

/// The row's and the column's shares (see [`timing_lines_at`]); 0 for a grid too small.
fn timing_lines(dim: usize, dark: impl Fn(usize, usize) -> bool) -> [f32; 2] {
    if dim < 21 {
        return [0.0; 2];
    }
    let share = |module: &dyn Fn(usize) -> bool| {
        let right = (8..dim - 8)
            .filter(|&i| module(i) == i.is_multiple_of(2))
            .count();
        right as f32 / (dim - 16) as f32
    };
    [share(&|i| dark(i, 6)), share(&|i| dark(6, i))]
}

#[cfg(test)]
mod tests {
    use super::{timing_agreement, timing_lines};

    #[test]
    fn a_code_keeps_time_and_noise_does_not() {
        let code = qrcode::QrCode::new(b"timing patterns").expect("fits");
        let dim = code.width();
        let bits: Vec<bool> = code
            .to_colors()
            .iter()
            .map(|c| *c == qrcode::Color::Dark)
            .collect();
        assert_eq!(timing_agreement(&bits, dim), 1.0);
        let mut seed = 5u64;
        let noise: Vec<bool> = (0..57 * 57)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                seed >> 63 == 1
            })
            .collect();
        assert!(timing_agreement(&noise, 57) < 0.65);
        assert_eq!(timing_agreement(&[], 21), 0.0);
    }

    #[test]
    fn each_timing_line_is_judged_on_its_own() {
        // A grid whose row keeps time and whose column is all light: the row right, the
        // column right only where it should be light (every other module).
        let dim = 57;
        let lines = timing_lines(dim, |x, y| y == 6 && x % 2 == 0);
        assert_eq!(lines[0], 1.0);
        assert!((lines[1] - 0.5).abs() < 0.05, "{lines:?}");
        assert_eq!(timing_lines(20, |_, _| true), [0.0, 0.0]);
    }
}
