//! Local thresholds, after ZXing's `HybridBinarizer`.
//!
//! The frame is cut into 8x8 blocks. Each block gets a "black point" (its mean when it has real
//! contrast; otherwise a guess that it is background, borrowed from its neighbours when they are
//! darker), and a pixel's threshold is the mean black point of the 5x5 blocks around its own.
//! A 40-pixel window follows shadows, glare and vignetting while staying wider than a module at
//! the sizes we read, and the whole map costs one pass over the pixels.
//!
//! Nothing is binarised up front: the finder scan binarises only the rows it reads, and
//! cross-checks and grid sampling compare single pixels against the map.

use crate::frame::Frame;

const BLOCK: usize = 8;
/// A block whose luma spans no more than this is treated as flat (no edge inside it)...
const MIN_DYNAMIC_RANGE: u8 = 24;
/// ...or no more than the frame's noise, estimated from the quietest quarter of the blocks,
/// up to this much: sensor noise on a flat wall must not binarise into random runs (they
/// cost time and pass finder tests by chance), but a close-up of a code has no flat blocks to
/// learn the noise from, so the estimate is capped.
const MAX_DYNAMIC_RANGE_FLOOR: u32 = 48;
/// Half the side of the window of blocks averaged for a threshold (2 gives 5x5 blocks).
const WINDOW_RADIUS: usize = 2;

/// A frame plus its local threshold map.
#[derive(Debug)]
pub struct Binarizer<'a> {
    frame: &'a Frame,
    width: usize,
    height: usize,
    blocks_x: usize,
    blocks_y: usize,
    thresholds: Vec<u8>,
}

impl<'a> Binarizer<'a> {
    /// `None` for frames smaller than one block: no QR code fits in them anyway.
    pub fn new(frame: &'a Frame) -> Option<Self> {
        let width = frame.width() as usize;
        let height = frame.height() as usize;
        if width < BLOCK || height < BLOCK {
            return None;
        }
        let blocks_x = width.div_ceil(BLOCK);
        let blocks_y = height.div_ceil(BLOCK);
        let black = black_points(frame, width, height, blocks_x, blocks_y);
        let thresholds = box_mean(&black, blocks_x, blocks_y);
        Some(Self {
            frame,
            width,
            height,
            blocks_x,
            blocks_y,
            thresholds,
        })
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn frame(&self) -> &Frame {
        self.frame
    }

    /// The threshold at a pixel; the caller keeps `x < width`, `y < height`.
    #[inline]
    pub fn threshold(&self, x: usize, y: usize) -> u8 {
        let bx = (x / BLOCK).min(self.blocks_x - 1);
        let by = (y / BLOCK).min(self.blocks_y - 1);
        self.thresholds[by * self.blocks_x + bx]
    }

    /// Whether the pixel reads as dark; pixels outside the frame read as light (like a quiet
    /// zone), so walks may step off the edge without special cases.
    #[inline]
    pub fn is_dark(&self, x: i32, y: i32) -> bool {
        if x < 0 || y < 0 || x as usize >= self.width || y as usize >= self.height {
            return false;
        }
        let (x, y) = (x as usize, y as usize);
        self.frame.get(x as u32, y as u32) <= self.threshold(x, y)
    }

    #[inline]
    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height
    }

    /// Run lengths of row `y` between `from` and `to` (pixels; `from` is rounded down to a
    /// block edge, `to` clamped to the row), alternating colours, into `runs`; returns the
    /// start of the first run and whether it is dark. `scratch` is reused between calls.
    ///
    /// Written for speed on noisy rows, where a per-pixel branch mispredicts half the time: the
    /// row is thresholded into bytes (vectorised), packed into 64-bit words, and only the
    /// colour changes are visited, via their bit positions.
    pub fn row_runs(
        &self,
        y: usize,
        from: usize,
        to: usize,
        scratch: &mut Vec<u8>,
        runs: &mut Vec<u32>,
    ) -> (usize, bool) {
        runs.clear();
        let to = to.min(self.width);
        let from = (from / BLOCK * BLOCK).min(to);
        let row = &self.frame.row(y as u32)[from..to];
        let thresholds =
            &self.thresholds[(y / BLOCK).min(self.blocks_y - 1) * self.blocks_x + from / BLOCK..];
        scratch.clear();
        scratch.resize(row.len(), 0);
        for ((out, px), &t) in scratch
            .chunks_mut(BLOCK)
            .zip(row.chunks(BLOCK))
            .zip(thresholds)
        {
            for (o, &p) in out.iter_mut().zip(px) {
                *o = u8::from(p <= t);
            }
        }
        let first_dark = scratch.first().is_some_and(|&d| d != 0);
        let mut previous_top = u64::from(first_dark);
        let mut last = 0usize;
        for (k, chunk) in scratch.chunks(64).enumerate() {
            let word = chunk
                .iter()
                .enumerate()
                .fold(0u64, |m, (j, &d)| m | (u64::from(d) << j));
            // Bit i set: pixel i differs from the pixel before it.
            let mut changes = word ^ ((word << 1) | previous_top);
            if chunk.len() < 64 {
                changes &= (1u64 << chunk.len()) - 1;
            }
            previous_top = (word >> 63) & 1;
            while changes != 0 {
                let at = k * 64 + changes.trailing_zeros() as usize;
                runs.push((at - last) as u32);
                last = at;
                changes &= changes - 1;
            }
        }
        runs.push((row.len() - last) as u32);
        (from, first_dark)
    }
}

