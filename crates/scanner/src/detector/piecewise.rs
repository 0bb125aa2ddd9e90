//! Sampling a large code through every alignment pattern. One homography from the finders and
//! the bottom-right alignment pattern is exact only for a flat code under a pinhole camera; a
//! large version printed on paper that bends, or seen through a lens that bows lines, drifts by
//! a module or more inside, and its error correction fails although its size, format and
//! timing read right. From version 7 a code has a lattice of alignment patterns (ISO/IEC 18004
//! 6.3.6): each is found near where the transform (corrected by its neighbours already found)
//! puts it, and each cell of the lattice is sampled with the transform of its own four corners.

use super::alignment;
use super::binarize::Binarizer;
use super::sample::module_at;
use super::transform::{Homography, Pt};

/// How far (in modules) from its corrected prediction an alignment pattern is looked for.
const SEARCH_MODULES: f64 = 2.0;

/// The row and column coordinates of the alignment patterns' centres of `version` (2..=40),
/// first 6 and last `size - 7` (Nayuki's formula for the standard's table E.1).
pub fn alignment_positions(version: usize) -> Vec<usize> {
    if !(2..=40).contains(&version) {
        return Vec::new();
    }
    let size = 17 + 4 * version;
    let count = version / 7 + 2;
    let step = if version == 32 {
        26
    } else {
        (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
    };
    let mut out = vec![6];
    let mut rest: Vec<usize> = (0..count - 1).map(|i| size - 7 - i * step).collect();
    rest.reverse();
    out.extend(rest);
    out
}

/// The `dim` x `dim` grid sampled cell by cell between the alignment patterns, starting from
/// `h` (a transform registered near the finders). `None` below version 7, where one pattern at
/// most is all there is and the caller's transform already uses it.
pub fn sample(
    bin: &Binarizer<'_>,
    h: &Homography,
    dim: usize,
    dark: bool,
    contrast: f32,
) -> Option<Vec<bool>> {
    let version = dim.checked_sub(17)? / 4;
    if version < 7 {
        return None;
    }
    let cs = alignment_positions(version);
    let n = cs.len();
    if n < 3 {
        return None;
    }
    // Where each lattice point is in the frame: the finders' corners of the lattice keep the
    // transform's (fitted on the finders); every other point is an alignment pattern found.
    let mut points: Vec<Pt> = vec![(0.0, 0.0); n * n];
    let mut found = vec![false; n * n];
    let at = |i: usize, j: usize| j * n + i;
    for sum in 0..=2 * (n - 1) {
        for i in 0..n {
            let Some(j) = sum.checked_sub(i).filter(|j| *j < n) else {
                continue;
            };
            let (cx, cy) = (cs[i] as f64 + 0.5, cs[j] as f64 + 0.5);
            let predicted = h.map(cx, cy);
            let finder_corner = [(0, 0), (n - 1, 0), (0, n - 1)].contains(&(i, j));
            if finder_corner {
                points[at(i, j)] = predicted;
                continue;
            }
            // The drift the neighbours above and to the left showed, carried on.
            let neighbours: Vec<Pt> = [(i.wrapping_sub(1), j), (i, j.wrapping_sub(1))]
                .into_iter()
                .filter(|&(a, b)| a < n && b < n && found[at(a, b)])
                .map(|(a, b)| {
                    let p = points[at(a, b)];
                    let q = h.map(cs[a] as f64 + 0.5, cs[b] as f64 + 0.5);
                    (p.0 - q.0, p.1 - q.1)
                })
                .collect();
            let drift = if neighbours.is_empty() {
                (0.0, 0.0)
            } else {
                let k = neighbours.len() as f64;
                (
                    neighbours.iter().map(|d| d.0).sum::<f64>() / k,
                    neighbours.iter().map(|d| d.1).sum::<f64>() / k,
                )
            };
            let guess = (predicted.0 + drift.0, predicted.1 + drift.1);
            let (u, v) = h.module_axes(cx, cy);
            match alignment::find(bin.frame(), guess, u, v, SEARCH_MODULES, dark, contrast) {
                Some(p) => {
                    points[at(i, j)] = p;
                    found[at(i, j)] = true;
                }
                None => points[at(i, j)] = guess,
            }
        }
    }
    // One transform per cell of the lattice; the outer cells reach out to the code's edges.
    let mut cells = Vec::with_capacity((n - 1) * (n - 1));
    for j in 0..n - 1 {
        for i in 0..n - 1 {
            let src = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
                .map(|(a, b)| (cs[a] as f64 + 0.5, cs[b] as f64 + 0.5));
            let dst =
                [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)].map(|(a, b)| points[at(a, b)]);
            cells.push(Homography::from_points(&src, &dst).unwrap_or(*h));
        }
    }
    let cell_of = |m: usize| cs[1..n - 1].iter().take_while(|&&c| m >= c).count();
    let modules: Vec<_> = cells.iter().map(|h| module_at(bin, h, dark)).collect();
    let mut bits = Vec::with_capacity(dim * dim);
    for r in 0..dim {
        let row = &modules[cell_of(r) * (n - 1)..];
        for c in 0..dim {
            bits.push(row[cell_of(c)](c, r));
        }
    }
    Some(bits)
}

#[cfg(test)]
mod tests {
    use super::alignment_positions;

    #[test]
    fn alignment_positions_are_the_standards() {
        // ISO/IEC 18004 table E.1.
        assert_eq!(alignment_positions(1), Vec::<usize>::new());
        assert_eq!(alignment_positions(2), [6, 18]);
        assert_eq!(alignment_positions(7), [6, 22, 38]);
        assert_eq!(alignment_positions(14), [6, 26, 46, 66]);
        assert_eq!(alignment_positions(32), [6, 34, 60, 86, 112, 138]);
        assert_eq!(alignment_positions(40), [6, 30, 58, 86, 114, 142, 170]);
    }
}
