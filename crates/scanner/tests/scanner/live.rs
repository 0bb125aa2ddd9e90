//! Requirement S4 over a frame sequence: a badge held up is one presentation, a different badge
//! switches at once, an empty view in between ends the presentation.

use std::time::{Duration, Instant};

use badgein_badge::Badge;
use badgein_scanner::live::{LiveEvent, LiveScanner};
use badgein_scanner::{ScanOptions, hints::Hint};
use qrcode::EcLevel;

use crate::support::{frame_with, qr};

#[test]
fn one_event_per_presentation() {
    let a = Badge::generate().expect("OS random");
    let b = Badge::generate().expect("OS random");
    let (qa, qb) = (
        qr(a.to_string().as_bytes(), EcLevel::H, 6),
        qr(b.to_string().as_bytes(), EcLevel::H, 6),
    );
    let t0 = Instant::now();
    let mut live = LiveScanner::new(ScanOptions::THOROUGH);
    let mut badges = Vec::new();
    let mut unchanged = 0;
    // 3 s of A (with the badge moving a little), 3 s of B, 2 s of nobody, 1 s of A again.
    let script: Vec<Option<&image::GrayImage>> = std::iter::repeat_n(Some(&qa), 90)
        .chain(std::iter::repeat_n(Some(&qb), 90))
        .chain(std::iter::repeat_n(None, 60))
        .chain(std::iter::repeat_n(Some(&qa), 30))
        .collect();
    for (i, code) in script.into_iter().enumerate() {
        let jitter = (i as u32 / 10) % 3;
        let frame = frame_with(code, 640, 480, 150 + jitter * 4, 100, 200);
        match live.push(&frame, t0 + Duration::from_millis(i as u64 * 33)) {
            LiveEvent::Badge(badge) => badges.push(badge.to_string()),
            LiveEvent::Unchanged => unchanged += 1,
            LiveEvent::NotABadge(e) => panic!("frame {i}: {e}"),
            LiveEvent::Nothing(_) => {}
        }
    }
    assert_eq!(badges, vec![a.to_string(), b.to_string(), a.to_string()]);
    assert!(
        unchanged > 100,
        "still frames are skipped, got {unchanged} skips of 270"
    );
}

#[test]
fn an_empty_view_asks_for_the_badge() {
    let mut live = LiveScanner::default();
    let frame = frame_with(None, 640, 480, 0, 0, 150);
    // A flat frame has no contrast: the hint is about light.
    assert!(matches!(
        live.push(&frame, Instant::now()),
        LiveEvent::Nothing(Some(Hint::MoreLight))
    ));
}
