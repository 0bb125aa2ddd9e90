//! Our own QR locator in front of rqrr's decoder: finds finder patterns, groups them into
//! codes, samples the module grid with a perspective transform and hands it to
//! [`crate::grid_decode::decode_grid`].
//!
//! Contract with the pipeline (see `pipeline.rs`):
//! - `locate` never panics and returns within the budget, overrunning it by less than its
//!   dearest grid decode (checked before every grid);
//! - it reports every code it decoded, with corners in the frame's pixel coordinates;
//! - it reports the finder patterns it saw even when nothing decoded, for the hints.

mod alignment;
mod binarize;
mod corners;
mod finder;
mod group;
mod pair;
mod piecewise;
mod read;
mod sample;
mod transform;

#[cfg(test)]
mod tests;

use crate::budget::{Budget, Dearest};
use crate::code::{Code, Point, quad_contains};
use crate::frame::Frame;

/// A finder pattern seen in the frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FinderSeen {
    pub x: f32,
    pub y: f32,
    /// Estimated module size in pixels.
    pub module: f32,
}

/// What the detector found in one frame.
#[derive(Debug, Clone, Default)]
pub struct Located {
    pub codes: Vec<Code>,
    pub finders: Vec<FinderSeen>,
    /// Where a code probably is that was not read: the centres of well-shaped triples of
    /// finder patterns that no decoded code accounts for (see [`UNREAD_SCORE`]).
    pub unread: Vec<Point>,
    /// Finder patterns confirmed on two scan rows or more that are not part of a code read:
    /// a frame with very many is mostly finder-like texture (see the pipeline's use).
    pub loose_patterns: usize,
}

/// Frames smaller than a version-1 code at one pixel per module cannot hold a code.
const MIN_SIDE: u32 = 21;

/// How far the detector looks: the most finder patterns it keeps, the most it groups, and the
/// most triples it tries to read. The bounds are what keeps a textured frame full of false
/// patterns cheap; a photo may be a whole sheet of codes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reach {
    pub finders: usize,
    pub candidates: usize,
    pub triples: usize,
    /// Whether a large code (version 7+) whose size and timing read right but whose data does
    /// not is sampled again through all its alignment patterns (`piecewise`): a few
    /// milliseconds, and rqrr's error correction of such a code tens more, past a camera
    /// frame's budget; the kiosk's badges are far smaller.
    pub piecewise: bool,
    /// The smallest module, in pixels, whose triple gets the fourth-corner nudges when its
    /// first grids do not read (dozens of decodes). A camera frame's smaller codes are
    /// enlarged twice by the pipeline and located again (`pipeline::zoom_on_small_finders`),
    /// where the nudges run at twice the pixels: spent here, they took a blurred 60 cm badge's
    /// whole budget before the zoom that reads it could run.
    pub nudge_from_module: f32,
    /// The most pairs of patterns left over whose code's unseen third pattern is guessed
    /// (`pair`; six guesses a pair at most).
    pub pairs: usize,
}

impl Reach {
    /// A camera frame: one or two badges, read in a few milliseconds.
    pub const CAMERA: Self = Self {
        finders: 64,
        candidates: 48,
        triples: 40,
        piecewise: false,
        nudge_from_module: SMALL_MODULE,
        pairs: 4,
    };
    /// A photo: up to a sheet of about a hundred codes (three patterns each).
    pub const PHOTO: Self = Self {
        finders: 400,
        candidates: 320,
        triples: 400,
        piecewise: true,
        nudge_from_module: 0.0,
        pairs: 32,
    };
}
/// Finder patterns with modules under this many pixels are small: the pipeline enlarges the
/// area around them and locates again.
pub const SMALL_MODULE: f32 = 4.0;
/// The most finder reports handed back for hints.
const MAX_REPORTED: usize = 16;
/// A triple that failed to read counts as a code still in the frame only when its triangle is
/// this good (a [`group::Triple`] score: near-isosceles, near-right, even module sizes): the
/// looser triples the detector tries are mostly patterns of neighbouring codes or texture.
const UNREAD_SCORE: f32 = 0.35;

/// Finds and decodes the QR codes in `frame`, as far as a camera frame needs.
pub fn locate(frame: &Frame, budget: &Budget) -> Located {
    locate_within(frame, budget, Reach::CAMERA)
}

/// Finds and decodes the QR codes in `frame` as far as `reach`.
pub fn locate_within(frame: &Frame, budget: &Budget, reach: Reach) -> Located {
    locate_paced(frame, budget, reach, &mut Dearest::default())
}

