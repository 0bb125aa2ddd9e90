//! The live preview: camera frames, halved to at most 640 px wide and JPEG-encoded, sent as raw
//! bytes over the window's `tauri::ipc::Channel` (an ArrayBuffer in JS, never base64). One
//! frame is in flight at a time: the next goes only after the UI calls `preview_ready`, so a busy
//! window drops frames instead of queueing them. While the scene is still, no frame goes
//! ([`SceneChange`]): the picture on screen is the same, and each repaint costs WebKit more CPU
//! than the kiosk's whole idle scanning (scripts/bench-kiosk).
//!
//! Encoding happens on the preview's own thread: the camera loop hands a frame over and goes
//! back to reading badges, so the preview never delays a sign-in.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use badgein_frame::frame::Frame;
use badgein_kiosk_core::scene_change::{SceneChange, SceneSample};
use badgein_scanner::preprocess;
use image::ExtendedColorType;
use image::codecs::jpeg::JpegEncoder;
use tauri::ipc::{Channel, InvokeResponseBody};

/// The widest preview sent; the UI scales it up to fill the screen.
pub const PREVIEW_WIDTH: u32 = 640;
const JPEG_QUALITY: u8 = 70;
/// While nothing moves, one camera frame in this many is shown: one a minute from a 30 fps
/// camera. A still scene looks the same without it; the first frame that moves goes at once,
/// and every one after it.
const IDLE_EVERY: u32 = 30 * 60;

type PreviewChannel = Channel<InvokeResponseBody>;

#[derive(Debug)]
pub struct Preview {
    state: Arc<Mutex<State>>,
    /// To the encoder thread, which ends when this is dropped.
    encoder: SyncSender<(Frame, PreviewChannel)>,
}

struct State {
    channel: Option<PreviewChannel>,
    /// A frame is being encoded for, or waits to be drawn by, the current channel.
    in_flight: bool,
    pace: SceneChange,
    counts: Counts,
}

/// Frames offered and frames sent to the window, said at trace level once per
/// [`COUNT_EVERY`] offered (scripts/bench-kiosk reads them; no default log filter shows them).
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    offered: u64,
    sent: u64,
}

const COUNT_EVERY: u64 = 30;

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("channel", &self.channel.as_ref().map(Channel::id))
            .field("in_flight", &self.in_flight)
            .finish_non_exhaustive()
    }
}

impl Preview {
    /// Starts the encoder thread.
    pub fn start() -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(State {
            channel: None,
            in_flight: false,
            pace: SceneChange::new(IDLE_EVERY),
            counts: Counts::default(),
        }));
        let (encoder, frames) = sync_channel(1);
        let shared = state.clone();
        std::thread::Builder::new()
            .name("badgein-preview".into())
            .spawn(move || encode_loop(&frames, &shared))?;
        Ok(Self { state, encoder })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means a panic elsewhere mid-update; the state stays consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The UI (re)opened its preview channel: frames go there from now on.
    pub fn attach(&self, channel: PreviewChannel) {
        let mut state = self.state();
        state.channel = Some(channel);
        state.in_flight = false;
        // A new canvas is blank: its first frame goes even if the scene is still.
        state.pace.reset();
    }

    /// The UI drew the last frame sent on channel `channel_id`. An ack for a channel that has
    /// been replaced since is ignored: it would free a second frame for the new one.
    pub fn ready(&self, channel_id: u32) {
        let mut state = self.state();
        if state.channel.as_ref().map(Channel::id) == Some(channel_id) {
            state.in_flight = false;
        }
    }

    /// Hands `frame` to the encoder if the UI is waiting for one and the pace wants it shown;
    /// otherwise drops it. Never waits for the encoding.
    pub fn offer(&self, frame: &Frame, scene: &SceneSample) {
        let mut state = self.state();
        state.counts.offered += 1;
        if state.counts.offered.is_multiple_of(COUNT_EVERY) {
            let Counts { offered, sent } = state.counts;
            tracing::trace!(offered, sent, "preview frames");
        }
        if state.in_flight {
            return;
        }
        let Some(channel) = state.channel.clone() else {
            return;
        };
        if !state.pace.pass(scene) {
            return;
        }
        match self.encoder.try_send((frame.clone(), channel)) {
            Ok(()) => {
                state.in_flight = true;
                state.counts.sent += 1;
            }
            // The encoder still has the previous frame: this one is dropped like any other.
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {}
        }
    }
}

