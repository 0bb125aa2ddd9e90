//! Backlight: a bright window behind the child. The camera exposes for the brightest part of
//! the frame, so the window is white and everything in front of it, the badge included, is dark;
//! light scattered in the lens (veiling glare) then adds a haze over the whole frame that eats
//! what contrast is left.

use crate::{Rng, fill_rect};

/// A window behind the child, `brightness` times brighter than the badge's paper.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backlight {
    /// Window over paper brightness, 1 or more; the exposure darkens the scene by as much.
    pub brightness: f32,
}

/// The share of the window's light that lens flare spreads over the whole frame.
const VEIL: f32 = 0.02;

impl Backlight {
    /// Finite and in range; `None` when it would do nothing.
    pub(crate) fn sane(self) -> Option<Self> {
        let brightness = if self.brightness.is_finite() {
            self.brightness.clamp(1.0, 1000.0)
        } else {
            1.0
        };
        (brightness > 1.0).then_some(Self { brightness })
    }

    /// The window's brightness before the exposure, in the scene's grey levels.
    fn window(&self) -> f32 {
        255.0 * self.brightness
    }

    /// The gain the camera's exposure settles on: the window just reaches white.
    pub(crate) fn gain(&self) -> f32 {
        1.0 / self.brightness
    }

    /// Paints the window into the background, behind where the child stands (the middle of
    /// the frame), its edges drawn from `seed`.
    pub(crate) fn paint_window(&self, buf: &mut [f32], w: usize, h: usize, seed: u64) {
        let mut rng = Rng::new(seed ^ 0xB0C4_116F);
        let (wf, hf) = (w as f32, h as f32);
        let rect = (
            rng.range(0.1, 0.3) * wf,
            rng.range(0.0, 0.1) * hf,
            rng.range(0.7, 0.9) * wf,
            rng.range(0.6, 0.8) * hf,
        );
        fill_rect(buf, w, h, rect, self.window());
    }

    /// The lens's veiling glare, added over the frame once it is focused.
    pub(crate) fn veil(&self, buf: &mut [f32]) {
        let haze = VEIL * self.window();
        buf.iter_mut().for_each(|v| *v += haze);
    }
}
