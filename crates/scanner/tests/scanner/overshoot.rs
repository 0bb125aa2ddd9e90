//! A white badge shown to a camera exposed for a dark room (auto-exposure overshoot): until
//! the exposure catches up, the paper clips to white and so do the ink's blurred edges, so every
//! dark run is thinner and every light run wider by the same pixels. The finder test takes
//! such patterns for what they are (`detector::finder`, the spread rule), and a pattern only
//! one scan row crossed gets its neighbouring rows scanned.
//!
//! Seeds below the degradation benchmark's held-out ones; the budget is generous so that a
//! loaded machine cannot turn this into a timing test.

use std::time::Duration;

use badgein_badge::Badge;
use badgein_scanner::{ScanOptions, scan};
use badgein_synthetic::{LENS_BLUR_PX, Overshoot, Scene};

fn badges() -> [Badge; 3] {
    [
        Badge::from_parts([0x01, 0x23, 0x45, 0x67, 0x89], [0x5a; 16]),
        Badge::from_parts([0xfe, 0xdc, 0xba, 0x98, 0x76], *b"0123456789abcdef"),
        Badge::from_parts([0x00, 0xff, 0x10, 0xef, 0x42], [0xc3; 16]),
    ]
}

/// The (badge, seed) pairs not read as exactly that badge at `distance_cm` and `gain`.
fn unread(distance_cm: f32, gain: f32) -> Vec<(usize, u64)> {
    let options = ScanOptions {
        budget: Duration::from_secs(3),
        ..ScanOptions::LIVE
    };
    let mut unread = Vec::new();
    for (which, badge) in badges().iter().enumerate() {
        let text = badge.to_string();
        let image = badge.render(8).expect("a badge renders");
        for seed in 0..12 {
            let frame = Scene {
                distance_cm,
                blur_px: LENS_BLUR_PX,
                noise: 2.0,
                seed,
                frame: seed,
                rotation_deg: (seed * 53 % 360) as f32,
                overshoot: Some(Overshoot { gain }),
                ..Scene::default()
            }
            .render(Some(&image));
            if !scan(&frame, &options).codes.iter().any(|c| c.text == text) {
                unread.push((which, seed));
            }
        }
    }
    unread
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
