//! Drawing a badge's QR code.
//!
//! Always error correction level H: a badge lives on a lanyard, gets scratched, bent and
//! partly covered by a small thumb, and level H still reads with about 30% of it damaged.
//! The 42 characters are all in the QR alphanumeric set, so the symbol is version 4
//! (33x33 modules), big modules for a cheap kiosk camera at a given print size.

use image::{GrayImage, Luma};
use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode};
use thiserror::Error;

use crate::Badge;

/// Light modules around the symbol; 4 is what the QR standard asks for, and scanners need
/// it to find the finder patterns when the badge sits on a dark lanyard or shirt.
pub const QUIET_ZONE_MODULES: u32 = 4;

/// Largest module size [`Badge::render`] accepts: 41 modules of 100 px is a 4100 px square,
/// far beyond any print need, and keeps a bad argument from asking for gigabytes.
pub const MAX_MODULE_PX: u32 = 100;

const BLACK: Luma<u8> = Luma([0]);
const WHITE: Luma<u8> = Luma([255]);

/// Why a badge's QR code could not be drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RenderError {
    #[error("module size must be 1..={MAX_MODULE_PX} pixels, got {module_px}")]
    ModuleSize { module_px: u32 },
    /// Cannot happen for a well-formed badge; kept as an error rather than a panic.
    #[error("QR encoding failed: {0}")]
    Qr(#[source] QrError),
}

impl Badge {
    fn qr_code(&self) -> Result<QrCode, RenderError> {
        QrCode::with_error_correction_level(self.encode(), EcLevel::H).map_err(RenderError::Qr)
    }

    /// The QR version (1..=40) of this badge's symbol; 4 for every badge.
    pub fn qr_version(&self) -> Result<i16, RenderError> {
        let code = self.qr_code()?;
        Ok(match code.version() {
            qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
        })
    }

    /// The badge's QR code as a black-on-white image, `module_px` pixels per module, with a
    /// quiet zone of [`QUIET_ZONE_MODULES`] on every side, at error correction level H.
    pub fn render(&self, module_px: u32) -> Result<GrayImage, RenderError> {
        if !(1..=MAX_MODULE_PX).contains(&module_px) {
            return Err(RenderError::ModuleSize { module_px });
        }
        let code = self.qr_code()?;
        let width = code.width();
        let colors = code.to_colors();
        // A version 40 symbol is 177 modules wide, so these conversions cannot fail.
        let modules = u32::try_from(width).map_err(|_| RenderError::Qr(QrError::DataTooLong))?
            + 2 * QUIET_ZONE_MODULES;
        let side = modules * module_px;

        Ok(GrayImage::from_fn(side, side, |x, y| {
            let (mx, my) = (x / module_px, y / module_px);
            let inside = |m: u32| m.checked_sub(QUIET_ZONE_MODULES).map(|m| m as usize);
            match (inside(mx), inside(my)) {
                (Some(cx), Some(cy)) if cx < width && cy < width => {
                    match colors.get(cy * width + cx) {
                        Some(Color::Dark) => BLACK,
                        _ => WHITE,
                    }
                }
                _ => WHITE,
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbol_is_version_4_level_h() {
        let badge = Badge::from_parts([0xff; 5], [0xff; 16]);
        let code = badge.qr_code().expect("encodes");
        assert_eq!(code.error_correction_level(), EcLevel::H);
        assert_eq!(code.version(), qrcode::Version::Normal(4));
        assert_eq!(code.width(), 33);
    }

    #[test]
    fn module_size_is_bounded() {
        let badge = Badge::from_parts([0; 5], [0; 16]);
        for bad in [0, MAX_MODULE_PX + 1, u32::MAX] {
            assert_eq!(
                badge.render(bad),
                Err(RenderError::ModuleSize { module_px: bad })
            );
        }
        let img = badge.render(1).expect("renders");
        assert_eq!(img.dimensions(), (41, 41));
    }
}
