//! Finder pattern candidates: the 1:1:3:1:1 dark-light-dark-light-dark runs that cross the
//! centre of each of a code's three corner squares, in any direction.
//!
//! Rows are scanned a few pixels apart; a row hit is confirmed by the same ratio vertically,
//! again horizontally through the refined centre, and diagonally (the pattern is nested
//! squares, so every line through its centre shows the same ratio). Hits of one pattern on
//! several rows are merged; the merge count says how sure we are.
//!
//! Both polarities are searched at once: a light-on-dark (inverted) code has the same pattern
//! with the colours swapped, and the row runs are shared.

use super::binarize::Binarizer;
use crate::budget::Budget;

/// A confirmed finder pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finder {
    /// Centre in pixel coordinates (pixel `i` spans `[i, i + 1)`).
    pub x: f32,
    pub y: f32,
    /// Estimated module size in pixels.
    pub module: f32,
    /// How many scan rows confirmed it.
    pub count: u32,
    /// `true` for a dark pattern on light (the normal case), `false` for inverted.
    pub dark: bool,
    /// Whether the diagonal through the centre shows the ratio too (square corners).
    pub diagonal: bool,
    /// Not seen: placed where a code's third pattern would be, from the two seen
    /// ([`super::pair`]). Nothing is measured on it.
    pub inferred: bool,
}

/// Tolerance of the row and column ratio tests, as a fraction of the expected run length.
const TOLERANCE: f32 = 0.5;
/// The narrowest pattern looked at, in pixels (modules of about 1.3 px): below that, blur
/// and sensor noise make the runs meaningless, and noise makes very many of them.
const MIN_TOTAL: u32 = 7;
/// The least luma difference between the light ring and the centre stone: sensor noise at a
/// flat area binarises into random runs, some of which pass every ratio test.
const MIN_CONTRAST: f32 = 20.0;
/// Slack, in pixels, on each one-module run of the ratio tests (see [`ratio_ok`]).
const PIXEL_SLACK: f32 = 0.5;
/// Diagonals are looser: pixel steps are longer and blur rounds the square's corners.
const DIAGONAL_TOLERANCE: f32 = 0.75;

/// Scans the frame for finder patterns of both polarities.
/// At most `max` distinct candidates are kept: past that the frame is mostly texture (see
/// [`super::Reach`]).
pub fn find(bin: &Binarizer<'_>, budget: &Budget, max: usize) -> Vec<Finder> {
    let height = bin.height();
    // A finder's centre is 3 modules tall; at the smallest modules we read (about 2 px in the
    // small photos, 4 px at 720p) this step still crosses every centre stone at least once.
    let step = (height / 240).clamp(1, 3);
    let mut finders: Vec<Finder> = Vec::new();
    let mut runs = Vec::with_capacity(256);
    let mut scratch = Vec::new();
    let mut y = step / 2;
    let mut rows = 0u32;
    while y < height {
        // A 12-megapixel row of noise takes about 17 µs: checked every 8 rows scanned, the
        // budget is overrun by a fraction of a millisecond (every 64th row, at a step of 3,
        // was every 192 rows: 3 ms).
        if rows.is_multiple_of(ROWS_BETWEEN_CHECKS) && budget.expired() {
            break;
        }
        rows += 1;
        scan_row(
            bin,
            y,
            0..bin.width(),
            TOLERANCE,
            &mut scratch,
            &mut runs,
            &mut finders,
            max,
        );
        y += step;
    }
    // A pattern crossed by one scan row is not grouped (see `group::triples`), yet a small or
    // turned one may have been stepped over by the rows around its hit: those rows are scanned
    // across it, so that a real pattern gets the second hit that a chance one does not.
    if step > 1 && !budget.expired() {
        let singles: Vec<(f32, f32, f32)> = finders
            .iter()
            .filter(|f| f.count == 1)
            .map(|f| (f.x, f.y, f.module))
            .collect();
        for (x, y, module) in singles {
            let reach = module * SINGLE_RESCAN_MODULES;
            let from = (x - reach).max(0.0) as usize;
            let to = (x + reach).max(0.0) as usize;
            let hit_row = y as usize;
            for row in hit_row.saturating_sub(step - 1)..(hit_row + step).min(height) {
                if row != hit_row {
                    scan_row(
                        bin,
                        row,
                        from..to,
                        TOLERANCE,
                        &mut scratch,
                        &mut runs,
                        &mut finders,
                        max,
                    );
                }
            }
        }
    }
    finders
}

