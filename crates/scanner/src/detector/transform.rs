//! Plane projective transforms (homographies) from module coordinates to pixels.
//!
//! A flat printed code seen by a pinhole camera is exactly a homography of its module grid, so
//! four point correspondences fix the whole grid.

/// A 3x3 projective transform, row-major, with `m[8]` normalised to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography {
    m: [f64; 9],
}

pub type Pt = (f64, f64);

impl Homography {
    /// The transform taking each `src[i]` to `dst[i]`; `None` when the points are degenerate
    /// (three in a line, coincident, not finite).
    pub fn from_points(src: &[Pt; 4], dst: &[Pt; 4]) -> Option<Self> {
        // h0 x + h1 y + h2 - h6 x X - h7 y X = X, and the same for Y.
        let mut a = [[0f64; 9]; 8];
        for i in 0..4 {
            let (x, y) = src[i];
            let (u, v) = dst[i];
            a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -x * u, -y * u, u];
            a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -x * v, -y * v, v];
        }
        let h = solve8(&mut a)?;
        let m = [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1.0];
        if m.iter().all(|v| v.is_finite()) {
            Some(Self { m })
        } else {
            None
        }
    }

    /// The affine transform taking three points to three points (the fourth corner of the
    /// parallelogram follows).
    pub fn affine(src: &[Pt; 3], dst: &[Pt; 3]) -> Option<Self> {
        let fourth = |p: &[Pt; 3]| (p[1].0 + p[2].0 - p[0].0, p[1].1 + p[2].1 - p[0].1);
        Self::from_points(
            &[src[0], src[1], src[2], fourth(src)],
            &[dst[0], dst[1], dst[2], fourth(dst)],
        )
    }

    /// Maps a point; non-finite when the point is on the horizon line.
    #[inline]
    pub fn map(&self, x: f64, y: f64) -> Pt {
        let m = &self.m;
        let w = m[6] * x + m[7] * y + m[8];
        if w.abs() < 1e-12 {
            return (f64::NAN, f64::NAN);
        }
        (
            (m[0] * x + m[1] * y + m[2]) / w,
            (m[3] * x + m[4] * y + m[5]) / w,
        )
    }
}

/// Gaussian elimination with partial pivoting on an 8x9 augmented matrix.
fn solve8(a: &mut [[f64; 9]; 8]) -> Option<[f64; 8]> {
    for col in 0..8 {
        let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if !(a[pivot][col].abs() > 1e-10) {
            return None;
        }
        a.swap(col, pivot);
        for row in 0..8 {
            if row != col {
                let f = a[row][col] / a[col][col];
                if f != 0.0 {
                    for k in col..9 {
                        a[row][k] -= f * a[col][k];
                    }
                }
            }
        }
    }
    let mut x = [0f64; 8];
    for i in 0..8 {
        x[i] = a[i][8] / a[i][i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_four_points() {
        let src = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        let dst = [(5.0, 7.0), (30.0, 9.0), (28.0, 40.0), (3.0, 35.0)];
        let h = Homography::from_points(&src, &dst).expect("regular quad");
        for (s, d) in src.iter().zip(&dst) {
            let p = h.map(s.0, s.1);
            assert!((p.0 - d.0).abs() < 1e-6 && (p.1 - d.1).abs() < 1e-6);
        }
    }

    #[test]
    fn degenerate_points_are_refused() {
        let src = [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)];
        assert!(Homography::from_points(&src, &src).is_none());
        let nan = [(f64::NAN, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
        assert!(Homography::from_points(&nan, &nan).is_none());
    }
}
