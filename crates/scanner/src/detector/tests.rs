//! Generated scenes: codes rendered with the `qrcode` crate through a known transform.

use super::transform::{Homography, Pt};
use super::*;
use std::time::Duration;

const LIGHT: f64 = 210.0;
const DARK: f64 = 40.0;
const BACKGROUND: f64 = 128.0;

/// A code to paint: its modules, where its outer corners (quiet zone included) land in the
/// frame (top-left, top-right, bottom-right, bottom-left), and how to paint it.
struct Placed {
    modules: Vec<bool>,
    n: usize,
    quad: [Pt; 4],
    inverted: bool,
    mirrored: bool,
    /// One finder pattern (0 top-left, 1 top-right, 2 bottom-left) whose outer ring's top
    /// edge is printed this share of a module thick, its inner side light: a worn edge.
    worn: Option<(usize, f64)>,
}

const QUIET: usize = 4;

impl Placed {
    /// Whether module (`x`, `y`) at `fraction` of a module down is light for wear.
    fn worn_at(&self, x: usize, y: usize, fraction: f64) -> bool {
        let Some((finder, thick)) = self.worn else {
            return false;
        };
        let (fx, fy) = [(0, 0), (self.n - 7, 0), (0, self.n - 7)][finder];
        y == fy && (fx..fx + 7).contains(&x) && fraction < 1.0 - thick
    }
}

fn code(text: &str, ec: qrcode::EcLevel) -> (Vec<bool>, usize) {
    let qr = qrcode::QrCode::with_error_correction_level(text, ec).expect("text fits");
    let n = qr.width();
    let modules = qr
        .to_colors()
        .iter()
        .map(|c| *c == qrcode::Color::Dark)
        .collect();
    (modules, n)
}

fn placed(text: &str, quad: [Pt; 4]) -> Placed {
    let (modules, n) = code(text, qrcode::EcLevel::M);
    Placed {
        modules,
        n,
        quad,
        inverted: false,
        mirrored: false,
        worn: None,
    }
}

/// An axis-aligned square of `side` pixels at (`x`, `y`), rotated by `degrees` about its
/// centre.
fn square(x: f64, y: f64, side: f64, degrees: f64) -> [Pt; 4] {
    let (cx, cy) = (x + side / 2.0, y + side / 2.0);
    let (s, c) = degrees.to_radians().sin_cos();
    [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)].map(|(dx, dy): (f64, f64)| {
        let (dx, dy) = (dx * side / 2.0, dy * side / 2.0);
        (cx + c * dx - s * dy, cy + s * dx + c * dy)
    })
}

/// Renders the codes over a flat background, 2x2 supersampled, with mild deterministic
/// noise.
fn render(w: u32, h: u32, codes: &[Placed]) -> Frame {
    let maps: Vec<(Homography, &Placed)> = codes
        .iter()
        .map(|p| {
            let side = (p.n + 2 * QUIET) as f64;
            let square = [(0.0, 0.0), (side, 0.0), (side, side), (0.0, side)];
            (
                Homography::from_points(&p.quad, &square).expect("regular quad"),
                p,
            )
        })
        .collect();
    let mut data = Vec::with_capacity((w * h) as usize);
    let mut seed = 12345u32;
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let (px, py) = (f64::from(x) + ox, f64::from(y) + oy);
                let mut value = BACKGROUND;
                for (m, p) in &maps {
                    let (u, v) = m.map(px, py);
                    let side = (p.n + 2 * QUIET) as f64;
                    if !(u >= 0.0 && v >= 0.0 && u < side && v < side) {
                        continue;
                    }
                    let (mx, my) = (u as usize, v as usize);
                    let inside =
                        (QUIET..QUIET + p.n).contains(&mx) && (QUIET..QUIET + p.n).contains(&my);
                    let dark = inside && {
                        let (cx, cy) = (mx - QUIET, my - QUIET);
                        let (cx, cy) = if p.mirrored { (cy, cx) } else { (cx, cy) };
                        p.modules[cy * p.n + cx] && !p.worn_at(cx, cy, v.fract())
                    };
                    value = if dark != p.inverted { DARK } else { LIGHT };
                }
                acc += value;
            }
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let noise = f64::from((seed >> 16) % 9) - 4.0;
            data.push((acc / 4.0 + noise).clamp(0.0, 255.0) as u8);
        }
    }
    Frame::from_luma(w, h, data).expect("valid size")
}

fn texts(frame: &Frame) -> Vec<String> {
    locate(frame, &Budget::new(Duration::from_secs(5)))
        .codes
        .into_iter()
        .map(|c| c.text)
        .collect()
}

