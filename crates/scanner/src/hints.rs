//! What to tell the child when no badge was read: turned into a picture, a sound and a
//! sentence by the kiosk. Computed only from what the pipeline saw in the frame.

use serde::Serialize;

use crate::pipeline::Scan;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Hint {
    /// Nothing code-like in view.
    ShowBadge,
    /// A code is in view but its modules are too small to read.
    ComeCloser,
    /// A code fills the view or runs off its edge.
    StepBack,
    /// A code is in view at a readable size but did not decode (blur, motion).
    HoldStill,
    /// The frame is too dark (or too flat) to see anything.
    MoreLight,
}

/// Modules smaller than this many pixels are below what the decoder reads reliably.
const MIN_MODULE_PX: f32 = 2.5;
/// A version-4 badge with its quiet zone is 41 modules: a code bigger than this share of the
/// frame's shorter side is too close to focus, or spills out of the frame.
const MAX_CODE_SHARE: f32 = 0.9;

/// The hint for a frame, or `None` when a code was read.
pub fn hint(scan: &Scan) -> Option<Hint> {
    if !scan.codes.is_empty() {
        return None;
    }
    let seen = &scan.seen;
    if seen.mean_luma < 40 || seen.contrast < 24 {
        return Some(Hint::MoreLight);
    }
    let short_side = seen.width.min(seen.height) as f32;
    if let Some(extent) = seen
        .failed_grids
        .iter()
        .map(|q| {
            let (xs, ys) = (q.map(|p| p[0]), q.map(|p| p[1]));
            let span = |v: [f32; 4]| {
                v.iter().copied().fold(f32::MIN, f32::max)
                    - v.iter().copied().fold(f32::MAX, f32::min)
            };
            span(xs).max(span(ys))
        })
        .reduce(f32::max)
    {
        if extent > short_side * MAX_CODE_SHARE {
            return Some(Hint::StepBack);
        }
        return Some(Hint::HoldStill);
    }
    if seen.finders.is_empty() {
        return Some(Hint::ShowBadge);
    }
    let module = seen.finders.iter().map(|f| f.module).fold(0.0, f32::max);
    let near_edge = seen.finders.iter().any(|f| {
        let m = f.module * 5.0;
        f.x < m || f.y < m || f.x > seen.width as f32 - m || f.y > seen.height as f32 - m
    });
    if module < MIN_MODULE_PX {
        Some(Hint::ComeCloser)
    } else if module * 33.0 > short_side * MAX_CODE_SHARE || (near_edge && seen.finders.len() < 3) {
        Some(Hint::StepBack)
    } else {
        Some(Hint::HoldStill)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::Code;
    use crate::detector::FinderSeen;
    use crate::pipeline::Seen;

    fn seen() -> Seen {
        Seen {
            mean_luma: 120,
            contrast: 120,
            width: 1280,
            height: 720,
            ..Seen::default()
        }
    }

    fn finders(module: f32) -> Vec<FinderSeen> {
        [(500.0, 300.0), (700.0, 300.0), (500.0, 500.0)]
            .iter()
            .map(|&(x, y)| FinderSeen { x, y, module })
            .collect()
    }

    #[test]
    fn one_hint_per_state() {
        let read = Scan {
            codes: vec![Code::new(b"x".to_vec(), [[0.0; 2]; 4])],
            seen: seen(),
        };
        assert_eq!(hint(&read), None);
        assert_eq!(
            hint(&Scan {
                codes: vec![],
                seen: seen()
            }),
            Some(Hint::ShowBadge)
        );
        let dark = Seen {
            mean_luma: 12,
            ..seen()
        };
        assert_eq!(
            hint(&Scan {
                codes: vec![],
                seen: dark
            }),
            Some(Hint::MoreLight)
        );
        let small = Seen {
            finders: finders(1.5),
            ..seen()
        };
        assert_eq!(
            hint(&Scan {
                codes: vec![],
                seen: small
            }),
            Some(Hint::ComeCloser)
        );
        let big = Seen {
            finders: finders(25.0),
            ..seen()
        };
        assert_eq!(
            hint(&Scan {
                codes: vec![],
                seen: big
            }),
            Some(Hint::StepBack)
        );
        let ok = Seen {
            finders: finders(6.0),
            ..seen()
        };
        assert_eq!(
            hint(&Scan {
                codes: vec![],
                seen: ok
            }),
            Some(Hint::HoldStill)
        );
        let blurred = Seen {
            failed_grids: vec![[
                [400.0, 200.0],
                [600.0, 200.0],
                [600.0, 400.0],
                [400.0, 400.0],
            ]],
            ..seen()
        };
        assert_eq!(
            hint(&Scan {
                codes: vec![],
                seen: blurred
            }),
            Some(Hint::HoldStill)
        );
    }
}
