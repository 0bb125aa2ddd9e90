use thiserror::Error;

/// Why a badge could not be read or made.
///
/// Messages never repeat the input: it may be hostile, or a real badge's secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum BadgeError {
    /// The code is not a version-1 sign-in badge at all: a URL, other text, another QR code,
    /// or a badge format this kiosk does not know (`BI2-`, lowercase `bi1-`, ...).
    #[error("not a sign-in badge")]
    NotABadge,

    /// The input is longer than any badge could be; nothing else about it was looked at.
    #[error("input too long for a sign-in badge ({len} bytes)")]
    TooLong {
        /// Length of the input in bytes.
        len: usize,
    },

    /// It starts like a badge but is not laid out like one (length, separators, characters
    /// outside the alphabet, a non-canonical secret).
    #[error("malformed sign-in badge: {0}")]
    Malformed(&'static str),

    /// Laid out like a badge, but the check characters do not match: most likely a misread.
    #[error("sign-in badge check failed (misread?)")]
    CheckFailed,

    /// The operating system's random source failed while generating a badge.
    #[error("the OS random source failed")]
    Random(#[source] getrandom::Error),
}
