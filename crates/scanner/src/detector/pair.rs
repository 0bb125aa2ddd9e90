//! A code with one finder pattern unseen: a thumb over a badge's corner, a torn or punched
//! corner, a dark edge run into the pattern (its quiet zone gone). The two patterns left say
//! where the third would be, as far as the code is not steeply tilted: square to their line
//! beside either one, on either side (the two are a side of the code), or across it (they are
//! the two ends of the diagonal without the corner pattern). Each guess is read like a triple
//! (`read`); the timing patterns between the finders refuse the wrong ones before sampling.

use super::finder::{Finder, SAME_PATTERN_MODULE};
use super::group::{MAX_LEG_MODULES, MIN_LEG_MODULES, turned};

/// A guessed code: its top-left, top-right and bottom-left patterns, one of them inferred.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Guess {
    pub finders: [Finder; 3],
    /// The indices of the two patterns seen, in the frame's finder list.
    pub seen: [usize; 2],
}

/// Of the patterns left, the most often confirmed this many are paired: a code's two are real
/// patterns, crossed by several scan rows each.
const CANDIDATES: usize = 24;
/// A seen pattern this near the guessed place (in modules) means a triple the grouping has
/// already tried.
const SEEN_NEAR_MODULES: f32 = 3.0;

/// The guesses from the patterns not `used`, best pairs first (most alike in module size), at
/// most `max_pairs` pairs, each giving up to six guesses (the four places square to the pair's
/// line, the two across it) that lie inside a `width` x `height` frame.
pub fn guesses(
    finders: &[Finder],
    used: &[bool],
    width: u32,
    height: u32,
    max_pairs: usize,
) -> Vec<Guess> {
    let mut loose: Vec<usize> = (0..finders.len())
        .filter(|&i| !used[i] && finders[i].count >= 2)
        .collect();
    loose.sort_by_key(|&i| std::cmp::Reverse(finders[i].count));
    loose.truncate(CANDIDATES);
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for (n, &i) in loose.iter().enumerate() {
        for &j in &loose[n + 1..] {
            let (a, b) = (&finders[i], &finders[j]);
            let ratio = a.module.max(b.module) / a.module.min(b.module);
            if a.dark == b.dark && ratio <= SAME_PATTERN_MODULE {
                pairs.push((ratio, i, j));
            }
        }
    }
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut out = Vec::new();
    for &(_, i, j) in pairs.iter().take(max_pairs) {
        let (a, b) = (finders[i], finders[j]);
        let module = (a.module + b.module) / 2.0;
        let d = (b.x - a.x, b.y - a.y);
        // Square to d, turning as the code's y axis does from its x axis (image y points down).
        let r = (-d.1, d.0);
        let mid = ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
        let mut places: Vec<((f32, f32), Role)> = Vec::with_capacity(6);
        if fits_leg(d, 1.0, module) {
            for (at, sign) in [(a, 1.0), (a, -1.0), (b, 1.0), (b, -1.0)] {
                places.push(((at.x + sign * r.0, at.y + sign * r.1), Role::Side(at == a)));
            }
        }
        // Across: the legs are the diagonal over the square root of two.
        if fits_leg(d, std::f32::consts::SQRT_2, module) {
            for sign in [1.0, -1.0] {
                let corner = (mid.0 + sign * r.0 / 2.0, mid.1 + sign * r.1 / 2.0);
                places.push((corner, Role::Corner));
            }
        }
        for ((x, y), role) in places {
            if !(0.0..width as f32).contains(&x) || !(0.0..height as f32).contains(&y) {
                continue;
            }
            let near = SEEN_NEAR_MODULES * module;
            if finders
                .iter()
                .any(|f| (f.x - x).abs() < near && (f.y - y).abs() < near)
            {
                continue;
            }
            let third = Finder {
                x,
                y,
                module,
                count: 0,
                dark: a.dark,
                diagonal: false,
                inferred: true,
            };
            let (corner, p, q) = match role {
                Role::Side(true) => (a, b, third),
                Role::Side(false) => (b, a, third),
                Role::Corner => (third, a, b),
            };
            out.push(Guess {
                finders: ordered(corner, p, q),
                seen: [i, j],
            });
        }
    }
    out
}

