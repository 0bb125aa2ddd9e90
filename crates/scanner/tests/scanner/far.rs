//! Badges at the far end of the reading range (60 cm from a 720p webcam, about two pixels a
//! module), inverted and mirrored, rotated through a full turn: every frame reads with the live
//! pipeline's steps. The budget is generous so that a loaded test machine cannot turn a
//! capability test into a timing one; the frames benchmark measures the time.
//!
//! The badges are fixed (`scenes::badges`); how far random badges read is the frames
//! benchmark's job.

use badgein_synthetic::Scene;

use crate::scenes::unread_scenes;

/// The (badge, seed) pairs whose frame did not read as exactly that badge.
fn unread_at_60_cm(invert: bool, mirror: bool) -> Vec<(usize, u64)> {
    unread_scenes(0..24, |seed| Scene {
        distance_cm: 60.0,
        noise: 2.0,
        seed,
        frame: seed,
        invert,
        mirror,
        rotation_deg: (seed * 47 % 360) as f32,
        ..Scene::default()
    })
}

#[test]
fn inverted_badges_read_at_60_cm() {
    assert_eq!(unread_at_60_cm(true, false), Vec::<(usize, u64)>::new());
}

#[test]
fn mirrored_badges_read_at_60_cm() {
    assert_eq!(unread_at_60_cm(false, true), Vec::<(usize, u64)>::new());
}

#[test]
fn mirrored_and_inverted_badges_read_at_60_cm() {
    assert_eq!(unread_at_60_cm(true, true), Vec::<(usize, u64)>::new());
}
