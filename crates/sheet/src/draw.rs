//! Drawing helpers shared by the layouts: text lines, cut guides and the page footer.

use pdf_writer::{Content, Name, Str};

use crate::fit::{Line, Sizes, fit};
use crate::metrics::Face;
use crate::winansi;

/// The resource name each face has on every page (see `document`).
pub fn font_name(face: Face) -> Name<'static> {
    match face {
        Face::Regular => Name(b"F1"),
        Face::Bold => Name(b"F2"),
    }
}

/// Draws `text` centred on `center_x` with its baseline at `baseline`, shrunk or cut to fit
/// `max_width`, in `gray` (0 black, 1 white).
pub fn centered_text(
    content: &mut Content,
    text: &str,
    face: Face,
    sizes: Sizes,
    max_width: f32,
    (center_x, baseline): (f32, f32),
    gray: f32,
) {
    let line = fit(&winansi::encode(text), face, sizes, max_width);
    if line.text.is_empty() {
        return;
    }
    show(
        content,
        &line,
        face,
        center_x - line.width / 2.0,
        baseline,
        gray,
    );
}

fn show(content: &mut Content, line: &Line, face: Face, x: f32, baseline: f32, gray: f32) {
    content.save_state();
    content.set_fill_gray(gray);
    content.begin_text();
    content.set_font(font_name(face), line.size);
    content.next_line(x, baseline);
    content.show(Str(&line.text));
    content.end_text();
    content.restore_state();
}

/// A thin light-grey outline to cut along (or to line up with a label sheet).
pub fn cut_guide(content: &mut Content, x: f32, y: f32, width: f32, height: f32) {
    content.save_state();
    content.set_stroke_gray(0.75);
    content.set_line_width(0.5);
    content.set_dash_pattern([3.0, 3.0], 0.0);
    content.rect(x, y, width, height);
    content.stroke();
    content.restore_state();
}

/// The footer: what the sheet is and where it is in the pile. Nothing secret, no ids.
pub fn footer(content: &mut Content, page_width: f32, text: &str) {
    centered_text(
        content,
        text,
        Face::Regular,
        Sizes { max: 8.0, min: 6.0 },
        page_width - 72.0,
        (page_width / 2.0, 16.0),
        0.35,
    );
}
