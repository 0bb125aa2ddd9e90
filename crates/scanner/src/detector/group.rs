//! Grouping finder patterns into codes: three patterns of one polarity and similar module size
//! at the corners of a roughly right, roughly isosceles triangle.
//!
//! Perspective bends the right angle and stretches one leg, and the module size differs
//! between the near and the far corner, so every test is a tolerance rather than an equality,
//! and the triples are tried best-first; decoding is the final judge.

use super::finder::Finder;

/// An ordered triple of finder indices: top-left (the right-angle corner), top-right and
/// bottom-left as the code is printed (for a mirrored code the two are swapped, which the
/// decoder's mirrored reading undoes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Triple {
    pub tl: usize,
    pub tr: usize,
    pub bl: usize,
    /// Lower is better.
    pub score: f32,
    /// The longer leg, in pixels.
    pub leg: f32,
}

/// Up to this many candidates every three are scored; past it each candidate forms triples
/// only with its [`NEIGHBOURS`] nearest (a code's three patterns are close to each other
/// whatever the size of the sheet they are on), which keeps the work linear in the count.
const ALL_TRIPLES_UP_TO: usize = 48;
/// See [`ALL_TRIPLES_UP_TO`]: a pattern's own code's two others are among its nearest, with
/// room for the patterns of the codes beside it on a sheet.
const NEIGHBOURS: usize = 8;
/// The largest ratio between the two legs (centre distances from the corner pattern).
const MAX_LEG_RATIO: f32 = 2.2;
/// The largest |cos| of the corner angle (0.8 allows 37 to 143 degrees: a code seen at a
/// steep angle along its diagonal shows a very open or very closed corner).
const MAX_COS: f32 = 0.8;
/// Score added per pattern that failed the diagonal test (rounded finders, or texture).
const DIAGONAL_PENALTY: f32 = 0.3;
/// The largest ratio between module sizes of patterns in one code.
const MAX_MODULE_RATIO: f32 = 2.5;
/// Score added to a triple when a much smaller one turns at the same corner pattern. Where
/// codes stand side by side (a sheet of badges), the corner patterns of three neighbouring
/// codes form a triangle as right and as even as one code's own, which is the smaller.
const OUTER_PENALTY: f32 = 0.5;
/// "Much smaller": the longer leg at most this share of the other's.
const OUTER_LEG_RATIO: f32 = 0.8;

/// A code's legs (the centre distance from its corner pattern to the other two) are its size
/// less 7 modules: at least 14 (version 1), shortened by tilt to this...
pub const MIN_LEG_MODULES: f32 = 10.0;
/// ...and at most 170 (version 40).
pub const MAX_LEG_MODULES: f32 = 180.0;

/// How much smaller a module is than a pattern's module size as measured along the scan's
/// rows and columns, for a code whose x axis runs along `axis`: rows cross a turned pattern up
/// to 1/cos longer (the square root of two at 45 degrees, where a version 1 code's legs would
/// measure 9.9 modules).
pub fn turned(axis: (f32, f32)) -> f32 {
    axis.0.abs().max(axis.1.abs()) / axis.0.hypot(axis.1)
}

/// Plausible triples, best first, at most `max`, from the `candidates` most often confirmed
/// patterns (the rest are probably texture; a page of twelve badge labels has 36 real ones).
pub fn triples(finders: &[Finder], candidates: usize, max: usize) -> Vec<Triple> {
    // A real pattern is crossed by at least two scan rows (see `finder::find`); single hits
    // are nearly always texture or noise, and each costs a lot of triples.
    let mut order: Vec<usize> = (0..finders.len())
        .filter(|&i| finders[i].count >= 2)
        .collect();
    order.sort_by(|&a, &b| finders[b].count.cmp(&finders[a].count));
    order.truncate(candidates);
    let mut out = Vec::new();
    if order.len() <= ALL_TRIPLES_UP_TO {
        for (n, &i) in order.iter().enumerate() {
            for (m, &j) in order.iter().enumerate().skip(n + 1) {
                for &k in order.iter().skip(m + 1) {
                    if let Some(t) = score(finders, [i, j, k]) {
                        out.push(t);
                    }
                }
            }
        }
    } else {
        let mut seen = std::collections::HashSet::new();
        for &i in &order {
            let mut near: Vec<usize> = order.iter().copied().filter(|&j| j != i).collect();
            near.sort_by(|&a, &b| {
                dist(&finders[i], &finders[a]).total_cmp(&dist(&finders[i], &finders[b]))
            });
            near.truncate(NEIGHBOURS);
            for (m, &j) in near.iter().enumerate() {
                for &k in near.iter().skip(m + 1) {
                    let mut key = [i, j, k];
                    key.sort_unstable();
                    if seen.insert(key)
                        && let Some(t) = score(finders, key)
                    {
                        out.push(t);
                    }
                }
            }
        }
    }
    penalise_outer(&mut out);
    out.sort_by(|a, b| a.score.total_cmp(&b.score));
    out.truncate(max);
    out
}