#[test]
fn reads_a_clean_code() {
    let frame = render(
        240,
        200,
        &[placed("BADGE-0042", square(40.0, 30.0, 140.0, 0.0))],
    );
    let located = locate(&frame, &Budget::new(Duration::from_secs(5)));
    assert_eq!(
        located
            .codes
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>(),
        ["BADGE-0042"]
    );
    assert!(located.finders.len() >= 3);
    // The corners are where the code (without its quiet zone) was painted.
    let c = &located.codes[0];
    let module = 140.0 / (21.0 + 8.0);
    let expected = [40.0 + 4.0 * module, 30.0 + 4.0 * module];
    assert!(
        (f64::from(c.corners[0][0]) - expected[0]).abs() < 2.0,
        "{:?}",
        c.corners
    );
    assert!(
        (f64::from(c.corners[0][1]) - expected[1]).abs() < 2.0,
        "{:?}",
        c.corners
    );
}

#[test]
fn reads_rotated_codes() {
    for degrees in [30.0, 45.0, 90.0, 180.0, 250.0] {
        let frame = render(
            300,
            300,
            &[placed("rotated badge", square(60.0, 60.0, 170.0, degrees))],
        );
        assert_eq!(texts(&frame), ["rotated badge"], "at {degrees} degrees");
    }
}

#[test]
fn reads_a_version_1_code_turned_45_degrees_and_tilted() {
    // Scan rows cross a pattern turned 45 degrees along its diagonal, so its modules measure
    // 1.4 times their size and a version 1 code's legs (14 modules) about 10; tilted away on
    // one side, as a sheet on a wall seen from below, one leg shortens further.
    let [tl, tr, br, bl] = square(80.0, 80.0, 170.0, 45.0);
    let toward = |p: Pt, q: Pt| (p.0 + 0.15 * (q.0 - p.0), p.1 + 0.15 * (q.1 - p.1));
    let quad = [tl, toward(tr, tl), toward(br, bl), bl];
    let frame = render(330, 330, &[placed("badge 7", quad)]);
    assert_eq!(texts(&frame), ["badge 7"]);
}

#[test]
fn reads_a_code_in_perspective() {
    // The right edge is much further away than the left, as a badge turned about 40 degrees.
    let quad = [(40.0, 40.0), (200.0, 70.0), (200.0, 190.0), (40.0, 230.0)];
    let frame = render(
        260,
        270,
        &[placed("https://example.invalid/perspective", quad)],
    );
    assert_eq!(texts(&frame), ["https://example.invalid/perspective"]);
}

#[test]
fn reads_a_large_version_in_perspective_with_its_alignment_pattern() {
    let text = "A longer payload so that the code needs version five or six at level M: 0123456789";
    let quad = [(30.0, 50.0), (330.0, 20.0), (350.0, 360.0), (20.0, 320.0)];
    let frame = render(380, 380, &[placed(text, quad)]);
    assert_eq!(texts(&frame), [text]);
}

#[test]
fn reads_an_inverted_code() {
    let mut p = placed("light on dark", square(30.0, 30.0, 160.0, 10.0));
    p.inverted = true;
    let frame = render(220, 220, &[p]);
    assert_eq!(texts(&frame), ["light on dark"]);
}

#[test]
fn reads_a_mirrored_code() {
    let mut p = placed("seen in a selfie camera", square(30.0, 30.0, 170.0, -20.0));
    p.mirrored = true;
    let frame = render(240, 240, &[p]);
    assert_eq!(texts(&frame), ["seen in a selfie camera"]);
}

#[test]
fn reads_two_codes_in_one_frame() {
    let frame = render(
        420,
        220,
        &[
            placed("left badge", square(20.0, 30.0, 160.0, 5.0)),
            placed("right badge", square(230.0, 20.0, 170.0, -15.0)),
        ],
    );
    let mut found = texts(&frame);
    found.sort();
    assert_eq!(found, ["left badge", "right badge"]);
}

#[test]
fn reads_a_badge_in_a_720p_frame() {
    let qr = qrcode::QrCode::with_version(
        "BADGE:4F7Q-2K9X",
        qrcode::Version::Normal(4),
        qrcode::EcLevel::H,
    )
    .expect("fits version 4");
    let n = qr.width();
    let modules = qr
        .to_colors()
        .iter()
        .map(|c| *c == qrcode::Color::Dark)
        .collect();
    let side = 6.0 * (n + 2 * QUIET) as f64;
    let p = Placed {
        modules,
        n,
        quad: square(500.0, 200.0, side, 12.0),
        inverted: false,
        mirrored: false,
        worn: None,
    };
    let frame = render(1280, 720, &[p]);
    assert_eq!(texts(&frame), ["BADGE:4F7Q-2K9X"]);
}

