//! A white badge shown to a camera exposed for a dark room (auto-exposure overshoot): until
//! the exposure catches up, the paper clips to white and so do the ink's blurred edges, so every
//! dark run is thinner and every light run wider by the same pixels. The finder test takes
//! such patterns for what they are (`detector::finder`, the spread rule), and a pattern only
//! one scan row crossed gets its neighbouring rows scanned.
//!
//! Seeds below the degradation benchmark's held-out ones; the badges are `scenes::badges`.

use badgein_synthetic::{LENS_BLUR_PX, Overshoot, Scene};

use crate::scenes::unread_scenes;

/// The (badge, seed) pairs not read as exactly that badge at `distance_cm` and `gain`.
fn unread(distance_cm: f32, gain: f32) -> Vec<(usize, u64)> {
    unread_scenes(0..12, |seed| Scene {
        distance_cm,
        blur_px: LENS_BLUR_PX,
        noise: 2.0,
        seed,
        frame: seed,
        rotation_deg: (seed * 53 % 360) as f32,
        overshoot: Some(Overshoot { gain }),
        ..Scene::default()
    })
}

#[test]
fn a_badge_four_times_too_bright_reads_at_20_cm() {
    assert_eq!(unread(20.0, 4.0), Vec::<(usize, u64)>::new());
}

#[test]
fn a_badge_four_times_too_bright_reads_at_40_cm() {
    assert_eq!(unread(40.0, 4.0), Vec::<(usize, u64)>::new());
}

#[test]
fn a_badge_three_times_too_bright_reads_at_60_cm() {
    assert_eq!(unread(60.0, 3.0), Vec::<(usize, u64)>::new());
}
