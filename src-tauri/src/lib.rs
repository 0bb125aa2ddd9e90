//! The BadgeIn kiosk app. The Tauri shell arrives with the kiosk issue; until then this crate
//! only names what the kiosk will be built from.

/// What the kiosk binary says when started before the app exists.
pub const NOT_YET: &str = "The BadgeIn kiosk window is coming with the kiosk app. \
Use `badgein-scan --camera 0` to see the scanner read badges live.";
