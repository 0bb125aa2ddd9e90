//! Finding the bottom-right alignment pattern (versions 2 and up): a 5x5-module square of a
//! dark ring, a light ring and a dark centre, 3 modules in from the bottom-right corner.
//!
//! The three finders fix an affine estimate of the grid; perspective moves the true alignment
//! pattern away from the affine prediction by up to a few modules. We slide a 5x5-module
//! template (oriented and scaled by the affine estimate, so any rotation works) over a window
//! around the prediction and take the position with the strongest ring contrast, measured on
//! grey levels rather than thresholded pixels so blur costs contrast rather than shape.

use super::sample::luma_at;
use super::transform::Pt;
use crate::frame::Frame;

/// Searches within `radius` modules of `predicted`; `u` and `v` are one module along the code's
/// x and y axes in pixels. `contrast` is the light-minus-dark luma seen at the finders; a match
/// must reach a share of it. Returns the centre of the pattern.
pub fn find(
    frame: &Frame,
    predicted: Pt,
    u: Pt,
    v: Pt,
    radius: f64,
    dark: bool,
    contrast: f32,
) -> Option<Pt> {
    let module = ((u.0 * u.0 + u.1 * u.1).sqrt() + (v.0 * v.0 + v.1 * v.1).sqrt()) / 2.0;
    if module.is_nan() || module <= 0.5 || !predicted.0.is_finite() || !predicted.1.is_finite() {
        return None;
    }
    let reach = radius * module;
    // Coarse pass at a third of a module, then a fine pass around the best hit.
    let coarse = (module / 3.0).max(1.0);
    let (mut best, mut best_score) = (predicted, f32::NEG_INFINITY);
    let n = (reach / coarse).ceil() as i32;
    for iy in -n..=n {
        for ix in -n..=n {
            let p = (
                predicted.0 + f64::from(ix) * coarse,
                predicted.1 + f64::from(iy) * coarse,
            );
            // A slight pull towards the prediction breaks ties in its favour.
            let off = (f64::from(ix * ix + iy * iy)).sqrt() * coarse / module;
            let s = score(frame, p, u, v, dark) - 0.01 * contrast * off as f32;
            if s > best_score {
                best_score = s;
                best = p;
            }
        }
    }
    let fine = coarse / 3.0;
    let centre = best;
    for iy in -3..=3 {
        for ix in -3..=3 {
            let p = (
                centre.0 + f64::from(ix) * fine,
                centre.1 + f64::from(iy) * fine,
            );
            let s = score(frame, p, u, v, dark);
            if s > best_score {
                best_score = s;
                best = p;
            }
        }
    }
    if best_score >= 0.3 * contrast {
        Some(best)
    } else {
        None
    }
}

/// Light ring minus dark ring and centre, in luma; positive when the pattern is there.
fn score(frame: &Frame, p: Pt, u: Pt, v: Pt, dark: bool) -> f32 {
    let mut dark_sum = 0.0;
    let mut light_sum = 0.0;
    for j in -2i32..=2 {
        for i in -2i32..=2 {
            let x = p.0 + f64::from(i) * u.0 + f64::from(j) * v.0;
            let y = p.1 + f64::from(i) * u.1 + f64::from(j) * v.1;
            let l = luma_at(frame, x, y);
            if i.abs().max(j.abs()) == 1 {
                light_sum += l;
            } else {
                dark_sum += l;
            }
        }
    }
    let s = light_sum / 8.0 - dark_sum / 17.0;
    if dark { s } else { -s }
}
