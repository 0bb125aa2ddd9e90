//! Frames in, setup QRs out: the camera loop's reader while the setup screen shows (the
//! scan screen's [`crate::badge_reader::BadgeReader`] never looks for setup QRs, so there a
//! setup QR is just a code that is not a badge). The same scanner, change detection and
//! debounce: a QR held in view is read once, and again only after it was taken away.

use std::time::Instant;

use badgein_badge::Badge;
use badgein_scanner::change::ChangeDetector;
use badgein_scanner::debounce::Debouncer;
use badgein_scanner::{Frame, ScanOptions, scan};

use crate::setup_qr::{self, SetupQr, SetupQrError};

#[derive(Debug)]
pub struct SetupQrReader {
    options: ScanOptions,
    change: ChangeDetector,
    debounce: Debouncer,
}

impl Default for SetupQrReader {
    fn default() -> Self {
        Self {
            options: ScanOptions::LIVE,
            change: ChangeDetector::default(),
            debounce: Debouncer::default(),
        }
    }
}

impl SetupQrReader {
    /// One camera frame captured at `now`: a newly presented code, read as a setup QR. `None`
    /// for nothing new, for several codes at once, and for a badge (the setup screen's test
    /// scan shows badges; they are not wrong setup QRs).
    pub fn push(&mut self, frame: &Frame, now: Instant) -> Option<Result<SetupQr, SetupQrError>> {
        if !self.change.changed(frame) {
            return None;
        }
        let found = scan(frame, &self.options);
        let mut payloads: Vec<&[u8]> = found.codes.iter().map(|c| c.bytes.as_slice()).collect();
        payloads.sort_unstable();
        payloads.dedup();
        let new = self.debounce.observe(payloads.iter().copied(), now)?;
        if payloads.len() > 1 {
            self.debounce.reset();
            return None;
        }
        if Badge::parse_bytes(&new).is_ok() {
            return None;
        }
        Some(setup_qr::parse(&new))
    }
}
