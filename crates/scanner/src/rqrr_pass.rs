//! One pass of rqrr's own locator and decoder over a frame, behind a panic boundary (rqrr 0.11
//! panics on some images, e.g. an assertion in its perspective maths).

use crate::code::{Code, Point};
use crate::frame::Frame;
use crate::grid_decode::decode_grid;

/// What one rqrr pass found: decoded codes and how many grids it found but could not decode
/// (a code in view that is blurred or moving: the "hold still" hint).
#[derive(Debug, Default)]
pub struct RqrrPass {
    pub codes: Vec<Code>,
    pub failed_grids: Vec<[Point; 4]>,
    pub panicked: bool,
}

/// Runs rqrr on `frame`; corners are scaled by `scale` back to the caller's coordinates.
pub fn run(frame: &Frame, scale: f32) -> RqrrPass {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let (w, h) = (frame.width() as usize, frame.height() as usize);
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| frame.get(x as u32, y as u32));
        let mut pass = RqrrPass::default();
        for grid in img.detect_grids() {
            let corners = grid
                .bounds
                .map(|p| [p.x as f32 * scale, p.y as f32 * scale]);
            match decode_grid(&grid.grid, corners) {
                Some(code) => pass.codes.push(code),
                None => pass.failed_grids.push(corners),
            }
        }
        pass
    }));
    result.unwrap_or_else(|_| {
        tracing::debug!(
            "rqrr panicked on a {}x{} frame",
            frame.width(),
            frame.height()
        );
        RqrrPass {
            panicked: true,
            ..RqrrPass::default()
        }
    })
}
