//! What the kiosk remembers about updates across restarts (`updates.json` beside the config):
//! the update being installed, until the new version reaches the scan screen, and the versions
//! that failed, which are never installed again.
//!
//! The marker is written before the install. At the next start [`UpdateRecord::at_start`]
//! reads it: the new version starting for the first time marks it started; a marker that is
//! still there at a later start (the new version never reached the scan screen) or a start of
//! the old version (the install did not take) is an `update_failed`, and that version is
//! refused from then on. Pure decisions; [`load`] and [`save`] do the file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::private_file;

/// Failed versions remembered; older ones are forgotten (a later release supersedes them).
const REFUSED_KEPT: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateRecord {
    /// An update installed (or being installed) whose version has not yet reached the scan
    /// screen.
    pub pending: Option<Pending>,
    /// Versions that failed to install or to start: never offered again.
    pub refused: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub version: String,
    /// The version that installed it.
    pub from: String,
    /// The new version has started once already.
    pub started: bool,
}

/// What a start finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AtStart {
    /// No update was in progress.
    Normal,
    /// The first start of a freshly installed `version`; it must reach the scan screen.
    FirstStartOf { version: String },
    /// The update to `version` failed; it is now refused.
    Failed {
        version: String,
        from: String,
        why: FailedBecause,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedBecause {
    /// The old version started again: the install did not take.
    NotInstalled,
    /// The new version started before and never reached the scan screen.
    NeverReachedScanScreen,
}

impl FailedBecause {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotInstalled => "not_installed",
            Self::NeverReachedScanScreen => "never_reached_scan_screen",
        }
    }
}

impl UpdateRecord {
    /// Whether `version` failed here before.
    pub fn is_refused(&self, version: &str) -> bool {
        self.refused.iter().any(|v| v == version)
    }

    /// Written (and saved) just before installing `version` over `from`.
    pub fn installing(&mut self, version: &str, from: &str) {
        self.pending = Some(Pending {
            version: version.to_owned(),
            from: from.to_owned(),
            started: false,
        });
    }

    /// The install itself failed (the old version keeps running): `version` is refused.
    pub fn install_failed(&mut self) {
        if let Some(p) = self.pending.take() {
            self.refuse(p.version);
        }
    }

    /// The kiosk, running `running`, starts. Save the record right after: a crash later in
    /// this start must find it marked.
    pub fn at_start(&mut self, running: &str) -> AtStart {
        let Some(pending) = self.pending.take() else {
            return AtStart::Normal;
        };
        let why = if running == pending.version && !pending.started {
            self.pending = Some(Pending {
                started: true,
                ..pending
            });
            return AtStart::FirstStartOf {
                version: running.to_owned(),
            };
        } else if running == pending.version {
            FailedBecause::NeverReachedScanScreen
        } else if running == pending.from {
            FailedBecause::NotInstalled
        } else {
            // Someone installed another version by hand: nothing of ours is in progress.
            return AtStart::Normal;
        };
        self.refuse(pending.version.clone());
        AtStart::Failed {
            version: pending.version,
            from: pending.from,
            why,
        }
    }

    /// The kiosk reached the scan screen: an update in progress worked. `true` when that
    /// changed the record (save it).
    pub fn reached_scan_screen(&mut self) -> bool {
        self.pending.take().is_some()
    }

    fn refuse(&mut self, version: String) {
        if !self.is_refused(&version) {
            self.refused.push(version);
        }
        let extra = self.refused.len().saturating_sub(REFUSED_KEPT);
        self.refused.drain(..extra);
    }
}

#[derive(Debug, Error)]
pub enum RecordError {
    #[error("could not read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path} is damaged; starting a new update record")]
    Corrupt { path: PathBuf },
    #[error("could not save {path}: {message}")]
    Write { path: PathBuf, message: String },
}

/// `$CONFIG/badgein/updates.json`, beside the config.
pub fn path_in(config_dir: &Path) -> PathBuf {
    config_dir.join("badgein").join("updates.json")
}

