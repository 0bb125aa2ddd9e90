//! Linux and the other XDG desktops.

use std::path::PathBuf;

/// `$XDG_STATE_HOME/badgein/logs`, else `~/.local/state/badgein/logs`: logs are state that
/// outlives a run but is not worth backing up (the XDG Base Directory spec's own example).
pub fn log_dir() -> Option<PathBuf> {
    Some(dirs::state_dir()?.join("badgein").join("logs"))
}
