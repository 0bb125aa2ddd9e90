//! From a triple of finder patterns to a decoded code: estimate the size, fix the fourth
//! corner (alignment pattern or parallelogram), sample, decode; on failure try the neighbouring
//! sizes and, when the sampled grid looked like a QR code, nudges of the fourth corner.

use std::time::{Duration, Instant};

use super::Reach;
use super::alignment;
use super::binarize::Binarizer;
use super::corners::finder_corners;
use super::finder::Finder;
use super::piecewise;
use super::sample::{
    format_distance, luma_at, sample_grid, sample_grid_global, timing_agreement, timing_lines_at,
    version_distance_at,
};
use super::transform::{Homography, Pt};
use crate::budget::{Budget, Dearest};
use crate::code::Code;
use crate::grid_decode::{VERSION_ERRORS, VERSION_INFO_FROM, decode_grid, version_distance};

/// Both format copies within this many bit errors (of 30) of one format word means the grid
/// is registered at least near the finders, so the triple is worth more effort.
const PROMISING_FORMAT: u32 = 5;

/// The most modules the fourth-corner nudges of one grid sample: all 24 nudges up to version
/// 10 (57 modules a side), fewer above (two at version 40).
const JITTER_MODULES: usize = 24 * 57 * 57;

/// The least share of its timing-pattern modules a sampled grid must have right to be decoded.
/// A grid registered on a code has nearly all (they run along the finders' edges); one sampled
/// where three finder-like patterns happen to stand in a right triangle (texture, tiles, a
/// large code's own data) about half, and its decoding, whose error correction fails only
/// after working through a whole block straight and mirrored, is where a frame full of such
/// triples spends its time. At 65 %, 1 random grid in 40 of version 5 is still decoded.
const MIN_TIMING: f32 = 0.65;

/// The decode attempts of one triple. A grid sampled exactly as one tried before (two
/// transforms that agree, a jitter that moves no module) is not decoded again, nor one whose
/// timing patterns say it is not registered on a code (see [`MIN_TIMING`]).
///
/// The frame's dearest decode so far (`grids`) says whether the budget pays for another.
struct Attempts<'a> {
    tried: std::collections::HashSet<u64>,
    grids: &'a mut Dearest,
    budget: &'a Budget,
    /// The time the grid about to be decoded took to sample.
    sampling: Duration,
    /// The last alignment search's radius and time, from which a wider one's is foretold.
    last_search: Option<(f64, Duration)>,
}

impl<'a> Attempts<'a> {
    fn new(grids: &'a mut Dearest, budget: &'a Budget) -> Self {
        Self {
            tried: std::collections::HashSet::new(),
            grids,
            budget,
            sampling: Duration::ZERO,
            last_search: None,
        }
    }

    /// Whether the budget pays for an alignment search of `radius` modules as well as for the
    /// dearest step so far. A search scores a template at every third of a module across the
    /// window, so its time grows with the square of the radius: a version 40 code's affine
    /// search (22 modules) costs some 40 times its perspective one (3), about 9 ms.
    fn affords_search(&self, radius: f64) -> bool {
        let foretold = self.last_search.map_or(Duration::ZERO, |(r, took)| {
            took.mul_f64(((6.0 * radius + 1.0) / (6.0 * r + 1.0)).powi(2))
        });
        self.affordable() && self.budget.remaining() > foretold
    }

    /// Runs an alignment search of `radius` modules, remembering its time as a step and for
    /// [`Attempts::affords_search`].
    fn search<T>(&mut self, radius: f64, search: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let found = search();
        let took = started.elapsed();
        self.grids.record(took);
        self.last_search = Some((radius, took));
        found
    }

    /// Samples a grid with `sample`, timing it as part of the grid's cost.
    fn sample<T>(&mut self, sample: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let bits = sample();
        self.sampling = started.elapsed();
        bits
    }

    /// Whether the budget left pays for one more grid as dear as the dearest on this frame.
    fn affordable(&self) -> bool {
        self.grids.affordable(self.budget)
    }

    /// Decodes a grid sampled by [`Attempts::sample`] unless it is not worth it (see above),
    /// and remembers what the grid cost.
    fn decode(&mut self, bits: &[bool], dim: usize, h: &Homography) -> Option<Code> {
        let started = Instant::now();
        let code = self.decode_new(bits, dim, h);
        let sampling = std::mem::take(&mut self.sampling);
        self.grids.record(sampling + started.elapsed());
        code
    }