/// Tolerance of the cross-checks of a pattern looked for where two others put it (see
/// [`find_near`]): the diagonal's. A row through it must still pass at [`TOLERANCE`].
const GUIDED_TOLERANCE: f32 = DIAGONAL_TOLERANCE;

/// The patterns of `dark` polarity and about `module` pixels a module whose centres lie within
/// `radius` pixels (a square) of (`x`, `y`), nearest first: where two seen patterns put a
/// code's third (`pair`), which the frame-wide search did not confirm.
///
/// Blur, fading or a bend on one corner of a code skews its pattern's runs across one way
/// (a light ring half as wide again as the dark one around it, the centre stone off the
/// row's middle), beyond the [`TOLERANCE`] the whole frame is searched at, where a looser one
/// would let through much of a large code's data and of print. Near the place two patterns
/// predict, rows still pass the usual test and only the lines across are held to the
/// diagonal's looser [`GUIDED_TOLERANCE`]: the prediction is the evidence the frame-wide
/// search lacks.
pub fn find_near(
    bin: &Binarizer<'_>,
    (x, y): (f32, f32),
    radius: f32,
    module: f32,
    dark: bool,
) -> Vec<Finder> {
    if !(x.is_finite() && y.is_finite() && radius.is_finite() && module.is_finite()) {
        return Vec::new();
    }
    let clamp = |v: f32, hi: usize| (v.max(0.0) as usize).min(hi);
    let (x0, x1) = (
        clamp(x - radius, bin.width()),
        clamp(x + radius, bin.width()),
    );
    let (y0, y1) = (
        clamp(y - radius, bin.height()),
        clamp(y + radius, bin.height()),
    );
    // Three rows cross every centre stone (three modules tall): where one corner of a code is
    // skewed, few of the rows through its pattern pass the row test.
    let step = ((module / 3.0) as usize).max(1);
    let (mut scratch, mut runs, mut found) = (Vec::new(), Vec::new(), Vec::new());
    for row in (y0..y1).step_by(step) {
        scan_row(
            bin,
            row,
            x0..x1,
            GUIDED_TOLERANCE,
            &mut scratch,
            &mut runs,
            &mut found,
            MAX_NEAR,
        );
    }
    found.retain(|f| {
        f.dark == dark
            && same_module(f.module, module)
            && (f.x - x).abs() <= radius
            && (f.y - y).abs() <= radius
    });
    let distance = |f: &Finder| (f.x - x).hypot(f.y - y);
    found.sort_by(|a, b| distance(a).total_cmp(&distance(b)));
    found
}

/// The most candidates [`find_near`] collects in one window (a large code's data is full of
/// pattern-like runs).
const MAX_NEAR: usize = 64;

/// Rows scanned between two looks at the clock (see [`find`]).
const ROWS_BETWEEN_CHECKS: u32 = 8;

/// How far either side of a single hit its neighbouring rows are scanned, in modules: a
/// pattern turned 45 degrees spans five modules either side of its centre along a row.
const SINGLE_RESCAN_MODULES: f32 = 6.0;

/// Row `y`'s hits between `span`'s ends, each confirmed across at `tolerance`, merged into
/// `finders` (at most `max`).
#[allow(clippy::too_many_arguments)]
fn scan_row(
    bin: &Binarizer<'_>,
    y: usize,
    span: std::ops::Range<usize>,
    tolerance: f32,
    scratch: &mut Vec<u8>,
    runs: &mut Vec<u32>,
    finders: &mut Vec<Finder>,
    max: usize,
) {
    let (from, first_dark) = bin.row_runs(y, span.start, span.end, scratch, runs);
    if runs.len() < 5 {
        return;
    }
    let mut start = from as u32;
    for i in 0..runs.len() - 4 {
        let window = [runs[i], runs[i + 1], runs[i + 2], runs[i + 3], runs[i + 4]];
        // Run i+2 is dark when run 0 is dark and i is even, or run 0 is light and i is odd.
        let centre_dark = first_dark == (i % 2 == 0);
        let total: u32 = window.iter().sum();
        if total >= MIN_TOTAL
            && (row_ratio_ok(&window, total) || spread_ratio_ok(&window, TOLERANCE))
        {
            let centre_start = start + window[0] + window[1];
            let cx = centre_start as f32 + window[2] as f32 / 2.0;
            let cy = y as f32 + 0.5;
            if let Some(f) = settled(finders, cx, cy, total, centre_dark) {
                f.count += 1;
            } else if contrast(bin, &window, cx, cy, centre_dark) >= MIN_CONTRAST
                && let Some(found) = confirm(bin, cx, cy, total, centre_dark, tolerance)
            {
                merge(finders, found, max);
            }
        }
        start += runs[i];
    }
}

