//! The camera loop on its own thread: frames are pulled from a blocking [`FrameSource`],
//! read by a [`BadgeReader`] and sent to the kiosk as events. Faults become camera trouble;
//! the source is reopened until it works again (S6).

use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use badgein_frame::frame::Frame;
use badgein_frame::source::{FrameSource, SourceError};

use super::KioskHandle;
use crate::badge_reader::BadgeReader;
use crate::machine::{CameraReason, CameraState, Event, ScanEvent, SetupEvent};
use crate::scene_change::SceneSample;
use crate::setup_qr_reader::SetupQrReader;

/// How long to wait before trying a camera that failed again.
pub const REOPEN_AFTER: Duration = Duration::from_secs(1);

/// Opens (or reopens) the camera.
pub type Opener = Box<dyn FnMut() -> Result<Box<dyn FrameSource>, SourceError> + Send>;
/// Sees every frame, with the scene sample the camera loop took of it (the shell's live
/// preview judges stillness on it too).
pub type Tap = Box<dyn FnMut(&Frame, &SceneSample) + Send>;
/// The frame counts are said (at trace level) once per this many frames.
const COUNT_EVERY: u64 = 30;

/// Starts the camera thread. It ends when the kiosk stops or the source ends (a folder of
/// images played once).
pub fn spawn(
    handle: KioskHandle,
    opener: Opener,
    tap: Option<Tap>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("badgein-camera-loop".into())
        .spawn(move || CameraLoop::new(handle, tap).run(opener))
}

struct CameraLoop {
    handle: KioskHandle,
    tap: Option<Tap>,
    reader: BadgeReader,
    /// Reads setup QRs instead of badges while the setup screen shows.
    setup_reader: SetupQrReader,
    trouble: Option<CameraReason>,
    last_nothing: Option<ScanEvent>,
    counts: FrameCounts,
}

/// Frames read while looking for badges, and how many of them the reader scanned (the rest
/// its change rule skipped as unchanged). Said at trace level, which no default filter shows:
/// scripts/bench-kiosk turns it on to see what the skip rule does with a camera's noise.
#[derive(Debug, Default)]
struct FrameCounts {
    read: u64,
    scanned: u64,
}

impl FrameCounts {
    fn count(&mut self, scanned: bool) {
        self.read += 1;
        self.scanned += u64::from(scanned);
        if self.read.is_multiple_of(COUNT_EVERY) {
            tracing::trace!(read = self.read, scanned = self.scanned, "camera frames");
        }
    }
}

impl CameraLoop {
    fn new(handle: KioskHandle, tap: Option<Tap>) -> Self {
        Self {
            handle,
            tap,
            reader: BadgeReader::default(),
            setup_reader: SetupQrReader::default(),
            trouble: None,
            last_nothing: None,
            counts: FrameCounts::default(),
        }
    }

    fn run(mut self, mut opener: Opener) {
        while !self.handle.is_stopped() {
            let source = match opener() {
                Ok(s) => s,
                Err(e) => {
                    if !self.report(&e) {
                        return;
                    }
                    self.wait_before_reopening();
                    continue;
                }
            };
            match self.play(source) {
                Played::Ended | Played::Stopped => return,
                Played::Failed => self.wait_before_reopening(),
            }
        }
    }

    fn play(&mut self, mut source: Box<dyn FrameSource>) -> Played {
        tracing::info!(camera = %source.describe(), "camera loop started");
        loop {
            let frame = match source.next_frame() {
                Ok(Some(f)) => f,
                Ok(None) => return Played::Ended,
                Err(e) => {
                    return if self.report(&e) {
                        Played::Failed
                    } else {
                        Played::Stopped
                    };
                }
            };
            if self.trouble.take().is_some() && !self.handle.send(Event::Camera(CameraState::Ok)) {
                return Played::Stopped;
            }
            // Sampled once: both the badge reader and the preview ask whether the scene moved.
            let scene = SceneSample::of(&frame);
            if self.handle.take_scanner_reset() {
                self.reader.reset();
            }
            if self.handle.looking_for_setup_qr() {
                // Only the setup screen reads setup QRs; the scan screen's reader below takes
                // one for a code that is not a badge.
                let read = self.setup_reader.push(&frame, Instant::now());
                if let Some(read) = read
                    && !self.handle.send(Event::Setup(SetupEvent::QrRead(read)))
                {
                    return Played::Stopped;
                }
            } else {
                // The badge first: the preview's copy of the frame must not delay a sign-in.
                let read = self.reader.push(&frame, &scene, Instant::now());
                self.counts.count(read.is_some());
                if let Some(event) = read
                    && !self.deliver(event)
                {
                    return Played::Stopped;
                }
            }
            if let Some(tap) = &mut self.tap {
                tap(&frame, &scene);
            }
        }
    }

    /// Sends what a frame amounted to, unless it repeats the last "nothing"; `false` once the
    /// kiosk has stopped.
    fn deliver(&mut self, event: ScanEvent) -> bool {
        if matches!(event, ScanEvent::Nothing(_)) {
            // Hints repeat on every frame; the kiosk only needs to hear a change.
            if self.last_nothing.as_ref() == Some(&event) {
                return true;
            }
            self.last_nothing = Some(event.clone());
        } else {
            self.last_nothing = None;
        }
        self.handle.send(Event::Scan(event))
    }

    /// Tells the kiosk about a fault (once per kind); `false` once the kiosk has stopped.
    fn report(&mut self, error: &SourceError) -> bool {
        let reason = CameraReason::from(error);
        if self.trouble == Some(reason) {
            return !self.handle.is_stopped();
        }
        tracing::warn!(error = %error, "camera trouble");
        self.trouble = Some(reason);
        self.last_nothing = None;
        self.handle
            .send(Event::Camera(CameraState::Trouble(reason)))
    }

    fn wait_before_reopening(&self) {
        // Not a synchronisation: a camera that just failed gets a moment before the retry.
        std::thread::sleep(REOPEN_AFTER);
    }
}

enum Played {
    Ended,
    Stopped,
    Failed,
}
