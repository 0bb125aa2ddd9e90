//! The capture thread: it reads the device as fast as the device delivers and keeps only the
//! newest frame, so the scanner never works through a queue of stale frames while a child waits.
//!
//! A device read may block forever (an unplugged V4L2 camera often does), so the consumer never
//! waits on the thread itself: it waits on a condition variable with a deadline (the watchdog)
//! and, when that passes, gives up on the thread and leaves it behind. Nothing here knows about
//! nokhwa, so all of this is tested with fake devices.

use crate::raw::RawFrame;
use badgein_frame::SourceError;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Something frames can be read from. It is created and used on the capture thread only, so it
/// need not be `Send` (nokhwa's camera is not).
pub trait Device {
    /// The next frame, blocking until the device has one. May block forever.
    fn read(&mut self) -> Result<RawFrame, SourceError>;

    /// A short human description ("HD Webcam C270, 1280x720 MJPEG @30").
    fn describe(&self) -> String;
}

impl<D: Device + ?Sized> Device for Box<D> {
    fn read(&mut self) -> Result<RawFrame, SourceError> {
        (**self).read()
    }

    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// How long to wait for each step before deciding the device is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// For the device to open.
    pub open: Duration,
    /// For the first frame after opening: webcams take a while to settle their exposure.
    pub first_frame: Duration,
    /// For each later frame: the watchdog.
    pub frame: Duration,
    /// For the thread to finish when the capture is dropped, before it is left behind.
    pub stop: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            open: Duration::from_secs(10),
            first_frame: Duration::from_secs(6),
            frame: Duration::from_secs(3),
            stop: Duration::from_millis(500),
        }
    }
}

/// Read errors in a row after which the thread stops trying.
const MAX_READ_ERRORS: u32 = 5;
/// Pause between reads after an error, so a failing device does not spin a core.
const RETRY_PAUSE: Duration = Duration::from_millis(20);

#[derive(Default)]
struct State {
    latest: Option<RawFrame>,
    /// Why capturing ended, once it has: every later read reports it.
    failed: Option<SourceError>,
    /// The thread has returned (or panicked).
    ended: bool,
    /// Asks the thread to return after its current read.
    stop: bool,
    captured: u64,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    fresh: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Only plain assignments happen under the lock, so a poisoned state is still coherent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Marks the thread as ended however it leaves, panics included, so no consumer waits for it.
struct EndGuard(Arc<Shared>);

impl Drop for EndGuard {
    fn drop(&mut self) {
        self.0.lock().ended = true;
        self.0.fresh.notify_all();
    }
}

/// A running capture thread and the latest frame it has read.
pub struct Capture {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    /// Disconnects when the thread returns: lets `drop` wait for it with a timeout.
    done: Receiver<()>,
    description: String,
    timeouts: Timeouts,
    seen_first: bool,
    /// The watchdog gave up on the thread: do not wait for it again.
    abandoned: bool,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture")
            .field("description", &self.description)
            .field("timeouts", &self.timeouts)
            .field("abandoned", &self.abandoned)
            .finish_non_exhaustive()
    }
}