/// [`plain_ratio_ok`] at [`TOLERANCE`] (one half) in integer maths, checking the centre first: this
/// runs on every window of every scanned row, which on a noisy frame is most of the work.
#[inline]
fn row_ratio_ok(r: &[u32; 5], total: u32) -> bool {
    // |7c - 3T| < 1.5 T  and  |7r - T| < 0.5 T, times two.
    let (lo1, hi1) = (total, 3 * total);
    let in1 = |x: u32| 14 * x > lo1 && 14 * x < hi1;
    14 * r[2] > 3 * total
        && 14 * r[2] < 9 * total
        && in1(r[1])
        && in1(r[3])
        && in1(r[0])
        && in1(r[4])
}

/// Whether five runs look like 1:1:3:1:1 within `tolerance`, as printed ([`plain_ratio_ok`])
/// or with every dark run widened or thinned by the same amount ([`spread_ratio_ok`]).
pub fn ratio_ok(runs: &[u32; 5], tolerance: f32) -> bool {
    plain_ratio_ok(runs, tolerance) || spread_ratio_ok(runs, tolerance)
}

/// Whether five runs look like 1:1:3:1:1 within `tolerance`, each against a seventh of the
/// whole.
fn plain_ratio_ok(runs: &[u32; 5], tolerance: f32) -> bool {
    let total: u32 = runs.iter().sum();
    if total < 7 {
        return false;
    }
    let module = total as f32 / 7.0;
    let max_dev = module * tolerance;
    // At two pixels a module, a one-module run lands on 1 or 3 pixels depending on where the
    // module boundaries fall: half a pixel of slack keeps such patterns without loosening
    // the test for larger ones.
    let one = max_dev + PIXEL_SLACK;
    (runs[0] as f32 - module).abs() < one
        && (runs[1] as f32 - module).abs() < one
        && (runs[2] as f32 - 3.0 * module).abs() < 3.0 * max_dev
        && (runs[3] as f32 - module).abs() < one
        && (runs[4] as f32 - module).abs() < one
}

/// The smallest module, in pixels, at which a spread is told from where the module edges fall
/// between pixels: under two pixels a module a run's length is mostly rounding, and a large
/// code's data at that size is full of runs a loose test would take for patterns.
const MIN_SPREAD_MODULE: f32 = 2.0;
/// How far the pattern's colour may spread into the other, per run, as a share of a module
/// (see [`spread_ratio_ok`]).
const MAX_SPREAD: f32 = 0.75;

/// Whether five runs are 1:1:3:1:1 with the pattern's own colour spread by the same amount
/// into every edge (or pulled back from it): `module ± spread`, `3 module ± spread`.
///
/// A camera moves every edge the same way when the light side clips (a white badge in a
/// camera exposed for a dark room: the ink's blurred edges clip to white and dark runs thin),
/// and ink spread, defocus or JPEG do the opposite. Either shifts one-module runs by the same
/// number of pixels as the three-module centre, which the plain test, scaling each run by the
/// whole, refuses long before the code stops reading. The sums of neighbouring runs (edge to
/// edge: 2, 4, 4 and 2 modules) do not move, so they are tested instead, and the spread itself
/// is bounded so that a pattern still has both colours. zxing-cpp's finder test measures dark
/// and light runs apart for the same reason.
fn spread_ratio_ok(runs: &[u32; 5], tolerance: f32) -> bool {
    let [a, b, c, d, e] = runs.map(|r| r as f32);
    let pairs = [a + b, b + c, c + d, d + e];
    let module = pairs.iter().sum::<f32>() / 12.0;
    if module < MIN_SPREAD_MODULE {
        return false;
    }
    // The pairs carry no spread, so they are held to half the tolerance of a single run
    // (looser, sheets of small codes yield many more false patterns from their data), plus a
    // pixel: sampling moves a pair's two edges by up to a pixel together.
    let slack = module * tolerance / 2.0 + 2.0 * PIXEL_SLACK;
    let spread = module - (b + d) / 2.0;
    spread.abs() <= MAX_SPREAD * module
        && pairs
            .iter()
            .zip([2.0, 4.0, 4.0, 2.0])
            .all(|(&pair, modules)| (pair - modules * module).abs() < slack)
}

