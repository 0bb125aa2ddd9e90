//! The four outer corners of a finder pattern.
//!
//! A finder's centre and module size say where the code is, but not how it is tilted: under
//! perspective the three patterns are different quadrilaterals, and those shapes are exactly
//! what a perspective-correct transform needs (12 point pairs instead of 3 centres). The outer
//! boundary of the pattern is found by casting rays from the centre (centre stone, light ring,
//! dark ring, then light: the last change is the boundary), the boundary points are split
//! into the four sides by their direction in the code's axes, a line is fitted to each side,
//! and adjacent lines intersect at the corners.

use super::binarize::Binarizer;
use super::transform::Pt;

const RAYS: usize = 48;
/// Boundary points this close to a diagonal of the pattern (in code axes) are left out: blur
/// rounds the corners, and they could belong to either side.
const CORNER_EXCLUSION: f64 = 0.7;

/// The pattern's outer corners in code orientation: top-left, top-right, bottom-right,
/// bottom-left (module offsets (0,0), (7,0), (7,7), (0,7) from the pattern's top-left).
/// `u` and `v` point along the code's x and y axes (any length); `module` is the pattern's
/// module size in pixels; `dark` its polarity.
pub fn finder_corners(
    bin: &Binarizer<'_>,
    centre: Pt,
    u: Pt,
    v: Pt,
    module: f64,
    dark: bool,
) -> Option<[Pt; 4]> {
    let det = u.0 * v.1 - u.1 * v.0;
    if !det.is_finite()
        || det.abs() <= 1e-9
        || module.is_nan()
        || module <= 0.0
        || !centre.0.is_finite()
        || !centre.1.is_finite()
    {
        return None;
    }
    // sides: 0 top (-v), 1 right (+u), 2 bottom (+v), 3 left (-u)
    let mut sides: [Vec<Pt>; 4] = Default::default();
    let max_t = module * 8.0;
    let step = (module / 4.0).clamp(0.25, 1.0);
    for k in 0..RAYS {
        let angle = k as f64 * std::f64::consts::TAU / RAYS as f64;
        let d = (angle.cos(), angle.sin());
        // The direction in code axes: d = a u + b v.
        let a = (d.0 * v.1 - d.1 * v.0) / det;
        let b = (u.0 * d.1 - u.1 * d.0) / det;
        let (aa, ab) = (a.abs(), b.abs());
        if aa.min(ab) > CORNER_EXCLUSION * aa.max(ab) {
            continue;
        }
        let side = if aa > ab {
            if a > 0.0 { 1 } else { 3 }
        } else if b > 0.0 {
            2
        } else {
            0
        };
        if let Some(t) = boundary_along(bin, centre, d, step, max_t, dark) {
            sides[side].push((centre.0 + d.0 * t, centre.1 + d.1 * t));
        }
    }
    let lines: Vec<Line> = sides
        .iter()
        .map(|pts| fit_line(pts))
        .collect::<Option<_>>()?;
    let corner = |i: usize, j: usize| intersect(&lines[i], &lines[j]);
    let corners = [corner(0, 3)?, corner(0, 1)?, corner(2, 1)?, corner(2, 3)?];
    // The quadrilateral should be about 7 modules a side; reject wild fits.
    for i in 0..4 {
        let (p, q) = (corners[i], corners[(i + 1) % 4]);
        let side = ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt() / module;
        if !(3.0..=14.0).contains(&side) {
            return None;
        }
    }
    Some(corners)
}

/// Distance along `d` from `centre` to the pattern's outer boundary, or `None` when the ray
/// does not cross centre, light ring and dark ring in order within `max_t`.
fn boundary_along(
    bin: &Binarizer<'_>,
    centre: Pt,
    d: Pt,
    step: f64,
    max_t: f64,
    dark: bool,
) -> Option<f64> {
    let mut state = 0;
    let mut t = 0.0;
    let mut previous = 0.0;
    while t < max_t {
        let x = (centre.0 + d.0 * t).floor() as i32;
        let y = (centre.1 + d.1 * t).floor() as i32;
        let same = bin.is_dark(x, y) == dark;
        state = match (state, same) {
            (0, false) => 1,
            (1, true) => 2,
            (2, false) => return Some((t + previous) / 2.0),
            (s, _) => s,
        };
        previous = t;
        t += step;
    }
    None
}

/// A line through `p` along unit direction `d`.
#[derive(Debug, Clone, Copy)]
struct Line {
    p: Pt,
    d: Pt,
}

/// Total least squares line through the points (principal axis of their scatter).
fn fit_line(pts: &[Pt]) -> Option<Line> {
    if pts.len() < 3 {
        return None;
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for p in pts {
        let (dx, dy) = (p.0 - mx, p.1 - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    // Angle of the major axis of the 2x2 covariance.
    let theta = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    let d = (theta.cos(), theta.sin());
    if !d.0.is_finite() || !d.1.is_finite() {
        return None;
    }
    Some(Line { p: (mx, my), d })
}

fn intersect(a: &Line, b: &Line) -> Option<Pt> {
    let den = a.d.0 * b.d.1 - a.d.1 * b.d.0;
    // Nearly parallel lines (under 5 degrees apart) meet nowhere useful.
    if den.is_nan() || den.abs() <= 0.087 {
        return None;
    }
    let (wx, wy) = (b.p.0 - a.p.0, b.p.1 - a.p.1);
    let s = (wx * b.d.1 - wy * b.d.0) / den;
    let p = (a.p.0 + a.d.0 * s, a.p.1 + a.d.1 * s);
    if p.0.is_finite() && p.1.is_finite() {
        Some(p)
    } else {
        None
    }
}
