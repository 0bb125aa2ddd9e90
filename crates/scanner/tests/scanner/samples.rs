//! The real photos in `../shared/qr-samples` as a regression floor for the whole pipeline, and
//! the images that once made rqrr panic as a corpus that must never crash us (S2).

use std::time::Duration;

use badgein_scanner::sample_set;
use badgein_scanner::{Frame, ScanOptions, scan};

/// Raised as the pipeline improves; the benchmark prints the current figure
/// (`cargo bench -p badgein-scanner --bench samples`, with the real 1.5 s budget).
// With the budget below no photo runs out of time, so the count depends on the pipeline alone
// and not on how loaded the machine is: the floor is the count itself, no margin.
const FLOOR: usize = 137;

/// `THOROUGH`'s steps with a budget no machine runs out of: this test is about what the pipeline
/// can read, not how fast (the benchmark measures that). A step cannot be interrupted, so a
/// budget only ever cuts steps off; a long one lets every step run.
const EVERY_STEP: ScanOptions = ScanOptions {
    budget: Duration::from_secs(600),
    ..ScanOptions::THOROUGH
};

#[test]
fn reads_at_least_the_floor_of_real_photos() {
    let root = sample_set::default_root();
    let sets = sample_set::load(&root)
        .unwrap_or_else(|e| panic!("the shared QR samples must be at {}: {e}", root.display()));
    let total: usize = sets.iter().map(|s| s.samples.len()).sum();
    assert!(
        total >= 140,
        "expected the 145 labelled photos, found {total}"
    );
    let mut passes = 0;
    for sample in sets.iter().flat_map(|s| &s.samples) {
        let bytes = std::fs::read(&sample.image).expect("read sample");
        let frame = Frame::from_encoded(&bytes, None).expect("samples are readable images");
        let result = scan(&frame, &EVERY_STEP);
        if result
            .codes
            .iter()
            .any(|c| c.bytes == sample.expected || c.text.as_bytes() == sample.expected)
        {
            passes += 1;
        }
    }
    assert!(passes >= FLOOR, "read {passes} of {total}, floor {FLOOR}");
}

#[test]
fn the_image_that_panics_rqrr_does_not_panic_us() {
    let path = sample_set::default_root().join("qrcode-6/7.png");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let frame = Frame::from_encoded(&bytes, None).expect("readable");
    // Both efforts, so the rqrr fallback runs whatever the detector does.
    let _ = scan(&frame, &ScanOptions::THOROUGH);
    let _ = scan(&frame, &ScanOptions::LIVE);
}
