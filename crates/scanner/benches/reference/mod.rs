//! The reference decoder the benchmarks measure BadgeIn against: rxing's port of zxing-cpp's QR
//! reader, reading every code in the frame, trying hard (ZXing's `TRY_HARDER`) and inverted
//! codes too, as a phone app or zxing-cpp's own `ReadBarcodes` would be set up for photos.

use badgein_scanner::{Frame, Point};
use rxing::common::HybridBinarizer;
use rxing::multi::MultipleBarcodeReader;
use rxing::qrcode::cpp_port::QrReader;
use rxing::{BinaryBitmap, DecodeHints, Luma8LuminanceSource};

/// One code the reference read: its payload and where it is.
pub struct RefCode {
    pub text: String,
    pub bytes: Vec<u8>,
    pub centre: Point,
}

/// Every code the reference reads in `frame` (none when it fails or panics).
pub fn read(frame: &Frame) -> Vec<RefCode> {
    let (w, h) = (frame.width(), frame.height());
    let mut luma = Vec::with_capacity(w as usize * h as usize);
    for y in 0..h {
        luma.extend_from_slice(&frame.row(y)[..w as usize]);
    }
    let read = std::panic::catch_unwind(move || {
        let source = Luma8LuminanceSource::new(luma, w, h)?;
        let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
        let hints = DecodeHints {
            TryHarder: Some(true),
            AlsoInverted: Some(true),
            ..DecodeHints::default()
        };
        QrReader.decode_multiple_with_hints(&mut bitmap, &hints)
    });
    let Ok(Ok(results)) = read else {
        return Vec::new();
    };
    results
        .iter()
        .map(|r| {
            let points = r.getPoints();
            let n = points.len().max(1) as f32;
            let (sx, sy) = points
                .iter()
                .fold((0.0, 0.0), |(sx, sy), p| (sx + p.x, sy + p.y));
            RefCode {
                text: r.getText().to_owned(),
                bytes: r.getRawBytes().to_vec(),
                centre: [sx / n, sy / n],
            }
        })
        .collect()
}
