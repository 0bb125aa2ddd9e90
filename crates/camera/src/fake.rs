//! Devices for tests: no CI machine has a webcam.
//!
//! Each device reports what it does (reads entered, dropped) through [`Signals`], so a test waits
//! for the event it needs instead of sleeping or polling.

use crate::capture::Device;
use crate::raw::{PixelFormat, RawFrame};
use badgein_frame::SourceError;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How long a test waits for an event before calling it missing. Only a broken build comes near
/// it (the events take microseconds); it keeps that build failing instead of hanging the suite,
/// and it is long enough that no loaded machine runs out of it.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// A 1x1 grey frame whose one pixel tells frames apart.
pub(crate) fn gray(n: u8) -> RawFrame {
    RawFrame {
        width: 1,
        height: 1,
        format: PixelFormat::Gray,
        data: vec![n],
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    reads_entered: u64,
    dropped: bool,
}

/// What a fake device has done, shared with the test, which can wait for it to happen.
#[derive(Default)]
pub(crate) struct Signals {
    seen: Mutex<Seen>,
    changed: Condvar,
}

impl Signals {
    fn lock(&self) -> MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, f: impl FnOnce(&mut Seen)) {
        f(&mut self.lock());
        self.changed.notify_all();
    }

    /// Waits (up to [`PATIENCE`]) until `done` holds; whether it does.
    fn wait_until(&self, done: impl Fn(&Seen) -> bool) -> bool {
        let (seen, _) = self
            .changed
            .wait_timeout_while(self.lock(), PATIENCE, |seen| !done(seen))
            .unwrap_or_else(PoisonError::into_inner);
        done(&seen)
    }

    /// Whether the device has not been dropped yet.
    pub(crate) fn alive(&self) -> bool {
        !self.lock().dropped
    }

    /// How many reads the device has entered. The capture thread stores each frame before it
    /// reads again, so once read `n + 1` is entered, frames `1..=n` have all been stored.
    pub(crate) fn reads_entered(&self) -> u64 {
        self.lock().reads_entered
    }

    /// Waits until the device has entered at least `n` reads; whether it has.
    pub(crate) fn wait_reads_entered(&self, n: u64) -> bool {
        self.wait_until(|seen| seen.reads_entered >= n)
    }

    /// Waits until the device has entered a read after read `n`, or has been dropped; whether
    /// it has read.
    pub(crate) fn wait_read_after(&self, n: u64) -> bool {
        self.wait_until(|seen| seen.reads_entered > n || seen.dropped);
        let seen = *self.lock();
        seen.reads_entered > n && !seen.dropped
    }

    /// Waits until the device has been dropped (the capture released it); whether it has.
    pub(crate) fn wait_dropped(&self) -> bool {
        self.wait_until(|seen| seen.dropped)
    }
}

/// Reads exactly what the test sends, and blocks while it sends nothing (the unplugged camera).
pub(crate) struct Scripted {
    reads: Receiver<Result<RawFrame, SourceError>>,
    signals: Arc<Signals>,
}

/// The test's end of a [`Scripted`] device.
pub(crate) struct Script {
    pub(crate) send: Sender<Result<RawFrame, SourceError>>,
    /// What the device has done (the capture thread is blocked in its last read until the test
    /// sends something).
    pub(crate) device: Arc<Signals>,
}

impl Script {
    pub(crate) fn frame(&self, n: u8) {
        let _ = self.send.send(Ok(gray(n)));
    }

    pub(crate) fn error(&self, e: SourceError) {
        let _ = self.send.send(Err(e));
    }
}

pub(crate) fn scripted() -> (Script, Scripted) {
    let (send, reads) = mpsc::channel();
    let signals = Arc::new(Signals::default());
    (
        Script {
            send,
            device: Arc::clone(&signals),
        },
        Scripted { reads, signals },
    )
}

impl Device for Scripted {
    fn read(&mut self) -> Result<RawFrame, SourceError> {
        self.signals.update(|seen| seen.reads_entered += 1);
        // The test dropping its end lets a left-behind thread finish.
        self.reads.recv().unwrap_or(Err(SourceError::Disconnected))
    }

    fn describe(&self) -> String {
        "scripted test device".to_owned()
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.signals.update(|seen| seen.dropped = true);
    }
}

/// A camera at about 1000 fps whose frames carry their number, counting from 1 (see
/// [`number`]). A `u64`, so the count cannot wrap within any test.
pub(crate) struct Ticking {
    next: u64,
    signals: Arc<Signals>,
}

pub(crate) fn ticking() -> (Arc<Signals>, Ticking) {
    let signals = Arc::new(Signals::default());
    let device = Ticking {
        next: 0,
        signals: Arc::clone(&signals),
    };
    (signals, device)
}

/// The number a [`Ticking`] frame carries.
pub(crate) fn number(frame: &RawFrame) -> u64 {
    let bytes = frame.data.as_slice().try_into();
    u64::from_le_bytes(bytes.expect("a ticking frame holds 8 bytes"))
}

impl Device for Ticking {
    fn read(&mut self) -> Result<RawFrame, SourceError> {
        self.signals.update(|seen| seen.reads_entered += 1);
        // The device's frame rate, not synchronisation: it keeps a never-waiting device from
        // spinning a core while the test runs.
        std::thread::sleep(Duration::from_millis(1));
        self.next += 1;
        Ok(RawFrame {
            width: 8,
            height: 1,
            format: PixelFormat::Gray,
            data: self.next.to_le_bytes().to_vec(),
        })
    }

    fn describe(&self) -> String {
        "ticking test device".to_owned()
    }
}

impl Drop for Ticking {
    fn drop(&mut self) {
        self.signals.update(|seen| seen.dropped = true);
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
