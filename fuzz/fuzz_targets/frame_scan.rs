//! Arbitrary camera bytes through frame construction and the live and thorough scans (S2):
//! any size, any pixel format, any content must give a frame or an error, then a scan result,
//! never a panic or a hang (the time budget bounds every scan).
#![no_main]

use std::time::Duration;

use badgein_scanner::{Effort, Frame, ScanOptions, scan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let frame = if selector % 8 == 0 {
        encoded_frame(rest)
    } else {
        raw_frame(selector, rest)
    };
    let Some(frame) = frame else { return };
    let effort = if selector & 0x80 == 0 {
        Effort::Live
    } else {
        Effort::Thorough
    };
    let result = scan(
        &frame,
        &ScanOptions {
            effort,
            budget: Duration::from_millis(50),
        },
    );
    for code in result.codes {
        assert!(code.corners.iter().flatten().all(|v| v.is_finite()));
    }
});

/// Most pixels of a frame decoded from an image file: a few header bytes can declare tens of
/// megapixels, which natively decode and scan in well under a second but, instrumented, take
/// longer than the fuzzer's timeout (the first 10-minute run stopped on a 10,310 x 4,096 GIF of
/// 144 bytes: a scan of 150 ms at Thorough, 30 ms at Live, natively). The size itself is
/// covered by the scanner's own tests; here the fuzzer explores content, not allocation, as
/// for the raw frames below.
const MAX_ENCODED_PIXELS: u64 = 1 << 20;

fn encoded_frame(data: &[u8]) -> Option<Frame> {
    let (w, h) = image::ImageReader::new(std::io::Cursor::new(data))
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()?;
    if u64::from(w) * u64::from(h) > MAX_ENCODED_PIXELS {
        return None;
    }
    Frame::from_encoded(data, None).ok()
}

/// Width and height from the next four bytes (kept small so the fuzzer explores content, not
/// allocation), the pixel format from the selector.
fn raw_frame(selector: u8, data: &[u8]) -> Option<Frame> {
    let (dims, pixels) = data.split_at_checked(4)?;
    let w = u32::from(u16::from_le_bytes([dims[0], dims[1]]) % 512);
    let h = u32::from(u16::from_le_bytes([dims[2], dims[3]]) % 512);
    match selector % 8 {
        1 => Frame::from_luma(w, h, pixels.to_vec()).ok(),
        2 => Frame::from_yuyv(w, h, pixels).ok(),
        3 => Frame::from_nv12(w, h, pixels).ok(),
        4 => Frame::from_rgb(w, h, pixels).ok(),
        5 => Frame::from_rgba(w, h, pixels).ok(),
        6 => Frame::from_mjpeg(pixels).ok(),
        _ => Frame::from_luma_strided(w, h, w as usize + usize::from(selector % 5), pixels).ok(),
    }
}
