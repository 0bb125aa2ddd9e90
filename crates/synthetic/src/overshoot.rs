//! Auto-exposure overshoot: the camera has set its exposure for a dark room, and a white badge
//! enters the frame brighter than anything it was exposed for. Until the exposure catches up
//! (a few frames), the paper clips to white and, with enough gain, the ink's blurred edges
//! clip too, thinning the dark modules.

/// The room is `gain` times darker than a normal one and the camera's gain makes up for it,
/// so the background looks normal and the badge, lit as usual, is `gain` times too bright.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overshoot {
    /// More than 1; clipping starts where the paper passes 255.
    pub gain: f32,
}

impl Overshoot {
    /// Finite and in range; `None` when it would do nothing.
    pub(crate) fn sane(self) -> Option<Self> {
        let gain = if self.gain.is_finite() {
            self.gain.clamp(1.0, 100.0)
        } else {
            1.0
        };
        (gain > 1.0).then_some(Self { gain })
    }

    /// Darkens the background as painted, before the badge goes over it: the dark room.
    pub(crate) fn darken_room(&self, buf: &mut [f32]) {
        buf.iter_mut().for_each(|v| *v /= self.gain);
    }
}