    /// The decode itself, when the grid is new and its timing patterns right.
    fn decode_new(&mut self, bits: &[bool], dim: usize, h: &Homography) -> Option<Code> {
        use std::hash::{Hash, Hasher};
        if timing_agreement(bits, dim) < MIN_TIMING {
            return None;
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        bits.hash(&mut hasher);
        if !self.tried.insert(hasher.finish()) {
            return None;
        }
        decode(bits, dim, h)
    }
}

/// A transform to sample a size through, made when its turn comes.
enum Transform<'a> {
    Ready(Homography),
    /// `base` corrected by the alignment pattern searched within `radius` modules (see
    /// [`with_alignment`]).
    Aligned {
        base: Homography,
        src: &'a [Pt],
        dst: &'a [Pt],
        radius: f64,
    },
}

impl<'a> Transform<'a> {
    /// `base` corrected by the alignment pattern, for a size that has one (version 2+).
    fn aligned(
        dim: usize,
        base: Homography,
        src: &'a [Pt],
        dst: &'a [Pt],
        radius: f64,
    ) -> Option<Self> {
        (dim >= 25).then_some(Self::Aligned {
            base,
            src,
            dst,
            radius,
        })
    }
}

/// The least share of each timing line right in a grid of version 7 or more through a guessed
/// finder (see [`keeps_time`]): above the half a misplaced guess's line has by chance.
const GUESSED_LINE_TIMING: f32 = 0.55;

/// Whether a `dim` x `dim` grid's timing patterns (the row's and the column's shares right)
/// say it is registered on a code (see [`MIN_TIMING`]). Where one finder was `guessed`, from
/// version 7, each line must have more than chance too: two seen finders keep the line between
/// them right wherever the third is guessed, which alone made most wrong guesses pass, and a
/// large code's wrong guess costs alignment searches and a piecewise sampling before its
/// decoding fails. (A small code's lines are too short to tell chance by, its guessed line is
/// the one an affine guess registers worst, and its wrong guesses are cheap.)
fn keeps_time([row, column]: [f32; 2], dim: usize, guessed: bool) -> bool {
    (row + column) / 2.0 >= MIN_TIMING
        && (!guessed || dim < VERSION_INFO_FROM || row.min(column) >= GUESSED_LINE_TIMING)
}

/// Whether a grid of version 7 or more reads its own size in its version information (see
/// [`VERSION_ERRORS`]).
fn size_fits(bits: &[bool], dim: usize) -> bool {
    version_distance(dim, |x, y| bits[y * dim + x]) <= VERSION_ERRORS
}

