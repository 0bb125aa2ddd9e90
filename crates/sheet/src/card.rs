//! `Layout::Cards`: one badge per page, a 4-inch QR code on a 5 x 6.67-inch card with the
//! child's first name in big type, the class, the child's fixed password when it has one, and
//! what to do with it.

use pdf_writer::Content;

use crate::SheetEntry;
use crate::document::LETTER;
use crate::draw::{centered_text, cut_guide, footer};
use crate::fit::Sizes;
use crate::metrics::Face;
use crate::qr::Symbol;

const CARD_WIDTH: f32 = 360.0;
const CARD_HEIGHT: f32 = 480.0;
/// 4 inches with the quiet zone: twice the minimum, readable from further away.
const QR: f32 = 288.0;
const QR_TOP_INSET: f32 = 24.0;
const TEXT_WIDTH: f32 = CARD_WIDTH - 40.0;
const NAME: Sizes = Sizes {
    max: 44.0,
    min: 20.0,
};
const CLASS: Sizes = Sizes {
    max: 24.0,
    min: 12.0,
};
/// The fixed password, when the card carries one: big enough for a grown-up to copy.
const PASSWORD: Sizes = Sizes {
    max: 20.0,
    min: 10.0,
};
const HINT: Sizes = Sizes {
    max: 18.0,
    min: 18.0,
};

pub fn page(symbol: &Symbol, entry: &SheetEntry, card_no: usize, cards: usize) -> Content {
    let mut content = Content::new();
    let left = (LETTER.width - CARD_WIDTH) / 2.0;
    let bottom = (LETTER.height - CARD_HEIGHT) / 2.0;
    let top = bottom + CARD_HEIGHT;
    let center = LETTER.width / 2.0;

    cut_guide(&mut content, left, bottom, CARD_WIDTH, CARD_HEIGHT);
    let qr_top = top - QR_TOP_INSET;
    symbol.draw(&mut content, center - QR / 2.0, qr_top, QR);
    let qr_bottom = qr_top - QR;
    let name_at = (center, qr_bottom - 44.0);
    centered_text(
        &mut content,
        &entry.first_name,
        Face::Bold,
        NAME,
        TEXT_WIDTH,
        name_at,
        0.0,
    );
    let class_at = (center, qr_bottom - 82.0);
    centered_text(
        &mut content,
        &entry.class_name,
        Face::Regular,
        CLASS,
        TEXT_WIDTH,
        class_at,
        0.2,
    );
    if let Some(password) = &entry.password {
        let password_at = (center, bottom + 60.0);
        centered_text(
            &mut content,
            &format!("Password: {password}"),
            Face::Bold,
            PASSWORD,
            TEXT_WIDTH,
            password_at,
            0.0,
        );
    }
    let hint_at = (center, bottom + 34.0);
    centered_text(
        &mut content,
        "Show me to the camera",
        Face::Regular,
        HINT,
        TEXT_WIDTH,
        hint_at,
        0.3,
    );
    footer(
        &mut content,
        LETTER.width,
        &format!(
            "BadgeIn sign-in badge \u{b7} card {card_no} of {cards} \u{b7} keep it safe: it signs its child in"
        ),
    );
    content
}