/// Reads the record; an empty one when there is none yet.
pub fn load(path: &Path) -> Result<UpdateRecord, RecordError> {
    match private_file::read(path) {
        Ok(Some(bytes)) => serde_json::from_slice(&bytes).map_err(|_| RecordError::Corrupt {
            path: path.to_owned(),
        }),
        Ok(None) => Ok(UpdateRecord::default()),
        Err(e) => Err(RecordError::Read {
            path: path.to_owned(),
            message: e.to_string(),
        }),
    }
}

/// Writes the record atomically (a power cut mid-update must not lose the marker).
pub fn save(path: &Path, record: &UpdateRecord) -> Result<(), RecordError> {
    let err = |message: String| RecordError::Write {
        path: path.to_owned(),
        message,
    };
    let mut json = serde_json::to_vec_pretty(record).map_err(|e| err(e.to_string()))?;
    json.push(b'\n');
    private_file::write_atomic(path, &json).map_err(|e| err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn installed(version: &str, from: &str) -> UpdateRecord {
        let mut r = UpdateRecord::default();
        r.installing(version, from);
        r
    }

    #[test]
    fn a_good_update_starts_once_reaches_the_scan_screen_and_is_forgotten() {
        let mut r = installed("0.2.0", "0.1.0");
        assert_eq!(
            r.at_start("0.2.0"),
            AtStart::FirstStartOf {
                version: "0.2.0".into()
            }
        );
        assert!(r.reached_scan_screen());
        assert!(!r.reached_scan_screen(), "nothing left to clear");
        assert_eq!(r.at_start("0.2.0"), AtStart::Normal);
        assert!(!r.is_refused("0.2.0"));
    }

    #[test]
    fn a_new_version_that_never_reaches_the_scan_screen_failed_and_is_refused() {
        let mut r = installed("0.2.0", "0.1.0");
        r.at_start("0.2.0");
        // It crashed before the scan screen; the service manager starts it again.
        assert_eq!(
            r.at_start("0.2.0"),
            AtStart::Failed {
                version: "0.2.0".into(),
                from: "0.1.0".into(),
                why: FailedBecause::NeverReachedScanScreen
            }
        );
        assert!(r.is_refused("0.2.0"));
        assert_eq!(r.at_start("0.2.0"), AtStart::Normal, "reported once");
    }

    #[test]
    fn the_old_version_starting_again_means_the_install_did_not_take() {
        let mut r = installed("0.2.0", "0.1.0");
        assert!(matches!(
            r.at_start("0.1.0"),
            AtStart::Failed {
                why: FailedBecause::NotInstalled,
                ..
            }
        ));
        assert!(r.is_refused("0.2.0"));
        let mut r = installed("0.3.0", "0.1.0");
        r.install_failed();
        assert!(r.is_refused("0.3.0"));
        assert_eq!(r.pending, None);
    }

    #[test]
    fn a_version_installed_by_hand_clears_the_marker_without_blame() {
        let mut r = installed("0.2.0", "0.1.0");
        assert_eq!(r.at_start("0.4.0"), AtStart::Normal);
        assert_eq!(r, UpdateRecord::default());
    }

    #[test]
    fn refused_versions_are_kept_once_and_bounded() {
        let mut r = UpdateRecord::default();
        for n in 0..30 {
            r.installing(&format!("0.{n}.0"), "0.0.1");
            r.install_failed();
            r.installing(&format!("0.{n}.0"), "0.0.1");
            r.install_failed();
        }
        assert_eq!(r.refused.len(), REFUSED_KEPT);
        assert!(r.is_refused("0.29.0"));
        assert!(!r.is_refused("0.0.0"), "the oldest are forgotten");
    }

    #[test]
    fn the_record_survives_a_restart_on_disk_and_a_damaged_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        assert_eq!(load(&path).unwrap(), UpdateRecord::default());
        let mut r = installed("0.2.0", "0.1.0");
        save(&path, &r).unwrap();
        let mut back = load(&path).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.at_start("0.2.0"), r.at_start("0.2.0"));
        std::fs::write(&path, b"{\"pending\": [garbage").unwrap();
        assert!(matches!(load(&path), Err(RecordError::Corrupt { .. })));
    }
}
