//! Rolling shutter: a webcam's CMOS sensor reads its rows one after another over most of a
//! frame time, so a badge moving sideways is caught further along its path in each lower row:
//! the badge is sheared, by an amount proportional to its speed.

/// A badge moving sideways while the rows are read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RollingShutter {
    /// How far the badge moves, in pixels to the right (negative: left), between the reading of
    /// the frame's first row and its last: its speed times the readout time.
    pub shift_px: f32,
}

impl RollingShutter {
    /// Finite and in range; `None` when it would do nothing.
    pub(crate) fn sane(self) -> Option<Self> {
        let shift_px = if self.shift_px.is_finite() {
            self.shift_px.clamp(-10_000.0, 10_000.0)
        } else {
            0.0
        };
        (shift_px.abs() >= 0.01).then_some(Self { shift_px })
    }

    /// How far right the badge is drawn in row `y` of `height`: the middle row is where the
    /// badge is at the frame's time, earlier rows left of it and later ones right.
    pub(crate) fn offset(&self, y: usize, height: usize) -> f64 {
        f64::from(self.shift_px) * ((y as f64 + 0.5) / height as f64 - 0.5)
    }
}
