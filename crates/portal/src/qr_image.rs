//! The QR code of any text the portal shows or writes out (the staff second factor's
//! `otpauth:` URI, the kiosk setup QR): its module grid, drawn as one SVG path, a PNG or an SVG
//! file. Badges have their own drawing in `badgein-badge` (level H, fixed version); these texts
//! are shown on a screen or printed once, so the `qrcode` crate's default level M is enough.

use std::io::Cursor;

use image::{GrayImage, ImageFormat, Luma};
use qrcode::{Color, QrCode};
use thiserror::Error;

/// Light modules around the symbol, as the QR standard asks.
pub const QUIET_ZONE: usize = 4;

/// Pixels per module in a PNG: a version 4 symbol is (33 + 8) * 8 = 328 px, which a phone or a
/// kiosk camera reads from a printout or a screen.
pub const PNG_MODULE_PX: u32 = 8;

#[derive(Debug, Error)]
pub enum QrImageError {
    #[error("the text does not fit in a QR code")]
    TooLong(#[source] qrcode::types::QrError),
    #[error("the PNG could not be encoded")]
    Png(#[source] image::ImageError),
}

/// A QR symbol: `side` modules a side, quiet zone included, dark or light.
#[derive(Debug, Clone)]
pub struct QrImage {
    side: usize,
    dark: Vec<bool>,
}

impl QrImage {
    pub fn new(text: &str) -> Result<Self, QrImageError> {
        let code = QrCode::new(text.as_bytes()).map_err(QrImageError::TooLong)?;
        let width = code.width();
        let side = width + 2 * QUIET_ZONE;
        let colors = code.to_colors();
        let mut dark = vec![false; side * side];
        for (i, color) in colors.iter().enumerate() {
            if *color == Color::Dark {
                let (x, y) = (i % width + QUIET_ZONE, i / width + QUIET_ZONE);
                dark[y * side + x] = true;
            }
        }
        Ok(Self { side, dark })
    }

    /// Modules a side, quiet zone included.
    pub fn side(&self) -> usize {
        self.side
    }

    /// The dark modules as one SVG path in module units (a viewBox of `0 0 side side`).
    pub fn svg_path(&self) -> String {
        let mut path = String::new();
        for (i, _) in self.dark.iter().enumerate().filter(|(_, d)| **d) {
            let (x, y) = (i % self.side, i / self.side);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
        path
    }

    /// A standalone SVG file, black on white.
    pub fn svg_file(&self) -> String {
        let n = self.side;
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
             viewBox=\"0 0 {n} {n}\" width=\"{w}\" height=\"{w}\" shape-rendering=\"crispEdges\">\
             <rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/><path d=\"{d}\" fill=\"#000\"/></svg>\n",
            w = n * PNG_MODULE_PX as usize,
            d = self.svg_path(),
        )
    }

    /// The symbol as a greyscale image, `module_px` pixels a module (at least 1).
    pub fn image(&self, module_px: u32) -> GrayImage {
        let px = module_px.max(1);
        let side = u32::try_from(self.side).unwrap_or(u32::MAX / px) * px;
        GrayImage::from_fn(side, side, |x, y| {
            let (mx, my) = ((x / px) as usize, (y / px) as usize);
            let dark = self.dark.get(my * self.side + mx).copied().unwrap_or(false);
            Luma([if dark { 0 } else { 255 }])
        })
    }

    /// A PNG file of the symbol at [`PNG_MODULE_PX`].
    pub fn png_file(&self) -> Result<Vec<u8>, QrImageError> {
        let mut bytes = Cursor::new(Vec::new());
        self.image(PNG_MODULE_PX)
            .write_to(&mut bytes, ImageFormat::Png)
            .map_err(QrImageError::Png)?;
        Ok(bytes.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quiet_zone_is_light_and_the_finder_starts_inside_it() {
        let qr = QrImage::new("BADGEIN-SETUP/1 https://portal.example.org ABCDE-FGHIJ").unwrap();
        let n = qr.side();
        for i in 0..n {
            for at in [i, i * n, (n - 1) * n + i, i * n + n - 1] {
                assert!(!qr.dark[at]);
            }
        }
        assert!(qr.dark[QUIET_ZONE * n + QUIET_ZONE]);
        assert_eq!(qr.image(3).dimensions(), (3 * n as u32, 3 * n as u32));
        assert!(qr.png_file().unwrap().starts_with(b"\x89PNG"));
        assert!(qr.svg_file().contains(&qr.svg_path()));
    }

    #[test]
    fn text_too_long_for_any_qr_is_an_error() {
        assert!(matches!(
            QrImage::new(&"x".repeat(8000)),
            Err(QrImageError::TooLong(_))
        ));
    }
}