#[test]
fn a_blank_frame_has_nothing() {
    let frame = Frame::from_luma(320, 240, vec![200; 320 * 240]).expect("valid size");
    let located = locate(&frame, &Budget::new(Duration::from_secs(1)));
    assert!(located.codes.is_empty() && located.finders.is_empty());
}

#[test]
fn tiny_frames_do_not_panic() {
    for (w, h) in [
        (1, 1),
        (1, 300),
        (300, 1),
        (7, 7),
        (8, 8),
        (20, 20),
        (21, 21),
        (22, 9),
    ] {
        let data = (0..w * h).map(|i| (i * 37 % 256) as u8).collect();
        let frame = Frame::from_luma(w, h, data).expect("valid size");
        assert!(
            locate(&frame, &Budget::new(Duration::from_secs(1)))
                .codes
                .is_empty()
        );
    }
}

#[test]
fn noise_does_not_decode() {
    let mut seed = 99u64;
    for (w, h) in [(320, 240), (333, 177), (641, 479)] {
        let data = (0..w * h)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 56) as u8
            })
            .collect();
        let frame = Frame::from_luma(w, h, data).expect("valid size");
        assert!(
            locate(&frame, &Budget::new(Duration::from_secs(1)))
                .codes
                .is_empty()
        );
    }
}

#[test]
fn binary_noise_blocks_do_not_panic() {
    // Coarse black/white blocks make many finder-like runs and triples.
    let (w, h) = (401u32, 299u32);
    let mut seed = 7u64;
    let cells: Vec<u8> = (0..(w / 3 + 1) * (h / 3 + 1))
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if seed >> 63 == 0 { 0 } else { 255 }
        })
        .collect();
    let data = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| cells[((y / 3) * (w / 3 + 1) + x / 3) as usize])
        .collect();
    let frame = Frame::from_luma(w, h, data).expect("valid size");
    let _ = locate(&frame, &Budget::new(Duration::from_secs(1)));
}

#[test]
fn an_expired_budget_returns_at_once() {
    // What "at once" means without a stopwatch: a budget spent before the call stops the work
    // before the first row is scanned, so a code read with time to spare is not even seen.
    let frame = render(240, 200, &[placed("late", square(40.0, 30.0, 140.0, 0.0))]);
    assert_eq!(
        texts(&frame),
        ["late"],
        "the frame reads with time to spare"
    );
    // A deadline already passed is expired however fast or loaded the machine is.
    let located = locate(&frame, &Budget::until(std::time::Instant::now()));
    assert!(located.finders.is_empty(), "{:?}", located.finders);
    assert!(located.codes.is_empty(), "{:?}", located.codes);
}

#[test]
fn reads_a_code_printed_inside_another() {
    // A "double QR": a small code in the middle of a large one (which its error correction
    // reads through). The small code's patterns lie inside the large code read first, but
    // at another module size they are not its data.
    let (modules, n) = code(
        "the outer code, at level H so that it reads with a code printed over its middle",
        qrcode::EcLevel::H,
    );
    let outer = Placed {
        modules,
        n,
        quad: square(20.0, 20.0, (n + 2 * QUIET) as f64 * 6.0, 0.0),
        inverted: false,
        mirrored: false,
        worn: None,
    };
    let centre = 20.0 + (n + 2 * QUIET) as f64 * 3.0;
    let inner_side = 29.0 * 2.5;
    let inner = placed(
        "inner",
        square(
            centre - inner_side / 2.0,
            centre - inner_side / 2.0,
            inner_side,
            0.0,
        ),
    );
    let side = (40.0 + (n + 2 * QUIET) as f64 * 6.0) as u32;
    let frame = render(side, side, &[outer, inner]);
    let mut found = texts(&frame);
    found.sort();
    assert_eq!(
        found,
        [
            "inner",
            "the outer code, at level H so that it reads with a code printed over its middle"
        ]
    );
}

