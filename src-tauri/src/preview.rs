//! The live preview: camera frames, downscaled to about 640 px wide and JPEG-encoded, sent as
//! raw bytes over the window's `tauri::ipc::Channel` (an ArrayBuffer in JS, never base64). One
//! frame is in flight at a time: the next goes only after the UI calls `preview_ready`, so a busy
//! window drops frames instead of queueing them.

use std::sync::Mutex;

use badgein_frame::frame::Frame;
use image::ExtendedColorType;
use image::codecs::jpeg::JpegEncoder;
use tauri::ipc::{Channel, InvokeResponseBody};

/// The widest preview sent; the UI scales it up to fill the screen.
pub const PREVIEW_WIDTH: u32 = 640;
const JPEG_QUALITY: u8 = 70;

#[derive(Debug, Default)]
pub struct Preview {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    channel: Option<Channel<InvokeResponseBody>>,
    in_flight: bool,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("channel", &self.channel.as_ref().map(Channel::id))
            .field("in_flight", &self.in_flight)
            .finish()
    }
}

impl Preview {
    /// The UI (re)opened its preview channel: frames go there from now on.
    pub fn attach(&self, channel: Channel<InvokeResponseBody>) {
        if let Ok(mut state) = self.state.lock() {
            state.channel = Some(channel);
            state.in_flight = false;
        }
    }

    /// The UI drew the last frame sent on channel `channel_id`. An ack for a channel that has
    /// been replaced since is ignored: it would free a second frame for the new one.
    pub fn ready(&self, channel_id: u32) {
        if let Ok(mut state) = self.state.lock()
            && state.channel.as_ref().map(Channel::id) == Some(channel_id)
        {
            state.in_flight = false;
        }
    }

    /// Sends `frame` if the UI is waiting for one; otherwise drops it.
    pub fn offer(&self, frame: &Frame) {
        let channel = match self.state.lock() {
            Ok(mut state) if !state.in_flight => {
                let channel = state.channel.clone();
                state.in_flight = channel.is_some();
                channel
            }
            _ => None,
        };
        let Some(channel) = channel else { return };
        let sent = encode(frame).and_then(|jpeg| {
            channel
                .send(InvokeResponseBody::Raw(jpeg))
                .map_err(|e| e.to_string())
        });
        if let Err(error) = sent {
            tracing::warn!(%error, "preview frame not sent");
            if let Ok(mut state) = self.state.lock() {
                state.in_flight = false;
            }
        }
    }
}

/// A grey JPEG of `frame`, box-downscaled to at most [`PREVIEW_WIDTH`] wide.
pub fn encode(frame: &Frame) -> Result<Vec<u8>, String> {
    let (width, height, luma) = downscale(frame);
    let mut jpeg = Vec::with_capacity(luma.len() / 8);
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode(&luma, width, height, ExtendedColorType::L8)
        .map_err(|e| e.to_string())?;
    Ok(jpeg)
}

/// Averages `factor x factor` blocks: cheap, and smoother than skipping pixels.
fn downscale(frame: &Frame) -> (u32, u32, Vec<u8>) {
    let factor = frame.width().div_ceil(PREVIEW_WIDTH).max(1);
    let (width, height) = (
        (frame.width() / factor).max(1),
        (frame.height() / factor).max(1),
    );
    let mut out = Vec::with_capacity((width * height) as usize);
    for by in 0..height {
        for bx in 0..width {
            let (mut sum, mut count) = (0u32, 0u32);
            for y in by * factor..(by * factor + factor).min(frame.height()) {
                let row = frame.row(y);
                let start = (bx * factor) as usize;
                let end = (start + factor as usize).min(row.len());
                let block = row.get(start..end).unwrap_or_default();
                sum += block.iter().map(|&p| u32::from(p)).sum::<u32>();
                count += u32::try_from(block.len()).unwrap_or(u32::MAX);
            }
            out.push(u8::try_from(sum / count.max(1)).unwrap_or(u8::MAX));
        }
    }
    (width, height, out)
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
    fn box_average_keeps_brightness() {
        let frame = Frame::from_luma(4, 2, vec![0, 200, 100, 100, 0, 200, 100, 100]).unwrap();
        // 4 px wide is already under the preview width: kept as is.
        let (w, h, luma) = downscale(&frame);
        assert_eq!((w, h), (4, 2));
        assert_eq!(luma, frame.data());
        let wide = Frame::from_luma(1281, 2, vec![100; 1281 * 2]).unwrap();
        let (w, h, luma) = downscale(&wide);
        assert_eq!((w, h), (427, 1));
        assert!(luma.iter().all(|&p| p == 100));
    }

    #[test]
    fn tiny_frames_do_not_panic() {
        let frame = Frame::from_luma(1, 1, vec![7]).unwrap();
        assert!(encode(&frame).is_ok());
    }
}