/// Confirms a row hit at (`cx`, `cy`) whose runs added up to `total` pixels, the column and
/// the row through it each within `tolerance`.
fn confirm(
    bin: &Binarizer<'_>,
    cx: f32,
    cy: f32,
    total: u32,
    dark: bool,
    tolerance: f32,
) -> Option<Finder> {
    // Perspective squeezes the pattern in one direction, so the column may be shorter or
    // longer than the row, within reason.
    let max_run = total * 2;
    let (vruns, vcentre) = runs_through(bin, cx, cy, (0, 1), dark, max_run)?;
    let vtotal: u32 = vruns.iter().sum();
    if !ratio_ok(&vruns, tolerance) || !similar(vtotal, total, 1.8) {
        return None;
    }
    let cy = vcentre.1;
    let (hruns, hcentre) = runs_through(bin, cx, cy, (1, 0), dark, max_run)?;
    let htotal: u32 = hruns.iter().sum();
    if !ratio_ok(&hruns, tolerance) || !similar(htotal, total, 1.5) {
        return None;
    }
    let cx = hcentre.0;
    if contrast(bin, &hruns, cx, cy, dark) < MIN_CONTRAST {
        return None;
    }
    // One diagonal rejects most of what passes the two axes by chance (text, stripes, grids).
    // Rounded (designer) finders fail it, though, so it only ranks (see `group`).
    let diagonal = runs_through(bin, cx, cy, (1, 1), dark, max_run).is_some_and(|(druns, _)| {
        let dtotal = druns.iter().sum::<u32>() as f32 * std::f32::consts::SQRT_2;
        ratio_ok(&druns, DIAGONAL_TOLERANCE) && similar_f(dtotal, htotal.max(vtotal) as f32, 2.0)
    });
    let module = (htotal + vtotal) as f32 / 14.0;
    Some(Finder {
        x: cx,
        y: cy,
        module,
        count: 1,
        dark,
        diagonal,
        inferred: false,
    })
}

/// Mean luma of the inner light ring minus that of the centre stone (for the pattern's own
/// polarity), along the row through the centre.
fn contrast(bin: &Binarizer<'_>, runs: &[u32; 5], cx: f32, cy: f32, dark: bool) -> f32 {
    let frame = bin.frame();
    let y = (cy.max(0.0) as u32).min(frame.height() - 1);
    let row = frame.row(y);
    let centre_start = (cx - runs[2] as f32 / 2.0).round() as i64;
    let mean = |from: i64, len: u32| -> f32 {
        let lo = from.clamp(0, row.len() as i64) as usize;
        let hi = (from + i64::from(len)).clamp(0, row.len() as i64) as usize;
        if hi <= lo {
            return 0.0;
        }
        row[lo..hi].iter().map(|&p| f32::from(p)).sum::<f32>() / (hi - lo) as f32
    };
    let centre = mean(centre_start, runs[2]);
    let ring = (mean(centre_start - i64::from(runs[1]), runs[1])
        + mean(centre_start + i64::from(runs[2]), runs[3]))
        / 2.0;
    if dark { ring - centre } else { centre - ring }
}

fn similar(a: u32, b: u32, factor: f32) -> bool {
    similar_f(a as f32, b as f32, factor)
}

fn similar_f(a: f32, b: f32, factor: f32) -> bool {
    a <= b * factor && b <= a * factor
}

