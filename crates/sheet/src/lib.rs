//! Printable PDF badge sheets.
//!
//! [`render`] turns badges (their `BI1-…` text) with each child's first name and class into a
//! PDF: a sheet of 2-inch labels for a whole class ([`Layout::Labels`]) or one card per page
//! ([`Layout::Cards`]). Each QR code is drawn as vector rectangles from the badge crate's own
//! module grid (error correction level H, 4-module quiet zone, at least 2 inches square with
//! the quiet zone), so it prints sharp on any printer.
//!
//! Text uses the PDF viewer's built-in Helvetica in WinAnsi encoding, so no font is embedded:
//! Latin names with accents print as typed, other characters as `?` (see `winansi`). Names
//! that do not fit are shrunk, then cut with an ellipsis. The footer says what the sheet is and
//! its page number, and nothing else: no ids, no payloads.
//!
//! The crate is pure: no I/O, no clock; the same input gives the same bytes.
//!
//! ```
//! use badgein_badge::Badge;
//! use badgein_sheet::{Layout, SheetEntry, render};
//!
//! let entry = SheetEntry {
//!     payload: Badge::from_parts([1; 5], [2; 16]).encode(),
//!     first_name: "Zoë".into(),
//!     class_name: "Room 4".into(),
//!     password: None,
//! };
//! let pdf = render(Layout::Cards, &[entry]).unwrap();
//! assert!(pdf.starts_with(b"%PDF-"));
//! ```

mod card;
mod document;
mod draw;
mod error;
mod fit;
mod labels;
mod metrics;
mod qr;
mod winansi;

use std::fmt;

pub use error::SheetError;
pub use labels::PER_PAGE as LABELS_PER_PAGE;

use crate::document::LETTER;
use crate::qr::Symbol;

/// Most entries one sheet takes: a whole school's worth of cards at once is a mistake, and a
/// bound keeps one request from asking for gigabytes.
pub const MAX_ENTRIES: usize = 2000;

/// How badges are laid out on the paper (US Letter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 12 badges a page (3 x 4 cells of 2.5 inches): 2-inch QR codes, name and class under
    /// each. For Avery-style square label sheets or plain paper cut along the guides.
    Labels,
    /// One badge per page: a 4-inch QR code, the name in big type, the class and "Show me to
    /// the camera".
    Cards,
}

/// One badge to print.
#[derive(Clone, PartialEq, Eq)]
pub struct SheetEntry {
    /// The badge's text form (`BI1-…`). It holds the badge's secret.
    pub payload: String,
    pub first_name: String,
    pub class_name: String,
    /// A fixed password to print under the class on a card (`Layout::Cards` only; labels are
    /// too small and a sheet of them too easily left about). It is a credential: never shown
    /// in `Debug`.
    pub password: Option<String>,
}

impl fmt::Debug for SheetEntry {
    /// The payload is a credential: never shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SheetEntry")
            .field("payload", &"<redacted>")
            .field("first_name", &self.first_name)
            .field("class_name", &self.class_name)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The PDF for `entries`, in the order given. Every payload must be a valid badge; an entry
/// that is not fails the whole sheet (a sheet with a badge missing would be handed out as if
/// complete).
pub fn render(layout: Layout, entries: &[SheetEntry]) -> Result<Vec<u8>, SheetError> {
    if entries.is_empty() {
        return Err(SheetError::Empty);
    }
    if entries.len() > MAX_ENTRIES {
        return Err(SheetError::TooMany {
            count: entries.len(),
        });
    }
    let badges = entries
        .iter()
        .enumerate()
        .map(|(i, entry)| Ok((Symbol::for_payload(&entry.payload, i + 1)?, entry)))
        .collect::<Result<Vec<_>, SheetError>>()?;

    let pages = match layout {
        Layout::Labels => {
            let chunks = badges.chunks(labels::PER_PAGE);
            let count = chunks.len();
            chunks
                .enumerate()
                .map(|(i, chunk)| labels::page(chunk, i + 1, count))
                .collect()
        }
        Layout::Cards => badges
            .iter()
            .enumerate()
            .map(|(i, (symbol, entry))| card::page(symbol, entry, i + 1, badges.len()))
            .collect(),
    };
    Ok(document::assemble(pages, LETTER, "BadgeIn badges"))
}
