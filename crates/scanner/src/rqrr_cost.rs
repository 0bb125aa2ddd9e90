//! What an rqrr pass costs at least, known before it runs: the pipeline begins a pass only when
//! the budget left pays for as much (rqrr cannot be interrupted).

use std::time::Duration;

use crate::detector::FinderSeen;
use crate::frame::Frame;

/// Frames with more pixels than this are box-downscaled before rqrr sees them: rqrr's time is
/// linear in pixels and a webcam badge keeps enough pixels per module at half a 1080p frame.
pub const MAX_PIXELS: u64 = 1_300_000;

/// The least one rqrr pass costs per pixel of its frame: its locator's thresholding and
/// flood fills, before any grid (13-15 ns on the shared photos of a megapixel, measured on the
/// development machine; more where it finds grids to decode).
const NS_PER_PIXEL: u64 = 12;

/// What rqrr spends on a grid it finds, beyond its locator: it fits the grid's perspective by
/// trial over the code's modules, then error-corrects it. Measured on generated codes (module
/// 2 and 4 px, read or with their data spoilt, alike): 3.2 ms for version 2, 6.3 for version
/// 10, 10.6 for 20, 20.5 for 30, 28.5 for 40 (`examples/rqrr_grid_cost.rs`); a base and a
/// cost per module of the grid.
const GRID_BASE: Duration = Duration::from_micros(3_500);
const GRID_NS_PER_MODULE: u64 = 850;

/// Two finder patterns whose module sizes differ more than this are not of one code (a code
/// seen at a slant has corners of different sizes; more than this, rarely).
const SAME_CODE_MODULE_RATIO: f32 = 1.25;

/// The sides of the smallest and the largest QR codes, in modules.
const SMALLEST_SIDE: f32 = 21.0;
const LARGEST_SIDE: f32 = 177.0;

/// The least time an rqrr pass over `frame` takes when it finds a grid (the pipeline runs rqrr
/// only where the detector saw finder patterns, so it usually does): its locator over the frame
/// as rqrr sees it (halved until within [`MAX_PIXELS`]), and the grid of the largest code two
/// of the patterns the detector saw can be corners of, which is the grid rqrr spends longest
/// on. A large code the detector did not read (a page of text in a code) costs rqrr tens of
/// milliseconds; a badge, a few.
pub fn floor(frame: &Frame, finders: &[FinderSeen]) -> Duration {
    let mut pixels = u64::from(frame.width()) * u64::from(frame.height());
    while pixels > MAX_PIXELS {
        pixels /= 4;
    }
    let side = largest_code_side(finders);
    let modules = (side * side) as u64;
    Duration::from_nanos(pixels * NS_PER_PIXEL + modules * GRID_NS_PER_MODULE) + GRID_BASE
}

/// The side, in modules, of the largest code two of `finders` can be corners of: two patterns
/// of about one module size, their centres a side apart (the larger reading of a diagonal),
/// and a pattern's centre 3.5 modules in from the code's edge. A version 1 code's when no two
/// can pair.
fn largest_code_side(finders: &[FinderSeen]) -> f32 {
    let mut side = SMALLEST_SIDE;
    for (i, a) in finders.iter().enumerate() {
        for b in &finders[i + 1..] {
            let (small, large) = (a.module.min(b.module), a.module.max(b.module));
            if !(small > 0.0 && large <= small * SAME_CODE_MODULE_RATIO) {
                continue;
            }
            let apart = (a.x - b.x).hypot(a.y - b.y) / ((a.module + b.module) / 2.0);
            side = side.max(apart + 7.0);
        }
    }
    side.min(LARGEST_SIDE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finder(x: f32, y: f32, module: f32) -> FinderSeen {
        FinderSeen { x, y, module }
    }

    fn frame(side: u32) -> Frame {
        Frame::from_luma(side, side, vec![255; (side * side) as usize]).expect("a frame")
    }

    fn ms(d: Duration) -> f64 {
        d.as_secs_f64() * 1000.0
    }

    #[test]
    fn a_badges_patterns_cost_what_a_small_code_does() {
        // A version 2 badge (25 modules) at 4 px a module in a 720p frame: its patterns 18
        // modules apart.
        let badge = [
            finder(100.0, 100.0, 4.0),
            finder(172.0, 100.0, 4.0),
            finder(100.0, 172.0, 4.1),
        ];
        let cost = floor(
            &Frame::from_luma(1280, 720, vec![255; 1280 * 720]).expect("a frame"),
            &badge,
        );
        // The locator over 921,600 pixels and a version 2 grid.
        assert!((14.5..16.0).contains(&ms(cost)), "{cost:?}");
    }

    #[test]
    fn a_large_codes_patterns_raise_the_floor_by_its_grid() {
        // A version 25 code (117 modules) at 8 px a module: patterns 110 modules apart.
        let large = [finder(100.0, 100.0, 8.0), finder(980.0, 100.0, 8.2)];
        let small = [finder(100.0, 100.0, 8.0), finder(244.0, 100.0, 8.2)];
        let (large, small) = (floor(&frame(1200), &large), floor(&frame(1200), &small));
        assert!(ms(large) - ms(small) > 9.0, "{large:?} against {small:?}");
        // The frame is halved once for rqrr: 360,000 pixels.
        assert!((7.5..9.0).contains(&ms(small)), "{small:?}");
    }

    #[test]
    fn patterns_of_different_sizes_or_none_at_all_pair_with_nothing() {
        let unlike = [finder(100.0, 100.0, 4.0), finder(1000.0, 600.0, 6.0)];
        assert_eq!(largest_code_side(&unlike), SMALLEST_SIDE);
        assert_eq!(largest_code_side(&[]), SMALLEST_SIDE);
        assert_eq!(
            largest_code_side(&[finder(5.0, 5.0, 0.0), finder(900.0, 5.0, 0.0)]),
            SMALLEST_SIDE
        );
        // Patterns further apart than any code's are read as the largest code.
        let far = [finder(0.0, 0.0, 1.0), finder(4000.0, 0.0, 1.0)];
        assert_eq!(largest_code_side(&far), LARGEST_SIDE);
    }
}
