//! The camera loop on its own thread: pull a frame, offer it to the preview, let the live
//! scanner decide whether it was a badge presentation, report what happened. A camera that
//! fails is reopened after a pause, and the failure is reported so the teacher is told.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use badgein_frame::source::{FrameSource, SourceError};
use badgein_scanner::live::{LiveEvent, LiveScanner};

use crate::camera::Choice;
use crate::preview::Preview;

/// Frame rate for sources that do not pace themselves (simulated, still, folder).
const PACED_FPS: u32 = 30;
const REOPEN_AFTER: Duration = Duration::from_secs(2);

/// What the loop reports.
#[derive(Debug)]
pub enum LoopEvent {
    Live(LiveEvent),
    /// The camera gives frames again.
    CameraOk,
    CameraTrouble(SourceError),
}

/// Asks the running loop to do something, and to stop when dropped.
#[derive(Debug)]
pub struct ScanLoop {
    stop: Arc<AtomicBool>,
    reset: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ScanLoop {
    pub fn spawn(
        choice: Choice,
        preview: Arc<Preview>,
        mut report: impl FnMut(LoopEvent) + Send + 'static,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let reset = Arc::new(AtomicBool::new(false));
        let (stop_flag, reset_flag) = (stop.clone(), reset.clone());
        let thread = std::thread::Builder::new()
            .name("badgein-camera".into())
            .spawn(move || {
                let mut scanner = LiveScanner::default();
                let period = Duration::from_secs(1) / PACED_FPS;
                let mut source: Option<Box<dyn FrameSource>> = None;
                let mut healthy = None;
                while !stop_flag.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let frame = match source.as_mut() {
                        Some(open) => open.next_frame(),
                        None => choice.open().and_then(|mut s| {
                            tracing::info!(camera = %s.describe(), "camera open");
                            let first = s.next_frame();
                            source = Some(s);
                            first
                        }),
                    };
                    match frame {
                        Ok(Some(frame)) => {
                            if healthy != Some(true) {
                                healthy = Some(true);
                                report(LoopEvent::CameraOk);
                            }
                            if reset_flag.swap(false, Ordering::Relaxed) {
                                scanner.reset();
                            }
                            preview.offer(&frame);
                            report(LoopEvent::Live(scanner.push(&frame, started)));
                        }
                        Ok(None) => source = None,
                        Err(error) => {
                            tracing::warn!(%error, "camera trouble");
                            source = None;
                            healthy = Some(false);
                            report(LoopEvent::CameraTrouble(error));
                            pause(&stop_flag, REOPEN_AFTER);
                            continue;
                        }
                    }
                    if choice.needs_pacing() {
                        pause(&stop_flag, period.saturating_sub(started.elapsed()));
                    }
                }
            })?;
        Ok(Self {
            stop,
            reset,
            thread: Some(thread),
        })
    }

    /// Forget the current presentation: the same badge may sign in again at once.
    pub fn reset_scanner(&self) {
        self.reset.store(true, Ordering::Relaxed);
    }
}

impl Drop for ScanLoop {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            // A webcam read is bounded by the camera crate's watchdog, so this join ends.
            let _ = thread.join();
        }
    }
}

/// Waits `total`, waking every 50 ms to notice a stop request. This is frame pacing, not
/// synchronisation.
fn pause(stop: &AtomicBool, total: Duration) {
    let until = Instant::now() + total;
    while !stop.load(Ordering::Relaxed) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}
