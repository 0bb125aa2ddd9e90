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

    /// The least-squares transform taking `src` to `dst` (at least 4 pairs). Both point sets
    /// are normalised first (centred, mean distance sqrt 2) so the normal equations stay well
    /// conditioned whatever the pixel scale.
    pub fn fit(src: &[Pt], dst: &[Pt]) -> Option<Self> {
        if src.len() != dst.len() || src.len() < 4 {
            return None;
        }
        let (ns, ts) = normaliser(src)?;
        let (nd, td) = normaliser(dst)?;
        // Normal equations of the 2n x 8 system (h33 = 1) in normalised coordinates.
        let mut ata = [[0f64; 9]; 8];
        for (s, d) in src.iter().zip(dst) {
            let (x, y) = ts(*s);
            let (u, v) = td(*d);
            for row in [
                [x, y, 1.0, 0.0, 0.0, 0.0, -x * u, -y * u, u],
                [0.0, 0.0, 0.0, x, y, 1.0, -x * v, -y * v, v],
            ] {
                for i in 0..8 {
                    for j in 0..9 {
                        ata[i][j] += row[i] * row[j];
                    }
                }
            }
        }
        let h = solve8(&mut ata)?;
        let hn = [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1.0];
        // H = Nd^-1 * Hn * Ns, with N = [k 0 -k mx; 0 k -k my; 0 0 1].
        let (ks, sx, sy) = ns;
        let (kd, dx, dy) = nd;
        let n_s = [ks, 0.0, -ks * sx, 0.0, ks, -ks * sy, 0.0, 0.0, 1.0];
        let n_d_inv = [1.0 / kd, 0.0, dx, 0.0, 1.0 / kd, dy, 0.0, 0.0, 1.0];
        let m = mul3(&n_d_inv, &mul3(&hn, &n_s));
        if m[8].is_nan() || m[8].abs() <= 1e-12 {
            return None;
        }
        let m = m.map(|v| v / m[8]);
        if m.iter().all(|v| v.is_finite()) {
            Some(Self { m })
        } else {
            None
        }
    }

    /// One module along the grid's x and y axes, in pixels, at the module whose far corner is
    /// (`x`, `y`): what an alignment pattern's template is oriented and scaled by.
    pub fn module_axes(&self, x: f64, y: f64) -> (Pt, Pt) {
        let o = self.map(x - 1.0, y - 1.0);
        let ux = self.map(x, y - 1.0);
        let vy = self.map(x - 1.0, y);
        ((ux.0 - o.0, ux.1 - o.1), (vy.0 - o.0, vy.1 - o.1))
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

type Normaliser = ((f64, f64, f64), Box<dyn Fn(Pt) -> Pt>);

/// Scale and centre of a point set, and the map into normalised coordinates.
fn normaliser(pts: &[Pt]) -> Option<Normaliser> {
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let mean_dist = pts
        .iter()
        .map(|p| ((p.0 - mx).powi(2) + (p.1 - my).powi(2)).sqrt())
        .sum::<f64>()
        / n;
    if !mean_dist.is_finite() || mean_dist <= 1e-9 {
        return None;
    }
    let k = std::f64::consts::SQRT_2 / mean_dist;
    Some((
        (k, mx, my),
        Box::new(move |p: Pt| ((p.0 - mx) * k, (p.1 - my) * k)),
    ))
}

fn mul3(a: &[f64; 9], b: &[f64; 9]) -> [f64; 9] {
    let mut out = [0f64; 9];
    for i in 0..3 {
        for j in 0..3 {
            out[i * 3 + j] = (0..3).map(|k| a[i * 3 + k] * b[k * 3 + j]).sum();
        }
    }
    out
}

/// Gaussian elimination with partial pivoting on an 8x9 augmented matrix.
fn solve8(a: &mut [[f64; 9]; 8]) -> Option<[f64; 8]> {
    for col in 0..8 {
        let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].is_nan() || a[pivot][col].abs() <= 1e-10 {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col];
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                if f != 0.0 {
                    for (x, p) in row.iter_mut().zip(pivot_row).skip(col) {
                        *x -= f * p;
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
    fn least_squares_recovers_an_exact_transform() {
        let src = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        let dst = [(105.0, 7.0), (300.0, 9.0), (280.0, 400.0), (93.0, 350.0)];
        let h = Homography::from_points(&src, &dst).expect("regular quad");
        let more: Vec<Pt> = (0..12)
            .map(|i| (f64::from(i % 4) * 3.0, f64::from(i / 4) * 4.0))
            .collect();
        let mapped: Vec<Pt> = more.iter().map(|p| h.map(p.0, p.1)).collect();
        let g = Homography::fit(&more, &mapped).expect("well spread points");
        for p in &src {
            let (a, b) = (h.map(p.0, p.1), g.map(p.0, p.1));
            assert!(
                (a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6,
                "{a:?} {b:?}"
            );
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
