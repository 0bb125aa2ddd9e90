//! The BadgeIn sign-in badge: what a badge's QR code holds, how it is made, read and drawn.
//!
//! A badge's QR code holds a short, opaque, versioned code, never a URL, a name, a student id
//! or a password:
//!
//! ```text
//! BI1-<id: 8 chars>-<secret: 26 chars>-<check: 2 chars>      (42 characters)
//! BI1-AAAAAAAA-AAAAAAAAAAAAAAAAAAAAAAAAAA-AA                 (all-zero id and secret)
//! ```
//!
//! * `BI1` is the format version. Anything else is [`BadgeError::NotABadge`], so the kiosk can
//!   say "this is not a sign-in badge" without a network call.
//! * The id is 40 random bits, a public selector (logs, database lookup key): [`BadgeId`].
//! * The secret is 128 random bits: [`BadgeSecret`]. It never shows up in `Debug` output.
//! * The check (10 bits) catches every single-character misread and every swap of two
//!   neighbouring characters in the id and secret; see `check.rs`.
//!
//! Characters are RFC 4648 base32 (`A`-`Z`, `2`-`7`), all of which lie in the QR alphanumeric
//! set, so the whole code fits a version 4 QR symbol at error correction level H.
//!
//! Parsing is strict: exactly one text form is accepted for each badge (see [`Badge::parse`]).
//!
//! ```
//! use badgein_badge::Badge;
//!
//! let badge = Badge::from_parts([1, 2, 3, 4, 5], [7; 16]);
//! let text = badge.encode();
//! assert_eq!(text.len(), 42);
//! assert_eq!(Badge::parse(&text), Ok(badge));
//! ```

mod badge;
mod base32;
mod check;
mod error;
mod id;
mod render;
mod secret;

pub use badge::{Badge, ENCODED_LEN, MAX_INPUT_LEN, PREFIX};
pub use error::BadgeError;
pub use id::BadgeId;
pub use render::{MAX_MODULE_PX, QUIET_ZONE_MODULES, RenderError};
pub use secret::BadgeSecret;
