//! The teacher PIN check as the kiosk runs it: [`crate::pin_throttle`]'s rule, with the
//! attempt count and the end of the wait kept in a state file next to the config (not in the
//! config the teacher edits), so quitting and restarting does not wipe them. The state file
//! is private like the config; one that cannot be read or understood counts as a run of
//! wrong PINs just now ([`Throttle::fail_closed`]). The time is an argument.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::machine::PinAnswer;
use crate::pin;
use crate::pin_throttle::Throttle;
use crate::private_file;

/// Where the state file lives: next to the config (see [`crate::config::path_in`]).
pub fn path_in(config_dir: &Path) -> PathBuf {
    config_dir.join("badgein").join("kiosk-state.json")
}

/// The state file: the kiosk's own bookkeeping, nothing a teacher sets.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    pin: Throttle,
}

#[derive(Debug)]
pub struct PinAttempts {
    path: PathBuf,
    throttle: Throttle,
}

impl PinAttempts {
    /// Reads the state file at `path`. No file is a kiosk that never saw a wrong PIN; a
    /// damaged or unreadable one fails closed and is rewritten that way.
    pub fn load(path: PathBuf, now: SystemTime) -> Self {
        let read = private_file::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| match bytes {
                None => Ok(Throttle::default()),
                Some(b) => serde_json::from_slice::<StateFile>(&b)
                    .map(|s| s.pin)
                    .map_err(|e| format!("damaged at line {}", e.line())),
            });
        match read {
            Ok(throttle) => Self { path, throttle },
            Err(error) => {
                tracing::warn!(%error, path = %path.display(), "PIN state unusable: waiting as after wrong PINs");
                let attempts = Self {
                    path,
                    throttle: Throttle::fail_closed(now),
                };
                attempts.save();
                attempts
            }
        }
    }

    /// How long before a PIN is checked again, if a wait is running.
    pub fn wait(&self, now: SystemTime) -> Option<Duration> {
        self.throttle.wait(now)
    }

    /// Checks `pin` against the `stored` hash, unless a wait is running (then nothing is
    /// checked or counted). With no PIN set there is nothing to unlock.
    pub fn check(&mut self, stored: Option<&str>, pin: &str, now: SystemTime) -> PinAnswer {
        if let Some(wait) = self.throttle.wait(now) {
            return PinAnswer::Wait(wait);
        }
        let Some(stored) = stored else {
            return PinAnswer::Wrong { wait: None };
        };
        if pin::verify(stored, pin) {
            if self.throttle != Throttle::default() {
                self.throttle.succeeded();
                self.save();
            }
            PinAnswer::Right
        } else {
            let wait = self.throttle.failed(now);
            self.save();
            PinAnswer::Wrong { wait }
        }
    }

    /// Keeps the count on disk. When that fails the count still holds until the kiosk stops.
    fn save(&self) {
        let state = StateFile { pin: self.throttle };
        let written = serde_json::to_vec(&state)
            .map_err(|e| e.to_string())
            .and_then(|json| {
                private_file::write_atomic(&self.path, &json).map_err(|e| e.to_string())
            });
        if let Err(error) = written {
            tracing::error!(%error, "PIN state not saved");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pin_throttle::{BASE_DELAY, FREE_ATTEMPTS};

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
    }

    #[test]
    fn wrong_pins_are_counted_across_restarts_and_the_wait_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        let hash = pin::hash("246813").unwrap();
        let mut attempts = PinAttempts::load(path.clone(), at(0));
        for _ in 1..FREE_ATTEMPTS {
            assert_eq!(
                attempts.check(Some(&hash), "000000", at(0)),
                PinAnswer::Wrong { wait: None }
            );
        }
        // A restart between wrong PINs forgets nothing.
        let mut attempts = PinAttempts::load(path.clone(), at(1));
        assert_eq!(
            attempts.check(Some(&hash), "000000", at(1)),
            PinAnswer::Wrong {
                wait: Some(BASE_DELAY)
            }
        );
        let mut attempts = PinAttempts::load(path.clone(), at(2));
        assert_eq!(attempts.wait(at(2)), Some(Duration::from_secs(29)));
        // While waiting even the right PIN is not checked.
        assert_eq!(
            attempts.check(Some(&hash), "246813", at(2)),
            PinAnswer::Wait(Duration::from_secs(29))
        );
        assert_eq!(
            attempts.check(Some(&hash), "246813", at(31)),
            PinAnswer::Right
        );
        assert_eq!(
            PinAttempts::load(path, at(31)).throttle,
            Throttle::default(),
            "the right PIN starts over, on disk too"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path_in(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_damaged_state_file_fails_closed() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        let hash = pin::hash("246813").unwrap();
        for damage in [&b"{\"pin\": garbage"[..], b"{}", b"\xff\xfe", b"[]"] {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, damage).unwrap();
            let mut attempts = PinAttempts::load(path.clone(), at(0));
            assert_eq!(attempts.wait(at(0)), Some(BASE_DELAY), "{damage:?}");
            assert_eq!(
                attempts.check(Some(&hash), "246813", at(0)),
                PinAnswer::Wait(BASE_DELAY)
            );
            // ...and it was rewritten failing closed, so a restart keeps the wait.
            assert_eq!(
                PinAttempts::load(path.clone(), at(10)).wait(at(10)),
                Some(Duration::from_secs(20))
            );
            std::fs::remove_file(&path).unwrap();
        }
    }

    #[test]
    fn no_pin_set_unlocks_nothing_and_counts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut attempts = PinAttempts::load(path_in(dir.path()), at(0));
        for _ in 0..10 {
            assert_eq!(
                attempts.check(None, "", at(0)),
                PinAnswer::Wrong { wait: None }
            );
        }
        assert_eq!(attempts.wait(at(0)), None);
    }
}
