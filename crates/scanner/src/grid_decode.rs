//! Turning a sampled module grid into a [`Code`] with rqrr's decoder (error correction and
//! data decoding), whichever front end found the grid. rqrr itself retries a grid that fails
//! as its mirror image (a front camera's selfie view), so mirrored codes need nothing here.

use crate::code::{Code, Point};
use rqrr::BitGrid;

/// Decodes a grid whose top-left, top-right, bottom-right and bottom-left modules sit at
/// `corners` in the frame. `None` when error correction fails or the grid is not a QR size.
pub fn decode_grid<G: BitGrid>(grid: &G, corners: [Point; 4]) -> Option<Code> {
    let size = grid.size();
    // rqrr indexes its version tables by size; anything that is not a real QR size is refused
    // here rather than handed to code that may assume it.
    if !(21..=177).contains(&size) || !(size - 17).is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::new();
    let g = rqrr::Grid::new(ByRef(grid));
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.decode_to(&mut out))) {
        Ok(Ok(_meta)) => Some(Code::new(out, corners)),
        _ => None,
    }
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