/// See [`OUTER_PENALTY`].
fn penalise_outer(triples: &mut [Triple]) {
    // Only triples turning at the same pattern compete: group them by corner.
    triples.sort_by_key(|t| t.tl);
    for group in triples.chunk_by_mut(|a, b| a.tl == b.tl) {
        let outer: Vec<bool> = group
            .iter()
            .map(|t| {
                group
                    .iter()
                    .any(|s| s.leg <= OUTER_LEG_RATIO * t.leg && s.score < t.score + OUTER_PENALTY)
            })
            .collect();
        for (t, outer) in group.iter_mut().zip(outer) {
            if outer {
                t.score += OUTER_PENALTY;
            }
        }
    }
}

fn dist(a: &Finder, b: &Finder) -> f32 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

fn score(finders: &[Finder], idx: [usize; 3]) -> Option<Triple> {
    let [a, b, c] = idx.map(|i| &finders[i]);
    if a.dark != b.dark || a.dark != c.dark {
        return None;
    }
    let modules = [a.module, b.module, c.module];
    let min_module = modules.iter().copied().fold(f32::INFINITY, f32::min);
    let max_module = modules.iter().copied().fold(0.0, f32::max);
    if min_module.is_nan() || min_module <= 0.0 || max_module / min_module > MAX_MODULE_RATIO {
        return None;
    }
    // The corner is opposite the longest side.
    let (ab, bc, ca) = (dist(a, b), dist(b, c), dist(c, a));
    let (corner, p, q) = if bc >= ab && bc >= ca {
        (idx[0], idx[1], idx[2])
    } else if ca >= ab && ca >= bc {
        (idx[1], idx[2], idx[0])
    } else {
        (idx[2], idx[0], idx[1])
    };
    let (o, fp, fq) = (&finders[corner], &finders[p], &finders[q]);
    let (ux, uy) = (fp.x - o.x, fp.y - o.y);
    let (vx, vy) = (fq.x - o.x, fq.y - o.y);
    let (lu, lv) = ((ux * ux + uy * uy).sqrt(), (vx * vx + vy * vy).sqrt());
    let leg_ratio = lu.max(lv) / lu.min(lv);
    if leg_ratio.is_nan() || leg_ratio > MAX_LEG_RATIO {
        return None;
    }
    let cos = (ux * vx + uy * vy) / (lu * lv);
    if cos.is_nan() || cos.abs() > MAX_COS {
        return None;
    }
    let mean_module = (o.module + fp.module + fq.module) / 3.0 * turned((ux, uy));
    let (mu, mv) = (lu / mean_module, lv / mean_module);
    if mu.min(mv) < MIN_LEG_MODULES || mu.max(mv) > MAX_LEG_MODULES {
        return None;
    }
    // Image y points down: with the top-right at +x and the bottom-left at +y the cross
    // product of (TR - TL) and (BL - TL) is positive.
    let cross = ux * vy - uy * vx;
    let (tr, bl) = if cross > 0.0 { (p, q) } else { (q, p) };
    let undiagonal = [o, fp, fq].iter().filter(|f| !f.diagonal).count() as f32;
    let score = (leg_ratio - 1.0)
        + cos.abs()
        + 0.5 * (max_module / min_module - 1.0)
        + DIAGONAL_PENALTY * undiagonal;
    Some(Triple {
        tl: corner,
        tr,
        bl,
        score,
        leg: lu.max(lv),
    })
}
