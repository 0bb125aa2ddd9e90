//! `Layout::Labels`: a class set on US Letter, 3 x 4 cells of 2.5 inches, each a 2-inch QR
//! code with the child's first name and class under it.
//!
//! The cells meet edge to edge with half-inch page margins, so the sheet also works on plain
//! paper cut along the dashed guides.

use pdf_writer::Content;

use crate::SheetEntry;
use crate::document::LETTER;
use crate::draw::{centered_text, cut_guide, footer};
use crate::fit::Sizes;
use crate::metrics::Face;
use crate::qr::Symbol;

pub const COLUMNS: usize = 3;
pub const ROWS: usize = 4;
pub const PER_PAGE: usize = COLUMNS * ROWS;

/// Cell side: 2.5 inches.
const CELL: f32 = 180.0;
/// The QR code with its quiet zone: 2 inches, the smallest the badge contract allows.
const QR: f32 = 144.0;
const QR_TOP_INSET: f32 = 4.0;
const MARGIN_X: f32 = (LETTER.width - COLUMNS as f32 * CELL) / 2.0;
const MARGIN_Y: f32 = (LETTER.height - ROWS as f32 * CELL) / 2.0;
const TEXT_WIDTH: f32 = CELL - 12.0;
const NAME: Sizes = Sizes {
    max: 16.0,
    min: 9.0,
};
const CLASS: Sizes = Sizes { max: 8.0, min: 6.0 };

/// One page of up to [`PER_PAGE`] badges, filled row by row from the top left.
pub fn page(badges: &[(Symbol, &SheetEntry)], page_no: usize, pages: usize) -> Content {
    let mut content = Content::new();
    for (i, (symbol, entry)) in badges.iter().take(PER_PAGE).enumerate() {
        let (col, row) = (i % COLUMNS, i / COLUMNS);
        let left = MARGIN_X + col as f32 * CELL;
        let top = LETTER.height - MARGIN_Y - row as f32 * CELL;
        let bottom = top - CELL;
        let center = left + CELL / 2.0;

        cut_guide(&mut content, left, bottom, CELL, CELL);
        symbol.draw(&mut content, center - QR / 2.0, top - QR_TOP_INSET, QR);
        let name_at = (center, bottom + 14.0);
        centered_text(
            &mut content,
            &entry.first_name,
            Face::Bold,
            NAME,
            TEXT_WIDTH,
            name_at,
            0.0,
        );
        let class_at = (center, bottom + 4.5);
        centered_text(
            &mut content,
            &entry.class_name,
            Face::Regular,
            CLASS,
            TEXT_WIDTH,
            class_at,
            0.2,
        );
    }
    footer(
        &mut content,
        LETTER.width,
        &format!(
            "BadgeIn sign-in badges \u{b7} page {page_no} of {pages} \u{b7} keep badges safe: each one signs its child in"
        ),
    );
    content
}