/// Where the inferred pattern goes: beside a seen one (`Side(true)` beside the first of the
/// pair), which is then the code's corner, or at the corner itself.
#[derive(Clone, Copy)]
enum Role {
    Side(bool),
    Corner,
}

/// Whether a pair `d` apart can be a code's patterns whose legs are `d / over` long, counted
/// in modules along the code's axes, as the grouping counts them (`group::turned`).
fn fits_leg(d: (f32, f32), over: f32, module: f32) -> bool {
    // The code's x axis: along d for a side, 45 degrees off it for a diagonal.
    let axis = if over > 1.0 {
        (d.0 - d.1, d.0 + d.1)
    } else {
        d
    };
    let legs = d.0.hypot(d.1) / over / (module * turned(axis));
    (MIN_LEG_MODULES..=MAX_LEG_MODULES).contains(&legs)
}

/// `[top-left, top-right, bottom-left]` from the corner pattern and the other two, by the
/// turn from one to the other (as `group` orders a triple).
fn ordered(corner: Finder, p: Finder, q: Finder) -> [Finder; 3] {
    let (ux, uy) = (p.x - corner.x, p.y - corner.y);
    let (vx, vy) = (q.x - corner.x, q.y - corner.y);
    if ux * vy - uy * vx > 0.0 {
        [corner, p, q]
    } else {
        [corner, q, p]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(x: f32, y: f32) -> Finder {
        Finder {
            x,
            y,
            module: 4.0,
            count: 3,
            dark: true,
            diagonal: true,
            inferred: false,
        }
    }

    fn places(guesses: &[Guess]) -> Vec<(i32, i32)> {
        let mut out: Vec<(i32, i32)> = guesses
            .iter()
            .flat_map(|g| g.finders.iter().filter(|f| f.inferred))
            .map(|f| (f.x.round() as i32, f.y.round() as i32))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn a_side_gives_the_four_places_square_to_it_and_a_diagonal_the_two_across() {
        // 80 px at 4 px a module: 20 modules, a side of version 4 (or, across, the diagonal
        // of a code with 14-module legs: version 1).
        let finders = [seen(100.0, 100.0), seen(180.0, 100.0)];
        let guesses = guesses(&finders, &[false, false], 400, 400, 4);
        assert_eq!(
            places(&guesses),
            [
                (100, 20),
                (100, 180),
                (140, 60),
                (140, 140),
                (180, 20),
                (180, 180)
            ]
        );
        // Every guess is a right-handed triple: top-left, then top-right, then bottom-left.
        for g in &guesses {
            let [tl, tr, bl] = g.finders;
            let cross = (tr.x - tl.x) * (bl.y - tl.y) - (tr.y - tl.y) * (bl.x - tl.x);
            assert!(cross > 0.0, "{g:?}");
            assert_eq!(g.seen, [0, 1]);
        }
    }

    #[test]
    fn places_outside_the_frame_or_on_a_seen_pattern_are_not_guessed() {
        let finders = [seen(100.0, 20.0), seen(180.0, 20.0), seen(100.0, 100.0)];
        // The third pattern was seen (and grouped): only the first two are loose.
        let guesses = guesses(&finders, &[false, false, true], 400, 400, 4);
        assert_eq!(places(&guesses), [(140, 60), (180, 100)]);
    }

    #[test]
    fn patterns_too_close_too_far_or_unlike_are_not_paired() {
        let mut small = seen(300.0, 100.0);
        small.module = 2.0;
        let finders = [seen(100.0, 100.0), seen(130.0, 100.0), small];
        assert!(guesses(&finders, &[false; 3], 4000, 4000, 8).is_empty());
        let far = [seen(0.0, 0.0), seen(3000.0, 0.0)];
        assert!(guesses(&far, &[false; 2], 4000, 4000, 8).is_empty());
    }
}