/// Each block's black point, in row-major block order.
fn black_points(
    frame: &Frame,
    width: usize,
    height: usize,
    blocks_x: usize,
    blocks_y: usize,
) -> Vec<u8> {
    // Column-wise min/max/sum over the block's 8 rows first (straight-line loops the compiler
    // vectorises), then reduce each 8 columns.
    let n = blocks_x * blocks_y;
    let mut mins = vec![0u8; n];
    let mut ranges = vec![0u8; n];
    let mut means = vec![0u8; n];
    // Column-wise min/max/sum over the block's 8 rows first (straight-line loops the compiler
    // vectorises), then reduce each 8 columns.
    let mut col_min = vec![0u8; width];
    let mut col_max = vec![0u8; width];
    let mut col_sum = vec![0u16; width];
    for by in 0..blocks_y {
        // The last block row/column is shifted back inside the frame rather than cut short.
        let y0 = (by * BLOCK).min(height - BLOCK);
        let first = frame.row(y0 as u32);
        col_min.copy_from_slice(first);
        col_max.copy_from_slice(first);
        for (s, &p) in col_sum.iter_mut().zip(first) {
            *s = u16::from(p);
        }
        for r in 1..BLOCK {
            let row = frame.row((y0 + r) as u32);
            for (((mn, mx), s), &p) in col_min
                .iter_mut()
                .zip(col_max.iter_mut())
                .zip(col_sum.iter_mut())
                .zip(row)
            {
                *mn = (*mn).min(p);
                *mx = (*mx).max(p);
                *s += u16::from(p);
            }
        }
        for bx in 0..blocks_x {
            let x0 = (bx * BLOCK).min(width - BLOCK);
            let range = x0..x0 + BLOCK;
            let min = col_min[range.clone()].iter().copied().min().unwrap_or(0);
            let max = col_max[range.clone()].iter().copied().max().unwrap_or(0);
            let sum: u32 = col_sum[range].iter().map(|&s| u32::from(s)).sum();
            let i = by * blocks_x + bx;
            mins[i] = min;
            ranges[i] = max - min;
            means[i] = (sum / (BLOCK * BLOCK) as u32).min(255) as u8;
        }
    }
    let floor = flat_range(&ranges);
    let mut black = vec![0u8; n];
    for by in 0..blocks_y {
        for bx in 0..blocks_x {
            let i = by * blocks_x + bx;
            let value = if u32::from(ranges[i]) > floor {
                u32::from(means[i])
            } else {
                // A flat block: assume background (light), i.e. a black point below its
                // darkest pixel, unless the neighbours found a higher black point, in which
                // case the block is probably inside a dark area and takes theirs.
                let min = u32::from(mins[i]);
                let mut v = min / 2;
                if by > 0 && bx > 0 {
                    let above = u32::from(black[i - blocks_x]);
                    let left = u32::from(black[i - 1]);
                    let above_left = u32::from(black[i - blocks_x - 1]);
                    let neighbours = (above + 2 * left + above_left) / 4;
                    if min < neighbours {
                        v = neighbours;
                    }
                }
                v
            };
            black[i] = value.min(255) as u8;
        }
    }
    black
}

/// The largest luma range of a block still taken as flat: a quarter of the blocks are quieter
/// than a quarter-percentile block, and on most frames at least that many see no edge, so
/// its range is the noise; a quarter more on top of it gives margin.
fn flat_range(ranges: &[u8]) -> u32 {
    if ranges.is_empty() {
        return u32::from(MIN_DYNAMIC_RANGE);
    }
    let mut r = ranges.to_vec();
    let k = r.len() / 4;
    let (_, &mut quarter, _) = r.select_nth_unstable(k);
    (u32::from(quarter) * 5 / 4).clamp(u32::from(MIN_DYNAMIC_RANGE), MAX_DYNAMIC_RANGE_FLOOR)
}

/// Mean over the (edge-clipped) window of blocks around each block, separably.
fn box_mean(values: &[u8], nx: usize, ny: usize) -> Vec<u8> {
    let mut horizontal = vec![0u32; nx * ny];
    for y in 0..ny {
        let row = &values[y * nx..(y + 1) * nx];
        for x in 0..nx {
            let lo = x.saturating_sub(WINDOW_RADIUS);
            let hi = (x + WINDOW_RADIUS).min(nx - 1);
            let s: u32 = row[lo..=hi].iter().map(|&v| u32::from(v)).sum();
            // Scaled by 16 before dividing so the vertical pass keeps precision.
            horizontal[y * nx + x] = s * 16 / (hi - lo + 1) as u32;
        }
    }
    let mut out = vec![0u8; nx * ny];
    for y in 0..ny {
        let lo = y.saturating_sub(WINDOW_RADIUS);
        let hi = (y + WINDOW_RADIUS).min(ny - 1);
        let n = (hi - lo + 1) as u32;
        for x in 0..nx {
            let s: u32 = (lo..=hi).map(|yy| horizontal[yy * nx + x]).sum();
            out[y * nx + x] = (s / (n * 16)).min(255) as u8;
        }
    }
    out
}
