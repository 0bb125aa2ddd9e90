//! Making a line of text fit a width: shrink it down to a smallest readable size, then cut it
//! and mark the cut with an ellipsis.

use crate::metrics::Face;
use crate::winansi::ELLIPSIS;

/// A line ready to draw: its bytes, size and width in points.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: Vec<u8>,
    pub size: f32,
    pub width: f32,
}

/// Sizes in points: the largest wanted and the smallest still readable at arm's length.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub max: f32,
    pub min: f32,
}

/// `text` (WinAnsi) in `face`, as large as `sizes.max` allows within `max_width`.
pub fn fit(text: &[u8], face: Face, sizes: Sizes, max_width: f32) -> Line {
    let natural = face.width(text, sizes.max);
    if natural <= max_width {
        return Line {
            text: text.to_vec(),
            size: sizes.max,
            width: natural,
        };
    }
    // Width is proportional to size, so one division finds the size that fits.
    let size = sizes.max * max_width / natural;
    if size >= sizes.min {
        return Line {
            text: text.to_vec(),
            size,
            width: face.width(text, size),
        };
    }
    let size = sizes.min;
    let mut kept = text.to_vec();
    loop {
        let candidate: Vec<u8> = kept.iter().copied().chain([ELLIPSIS]).collect();
        let width = face.width(&candidate, size);
        if width <= max_width || kept.is_empty() {
            return Line {
                text: candidate,
                size,
                width,
            };
        }
        kept.pop();
        // A cut right after a space would leave "Ana …".
        while kept.last() == Some(&b' ') {
            kept.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZES: Sizes = Sizes {
        max: 20.0,
        min: 10.0,
    };

    #[test]
    fn short_text_keeps_the_largest_size() {
        let line = fit(b"Ana", Face::Bold, SIZES, 200.0);
        assert_eq!(line.size, 20.0);
        assert_eq!(line.text, b"Ana");
        assert!(line.width < 200.0);
    }

    #[test]
    fn longer_text_shrinks_to_fit_exactly() {
        let text = b"Maximiliana";
        let natural = Face::Bold.width(text, 20.0);
        let line = fit(text, Face::Bold, SIZES, natural * 0.75);
        assert!((line.size - 15.0).abs() < 0.01, "{}", line.size);
        assert!(line.width <= natural * 0.75 + 0.01);
        assert_eq!(line.text, text);
    }

    #[test]
    fn very_long_text_is_cut_with_an_ellipsis() {
        let text = b"Wolfeschlegelsteinhausenbergerdorff Junior";
        let line = fit(text, Face::Bold, SIZES, 120.0);
        assert_eq!(line.size, 10.0);
        assert!(line.width <= 120.0);
        assert_eq!(line.text.last(), Some(&ELLIPSIS));
        assert!(text.starts_with(&line.text[..line.text.len() - 1]));
    }

    #[test]
    fn nothing_fits_leaves_only_the_ellipsis() {
        let line = fit(b"Ana", Face::Bold, SIZES, 1.0);
        assert_eq!(line.text, [ELLIPSIS]);
    }
}
