//! Test images made on the spot: QR codes rendered with the `qrcode` crate and pasted onto
//! plain frames.

use badgein_scanner::Frame;
use image::{GrayImage, Luma};
use qrcode::{EcLevel, QrCode};

/// A QR code for `payload` at `module` pixels per module with a 4-module quiet zone.
pub fn qr(payload: &[u8], ec: EcLevel, module: u32) -> GrayImage {
    let code = QrCode::with_error_correction_level(payload, ec).expect("payload fits a QR code");
    render(&code.to_colors(), code.width() as u32, module)
}

/// An `n` x `n` module picture with a 4-module quiet zone, dark modules 20 and light 235.
pub fn render(colors: &[qrcode::Color], n: u32, module: u32) -> GrayImage {
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