/// The five runs of a finder pattern along the line through (`x`, `y`) with integer `step`,
/// and the centre of the middle run in pixel coordinates. `None` when the point is not of the
/// centre colour, a run is longer than `max_run`, or the inner light ring is cut by the edge.
pub fn runs_through(
    bin: &Binarizer<'_>,
    x: f32,
    y: f32,
    step: (i32, i32),
    dark: bool,
    max_run: u32,
) -> Option<([u32; 5], (f32, f32))> {
    if !x.is_finite() || !y.is_finite() {
        return None;
    }
    let (x0, y0) = (x.floor() as i32, y.floor() as i32);
    let is_centre = |t: i32| bin.is_dark(x0 + t * step.0, y0 + t * step.1) == dark;
    let inside = |t: i32| bin.contains(x0 + t * step.0, y0 + t * step.1);
    if !inside(0) || !is_centre(0) {
        return None;
    }
    let max = max_run as i32;
    // Walk one way from the start pixel, counting centre, ring and outer runs.
    let walk = |dir: i32, first: i32| -> Option<[i32; 3]> {
        let mut t = first;
        let mut centre = 0;
        while inside(t) && is_centre(t) {
            centre += 1;
            t += dir;
            if centre > max {
                return None;
            }
        }
        let mut ring = 0;
        while inside(t) && !is_centre(t) {
            ring += 1;
            t += dir;
            if ring > max {
                return None;
            }
        }
        if !inside(t) {
            return None;
        }
        let mut outer = 0;
        while inside(t) && is_centre(t) {
            outer += 1;
            t += dir;
            if outer > max {
                return None;
            }
        }
        Some([centre, ring, outer])
    };
    let back = walk(-1, 0)?;
    let fwd = walk(1, 1)?;
    let runs = [back[2], back[1], back[0] + fwd[0], fwd[1], fwd[2]].map(|r| r.max(0) as u32);
    // The centre run spans t in [-(back - 1), fwd]; its middle, at pixel centres.
    let mid = (fwd[0] - back[0] + 1) as f32 / 2.0;
    let centre = (
        x0 as f32 + 0.5 + mid * step.0 as f32,
        y0 as f32 + 0.5 + mid * step.1 as f32,
    );
    Some((runs, centre))
}

/// Hits whose module sizes are within this ratio (and whose centres are near) are one pattern;
/// patterns within it may be one code's (the detector's grouping of what is spent, `pair`).
pub const SAME_PATTERN_MODULE: f32 = 1.6;

/// Whether module sizes `a` and `b` are within [`SAME_PATTERN_MODULE`] of each other.
pub fn same_module(a: f32, b: f32) -> bool {
    similar_f(a, b, SAME_PATTERN_MODULE)
}

/// Confirmations averaged into a pattern's centre and size before further row hits on its
/// centre stone only count: a pattern of 5 px modules is crossed by 15 rows, and confirming
/// each (three more scans through it) was most of the detector's time on a small photo.
const SETTLED_AFTER: u32 = 3;

/// The pattern, confirmed [`SETTLED_AFTER`] times and on its diagonal too, whose centre stone
/// a row hit at (`cx`, `cy`) with runs of `total` pixels and `dark` centre falls in, if any.
fn settled(
    finders: &mut [Finder],
    cx: f32,
    cy: f32,
    total: u32,
    dark: bool,
) -> Option<&mut Finder> {
    let module = total as f32 / 7.0;
    finders.iter_mut().find(|f| {
        f.count >= SETTLED_AFTER
            && f.diagonal
            && f.dark == dark
            && (f.x - cx).abs() <= 1.5 * f.module
            && (f.y - cy).abs() <= 1.5 * f.module
            && same_module(f.module, module)
    })
}

/// Adds a confirmed hit, averaging it into an existing candidate when it is the same pattern.
fn merge(finders: &mut Vec<Finder>, new: Finder, max: usize) {
    for f in finders.iter_mut() {
        let near = f.module.max(new.module) * 1.5;
        if f.dark == new.dark
            && (f.x - new.x).abs() <= near
            && (f.y - new.y).abs() <= near
            && same_module(f.module, new.module)
        {
            let n = f.count as f32;
            f.x = (f.x * n + new.x) / (n + 1.0);
            f.y = (f.y * n + new.y) / (n + 1.0);
            f.module = (f.module * n + new.module) / (n + 1.0);
            f.count += 1;
            f.diagonal |= new.diagonal;
            return;
        }
    }
    if finders.len() < max {
        finders.push(new);
    }
}
