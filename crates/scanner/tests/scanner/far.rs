//! Badges at the far end of the reading range (60 cm from a 720p webcam, about two pixels a
//! module), inverted and mirrored, rotated through a full turn: every frame reads with the live
//! pipeline's steps. The budget is generous so that a loaded test machine cannot turn a
//! capability test into a timing one; the frames benchmark measures the time.

use std::time::Duration;

use badgein_badge::Badge;
use badgein_scanner::{ScanOptions, scan};
use badgein_synthetic::Scene;

fn unread_at_60_cm(invert: bool, mirror: bool) -> Vec<u64> {
    let badge = Badge::generate()
        .expect("OS random")
        .render(8)
        .expect("a badge renders");
    let options = ScanOptions {
        budget: Duration::from_secs(3),
        ..ScanOptions::LIVE
    };
    (0..24)
        .filter(|&seed| {
            let frame = Scene {
                distance_cm: 60.0,
                noise: 2.0,
                seed,
                frame: seed,
                invert,
                mirror,
                rotation_deg: (seed * 47 % 360) as f32,
                ..Scene::default()
            }
            .render(Some(&badge));
            scan(&frame, &options).codes.is_empty()
        })
        .collect()
}

#[test]
fn inverted_badges_read_at_60_cm() {
    assert_eq!(unread_at_60_cm(true, false), Vec::<u64>::new());
}

#[test]
fn mirrored_badges_read_at_60_cm() {
    assert_eq!(unread_at_60_cm(false, true), Vec::<u64>::new());
}

#[test]
fn mirrored_and_inverted_badges_read_at_60_cm() {
    assert_eq!(unread_at_60_cm(true, true), Vec::<u64>::new());
}