/// [`locate_within`] for a frame that is part of a scan already under way: a grid is begun
/// only while the budget pays for the dearest step of the scan so far (`grids`), which this
/// frame's grids join.
pub fn locate_paced(frame: &Frame, budget: &Budget, reach: Reach, grids: &mut Dearest) -> Located {
    let mut out = Located::default();
    if frame.width() < MIN_SIDE || frame.height() < MIN_SIDE {
        return out;
    }
    let Some(bin) = binarize::Binarizer::new(frame) else {
        return out;
    };
    let mut finders = finder::find(&bin, budget, reach.finders);
    // Most confirmed first: that is the order of the reports and of the grouping.
    finders.sort_by_key(|f| std::cmp::Reverse(f.count));
    out.finders = finders
        .iter()
        .take(MAX_REPORTED)
        .map(|f| FinderSeen {
            x: f.x,
            y: f.y,
            module: f.module,
        })
        .collect();
    let mut used = vec![false; finders.len()];
    let mut failed = Vec::new();
    for t in group::triples(&finders, reach.candidates, reach.triples) {
        if !grids.affordable(budget) {
            break;
        }
        if used[t.tl] || used[t.tr] || used[t.bl] {
            continue;
        }
        let three = [t.tl, t.tr, t.bl].map(|i| &finders[i]);
        if let Some(code) = read::read(&bin, three, budget, grids, reach) {
            spend(&finders, &mut used, &[t.tl, t.tr, t.bl], &code);
            keep(&mut out.codes, code);
        } else if t.score <= UNREAD_SCORE {
            failed.push(t);
        }
    }
    // A code with one pattern unseen (covered, torn, run into a dark edge): the two left over
    // are read with the third where it would be.
    for guess in pair::guesses(&finders, &used, frame.width(), frame.height(), reach.pairs) {
        if !grids.affordable(budget) {
            break;
        }
        if guess.seen.iter().any(|&i| used[i]) {
            continue;
        }
        if let Some(code) = read_guess(&bin, &guess, &finders, budget, grids, reach) {
            spend(&finders, &mut used, &guess.seen, &code);
            keep(&mut out.codes, code);
        }
    }
    out.loose_patterns = finders
        .iter()
        .zip(&used)
        .filter(|(f, used)| f.count >= 2 && !**used)
        .count();
    out.unread = failed
        .iter()
        .filter(|t| !(used[t.tl] || used[t.tr] || used[t.bl]))
        .map(|t| {
            // The code's centre is halfway along the diagonal between its two outer corners.
            let (tr, bl) = (&finders[t.tr], &finders[t.bl]);
            [(tr.x + bl.x) / 2.0, (tr.y + bl.y) / 2.0]
        })
        .filter(|&p| !out.codes.iter().any(|c| c.covers(p)))
        .collect();
    out
}

/// How far from a guessed pattern's place its pattern is looked for, as a share of the leg
/// from it to the nearer seen pattern: a code tilted 30 degrees about its diagonal, or bent,
/// puts its third pattern a tenth of a side or more from where a square code would have it.
const GUESS_REACH: f32 = 0.2;
/// ... and at most this many modules: the window's pixels, not the code's, are the cost, and a
/// frame of texture pairs far-apart patterns by the dozen.
const GUESS_REACH_MODULES: f32 = 16.0;
/// The most patterns found near a guessed place that are read in its stead, nearest first.
const NEAR_TRIED: usize = 2;

/// Reads a code with one pattern guessed (`pair`): first with each pattern found near the
/// guessed place at the looser cross-checks a predicted place allows (`finder::find_near`),
/// whose corners then register the grid as three seen patterns do; then with the guess as it
/// is, for a pattern covered or torn away.
fn read_guess(
    bin: &binarize::Binarizer<'_>,
    guess: &pair::Guess,
    finders: &[finder::Finder],
    budget: &Budget,
    grids: &mut Dearest,
    reach: Reach,
) -> Option<Code> {
    let slot = guess.finders.iter().position(|f| f.inferred)?;
    let third = guess.finders[slot];
    let leg = guess
        .seen
        .iter()
        .map(|&i| (finders[i].x - third.x).hypot(finders[i].y - third.y))
        .fold(f32::INFINITY, f32::min);
    let near = finder::find_near(
        bin,
        (third.x, third.y),
        (leg * GUESS_REACH).min(GUESS_REACH_MODULES * third.module),
        third.module,
        third.dark,
    );
    let with_found = near.into_iter().take(NEAR_TRIED).map(|found| {
        let mut three = guess.finders;
        three[slot] = found;
        three
    });
    for three in with_found.chain([guess.finders]) {
        if !grids.affordable(budget) {
            return None;
        }
        if let Some(code) = read::read(bin, three.each_ref(), budget, grids, reach) {
            return Some(code);
        }
    }
    None
}

/// Marks the patterns `code` was read through as used, and with them every pattern of their
/// module size inside it: a code's data modules hold finder-like patterns (a large version has
/// dozens), never another code's corner, and every triple through them would be sampled and
/// decoded for nothing. (A pattern of another size may be a code printed inside it: a "double
/// QR".)
fn spend(finders: &[finder::Finder], used: &mut [bool], through: &[usize], code: &Code) {
    let module = through.iter().map(|&i| finders[i].module).sum::<f32>() / through.len() as f32;
    for &i in through {
        used[i] = true;
    }
    for (i, f) in finders.iter().enumerate() {
        if quad_contains(&code.corners, [f.x, f.y]) && finder::same_module(f.module, module) {
            used[i] = true;
        }
    }
}

/// Adds `code` to `codes` unless it is one of them read again (see [`same_code`]).
fn keep(codes: &mut Vec<Code>, code: Code) {
    if !codes.iter().any(|c| same_code(c, &code)) {
        codes.push(code);
    }
}

/// One code read twice (e.g. through two overlapping triples): same payload, same place.
fn same_code(a: &Code, b: &Code) -> bool {
    if a.bytes != b.bytes {
        return false;
    }
    let (ca, cb) = (a.centre(), b.centre());
    let side = ((a.corners[0][0] - a.corners[2][0]).powi(2)
        + (a.corners[0][1] - a.corners[2][1]).powi(2))
    .sqrt();
    ((ca[0] - cb[0]).powi(2) + (ca[1] - cb[1]).powi(2)).sqrt() < side.max(1.0) / 2.0
}
