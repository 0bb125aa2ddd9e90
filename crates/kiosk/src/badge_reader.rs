//! Frames in, [`ScanEvent`]s out: the scanner's live pieces (debounce, hints) put together the
//! way the kiosk needs them, which is `LiveScanner` plus two rules: a frame with several codes
//! is rejected (X7) instead of signing in whichever came first; and a frame is skipped when
//! [`SceneChange`] finds its scene still, a rule that holds with a dim room's sensor noise
//! (the scanner's frame-wide `ChangeDetector` counts noise of sigma 3 or more as change, so a
//! real webcam's frames were all decoded).

use std::time::Instant;

use badgein_badge::Badge;
use badgein_scanner::debounce::Debouncer;
use badgein_scanner::hints::{self, Hint};
use badgein_scanner::{Frame, ScanOptions, scan};

use crate::machine::ScanEvent;
use crate::scene_change::{SceneChange, SceneSample};

/// A still scene is decoded once in this many frames (twice a second from a 30 fps camera), so
/// a change too slow or small to see is never missed for long.
const SCAN_STILL_EVERY: u32 = 16;

#[derive(Debug)]
pub struct BadgeReader {
    options: ScanOptions,
    change: SceneChange,
    debounce: Debouncer,
    last_hint: Option<Hint>,
}

impl Default for BadgeReader {
    fn default() -> Self {
        Self {
            options: ScanOptions::LIVE,
            change: SceneChange::new(SCAN_STILL_EVERY),
            debounce: Debouncer::default(),
            last_hint: Some(Hint::ShowBadge),
        }
    }
}

impl BadgeReader {
    /// One camera frame captured at `now`, and its `scene` sample; `None` when the scene is
    /// unchanged.
    pub fn push(&mut self, frame: &Frame, scene: &SceneSample, now: Instant) -> Option<ScanEvent> {
        if !self.change.pass(scene) {
            return None;
        }
        let found = scan(frame, &self.options);
        let mut payloads: Vec<&[u8]> = found.codes.iter().map(|c| c.bytes.as_slice()).collect();
        // One code found twice (two decoder passes) is still one code.
        payloads.sort_unstable();
        payloads.dedup();
        if let Some(new) = self.debounce.observe(payloads.iter().copied(), now) {
            self.last_hint = None;
            if payloads.len() > 1 {
                // Nobody is signed in from a crowded frame; and the next frame with one badge
                // must count as a new presentation.
                self.debounce.reset();
                return Some(ScanEvent::Several);
            }
            return Some(match Badge::parse_bytes(&new) {
                Ok(badge) => ScanEvent::Badge(badge),
                Err(_) => ScanEvent::NotABadge,
            });
        }
        if found.codes.is_empty() {
            self.last_hint = hints::hint(&found);
        }
        Some(ScanEvent::Nothing(self.last_hint))
    }

    /// Forget the presentation in view: the same badge may sign in again at once.
    pub fn reset(&mut self) {
        self.debounce.reset();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use image::{GrayImage, Luma, imageops};
    use qrcode::{Color, EcLevel, QrCode};

    use super::*;

    fn push(reader: &mut BadgeReader, frame: &Frame, now: Instant) -> Option<ScanEvent> {
        reader.push(frame, &SceneSample::of(frame), now)
    }

    /// A 640x480 grey scene with the given codes pasted at x offsets.
    fn scene(codes: &[(&GrayImage, i64)]) -> Frame {
        let mut canvas = GrayImage::from_pixel(640, 480, Luma([180]));
        for (code, x) in codes {
            imageops::overlay(&mut canvas, *code, *x, 60);
        }
        Frame::from_image(&image::DynamicImage::ImageLuma8(canvas))
    }

    fn other_qr(text: &str) -> GrayImage {
        let qr = QrCode::with_error_correction_level(text, EcLevel::H).unwrap();
        let (w, colors) = (qr.width() as u32, qr.to_colors());
        let px = 5;
        GrayImage::from_fn((w + 8) * px, (w + 8) * px, |x, y| {
            let (mx, my) = ((x / px).wrapping_sub(4), (y / px).wrapping_sub(4));
            let dark = mx < w && my < w && colors[(my * w + mx) as usize] == Color::Dark;
            Luma([if dark { 0 } else { 255 }])
        })
    }

    #[test]
    fn a_badge_then_a_crowd_then_a_stranger() {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let maya = Badge::from_parts([1; 5], [1; 16]);
        let leo = Badge::from_parts([2; 5], [2; 16]);
        let (maya_px, leo_px) = (maya.render(5).unwrap(), leo.render(5).unwrap());
        let mut reader = BadgeReader::default();

        let empty = scene(&[]);
        assert!(matches!(
            push(&mut reader, &empty, at(0)),
            Some(ScanEvent::Nothing(Some(_)))
        ));
        assert_eq!(
            push(&mut reader, &scene(&[(&maya_px, 40)]), at(33)),
            Some(ScanEvent::Badge(maya.clone()))
        );
        assert_eq!(
            push(&mut reader, &scene(&[(&maya_px, 40)]), at(66)),
            None,
            "unchanged"
        );

        // Two children at once: nobody is signed in, then one badge alone counts again.
        let crowd = scene(&[(&maya_px, 20), (&leo_px, 330)]);
        assert!(push(&mut reader, &empty, at(3000)).is_some());
        assert_eq!(
            push(&mut reader, &crowd, at(3033)),
            Some(ScanEvent::Several)
        );
        assert_eq!(
            push(&mut reader, &scene(&[(&leo_px, 330)]), at(3066)),
            Some(ScanEvent::Badge(leo.clone()))
        );

        // A code that is not a badge is recognised locally.
        assert_eq!(
            push(
                &mut reader,
                &scene(&[(&other_qr("javascript:alert(1)"), 100)]),
                at(6000)
            ),
            Some(ScanEvent::NotABadge)
        );
    }

    #[test]
    fn reset_lets_the_same_badge_sign_in_again() {
        let t0 = Instant::now();
        let maya = Badge::from_parts([3; 5], [3; 16]);
        let px = maya.render(5).unwrap();
        let mut reader = BadgeReader::default();
        let a = scene(&[(&px, 40)]);
        let b = scene(&[(&px, 60)]);
        assert_eq!(
            push(&mut reader, &a, t0),
            Some(ScanEvent::Badge(maya.clone()))
        );
        assert!(matches!(
            push(&mut reader, &b, t0 + Duration::from_millis(33)),
            Some(ScanEvent::Nothing(None))
        ));
        reader.reset();
        assert_eq!(
            push(&mut reader, &a, t0 + Duration::from_millis(66)),
            Some(ScanEvent::Badge(maya))
        );
    }
}