/// Tries to decode the code whose top-left, top-right and bottom-left finders are `[tl, tr, bl]`
/// (one may be inferred, see [`Finder::inferred`]), as far as `reach` (the piecewise sampling of
/// a large code through all its alignment patterns, see [`piecewise`]; the fourth-corner
/// nudges, from which module size). A grid is begun only while the budget pays for the
/// dearest decode on this frame so far (`grids`).
pub fn read(
    bin: &Binarizer<'_>,
    [tl, tr, bl]: [&Finder; 3],
    budget: &Budget,
    grids: &mut Dearest,
    reach: Reach,
) -> Option<Code> {
    // The triple's own preparation and each size's (timing checks, alignment searches: for a
    // large version, milliseconds) count as steps too.
    let preparing = Instant::now();
    let dark = tl.dark;
    let guessed = [tl, tr, bl].iter().any(|f| f.inferred);
    let dims = dimensions(bin, tl, tr, bl);
    let contrast = finder_contrast(bin, tl, tr, bl);
    let centres =
        [(tl.x, tl.y), (tr.x, tr.y), (bl.x, bl.y)].map(|(x, y)| (f64::from(x), f64::from(y)));
    // The code's axes as the centres show them; good enough to tell the sides of each
    // finder apart, whatever the rotation.
    let u = (centres[1].0 - centres[0].0, centres[1].1 - centres[0].1);
    let v = (centres[2].0 - centres[0].0, centres[2].1 - centres[0].1);
    // An inferred finder has no corners to find.
    let quads = [tl, tr, bl].map(|f| {
        (!f.inferred)
            .then(|| {
                finder_corners(
                    bin,
                    (f64::from(f.x), f64::from(f.y)),
                    u,
                    v,
                    f64::from(f.module),
                    dark,
                )
            })
            .flatten()
    });
    grids.record(preparing.elapsed());
    let mut promising: Vec<(usize, Homography)> = Vec::new();
    let mut attempts = Attempts::new(grids, budget);
    for &dim in &dims {
        if !attempts.affordable() {
            return None;
        }
        let preparing = Instant::now();
        let d = dim as f64;
        // Perspective-correct: the outer corners of the finders, of all three or of the two
        // found (eight points fix a perspective too; an inferred finder has none).
        let (corner_src, corner_dst): (Vec<Pt>, Vec<Pt>) = finder_module_corners(d)
            .into_iter()
            .zip(&quads)
            .filter_map(|(src, quad)| quad.map(|dst| src.into_iter().zip(dst)))
            .flatten()
            .unzip();
        let perspective = (corner_dst.len() >= 8)
            .then(|| Homography::fit(&corner_src, &corner_dst))
            .flatten();
        // Affine from the centres.
        let centre_src = [(3.5, 3.5), (d - 3.5, 3.5), (3.5, d - 3.5)];
        let affine = Homography::affine(&centre_src, &centres);
        // Beside the finders, where either transform is right, a code at this size has its
        // timing patterns and (from version 7) its size written twice: a size neither
        // transform reads them at is skipped before its alignment search and sampling (on a
        // false triple, all of the work).
        if ![&perspective, &affine].into_iter().flatten().any(|h| {
            keeps_time(timing_lines_at(bin, h, dim, dark), dim, guessed)
                && (dim < VERSION_INFO_FROM
                    || version_distance_at(bin, h, dim, dark) <= VERSION_ERRORS)
        }) {
            attempts.grids.record(preparing.elapsed());
            continue;
        }
        // Each transform corrected by the alignment pattern where there is one (version 2+);
        // the affine one searches wider, its fourth corner being a guess. A small code's
        // finders span most of it, so its perspective alone usually reads and its alignment
        // searches (most of the work on such a code) wait until it has not; a large code's
        // far corner is off without one.
        let mut transforms = Vec::with_capacity(4);
        if let Some(h) = perspective {
            let with = Transform::aligned(dim, h, &corner_src, &corner_dst, 3.0);
            if dim < VERSION_INFO_FROM {
                transforms.extend([Some(Transform::Ready(h)), with]);
            } else {
                transforms.extend([with, Some(Transform::Ready(h))]);
            }
        }
        if let Some(h) = affine {
            let with = Transform::aligned(dim, h, &centre_src, &centres, (d / 8.0).max(4.0));
            transforms.extend([with, Some(Transform::Ready(h))]);
        }
        attempts.grids.record(preparing.elapsed());
        let mut piecewise_tried = false;
        for transform in transforms.into_iter().flatten() {
            // Checked before every grid: a large version's sampling and decoding take a few
            // milliseconds each.
            if !attempts.affordable() {
                return None;
            }
            let h = match transform {
                Transform::Ready(h) => h,
                Transform::Aligned {
                    base,
                    src,
                    dst,
                    radius,
                } => {
                    if !attempts.affords_search(radius) {
                        continue;
                    }
                    let found = attempts.search(radius, || {
                        with_alignment(bin, &base, src, dst, dim, dark, contrast, radius)
                    });
                    match found {
                        Some(h) => h,
                        None => continue,
                    }
                }
            };
            let bits = attempts.sample(|| sample_grid(bin, &h, dim, dark));
            if let Some(code) = attempts.decode(&bits, dim, &h) {
                return Some(code);
            }
            // Registered at the finders (its size and timing read right) but not decoded: a
            // large code drifting inside is sampled again through all its alignment patterns,
            // once a size.
            let fits = size_fits(&bits, dim);
            if reach.piecewise
                && !piecewise_tried
                && dim >= VERSION_INFO_FROM
                && fits
                && timing_agreement(&bits, dim) >= MIN_TIMING
            {
                piecewise_tried = true;
                if !attempts.affordable() {
                    return None;
                }
                if let Some(bits) =
                    attempts.sample(|| piecewise::sample(bin, &h, dim, dark, contrast))
                    && let Some(code) = attempts.decode(&bits, dim, &h)
                {
                    return Some(code);
                }
            }
            // A grid that is not of this size gains nothing from moving its far corner.
            if fits && format_distance(&bits, dim) <= PROMISING_FORMAT {
                promising.push((dim, h));
            }
        }
    }
    // The size and the finders look right but the far corner is off (perspective without an
    // alignment pattern, or a wrong one): move the fourth corner around, unless the modules are
    // too small for it here (see `Reach::nudge_from_module`).
    if (tl.module + tr.module + bl.module) / 3.0 < reach.nudge_from_module {
        return None;
    }
    for (dim, h) in promising.iter().take(2) {
        if !attempts.affordable() {
            return None;
        }
        let bits = attempts.sample(|| sample_grid_global(bin, h, *dim, dark));
        if let Some(code) = attempts.decode(&bits, *dim, h) {
            return Some(code);
        }
    }
    for (dim, h) in promising.into_iter().take(2) {
        if let Some(code) = jitter_fourth_corner(bin, &h, dim, dark, &mut attempts) {
            return Some(code);
        }
    }
    None
}

