//! A badge's QR code as vector rectangles.
//!
//! The module grid comes from `badgein_badge` (level H, 4-module quiet zone), so a printed badge
//! is exactly the symbol the badge crate defines. Rectangles print sharp at any printer
//! resolution, where a bitmap would be resampled. Dark modules in a row are merged into one
//! rectangle, and the whole symbol is one filled path so that rasterisers see no seams between
//! neighbouring modules.

use badgein_badge::Badge;
use pdf_writer::Content;

use crate::SheetError;

/// The module grid of a badge's symbol, quiet zone included.
#[derive(Debug, Clone)]
pub struct Symbol {
    /// Modules per side, quiet zone included (41 for every badge).
    side: u32,
    dark: Vec<bool>,
}

impl Symbol {
    /// The symbol for `payload`, which must be a badge's text form. `entry` (1-based) names the
    /// entry in errors; the payload itself never appears in one.
    pub fn for_payload(payload: &str, entry: usize) -> Result<Self, SheetError> {
        let badge = Badge::parse(payload).map_err(|_| SheetError::NotABadge { entry })?;
        let image = badge.render(1).map_err(SheetError::Qr)?;
        Ok(Self {
            side: image.width(),
            dark: image.pixels().map(|p| p.0[0] < 128).collect(),
        })
    }

    /// Draws the symbol as a black square of `size` points whose top-left corner is at
    /// (`left`, `top`) in PDF coordinates (y grows upwards).
    pub fn draw(&self, content: &mut Content, left: f32, top: f32, size: f32) {
        let module = size / self.side as f32;
        let side = self.side as usize;
        content.save_state();
        content.set_fill_gray(0.0);
        for (y, row) in self.dark.chunks(side).enumerate() {
            let bottom = top - (y + 1) as f32 * module;
            let mut x = 0;
            while x < row.len() {
                if !row[x] {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < row.len() && row[x] {
                    x += 1;
                }
                content.rect(
                    left + start as f32 * module,
                    bottom,
                    (x - start) as f32 * module,
                    module,
                );
            }
        }
        content.fill_nonzero();
        content.restore_state();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_badge_is_41_modules_with_a_light_quiet_zone() {
        let badge = Badge::from_parts([1, 2, 3, 4, 5], [9; 16]);
        let symbol = Symbol::for_payload(&badge.encode(), 1).unwrap();
        assert_eq!(symbol.side, 41);
        let side = symbol.side as usize;
        let border = (0..side).flat_map(|i| [i, i * side, side * (side - 1) + i, i * side + 40]);
        for at in border {
            assert!(!symbol.dark[at]);
        }
        // The top-left finder pattern starts right inside the quiet zone.
        assert!(symbol.dark[4 * side + 4]);
    }

    #[test]
    fn a_non_badge_payload_is_refused_without_echoing_it() {
        let err = Symbol::for_payload("https://example.com/steal", 7).unwrap_err();
        assert_eq!(err, SheetError::NotABadge { entry: 7 });
        assert!(!err.to_string().contains("example"));
    }
}
