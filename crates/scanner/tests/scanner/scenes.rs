//! Generated webcam scenes with the three fixed badges in them, for the tests of what the live
//! pipeline reads (far range, exposure overshoot).

use std::time::Duration;

use badgein_badge::Badge;
use badgein_scanner::{ScanOptions, scan};
use badgein_synthetic::Scene;

/// Three fixed badges with different module patterns. Fixed, not drawn from OS random: a
/// random badge made a generated-scene test a lottery (about one run in 180 met a badge and
/// pose that did not read), and a test must fail for a change in the code, not for the draw.
fn badges() -> [Badge; 3] {
    [
        Badge::from_parts([0x01, 0x23, 0x45, 0x67, 0x89], [0x5a; 16]),
        Badge::from_parts([0xfe, 0xdc, 0xba, 0x98, 0x76], *b"0123456789abcdef"),
        Badge::from_parts([0x00, 0xff, 0x10, 0xef, 0x42], [0xc3; 16]),
    ]
}

/// The (badge, seed) pairs of [`badges`] and `seeds` whose frame, `scene(seed)` with the badge
/// in it, the live pipeline did not read as exactly that badge. The budget is generous so that
/// a loaded test machine cannot turn a capability test into a timing one.
pub fn unread_scenes(
    seeds: std::ops::Range<u64>,
    scene: impl Fn(u64) -> Scene,
) -> Vec<(usize, u64)> {
    let options = ScanOptions {
        budget: Duration::from_secs(3),
        ..ScanOptions::LIVE
    };
    let mut unread = Vec::new();
    for (which, badge) in badges().iter().enumerate() {
        let text = badge.to_string();
        let image = badge.render(8).expect("a badge renders");
        for seed in seeds.clone() {
            let frame = scene(seed).render(Some(&image));
            if !scan(&frame, &options).codes.iter().any(|c| c.text == text) {
                unread.push((which, seed));
            }
        }
    }
    unread
}
