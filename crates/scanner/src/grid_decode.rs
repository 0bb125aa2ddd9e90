//! Turning a sampled module grid into a [`Code`] with rqrr's decoder (error correction and
//! data decoding), whichever front end found the grid. rqrr itself retries a grid that fails
//! as its mirror image (a front camera's selfie view), so mirrored codes need nothing here.

use crate::code::{Code, Point};
use rqrr::BitGrid;

/// The smallest size that carries version information (version 7).
pub const VERSION_INFO_FROM: usize = 45;
/// The most bit errors the version information's BCH(18, 6) code corrects (its distance is
/// 8): a grid of version 7 or more with both copies further than this from its size's word is
/// not that size, or not a code.
pub const VERSION_ERRORS: u32 = 3;

/// Decodes a grid whose top-left, top-right, bottom-right and bottom-left modules sit at
/// `corners` in the frame. `None` when error correction fails or the grid is not a QR size.
pub fn decode_grid<G: BitGrid>(grid: &G, corners: [Point; 4]) -> Option<Code> {
    let size = grid.size();
    // rqrr indexes its version tables by size; anything that is not a real QR size is refused
    // here rather than handed to code that may assume it.
    if !(21..=177).contains(&size) || !(size - 17).is_multiple_of(4) {
        return None;
    }
    // Error correction of every block, straight and mirrored, is the most expensive part of
    // a failed read (of a large grid, milliseconds); a grid whose written size is not its
    // size fails it anyway.
    if version_distance(size, |x, y| grid.bit(y, x)) > VERSION_ERRORS {
        return None;
    }
    let mut out = Vec::new();
    let g = rqrr::Grid::new(ByRef(grid));
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.decode_to(&mut out))) {
        Ok(Ok(_meta)) => Some(Code::new(out, corners)),
        _ => None,
    }
}

/// The fewest bit errors between either copy of the version information (the 6 x 3 blocks
/// beside the top-right and bottom-left finders) and the version word of a `dim` x `dim` code
/// whose module at column `x`, row `y` is dark when `dark(x, y)`, read straight or mirrored (a
/// mirror swaps the two blocks). 0 below version 7, which has none. A grid sampled at a
/// neighbouring size is at least 5 errors from it.
pub fn version_distance(dim: usize, dark: impl Fn(usize, usize) -> bool) -> u32 {
    if dim < VERSION_INFO_FROM {
        return 0;
    }
    let word = version_word((dim - 17) / 4);
    let (mut top_right, mut bottom_left) = (0u32, 0u32);
    for k in 0..18 {
        let (a, b) = (k / 3, dim - 11 + k % 3);
        top_right |= u32::from(dark(b, a)) << k;
        bottom_left |= u32::from(dark(a, b)) << k;
    }
    (top_right ^ word)
        .count_ones()
        .min((bottom_left ^ word).count_ones())
}

/// The 18-bit version information of `version` (7..=40): the version in the top 6 bits, then
/// the remainder of its division by the generator x^12 + x^11 + x^10 + x^9 + x^8 + x^5 + x^2 + 1.
fn version_word(version: usize) -> u32 {
    let data = version as u32 & 0x3F;
    let mut rem = data << 12;
    for i in (12..18).rev() {
        if rem & (1 << i) != 0 {
            rem ^= 0x1F25 << (i - 12);
        }
    }
    (data << 12) | rem
}

/// rqrr's `Grid` owns its grid; this lends it ours.
struct ByRef<'a, G>(&'a G);

impl<G: BitGrid> BitGrid for ByRef<'_, G> {
    fn size(&self) -> usize {
        self.0.size()
    }
    fn bit(&self, y: usize, x: usize) -> bool {
        self.0.bit(y, x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_words_are_the_standards() {
        // ISO/IEC 18004 table D.1.
        assert_eq!(version_word(7), 0x07C94);
        assert_eq!(version_word(21), 0x15683);
        assert_eq!(version_word(40), 0x28C69);
    }

    #[test]
    fn a_rendered_code_has_its_version_and_a_neighbouring_size_does_not() {
        let code = qrcode::QrCode::with_version(
            b"version information",
            qrcode::Version::Normal(12),
            qrcode::EcLevel::L,
        )
        .expect("fits version 12");
        let dim = code.width();
        let bits: Vec<bool> = code
            .to_colors()
            .iter()
            .map(|c| *c == qrcode::Color::Dark)
            .collect();
        assert_eq!(version_distance(dim, |x, y| bits[y * dim + x]), 0);
        // Mirrored, the two blocks swap.
        assert_eq!(version_distance(dim, |x, y| bits[x * dim + y]), 0);
        // The same modules read as a code four modules larger or smaller: the blocks land
        // elsewhere and no copy is near that size's word.
        for other in [dim - 4, dim + 4] {
            let distance = version_distance(other, |x, y| {
                bits[(y * dim / other) * dim + x * dim / other]
            });
            assert!(distance > VERSION_ERRORS, "size {other}: {distance}");
        }
        // Below version 7 there is nothing to check.
        assert_eq!(version_distance(41, |_, _| true), 0);
    }

    #[test]
    fn a_grid_that_is_not_its_size_is_not_decoded() {
        let payload = b"a version 12 code read at its own size";
        let code =
            qrcode::QrCode::with_version(payload, qrcode::Version::Normal(12), qrcode::EcLevel::L)
                .expect("fits version 12");
        let dim = code.width();
        let colors = code.to_colors();
        let grid =
            rqrr::SimpleGrid::from_func(dim, |x, y| colors[y * dim + x] == qrcode::Color::Dark);
        let corners = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        assert_eq!(
            decode_grid(&grid, corners).map(|c| c.bytes),
            Some(payload.to_vec())
        );
        // Both version blocks wiped: whatever error correction might make of it, it is refused.
        let wiped = rqrr::SimpleGrid::from_func(dim, |x, y| {
            let in_block =
                (x < 6 && y >= dim - 11 && y < dim - 8) || (y < 6 && x >= dim - 11 && x < dim - 8);
            !in_block && colors[y * dim + x] == qrcode::Color::Dark
        });
        assert!(decode_grid(&wiped, corners).is_none());
    }
}