fn encode_loop(frames: &Receiver<(Frame, PreviewChannel)>, state: &Mutex<State>) {
    let lock = || state.lock().unwrap_or_else(PoisonError::into_inner);
    for (frame, channel) in frames {
        let sent = encode(&frame).and_then(|jpeg| {
            // A channel replaced meanwhile gets nothing: its screen has gone, and the new
            // channel's first frame is offered afresh.
            if lock().channel.as_ref().map(Channel::id) != Some(channel.id()) {
                return Ok(());
            }
            channel
                .send(InvokeResponseBody::Raw(jpeg))
                .map_err(|e| e.to_string())
        });
        if let Err(error) = sent {
            tracing::warn!(%error, "preview frame not sent");
            let mut state = lock();
            if state.channel.as_ref().map(Channel::id) == Some(channel.id()) {
                state.in_flight = false;
            }
        }
    }
}

/// A grey JPEG of `frame`, halved until at most [`PREVIEW_WIDTH`] wide.
pub fn encode(frame: &Frame) -> Result<Vec<u8>, String> {
    let small = downscale(frame);
    let frame = small.as_ref().unwrap_or(frame);
    let (width, height) = (frame.width(), frame.height());
    // A frame's rows are usually contiguous already: copied together only when they are not.
    let packed: Vec<u8>;
    let contiguous = frame
        .data()
        .get(..width as usize * height as usize)
        .filter(|_| frame.stride() == width as usize);
    let luma = match contiguous {
        Some(rows) => rows,
        None => {
            packed = (0..height)
                .flat_map(|y| frame.row(y).iter().copied())
                .collect();
            &packed
        }
    };
    let mut jpeg = Vec::with_capacity(luma.len() / 8);
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode(luma, width, height, ExtendedColorType::L8)
        .map_err(|e| e.to_string())?;
    Ok(jpeg)
}

/// Halves `frame` (2x2 averages, the scanner's optimised step) until it fits the preview;
/// `None` when it already does.
fn downscale(frame: &Frame) -> Option<Frame> {
    let mut small: Option<Frame> = None;
    loop {
        let current = small.as_ref().unwrap_or(frame);
        if current.width() <= PREVIEW_WIDTH {
            return small;
        }
        match preprocess::half(current) {
            Some(half) => small = Some(half),
            None => return small,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(width: u32, height: u32) -> Frame {
        let data = (0..width * height)
            .map(|i| u8::try_from((i % width) * 255 / width.max(1)).unwrap())
            .collect();
        Frame::from_luma(width, height, data).unwrap()
    }

    #[test]
    fn a_720p_frame_becomes_a_640_wide_jpeg() {
        let jpeg = encode(&gradient(1280, 720)).unwrap();
        let decoded = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (640, 360));
        // Small enough to stream at camera rate without base64 or large copies.
        assert!(jpeg.len() < 64 * 1024, "{} bytes", jpeg.len());
    }

    #[test]
    fn halving_keeps_brightness_and_small_frames_stay() {
        let frame = Frame::from_luma(4, 2, vec![0, 200, 100, 100, 0, 200, 100, 100]).unwrap();
        assert!(
            downscale(&frame).is_none(),
            "under the preview width: kept as is"
        );
        let wide = Frame::from_luma(1920, 4, vec![100; 1920 * 4]).unwrap();
        let small = downscale(&wide).unwrap();
        assert_eq!((small.width(), small.height()), (480, 1));
        assert!(small.data().iter().all(|&p| p == 100));
        let decoded = image::load_from_memory(&encode(&wide).unwrap()).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (480, 1));
    }

    #[test]
    fn tiny_frames_do_not_panic() {
        let frame = Frame::from_luma(1, 1, vec![7]).unwrap();
        assert!(encode(&frame).is_ok());
        let odd = Frame::from_luma(641, 1, vec![7; 641]).unwrap();
        assert!(encode(&odd).is_ok());
    }
}
