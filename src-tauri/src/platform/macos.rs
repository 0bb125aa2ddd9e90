//! macOS.

use std::path::PathBuf;

/// `~/Library/Logs/BadgeIn`, where Console.app lists it under "Log Reports".
pub fn log_dir() -> Option<PathBuf> {
    Some(
        dirs::home_dir()?
            .join("Library")
            .join("Logs")
            .join("BadgeIn"),
    )
}
