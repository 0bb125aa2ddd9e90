//! The scanner as the kiosk's camera loop uses it: skip unchanged frames, decode the rest
//! with live effort, and turn reads into badge presentations and hints.

use std::time::Instant;

use badgein_badge::{Badge, BadgeError};

use crate::change::ChangeDetector;
use crate::debounce::Debouncer;
use crate::frame::Frame;
use crate::hints::{self, Hint};
use crate::pipeline::{self, Scan, ScanOptions};

/// What one camera frame amounted to.
#[derive(Debug)]
pub enum LiveEvent {
    /// The frame matched the previous one; nothing was decoded.
    Unchanged,
    /// A new presentation of a valid badge.
    Badge(Badge),
    /// A new presentation of a code that is not a badge (the kiosk shows "that's not a sign-in
    /// card"). The text itself is deliberately not carried: it is hostile until proven
    /// otherwise and nothing downstream needs it.
    NotABadge(BadgeError),
    /// No new presentation; what to tell the child, if anything.
    Nothing(Option<Hint>),
}

#[derive(Debug)]
pub struct LiveScanner {
    options: ScanOptions,
    change: ChangeDetector,
    debounce: Debouncer,
    last_hint: Option<Hint>,
}

impl Default for LiveScanner {
    fn default() -> Self {
        Self::new(ScanOptions::LIVE)
    }
}

impl LiveScanner {
    pub fn new(options: ScanOptions) -> Self {
        Self {
            options,
            change: ChangeDetector::default(),
            debounce: Debouncer::default(),
            last_hint: Some(Hint::ShowBadge),
        }
    }

    /// Processes one frame captured at `now`.
    pub fn push(&mut self, frame: &Frame, now: Instant) -> LiveEvent {
        if !self.change.changed(frame) {
            return LiveEvent::Unchanged;
        }
        let scan = pipeline::scan(frame, &self.options);
        self.interpret(&scan, now)
    }

    fn interpret(&mut self, scan: &Scan, now: Instant) -> LiveEvent {
        let payloads = scan.codes.iter().map(|c| c.bytes.as_slice());
        if let Some(new) = self.debounce.observe(payloads, now) {
            self.last_hint = None;
            return match Badge::parse_bytes(&new) {
                Ok(badge) => LiveEvent::Badge(badge),
                Err(e) => LiveEvent::NotABadge(e),
            };
        }
        if scan.codes.is_empty() {
            self.last_hint = hints::hint(scan);
        }
        LiveEvent::Nothing(self.last_hint)
    }

    /// After a sign-out the same badge may be shown again at once.
    pub fn reset(&mut self) {
        self.debounce.reset();
    }
}
