//! Motion blur: the badge (or the camera) moves during the exposure, so every point is smeared
//! along a line. Unlike a lens blur it smears in one direction only.

/// A straight-line motion during the exposure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MotionBlur {
    /// How far the image moves during the exposure, in pixels.
    pub length_px: f32,
    /// Direction of the motion, clockwise on screen from the +x axis.
    pub angle_deg: f32,
}

impl MotionBlur {
    /// Finite and in range; `None` when it would do nothing.
    pub(crate) fn sane(self) -> Option<Self> {
        let length_px = if self.length_px.is_finite() {
            self.length_px.clamp(0.0, 200.0)
        } else {
            0.0
        };
        let angle_deg = if self.angle_deg.is_finite() {
            self.angle_deg % 360.0
        } else {
            0.0
        };
        (length_px >= 0.5).then_some(Self {
            length_px,
            angle_deg,
        })
    }

    /// Averages each pixel over the segment of the motion centred on it (a line PSF), sampled
    /// every half pixel with bilinear interpolation; edges repeat.
    pub(crate) fn apply(&self, buf: &mut [f32], w: usize, h: usize) {
        let taps = (2.0 * self.length_px).ceil().max(2.0) as usize + 1;
        let (sin, cos) = self.angle_deg.to_radians().sin_cos();
        let offsets: Vec<(f32, f32)> = (0..taps)
            .map(|i| {
                let t = self.length_px * (i as f32 / (taps - 1) as f32 - 0.5);
                (t * cos, t * sin)
            })
            .collect();
        let src = buf.to_vec();
        let (wm, hm) = ((w - 1) as f32, (h - 1) as f32);
        let sample = |x: f32, y: f32| {
            let (x, y) = (x.clamp(0.0, wm), y.clamp(0.0, hm));
            let (x0, y0) = (x as usize, y as usize);
            let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
            let (fx, fy) = (x - x0 as f32, y - y0 as f32);
            let top = src[y0 * w + x0] + (src[y0 * w + x1] - src[y0 * w + x0]) * fx;
            let bottom = src[y1 * w + x0] + (src[y1 * w + x1] - src[y1 * w + x0]) * fx;
            top + (bottom - top) * fy
        };
        let norm = 1.0 / taps as f32;
        for (y, row) in buf.chunks_exact_mut(w).enumerate() {
            for (x, out) in row.iter_mut().enumerate() {
                let (xf, yf) = (x as f32, y as f32);
                *out = offsets
                    .iter()
                    .map(|&(dx, dy)| sample(xf + dx, yf + dy))
                    .sum::<f32>()
                    * norm;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A single bright pixel in the middle of a dark buffer, blurred.
    fn smeared(angle_deg: f32) -> (Vec<f32>, usize) {
        let (w, h) = (61, 61);
        let mut buf = vec![0.0f32; w * h];
        buf[30 * w + 30] = 1000.0;
        MotionBlur {
            length_px: 20.0,
            angle_deg,
        }
        .apply(&mut buf, w, h);
        (buf, w)
    }

    #[test]
    fn it_smears_along_its_angle_and_not_across() {
        let (buf, w) = smeared(0.0);
        let total: f32 = buf.iter().sum();
        assert!((total - 1000.0).abs() < 1.0, "brightness kept: {total}");
        // Along the row: lit up to about 10 px either side, not past it.
        assert!(buf[30 * w + 30 + 8] > 10.0 && buf[30 * w + 30 - 8] > 10.0);
        assert!(buf[30 * w + 30 + 13] == 0.0);
        // Across: nothing two rows away.
        assert!(buf[28 * w..29 * w].iter().all(|&v| v == 0.0));
        assert!(buf[32 * w..33 * w].iter().all(|&v| v == 0.0));

        let (buf, w) = smeared(90.0);
        assert!(buf[(30 + 8) * w + 30] > 10.0 && buf[(30 - 8) * w + 30] > 10.0);
        assert!(buf[30 * w + 28] == 0.0 && buf[30 * w + 32] == 0.0);

        // Diagonal: on the diagonal, not on the anti-diagonal.
        let (buf, w) = smeared(45.0);
        assert!(buf[(30 + 5) * w + 30 + 5] > 5.0);
        assert!(buf[(30 - 5) * w + 30 + 5] == 0.0);
    }

    #[test]
    fn nothing_to_do_is_none() {
        let still = MotionBlur {
            length_px: 0.1,
            angle_deg: 0.0,
        };
        assert_eq!(still.sane(), None);
        let nan = MotionBlur {
            length_px: f32::NAN,
            angle_deg: f32::NAN,
        };
        assert_eq!(nan.sane(), None);
        let huge = MotionBlur {
            length_px: 1e9,
            angle_deg: 1e9,
        }
        .sane()
        .expect("clamped");
        assert!(huge.length_px <= 200.0 && huge.angle_deg.abs() < 360.0);
    }
}