/// A version-`version` code at level L filled with letters: its text, its modules (row by row)
/// and its side in modules.
fn large_code(version: i16) -> (String, Vec<bool>, usize) {
    let text: String = (0..)
        .map(|i| char::from(b'A' + (i % 26) as u8))
        .take(usize::from(version.unsigned_abs()) * 20)
        .collect();
    let qr = qrcode::QrCode::with_version(
        text.as_bytes(),
        qrcode::Version::Normal(version),
        qrcode::EcLevel::L,
    )
    .expect("text fits");
    let modules = qr
        .to_colors()
        .iter()
        .map(|c| *c == qrcode::Color::Dark)
        .collect();
    (text, modules, qr.width())
}

/// A version-`version` code seen through a lens that bows lines outwards (pincushion, `k` at
/// the code's corners): each pixel's module is its offset from the centre grown by
/// `1 + k r^2`, `r` in half-sides of the code.
fn bowed(version: i16, k: f64) -> (Frame, String) {
    let (text, modules, n) = large_code(version);
    let module_px = 4.0;
    let side = (n + 2 * QUIET) as f64;
    let size = (side * module_px * 1.1) as u32;
    let centre = f64::from(size) / 2.0;
    let half = side / 2.0;
    let mut data = Vec::with_capacity((size * size) as usize);
    for y in 0..size {
        for x in 0..size {
            let mut acc = 0.0;
            for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let (dx, dy) = (
                    (f64::from(x) + ox - centre) / module_px,
                    (f64::from(y) + oy - centre) / module_px,
                );
                let grow = 1.0 + k * (dx * dx + dy * dy) / (half * half);
                let (u, v) = (dx * grow + half, dy * grow + half);
                let dark = u >= QUIET as f64
                    && v >= QUIET as f64
                    && (u as usize) < QUIET + n
                    && (v as usize) < QUIET + n
                    && modules[(v as usize - QUIET) * n + (u as usize - QUIET)];
                acc += if dark { DARK } else { LIGHT };
            }
            data.push((acc / 4.0) as u8);
        }
    }
    (
        Frame::from_luma(size, size, data).expect("valid size"),
        text,
    )
}

#[test]
fn a_large_code_bowed_by_the_lens_reads_through_its_alignment_patterns() {
    let whole = Reach::PHOTO;
    let one_transform = Reach {
        piecewise: false,
        ..Reach::PHOTO
    };
    let budget = || Budget::new(Duration::from_secs(10));
    // Bowed until one transform no longer reads it: about two modules of drift inside.
    for (version, k) in [(10, 0.05), (20, 0.03), (30, 0.015), (40, 0.01)] {
        let (frame, text) = bowed(version, k);
        let read = |reach| {
            locate_within(&frame, &budget(), reach)
                .codes
                .into_iter()
                .map(|c| c.text)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            read(one_transform),
            Vec::<String>::new(),
            "version {version} without"
        );
        assert_eq!(read(whole), [text], "version {version}");
    }
}

#[test]
fn a_finder_whose_dark_runs_are_all_thinned_alike_is_a_finder() {
    use super::finder::ratio_ok;
    // Six pixels a module, each dark run 3 px thinner and each light one as much wider (the
    // light side clipped): too far from 1:1:3:1:1 for a ratio scaled by the whole...
    let thinned = [3, 9, 15, 9, 3];
    // ...as is ink spread 4 px the other way.
    let spread = [10, 2, 22, 2, 10];
    for runs in [thinned, spread] {
        assert!(ratio_ok(&runs, 0.5), "{runs:?}");
    }
    // Uneven runs are no pattern however the spread is chosen, nor is a spread that leaves
    // a colour almost nothing.
    for runs in [
        [4, 4, 4, 4, 4],
        [2, 8, 12, 2, 8],
        [1, 8, 9, 8, 1],
        [4, 12, 4, 12, 4],
    ] {
        assert!(!ratio_ok(&runs, 0.5), "{runs:?}");
    }
}

/// `frame` with a disc of `radius` pixels at (`x`, `y`) painted `luma`.
fn covered(frame: &Frame, (x, y): Pt, radius: f64, luma: u8) -> Frame {
    let (w, h) = (frame.width(), frame.height());
    let mut data = Vec::with_capacity((w * h) as usize);
    for py in 0..h {
        for (px, &v) in frame.row(py).iter().enumerate() {
            let inside = (px as f64 + 0.5 - x).hypot(f64::from(py) + 0.5 - y) < radius;
            data.push(if inside { luma } else { v });
        }
    }
    Frame::from_luma(w, h, data).expect("same size")
}

