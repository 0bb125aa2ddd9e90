//! The decode pipeline: our detector first, then a cascade of rqrr passes over transformed
//! frames, stopping when every code in the frame is probably read (a camera frame: at the
//! first step that reads one) or when the time budget is spent.
//!
//! Order matters: the cheap, most likely steps run first, so a live camera frame usually costs
//! one detector pass, and the expensive fallbacks only run on photos (`Effort::Thorough`) or
//! while there is budget left.

use std::time::{Duration, Instant};

use crate::budget::{Budget, Dearest};
use crate::code::{Code, Point, quad_centre};
use crate::detector::{self, FinderSeen};
use crate::frame::Frame;
use crate::preprocess;
use crate::{rqrr_cost, rqrr_pass};

/// How hard to try on one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// Camera frames at 30 fps: the next frame is another chance, so only cheap steps run, and
    /// rqrr's slower locator only when our detector saw something code-like.
    Live,
    /// A single photo: every step, until the budget runs out.
    Thorough,
}

#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    pub effort: Effort,
    /// Checked between steps; a step already running finishes (rqrr cannot be interrupted).
    pub budget: Duration,
}

impl ScanOptions {
    pub const LIVE: Self = Self {
        effort: Effort::Live,
        budget: Duration::from_millis(25),
    };
    pub const THOROUGH: Self = Self {
        effort: Effort::Thorough,
        budget: Duration::from_millis(1500),
    };
}

/// What one frame showed: the codes read, and what was seen on the way (for the hints).
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub codes: Vec<Code>,
    pub seen: Seen,
}

/// Evidence short of a decoded code, from which [`crate::hints`] tells the child what to do.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Finder patterns our detector found.
    pub finders: Vec<FinderSeen>,
    /// Code outlines rqrr found but could not decode.
    pub failed_grids: Vec<[Point; 4]>,
    /// Mean brightness of the frame (0-255), sampled.
    pub mean_luma: u8,
    /// Spread between dark and bright (95th minus 5th percentile), sampled.
    pub contrast: u8,
    pub width: u32,
    pub height: u32,
    /// Pipeline steps that ran, for benchmarks and debugging.
    pub steps: u8,
}

/// Past this many finder patterns outside every code read, rqrr's passes are skipped (see
/// `scan`). A sheet of codes read by the detector leaves few; a photo of one or two codes a
/// handful more (false patterns in print and texture).
const RQRR_MAX_LOOSE_PATTERNS: usize = 96;

