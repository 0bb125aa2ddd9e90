//! Which of the modes a camera offers we ask for.
//!
//! Kept apart from nokhwa so the choice can be tested without a camera. nokhwa's own
//! `RequestedFormatType::Closest` gives up when the exact resolution is not offered, so we choose
//! ourselves.

use crate::raw::PixelFormat;

/// A resolution, frame rate and pixel format a camera can deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mode {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub format: PixelFormat,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}x{} {} @{}",
            self.width, self.height, self.format, self.fps
        )
    }
}

/// Below this a child waving a badge sees the screen lag behind.
const SMOOTH_FPS: u32 = 15;

/// The offered mode closest to `want`. In order of importance: a smooth frame rate (a 720p YUYV
/// mode at 5 fps over USB 2 is worse than 640x480 at 30), then the resolution nearest in area
/// (on a log scale, so twice too big and half too small weigh the same), then the frame rate,
/// then the format cheapest to turn into luma and free of compression artefacts.
pub fn choose(offered: &[Mode], want: Mode) -> Option<Mode> {
    let smooth = want.fps.min(SMOOTH_FPS);
    let want_area = area(want).max(1.0);
    let key = |m: &Mode| {
        let jerky = m.fps < smooth;
        let size_miss = (area(*m).max(1.0) / want_area).ln().abs();
        let fps_miss = m.fps.abs_diff(want.fps);
        (jerky, size_miss, fps_miss, format_cost(m.format))
    };
    offered
        .iter()
        .filter(|m| m.width > 0 && m.height > 0)
        .min_by(|a, b| {
            let (ka, kb) = (key(a), key(b));
            ka.0.cmp(&kb.0)
                .then(ka.1.total_cmp(&kb.1))
                .then(ka.2.cmp(&kb.2))
                .then(ka.3.cmp(&kb.3))
        })
        .copied()
}

fn area(m: Mode) -> f64 {
    f64::from(m.width) * f64::from(m.height)
}

fn format_cost(format: PixelFormat) -> u8 {
    match format {
        PixelFormat::Yuyv | PixelFormat::Nv12 | PixelFormat::Gray => 0,
        PixelFormat::Mjpeg => 1,
        PixelFormat::Rgb | PixelFormat::Bgr => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PixelFormat::{Mjpeg, Yuyv};

    fn m(width: u32, height: u32, fps: u32, format: PixelFormat) -> Mode {
        Mode {
            width,
            height,
            fps,
            format,
        }
    }

    const WANT: Mode = Mode {
        width: 1280,
        height: 720,
        fps: 30,
        format: Yuyv,
    };

    #[test]
    fn prefers_the_requested_mode_and_yuyv_over_mjpeg() {
        let offered = [
            m(640, 480, 30, Yuyv),
            m(1280, 720, 30, Mjpeg),
            m(1280, 720, 30, Yuyv),
        ];
        assert_eq!(choose(&offered, WANT), Some(m(1280, 720, 30, Yuyv)));
    }

    #[test]
    fn takes_mjpeg_when_yuyv_is_too_slow_at_that_size() {
        // The typical USB 2 webcam: uncompressed 720p only at 10 fps.
        let offered = [
            m(1280, 720, 10, Yuyv),
            m(1280, 720, 30, Mjpeg),
            m(640, 480, 30, Yuyv),
        ];
        assert_eq!(choose(&offered, WANT), Some(m(1280, 720, 30, Mjpeg)));
    }

    #[test]
    fn smooth_beats_sharp() {
        let offered = [m(1280, 720, 5, Yuyv), m(640, 480, 30, Yuyv)];
        assert_eq!(choose(&offered, WANT), Some(m(640, 480, 30, Yuyv)));
    }

    #[test]
    fn falls_back_to_the_nearest_size() {
        let offered = [
            m(320, 240, 30, Yuyv),
            m(1920, 1080, 30, Mjpeg),
            m(800, 600, 30, Yuyv),
        ];
        assert_eq!(choose(&offered, WANT), Some(m(800, 600, 30, Yuyv)));
        assert_eq!(
            choose(&[m(160, 120, 5, Yuyv)], WANT),
            Some(m(160, 120, 5, Yuyv))
        );
    }

    #[test]
    fn nothing_offered_nothing_chosen() {
        assert_eq!(choose(&[], WANT), None);
        assert_eq!(choose(&[m(0, 0, 30, Yuyv)], WANT), None);
        assert!(choose(&[m(640, 480, 30, Yuyv)], m(0, 0, 0, Yuyv)).is_some());
    }
}
