//! Defocus: a badge nearer or farther than the focus distance is blurred by the lens aperture's
//! image, a uniform disk (pillbox), not a Gaussian. A disk keeps hard-edged, flat-topped blobs
//! and rings that a Gaussian of the same width does not.

/// Out of focus by a blur disk of this radius.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Defocus {
    /// Radius of the blur disk (circle of confusion), in pixels.
    pub radius_px: f32,
}

impl Defocus {
    /// Finite and in range; `None` when it would do nothing.
    pub(crate) fn sane(self) -> Option<Self> {
        let radius_px = if self.radius_px.is_finite() {
            self.radius_px.clamp(0.0, 60.0)
        } else {
            0.0
        };
        (radius_px >= 0.5).then_some(Self { radius_px })
    }

    /// Convolves with the disk: for each row offset `dy` within the radius, a horizontal run of
    /// half-width `sqrt(r^2 - dy^2)` summed from that row's prefix sums, so the cost grows with
    /// the radius and not its square. Edges repeat.
    pub(crate) fn apply(&self, buf: &mut [f32], w: usize, h: usize) {
        let r = self.radius_px;
        let ri = r.floor() as isize;
        // Each row's prefix sums, padded by the radius on both sides with the edge pixels.
        let pad = ri as usize + 1;
        let stride = w + 2 * pad + 1;
        let mut prefix = vec![0.0f64; h * stride];
        for (y, row) in buf.chunks_exact(w).enumerate() {
            let p = &mut prefix[y * stride..(y + 1) * stride];
            let mut sum = 0.0f64;
            for i in 0..w + 2 * pad {
                let x = (i as isize - pad as isize).clamp(0, w as isize - 1) as usize;
                sum += f64::from(row[x]);
                p[i + 1] = sum;
            }
        }
        let runs: Vec<(isize, usize)> = (-ri..=ri)
            .map(|dy| {
                let half = (r * r - (dy * dy) as f32).max(0.0).sqrt().round() as usize;
                (dy, half)
            })
            .collect();
        let area: f64 = runs.iter().map(|&(_, half)| (2 * half + 1) as f64).sum();
        for (y, out) in buf.chunks_exact_mut(w).enumerate() {
            for (x, o) in out.iter_mut().enumerate() {
                let mut sum = 0.0f64;
                for &(dy, half) in &runs {
                    let sy = (y as isize + dy).clamp(0, h as isize - 1) as usize;
                    let p = &prefix[sy * stride..(sy + 1) * stride];
                    // Padded index of x is x + pad; the run is [x - half, x + half].
                    let (a, b) = (x + pad - half, x + pad + half + 1);
                    sum += p[b] - p[a];
                }
                *o = (sum / area) as f32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_becomes_a_flat_disk() {
        let (w, h) = (41, 41);
        let mut buf = vec![0.0f32; w * h];
        buf[20 * w + 20] = 1000.0;
        Defocus { radius_px: 6.0 }.apply(&mut buf, w, h);
        let total: f32 = buf.iter().sum();
        assert!((total - 1000.0).abs() < 0.5, "brightness kept: {total}");
        let at = |dx: isize, dy: isize| buf[((20 + dy) as usize) * w + (20 + dx) as usize];
        // Flat inside: the centre and a point 4 px away are equally lit (a Gaussian would fall).
        assert!((at(0, 0) - at(4, 0)).abs() < 1e-3 && at(0, 0) > 0.0);
        assert!((at(0, 0) - at(0, -4)).abs() < 1e-3);
        assert!((at(0, 0) - at(3, 3)).abs() < 1e-3);
        // Nothing outside the disk, in any direction.
        assert_eq!(at(7, 0), 0.0);
        assert_eq!(at(0, 7), 0.0);
        assert_eq!(at(5, 5), 0.0);
    }

    #[test]
    fn nothing_to_do_is_none() {
        assert_eq!(Defocus { radius_px: 0.2 }.sane(), None);
        assert_eq!(
            Defocus {
                radius_px: f32::NAN
            }
            .sane(),
            None
        );
        assert_eq!(
            Defocus { radius_px: 1e9 }.sane(),
            Some(Defocus { radius_px: 60.0 })
        );
    }
}