/// Scans one frame. Never panics; returns within about `budget` plus one step.
pub fn scan(frame: &Frame, options: &ScanOptions) -> Scan {
    let started = Instant::now();
    let budget = Budget::until(started + options.budget);
    let mut scan = Scan {
        codes: Vec::new(),
        seen: measure(frame),
    };

    let reach = match options.effort {
        Effort::Live => detector::Reach::CAMERA,
        Effort::Thorough => detector::Reach::PHOTO,
    };
    // The detector's dearest grid (sampling and decoding, or a size's preparation): the zooms
    // below are begun only when the budget pays for as much, and so is rqrr's first pass,
    // beside its own floor (a decoder that finds the same codes pays that for one at least).
    let mut grids = Dearest::default();
    let located = detector::locate_paced(frame, &budget, reach, &mut grids);
    let loose_patterns = located.loose_patterns;
    let dearest_grid = grids.cost();
    let mut zoom_cost = grids;
    scan.seen.steps += 1;
    scan.seen.finders = located.finders;
    let mut found = Found {
        codes: located.codes,
        unread: located.unread,
    };
    if found.complete(options.effort) {
        scan.codes = dedup(found.codes);
        return scan;
    }
    // A camera frame with no finder pattern in it holds no readable code; rqrr's own locator
    // would cost 10-20 times the detector to say the same (the idle case, all day long).
    if options.effort == Effort::Live && scan.seen.finders.is_empty() {
        return scan;
    }
    found.codes.extend(zoom_on_small_finders(
        frame,
        &scan.seen.finders,
        &budget,
        &mut zoom_cost,
    ));
    if found.complete(options.effort) {
        scan.codes = dedup(found.codes);
        return scan;
    }

    // rqrr's locator pairs every finder pattern with every other it lines up with, copying
    // the whole image and fitting a perspective for each pair: on a frame full of finder-like
    // texture (tiles, a lattice, a large unread code's data) one pass takes seconds and cannot
    // be interrupted, and what it could add there our detector has tried already.
    if loose_patterns > RQRR_MAX_LOOSE_PATTERNS {
        scan.codes = dedup(found.codes);
        return scan;
    }
    // rqrr sees the frame without the codes read so far: it would find and decode them again
    // (on a sheet, dozens of grids, each perspective-fitted and error-corrected) only to have
    // them dropped as duplicates, and their patterns would pair with those of the codes
    // still unread.
    // A pass is begun only when the budget left pays for the dearest pass so far on this
    // frame, or before the first, a floor from its size and the largest code its patterns can
    // make (`rqrr_cost::floor`) plus the detector's dearest grid (rqrr decodes the grids it
    // finds, and it finds the same codes); nothing is prepared for rqrr either (blanking and
    // halving a large photo take milliseconds) unless the first is paid.
    let mut pass_cost =
        Dearest::at_least(rqrr_cost::floor(frame, &scan.seen.finders) + dearest_grid);
    if !pass_cost.affordable(&budget) {
        scan.codes = dedup(found.codes);
        return scan;
    }
    let read: Vec<[Point; 4]> = found.codes.iter().map(|c| c.corners).collect();
    let blanked = (!read.is_empty()).then(|| preprocess::blank(frame, &read));
    // rqrr works on a frame of bounded size.
    let mut base = std::borrow::Cow::Borrowed(blanked.as_ref().unwrap_or(frame));
    let mut scale = 1.0;
    while u64::from(base.width()) * u64::from(base.height()) > rqrr_cost::MAX_PIXELS {
        match preprocess::half(&base) {
            Some(h) => {
                base = std::borrow::Cow::Owned(h);
                scale *= 2.0;
            }
            None => break,
        }
    }

    type Step = fn(&Frame) -> Option<(Frame, f32)>;
    let steps: &[Step] = match options.effort {
        Effort::Live => &[
            |f| Some((f.clone(), 1.0)),
            |f| Some((preprocess::invert(f), 1.0)),
        ],
        Effort::Thorough => &[
            |f| Some((f.clone(), 1.0)),
            |f| Some((preprocess::adaptive_threshold(f), 1.0)),
            |f| Some((preprocess::invert(f), 1.0)),
            |f| {
                small(f)
                    .then(|| preprocess::double(f).map(|d| (d, 0.5)))
                    .flatten()
            },
            |f| Some((preprocess::stretch(f), 1.0)),
            |f| Some((preprocess::adaptive_threshold(&preprocess::invert(f)), 1.0)),
            |f| {
                small(f)
                    .then(|| {
                        preprocess::double(f).map(|d| (preprocess::adaptive_threshold(&d), 0.5))
                    })
                    .flatten()
            },
            |f| preprocess::half(f).map(|h| (h, 2.0)),
        ],
    };
    for step in steps {
        if !pass_cost.affordable(&budget) {
            break;
        }
        let Some((img, step_scale)) = step(&base) else {
            continue;
        };
        scan.seen.steps += 1;
        let pass = pass_cost.time(|| rqrr_pass::run(&img, scale * step_scale));
        found.codes.extend(pass.codes);
        found
            .unread
            .extend(pass.failed_grids.iter().map(quad_centre));
        if scan.seen.failed_grids.is_empty() {
            scan.seen.failed_grids = pass.failed_grids;
        }
        if found.complete(options.effort) {
            break;
        }
    }
    scan.codes = dedup(found.codes);
    scan
}

/// The codes read so far, and where codes probably are that none of them accounts for.
struct Found {
    codes: Vec<Code>,
    unread: Vec<Point>,
}

impl Found {
    /// Whether to stop. A camera frame stops at the first step that reads anything: the next
    /// frame is another chance. A photo goes on while a code is probably still unread (a
    /// well-shaped triple of finder patterns, or a grid rqrr found, outside every code read),
    /// so a photo of two badges reports both, not the one the cheapest step read.
    fn complete(&self, effort: Effort) -> bool {
        !self.codes.is_empty()
            && (effort == Effort::Live
                || self
                    .unread
                    .iter()
                    .all(|&p| self.codes.iter().any(|c| c.covers(p))))
    }
}

/// A badge far from the camera (60 cm from a 720p webcam) has modules of 2-3 pixels: its
/// finders are seen but, rotated or tilted, its grid cannot be sampled. Enlarging just the area
/// around those finders twice gives the detector room, at the cost of a few hundred thousand
/// pixels instead of the whole frame's four times.
fn zoom_on_small_finders(
    frame: &Frame,
    finders: &[FinderSeen],
    budget: &Budget,
    dearest: &mut Dearest,
) -> Vec<Code> {
    /// At most this many areas per frame: false finders in text or texture are small too.
    const MAX_ZOOMS: usize = 2;
    let small: Vec<&FinderSeen> = finders
        .iter()
        .filter(|f| f.module < detector::SMALL_MODULE)
        .collect();
    let mut zoomed: Vec<[f32; 4]> = Vec::new();
    let mut codes = Vec::new();
    // Finders come most confirmed first: each in turn anchors an area holding its neighbours,
    // unless an earlier area already covered it.
    for anchor in &small {
        if zoomed.len() == MAX_ZOOMS || !dearest.affordable(budget) {
            break;
        }
        if zoomed
            .iter()
            .any(|a| anchor.x >= a[0] && anchor.x < a[2] && anchor.y >= a[1] && anchor.y < a[3])
        {
            continue;
        }
        let Some(area) = code_area(anchor, &small, frame) else {
            continue;
        };
        zoomed.push(area);
        let started = Instant::now();
        codes.extend(zoom(frame, area, budget, dearest));
        // The whole zoom, enlarging and locating, is a step too.
        dearest.record(started.elapsed());
    }
    codes
}

