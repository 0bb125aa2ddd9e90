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

/// A version 2 code at error correction level M whose data bits are `segments`, each a value
/// and its width in bits, written as given (the modes the `qrcode` crate will not write, or
/// not in that order): the terminator and padding follow. Drawn as [`qr`] draws.
pub fn qr_from_bits(segments: &[(u32, usize)], module: u32) -> GrayImage {
    const DATA_CODEWORDS: usize = 28;
    let mut bits: Vec<bool> = segments
        .iter()
        .flat_map(|&(value, width)| (0..width).rev().map(move |i| value >> i & 1 == 1))
        .collect();
    assert!(
        bits.len() <= DATA_CODEWORDS * 8,
        "the segments fit version 1-M"
    );
    bits.extend(std::iter::repeat_n(
        false,
        (DATA_CODEWORDS * 8 - bits.len()).min(4),
    ));
    bits.resize(bits.len().div_ceil(8) * 8, false);
    let mut data: Vec<u8> = bits
        .chunks(8)
        .map(|byte| byte.iter().fold(0, |acc, &bit| acc << 1 | u8::from(bit)))
        .collect();
    data.extend(
        [0xEC, 0x11]
            .iter()
            .cycle()
            .take(DATA_CODEWORDS - data.len()),
    );
    let (version, ec) = (qrcode::Version::Normal(2), EcLevel::M);
    let (data, ec_codewords) =
        qrcode::ec::construct_codewords(&data, version, ec).expect("28 codewords fit 2-M");
    let mut canvas = qrcode::canvas::Canvas::new(version, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec_codewords);
    render(&canvas.apply_best_mask().into_colors(), 25, module)
}

/// An `n` x `n` module picture with a 4-module quiet zone, dark modules 20 and light 235.
fn render(colors: &[qrcode::Color], n: u32, module: u32) -> GrayImage {
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