impl Capture {
    /// Opens the device on a new thread and starts reading. `open` runs on that thread, so a
    /// device that hangs while opening cannot hang the caller either.
    pub fn start<D, F>(name: &str, open: F, timeouts: Timeouts) -> Result<Self, SourceError>
    where
        D: Device,
        F: FnOnce() -> Result<D, SourceError> + Send + 'static,
    {
        let shared = Arc::new(Shared::default());
        let (opened_tx, opened_rx) = mpsc::sync_channel(1);
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let thread_shared = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name(format!("capture {name}"))
            .spawn(move || {
                let _done = done_tx;
                let _end = EndGuard(Arc::clone(&thread_shared));
                let mut device = match open() {
                    Ok(device) => device,
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                // A failed send means the opener stopped waiting: nobody wants this device.
                if opened_tx.send(Ok(device.describe())).is_ok() {
                    run(&mut device, &thread_shared);
                }
            })
            .map_err(|e| SourceError::Other(format!("could not start the capture thread: {e}")))?;

        let mut capture = Self {
            shared,
            thread: Some(thread),
            done: done_rx,
            description: name.to_owned(),
            timeouts,
            seen_first: false,
            abandoned: false,
        };
        match opened_rx.recv_timeout(timeouts.open) {
            Ok(Ok(description)) => {
                capture.description = description;
                Ok(capture)
            }
            Ok(Err(e)) => Err(e),
            Err(RecvTimeoutError::Timeout) => {
                tracing::warn!("{name} did not open within {:?}", timeouts.open);
                capture.abandoned = true;
                Err(SourceError::Disconnected)
            }
            Err(RecvTimeoutError::Disconnected) => {
                Err(SourceError::Other(format!("{name} crashed while opening")))
            }
        }
    }

    /// What the device said it is once open.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Frames read from the device so far, shown or not.
    pub fn captured(&self) -> u64 {
        self.shared.lock().captured
    }

    /// The newest frame not yet taken, waiting for one if needed. When none comes within the
    /// watchdog's timeout the device is taken for gone: this and every later call return
    /// [`SourceError::Disconnected`], and the thread is left to return whenever its read does.
    pub fn latest(&mut self) -> Result<RawFrame, SourceError> {
        let wait = if self.seen_first {
            self.timeouts.frame
        } else {
            self.timeouts.first_frame
        };
        let deadline = Instant::now() + wait;
        let mut state = self.shared.lock();
        loop {
            if let Some(frame) = state.latest.take() {
                self.seen_first = true;
                return Ok(frame);
            }
            if let Some(e) = &state.failed {
                return Err(duplicate(e));
            }
            if state.ended {
                return Err(SourceError::Disconnected);
            }
            let now = Instant::now();
            if now >= deadline {
                tracing::warn!(
                    "{}: no frame for {wait:?}, taking it for unplugged",
                    self.description
                );
                state.stop = true;
                state.failed = Some(SourceError::Disconnected);
                self.abandoned = true;
                return Err(SourceError::Disconnected);
            }
            state = self
                .shared
                .fresh
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        let patience = if self.abandoned {
            Duration::ZERO
        } else {
            self.timeouts.stop
        };
        match self.done.recv_timeout(patience) {
            Err(RecvTimeoutError::Disconnected) => {
                if let Some(thread) = self.thread.take() {
                    // It has returned already; a panic in it was logged by the panic hook.
                    let _ = thread.join();
                }
            }
            Ok(()) | Err(RecvTimeoutError::Timeout) => {
                // Dropping the handle detaches the thread: it is stuck in a read that may never
                // return, and joining it would hang the kiosk.
                tracing::debug!(
                    "{}: capture thread still blocked, left behind",
                    self.description
                );
            }
        }
    }
}

fn run<D: Device>(device: &mut D, shared: &Shared) {
    let mut errors = 0;
    loop {
        if shared.lock().stop {
            return;
        }
        let read = device.read();
        let mut state = shared.lock();
        if state.stop {
            return;
        }
        match read {
            Ok(frame) => {
                errors = 0;
                // Replacing the untaken frame is the point: the consumer only wants the newest.
                state.latest = Some(frame);
                state.captured += 1;
                drop(state);
                shared.fresh.notify_all();
            }
            Err(e) => {
                errors += 1;
                let transient = matches!(e, SourceError::Other(_) | SourceError::BadFrame(_));
                if !transient || errors >= MAX_READ_ERRORS {
                    tracing::warn!("camera read failed, capture stops: {e}");
                    state.failed = Some(e);
                    return;
                }
                tracing::debug!("camera read failed ({errors} in a row), retrying: {e}");
                drop(state);
                thread::sleep(RETRY_PAUSE);
            }
        }
    }
}

/// `SourceError` is not `Clone` (it is not ours), but a failed capture reports its cause on
/// every call.
fn duplicate(e: &SourceError) -> SourceError {
    match e {
        SourceError::NoCamera => SourceError::NoCamera,
        SourceError::Busy => SourceError::Busy,
        SourceError::PermissionDenied => SourceError::PermissionDenied,
        SourceError::Disconnected => SourceError::Disconnected,
        SourceError::BadFrame(f) => SourceError::BadFrame(f.clone()),
        SourceError::File { path, message } => SourceError::File {
            path: path.clone(),
            message: message.clone(),
        },
        SourceError::Other(m) => SourceError::Other(m.clone()),
    }
}

#[cfg(test)]
mod tests;
