//! Devices for tests: no CI machine has a webcam.

use crate::capture::Device;
use crate::raw::{PixelFormat, RawFrame};
use badgein_frame::SourceError;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

/// A 1x1 grey frame whose one pixel tells frames apart.
pub(crate) fn gray(n: u8) -> RawFrame {
    RawFrame {
        width: 1,
        height: 1,
        format: PixelFormat::Gray,
        data: vec![n],
    }
}

/// Reads exactly what the test sends, and blocks while it sends nothing (the unplugged camera).
pub(crate) struct Scripted {
    reads: Receiver<Result<RawFrame, SourceError>>,
    alive: Arc<AtomicBool>,
    waiting: Arc<AtomicUsize>,
}

/// The test's end of a [`Scripted`] device.
pub(crate) struct Script {
    pub(crate) send: Sender<Result<RawFrame, SourceError>>,
    alive: Arc<AtomicBool>,
    waiting: Arc<AtomicUsize>,
}

impl Script {
    /// Whether the device has not been dropped yet.
    pub(crate) fn alive(&self) -> bool {
        self.alive.load(Ordering::SeqCst)
    }

    /// How many reads the device has entered (the capture thread is blocked in the last one
    /// until the test sends something).
    pub(crate) fn reads_entered(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    pub(crate) fn frame(&self, n: u8) {
        let _ = self.send.send(Ok(gray(n)));
    }

    pub(crate) fn error(&self, e: SourceError) {
        let _ = self.send.send(Err(e));
    }
}

pub(crate) fn scripted() -> (Script, Scripted) {
    let (send, reads) = mpsc::channel();
    let alive = Arc::new(AtomicBool::new(true));
    let waiting = Arc::new(AtomicUsize::new(0));
    (
        Script {
            send,
            alive: Arc::clone(&alive),
            waiting: Arc::clone(&waiting),
        },
        Scripted {
            reads,
            alive,
            waiting,
        },
    )
}

impl Device for Scripted {
    fn read(&mut self) -> Result<RawFrame, SourceError> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        // The test dropping its end lets a left-behind thread finish.
        self.reads.recv().unwrap_or(Err(SourceError::Disconnected))
    }

    fn describe(&self) -> String {
        "scripted test device".to_owned()
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.alive.store(false, Ordering::SeqCst);
    }
}

/// A camera at 1000 fps whose frames count up.
pub(crate) struct Ticking {
    pub(crate) next: u8,
    pub(crate) alive: Arc<AtomicBool>,
}

impl Device for Ticking {
    fn read(&mut self) -> Result<RawFrame, SourceError> {
        std::thread::sleep(Duration::from_millis(1));
        self.next = self.next.wrapping_add(1);
        Ok(gray(self.next))
    }

    fn describe(&self) -> String {
        "ticking test device".to_owned()
    }
}

impl Drop for Ticking {
    fn drop(&mut self) {
        self.alive.store(false, Ordering::SeqCst);
    }
}

/// Panics on its first read.
pub(crate) struct Exploding;

impl Device for Exploding {
    fn read(&mut self) -> Result<RawFrame, SourceError> {
        panic!("test device exploded on purpose")
    }

    fn describe(&self) -> String {
        "exploding test device".to_owned()
    }
}

/// Polls `cond` for up to a second: threads are involved.
pub(crate) fn eventually(cond: impl Fn() -> bool) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while std::time::Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    cond()
}