fn decode(bits: &[bool], dim: usize, h: &Homography) -> Option<Code> {
    let grid = rqrr::SimpleGrid::from_func(dim, |x, y| bits[y * dim + x]);
    let d = dim as f64;
    let corners = [(0.0, 0.0), (d, 0.0), (d, d), (0.0, d)].map(|(x, y)| {
        let (px, py) = h.map(x, y);
        [px as f32, py as f32]
    });
    decode_grid(&grid, corners)
}

/// Candidate sizes (4v + 17), nearest to the estimate first.
fn dimensions(bin: &Binarizer<'_>, tl: &Finder, tr: &Finder, bl: &Finder) -> Vec<usize> {
    let m_top = pair_module(bin, tl, tr);
    let m_left = pair_module(bin, tl, bl);
    let top = dist(tl, tr) / m_top;
    let left = dist(tl, bl) / m_left;
    let estimate = (top + left) / 2.0 + 7.0;
    let version = ((estimate - 17.0) / 4.0).clamp(1.0, 40.0);
    let nearest = version.round();
    let other = if version >= nearest {
        nearest + 1.0
    } else {
        nearest - 1.0
    };
    let mut out = Vec::with_capacity(3);
    for v in [nearest, other, 2.0 * nearest - other] {
        if (1.0..=40.0).contains(&v) {
            out.push(17 + 4 * v as usize);
        }
    }
    out
}

fn dist(a: &Finder, b: &Finder) -> f32 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

/// The module size along the line joining two finders, measured across both patterns (ZXing's
/// idea): under perspective it differs from the patterns' own averaged estimate.
fn pair_module(bin: &Binarizer<'_>, a: &Finder, b: &Finder) -> f32 {
    let along = |f: &Finder, to: &Finder| {
        (!f.inferred)
            .then(|| module_along(bin, f, (to.x - f.x, to.y - f.y)))
            .flatten()
    };
    match (along(a, b), along(b, a)) {
        (Some(x), Some(y)) => (x + y) / 2.0,
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => (a.module + b.module) / 2.0,
    }
}

/// The pattern's width along `dir` through its centre, divided by 7.
fn module_along(bin: &Binarizer<'_>, f: &Finder, dir: (f32, f32)) -> Option<f32> {
    let len = (dir.0 * dir.0 + dir.1 * dir.1).sqrt();
    if len.is_nan() || len <= 0.0 {
        return None;
    }
    let (ux, uy) = (dir.0 / len, dir.1 / len);
    let limit = f.module * 6.0;
    let half = |sign: f32| -> Option<f32> {
        // States: 0 centre, 1 light ring, 2 dark ring; leaving the dark ring ends the walk.
        let mut state = 0;
        let mut t = 0.0f32;
        while t < limit {
            let x = (f.x + sign * ux * t).floor() as i32;
            let y = (f.y + sign * uy * t).floor() as i32;
            let centre_colour = bin.is_dark(x, y) == f.dark;
            state = match (state, centre_colour) {
                (0, false) => 1,
                (1, true) => 2,
                // The edge lies between this sample and the previous one.
                (2, false) => return Some(t - 0.5),
                (s, _) => s,
            };
            t += 1.0;
        }
        None
    };
    let total = half(1.0)? + half(-1.0)?;
    let m = total / 7.0;
    // A walk that strayed into neighbouring modules gives nonsense; trust the pattern then.
    if m > f.module * 0.6 && m < f.module * 1.8 {
        Some(m)
    } else {
        None
    }
}

/// Light-minus-dark luma at the finders (centre stone against the light ring), for judging
/// the alignment match.
fn finder_contrast(bin: &Binarizer<'_>, tl: &Finder, tr: &Finder, bl: &Finder) -> f32 {
    let frame = bin.frame();
    let (mut sum, mut n) = (0.0, 0.0);
    for f in [tl, tr, bl].into_iter().filter(|f| !f.inferred) {
        n += 1.0;
        let (x, y, m) = (f64::from(f.x), f64::from(f.y), f64::from(f.module));
        let centre = luma_at(frame, x, y);
        let ring = [(2.0, 0.0), (-2.0, 0.0), (0.0, 2.0), (0.0, -2.0)]
            .iter()
            .map(|(dx, dy)| luma_at(frame, x + dx * m, y + dy * m))
            .sum::<f32>()
            / 4.0;
        sum += if f.dark { ring - centre } else { centre - ring };
    }
    (sum / f32::max(n, 1.0)).max(10.0)
}

