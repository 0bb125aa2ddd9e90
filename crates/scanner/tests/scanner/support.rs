//! Test images made on the spot: QR codes rendered with the `qrcode` crate and pasted onto
//! plain frames.

use std::time::Duration;

use badgein_badge::Badge;
use badgein_scanner::{Frame, ScanOptions, scan};
use badgein_synthetic::Scene;
use image::{GrayImage, Luma};
use qrcode::{EcLevel, QrCode};

/// Three fixed badges with different module patterns. Fixed, not drawn from OS random: a
/// random badge made a generated-scene test a lottery (about one run in 180 met a badge and
/// pose that did not read), and a test must fail for a change in the code, not for the draw.
fn badges() -> [Badge; 3] {
    [
        Badge::from_parts([0x01, 0x23, 0x45, 0x67, 0x89], [0x5a; 16]),
        Badge::from_parts([0xfe, 0xdc, 0xba, 0x98, 0x76], *b"0123456789abcdef"),
        Badge::from_parts([0x00, 0xff, 0x10, 0xef, 0x42], [0xc3; 16]),
    ]
}

/// The (badge, seed) pairs of [`badges`] and `seeds` whose frame, `scene(seed)` with the badge
/// in it, the live pipeline did not read as exactly that badge. The budget is generous so that
/// a loaded test machine cannot turn a capability test into a timing one.
pub fn unread_scenes(
    seeds: std::ops::Range<u64>,
    scene: impl Fn(u64) -> Scene,
) -> Vec<(usize, u64)> {
    let options = ScanOptions {
        budget: Duration::from_secs(3),
        ..ScanOptions::LIVE
    };
    let mut unread = Vec::new();
    for (which, badge) in badges().iter().enumerate() {
        let text = badge.to_string();
        let image = badge.render(8).expect("a badge renders");
        for seed in seeds.clone() {
            let frame = scene(seed).render(Some(&image));
            if !scan(&frame, &options).codes.iter().any(|c| c.text == text) {
                unread.push((which, seed));
            }
        }
    }
    unread
}

/// A QR code for `payload` at `module` pixels per module with a 4-module quiet zone.
pub fn qr(payload: &[u8], ec: EcLevel, module: u32) -> GrayImage {
    let code = QrCode::with_error_correction_level(payload, ec).expect("payload fits a QR code");
    let n = code.width() as u32;
    let colors = code.to_colors();
    let side = (n + 8) * module;
    GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = ((x / module) as i64 - 4, (y / module) as i64 - 4);
        let dark = mx >= 0
            && my >= 0
            && mx < i64::from(n)
            && my < i64::from(n)
            && colors[(my as u32 * n + mx as u32) as usize] == qrcode::Color::Dark;
        Luma([if dark { 20 } else { 235 }])
    })
}

/// `code` pasted at (x, y) onto a `w` x `h` frame of grey `background`.
pub fn frame_with(
    code: Option<&GrayImage>,
    w: u32,
    h: u32,
    x: u32,
    y: u32,
    background: u8,
) -> Frame {
    let mut img = GrayImage::from_pixel(w, h, Luma([background]));
    if let Some(code) = code {
        image::imageops::overlay(&mut img, code, i64::from(x), i64::from(y));
    }
    Frame::from_image(&image::DynamicImage::ImageLuma8(img))
}