#[test]
fn reads_a_badge_with_one_finder_pattern_covered() {
    // A thumb over each corner in turn, and a hole punched through it; the code otherwise
    // clean, turned a little. 29 modules of 6 px a side with the quiet zone.
    let side = 174.0;
    let module = side / 29.0;
    let quad = square(60.0, 60.0, side, 10.0);
    let frame = render(300, 300, &[placed("badge 12", quad)]);
    // A finder's centre, 7.5 modules in from two edges of the quiet zone's square.
    let finder = |corner: usize| {
        let (c, o) = (quad[corner], quad[(corner + 2) % 4]);
        let t = 7.5 / 29.0;
        (c.0 + (o.0 - c.0) * t, c.1 + (o.1 - c.1) * t)
    };
    let no_pairs = Reach {
        pairs: 0,
        ..Reach::CAMERA
    };
    let budget = || Budget::new(Duration::from_secs(5));
    let read = |frame: &Frame, reach| {
        locate_within(frame, &budget(), reach)
            .codes
            .into_iter()
            .map(|c| c.text)
            .collect::<Vec<_>>()
    };
    for corner in [0, 1, 3] {
        for (what, luma) in [("a thumb", 150), ("a hole", 250)] {
            let frame = covered(&frame, finder(corner), 2.5 * module, luma);
            assert_eq!(
                read(&frame, no_pairs),
                Vec::<String>::new(),
                "{what} over corner {corner} hides the pattern"
            );
            assert_eq!(
                read(&frame, Reach::CAMERA),
                ["badge 12"],
                "{what} over corner {corner}"
            );
        }
    }
}

/// A version-`version` code of `n` modules (with `modules`), placed at `quad`, with the
/// frame's centre of finder pattern `finder` (0 top-left, 1 top-right, 2 bottom-left).
fn finder_centre(n: usize, quad: &[Pt; 4], finder: usize) -> Pt {
    let side = (n + 2 * QUIET) as f64;
    let square = [(0.0, 0.0), (side, 0.0), (side, side), (0.0, side)];
    let to_frame = Homography::from_points(&square, quad).expect("regular quad");
    let (near, far) = (QUIET as f64 + 3.5, side - QUIET as f64 - 3.5);
    let (x, y) = [(near, near), (far, near), (near, far)][finder];
    to_frame.map(x, y)
}

#[test]
fn a_large_code_tilted_with_one_finders_edge_worn_reads_through_the_pattern_found_near_its_guess() {
    // Large codes of 5-9 px modules, each tilted a different way, with the top edge of one
    // finder pattern's outer ring worn to 0.3 of a module: the line across it reads 0.3 : 1.7
    // : 3 : 1 : 1, which the frame-wide search refuses. The other two put the pattern where a
    // square code would have it, which the tilt moves by up to 6 modules: there it is found at
    // the looser cross-checks (finder::find_near), and the code registers through its corners.
    // (Read with the guess alone, 7 of these 24 were not: measured when the rule was made.)
    let quads: [[Pt; 4]; 4] = [
        [(40.0, 90.0), (620.0, 30.0), (680.0, 660.0), (70.0, 600.0)],
        [(40.0, 40.0), (640.0, 110.0), (600.0, 640.0), (30.0, 680.0)],
        [(90.0, 40.0), (580.0, 120.0), (660.0, 670.0), (30.0, 620.0)],
        [(30.0, 30.0), (560.0, 60.0), (680.0, 690.0), (60.0, 560.0)],
    ];
    let mut hidden = 0;
    for version in [10i16, 20] {
        let (text, modules, n) = large_code(version);
        for quad in quads {
            for finder in 0..3 {
                let frame = render(
                    700,
                    700,
                    &[Placed {
                        modules: modules.clone(),
                        n,
                        quad,
                        inverted: false,
                        mirrored: false,
                        worn: Some((finder, 0.3)),
                    }],
                );
                let budget = || Budget::new(Duration::from_secs(5));
                let bin = binarize::Binarizer::new(&frame).expect("large enough");
                let (x, y) = finder_centre(n, &quad, finder);
                let seen = finder::find(&bin, &budget(), Reach::PHOTO.finders)
                    .iter()
                    .any(|f| (f64::from(f.x) - x).hypot(f64::from(f.y) - y) < 10.0);
                hidden += usize::from(!seen);
                let read: Vec<String> = locate_within(&frame, &budget(), Reach::PHOTO)
                    .codes
                    .into_iter()
                    .map(|c| c.text)
                    .collect();
                assert_eq!(
                    read,
                    std::slice::from_ref(&text),
                    "version {version} {quad:?} finder {finder}"
                );
            }
        }
    }
    // Most of the worn patterns are not seen frame-wide, so these reads went through the rule.
    assert!(hidden >= 16, "{hidden} of 24 worn patterns hidden");
}