/// The area where the code around finder `anchor` may be, from the small finders near it, in
/// frame coordinates (x0, y0, x1, y1); `None` when the area would be too large to be worth
/// enlarging.
fn code_area(anchor: &FinderSeen, small: &[&FinderSeen], frame: &Frame) -> Option<[f32; 4]> {
    const MAX_AREA: f32 = 360.0 * 360.0;
    /// Finders of one code are at most this many modules apart (a version 10 code's diagonal).
    const NEAR_MODULES: f32 = 72.0;
    const LONE_REACH_MODULES: f32 = 34.0;
    let module = anchor.module;
    let near: Vec<&&FinderSeen> = small
        .iter()
        .filter(|f| (f.x - anchor.x).hypot(f.y - anchor.y) <= NEAR_MODULES * module)
        .collect();
    // The finders are code corners; the code reaches four modules past their centres, the
    // quiet zone four more. When only two of a code's three finders were seen, the third is
    // at most their distance away; when one was seen, the others are at most a version 5
    // code's side away.
    let spread = near
        .iter()
        .flat_map(|a| near.iter().map(move |b| (a.x - b.x).hypot(a.y - b.y)))
        .fold(0.0, f32::max);
    let reach = if near.len() < 2 {
        LONE_REACH_MODULES * module
    } else {
        (spread + 8.0 * module).max(12.0 * module)
    };
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for f in &near {
        (x0, y0) = (x0.min(f.x - reach), y0.min(f.y - reach));
        (x1, y1) = (x1.max(f.x + reach), y1.max(f.y + reach));
    }
    let (x0, y0) = (x0.max(0.0), y0.max(0.0));
    let (x1, y1) = (x1.min(frame.width() as f32), y1.min(frame.height() as f32));
    (x1 > x0 && y1 > y0 && (x1 - x0) * (y1 - y0) <= MAX_AREA).then_some([x0, y0, x1, y1])
}

/// Reads the codes in `area` of `frame` enlarged twice, with corners in frame coordinates.
fn zoom(
    frame: &Frame,
    [x0, y0, x1, y1]: [f32; 4],
    budget: &Budget,
    dearest: &mut Dearest,
) -> Vec<Code> {
    let (cx, cy) = (x0 as u32, y0 as u32);
    let Some(big) = preprocess::crop(frame, cx, cy, x1 as u32 - cx, y1 as u32 - cy)
        .as_ref()
        .and_then(preprocess::double)
    else {
        return Vec::new();
    };
    let mut codes = detector::locate_paced(&big, budget, detector::Reach::CAMERA, dearest).codes;
    for code in &mut codes {
        code.corners = code
            .corners
            .map(|p| [p[0] / 2.0 + cx as f32, p[1] / 2.0 + cy as f32]);
    }
    codes
}

fn small(frame: &Frame) -> bool {
    u64::from(frame.width()) * u64::from(frame.height()) <= 400_000
}

/// The same code found twice (two steps, or twice in one pass) is reported once.
fn dedup(codes: Vec<Code>) -> Vec<Code> {
    let mut out: Vec<Code> = Vec::with_capacity(codes.len());
    for code in codes {
        let c = code.centre();
        let near = |o: &Code| {
            let d = o.centre();
            o.bytes == code.bytes && (d[0] - c[0]).abs() < 20.0 && (d[1] - c[1]).abs() < 20.0
        };
        if !out.iter().any(near) {
            out.push(code);
        }
    }
    out
}

/// Brightness and contrast from a sparse sample (about 4,000 pixels): enough for the hints,
/// and cheap at camera rate.
fn measure(frame: &Frame) -> Seen {
    let (w, h) = (frame.width(), frame.height());
    let step_x = (w / 80).max(1);
    let step_y = (h / 50).max(1);
    let mut hist = [0u32; 256];
    let mut n = 0u32;
    let mut sum = 0u64;
    for y in (step_y / 2..h).step_by(step_y as usize) {
        let row = frame.row(y);
        for x in (step_x / 2..w).step_by(step_x as usize) {
            let p = row[x as usize];
            hist[p as usize] += 1;
            sum += u64::from(p);
            n += 1;
        }
    }
    let n = n.max(1);
    let pct = |rank: u32| {
        let mut acc = 0;
        for (v, &c) in hist.iter().enumerate() {
            acc += c;
            if acc > rank {
                return v as u8;
            }
        }
        255
    };
    Seen {
        mean_luma: (sum / u64::from(n)) as u8,
        contrast: pct(n * 95 / 100).saturating_sub(pct(n / 20)),
        width: w,
        height: h,
        ..Seen::default()
    }
}