/// Where the outer corners of the three finders sit in module coordinates: top-left,
/// top-right and bottom-left patterns, each clockwise from its own top-left corner.
fn finder_module_corners(d: f64) -> [[Pt; 4]; 3] {
    let square = |x: f64, y: f64| [(x, y), (x + 7.0, y), (x + 7.0, y + 7.0), (x, y + 7.0)];
    [square(0.0, 0.0), square(d - 7.0, 0.0), square(0.0, d - 7.0)]
}

/// `base` corrected by the bottom-right alignment pattern: searched within `radius` modules of
/// where `base` puts it, then added to the point pairs `src` -> `dst` that made `base`.
#[allow(clippy::too_many_arguments)]
fn with_alignment(
    bin: &Binarizer<'_>,
    base: &Homography,
    src: &[Pt],
    dst: &[Pt],
    dim: usize,
    dark: bool,
    contrast: f32,
    radius: f64,
) -> Option<Homography> {
    let a = dim as f64 - 6.5;
    let predicted = base.map(a, a);
    let (u, v) = base.module_axes(a, a);
    let found = alignment::find(bin.frame(), predicted, u, v, radius, dark, contrast)?;
    if src.len() == 3 && dst.len() == 3 {
        return Homography::from_points(
            &[src[0], src[1], src[2], (a, a)],
            &[dst[0], dst[1], dst[2], found],
        );
    }
    // One point among many: weigh it like a finder's four corners.
    let mut s = src.to_vec();
    let mut d = dst.to_vec();
    for _ in 0..4 {
        s.push((a, a));
        d.push(found);
    }
    Homography::fit(&s, &d)
}

/// Tries moving the point 3.5 modules in from the bottom-right corner (where a fourth finder
/// would be centred) by up to 1.5 modules each way, smallest moves first, keeping where `h`
/// puts the three finder centres.
fn jitter_fourth_corner(
    bin: &Binarizer<'_>,
    h: &Homography,
    dim: usize,
    dark: bool,
    attempts: &mut Attempts,
) -> Option<Code> {
    let d = dim as f64;
    let src = [
        (3.5, 3.5),
        (d - 3.5, 3.5),
        (3.5, d - 3.5),
        (d - 3.5, d - 3.5),
    ];
    let [a, b, c, base] = src.map(|(x, y)| h.map(x, y));
    // One module along each axis of the code at that corner.
    let (left, up) = (h.map(d - 4.5, d - 3.5), h.map(d - 3.5, d - 4.5));
    let u = (base.0 - left.0, base.1 - left.1);
    let v = (base.0 - up.0, base.1 - up.1);
    let mut offsets: Vec<(f64, f64)> = Vec::with_capacity(24);
    for sy in [-1.5, -0.75, 0.0, 0.75, 1.5] {
        for sx in [-1.5, -0.75, 0.0, 0.75, 1.5] {
            if sx != 0.0 || sy != 0.0 {
                offsets.push((sx, sy));
            }
        }
    }
    offsets.sort_by(|p, q| (p.0 * p.0 + p.1 * p.1).total_cmp(&(q.0 * q.0 + q.1 * q.1)));
    // Each try samples and decodes the whole grid, so its cost grows with the square of the
    // size while one corner's nudge fixes less and less of a large code (its distortion is
    // spread over many alignment patterns): the smallest nudges only, as many as the
    // modules of every nudge of a version 10 code allow.
    let tries = (JITTER_MODULES / (dim * dim)).clamp(1, offsets.len());
    for (sx, sy) in offsets.into_iter().take(tries) {
        if !attempts.affordable() {
            return None;
        }
        let p = (base.0 + sx * u.0 + sy * v.0, base.1 + sx * u.1 + sy * v.1);
        let Some(hj) = Homography::from_points(&src, &[a, b, c, p]) else {
            continue;
        };
        let bits = attempts.sample(|| sample_grid(bin, &hj, dim, dark));
        if let Some(code) = attempts.decode(&bits, dim, &hj) {
            return Some(code);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::keeps_time;

    #[test]
    fn a_guessed_large_grid_needs_both_timing_lines() {
        // Two seen finders keep one line right; the guessed side's line at chance.
        let (one_right, both_fair) = ([1.0, 0.45], [0.7, 0.7]);
        assert!(keeps_time(one_right, 57, false));
        assert!(!keeps_time(one_right, 57, true));
        assert!(keeps_time(both_fair, 57, true));
        // A small code's lines are too short to judge alone.
        assert!(keeps_time(one_right, 29, true));
        assert!(!keeps_time([0.6, 0.6], 29, false));
    }
}
