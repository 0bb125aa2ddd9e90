use badgein_badge::RenderError;
use thiserror::Error;

use crate::MAX_ENTRIES;

/// Why a sheet could not be made. Entries are numbered from 1 in the order given; no error
/// carries a payload (it holds the badge's secret) or a name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SheetError {
    #[error("nothing to print: the sheet has no entries")]
    Empty,
    #[error("too many entries for one sheet: {count} (at most {MAX_ENTRIES})")]
    TooMany { count: usize },
    #[error("entry {entry}: the payload is not a badge")]
    NotABadge { entry: usize },
    /// Cannot happen for a parsed badge; kept as an error rather than a panic.
    #[error("QR rendering failed: {0}")]
    Qr(#[source] RenderError),
}
