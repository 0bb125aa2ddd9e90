//! The kiosk's config file: plain JSON, with no secret in it (K5, X8). The device credential
//! is in the OS secret store and the teacher PIN is a hash; as a hash of a short PIN can be
//! guessed offline, the file is readable by the kiosk's user only ([`private_file`]).
//! Saved atomically (temp file + rename) so a power cut never leaves half a file; a damaged
//! file is reported (without its contents) and the kiosk falls back to setup.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::enroll::Enrollment;
use crate::machine::{Language, Settings};
use crate::portal_url::{self, PortalUrlError};
use crate::private_file;

/// Bounds on the idle timeout a teacher can choose, in seconds.
pub const IDLE_TIMEOUT_RANGE: std::ops::RangeInclusive<u32> = 30..=3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KioskConfig {
    /// `https://portal.school.example`; none until setup.
    pub portal_url: Option<String>,
    pub kiosk_name: String,
    /// Set by enrollment.
    pub kiosk_id: Option<String>,
    pub camera_index: Option<u32>,
    pub idle_timeout_secs: u32,
    pub language: Language,
    pub sounds: bool,
    pub allow_typed_login: bool,
    /// Origins the portal webview may navigate to besides the portal (from the school).
    pub allowed_origins: Vec<String>,
    /// Argon2id PHC string of the teacher PIN (see [`crate::pin`]); never the PIN.
    pub pin_hash: Option<String>,
    /// Whether the kiosk installs updates by itself (docs/updates.md); IT turns it `off`.
    pub updates: Updates,
    /// Where to ask for updates instead of the address built into the app: https, or plain
    /// http on this computer (a test or a demo), as [`KioskConfig::update_endpoint`] checks.
    pub update_endpoint: Option<String>,
}

/// The `updates` key of the config.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Updates {
    #[default]
    On,
    Off,
}

impl Default for KioskConfig {
    fn default() -> Self {
        Self {
            portal_url: None,
            kiosk_name: String::new(),
            kiosk_id: None,
            camera_index: None,
            idle_timeout_secs: Settings::default().idle_timeout_secs,
            language: Language::En,
            sounds: true,
            allow_typed_login: Settings::default().allow_typed_login,
            allowed_origins: Vec::new(),
            pin_hash: None,
            updates: Updates::On,
            update_endpoint: None,
        }
    }
}

impl KioskConfig {
    /// What the state machine follows, with the idle timeout kept in bounds.
    pub fn settings(&self) -> Settings {
        Settings {
            idle_timeout_secs: self
                .idle_timeout_secs
                .clamp(*IDLE_TIMEOUT_RANGE.start(), *IDLE_TIMEOUT_RANGE.end()),
            allow_typed_login: self.allow_typed_login,
        }
    }

    /// The update endpoint the config names, checked like a portal address (https, or http on
    /// loopback only); `Ok(None)` for the app's own.
    pub fn update_endpoint(&self) -> Result<Option<reqwest::Url>, PortalUrlError> {
        self.update_endpoint
            .as_deref()
            .map(portal_url::parse)
            .transpose()
    }

    /// Whether the teacher has chosen a PIN (setup stays closed until then).
    pub fn pin_set(&self) -> bool {
        self.pin_hash.is_some()
    }

    /// Records a successful enrollment with the portal at `portal_url` as `kiosk_name`.
    pub fn enrolled(&mut self, portal_url: &str, kiosk_name: &str, enrollment: &Enrollment) {
        self.portal_url = Some(portal_url.trim().to_owned());
        self.kiosk_name = kiosk_name.to_owned();
        self.kiosk_id = Some(enrollment.kiosk_id.clone());
        self.apply_school_settings(&enrollment.settings);
    }

    /// Takes the school's settings as the settings poll brings them; `true` when anything
    /// changed. The language stays the teacher's choice: the school's first language is only
    /// the default at enrollment.
    pub fn apply_polled_settings(&mut self, s: &badgein_proto::KioskSettings) -> bool {
        let before = self.clone();
        self.apply_school_settings(s);
        self.language = before.language;
        *self != before
    }

    /// Takes the school's settings from enrollment or `kiosks/me`.
    pub fn apply_school_settings(&mut self, s: &badgein_proto::KioskSettings) {
        self.idle_timeout_secs = s.idle_timeout_secs;
        self.allow_typed_login = s.allow_typed_login;
        self.allowed_origins = s.allowed_origins.clone();
        if let Some(l) = s.languages.first().and_then(|t| Language::from_tag(t)) {
            self.language = l;
        }
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("could not read {path}: {message}")]
    Read { path: PathBuf, message: String },
    /// The file is there but is not a config (position only: the contents are not repeated).
    #[error("{path} is damaged (line {line}, column {column}); setup will write a new one")]
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    #[error("could not save {path}: {message}")]
    Write { path: PathBuf, message: String },
}

/// Where the config lives: `$XDG_CONFIG_HOME/badgein/kiosk.json` (or the OS equivalent given
/// as `config_dir`).
pub fn path_in(config_dir: &Path) -> PathBuf {
    config_dir.join("badgein").join("kiosk.json")
}

/// Reads the config (tightening its permissions first); `Ok(None)` when there is none yet
/// (a new kiosk).
pub fn load(path: &Path) -> Result<Option<KioskConfig>, ConfigError> {
    let bytes = match private_file::read(path) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(None),
        Err(e) => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                message: e.to_string(),
            });
        }
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| ConfigError::Corrupt {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
        })
}

/// Writes the config atomically, readable by the kiosk's user only.
pub fn save(path: &Path, config: &KioskConfig) -> Result<(), ConfigError> {
    let err = |message: String| ConfigError::Write {
        path: path.to_owned(),
        message,
    };
    let mut json = serde_json::to_vec_pretty(config).map_err(|e| err(e.to_string()))?;
    json.push(b'\n');
    private_file::write_atomic(path, &json).map_err(|e| err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_and_loads_back_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        assert!(load(&path).unwrap().is_none(), "a new kiosk has no config");
        let config = KioskConfig {
            portal_url: Some("https://portal.example".into()),
            kiosk_name: "Room 12".into(),
            kiosk_id: Some("k_1".into()),
            camera_index: Some(1),
            language: Language::Es,
            pin_hash: Some(crate::pin::hash("246813").unwrap()),
            ..KioskConfig::default()
        };
        save(&path, &config).unwrap();
        assert_eq!(load(&path).unwrap(), Some(config.clone()));
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["kiosk.json"], "no temp file left behind");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("246813"), "the PIN itself is never written");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(
                mode & 0o777,
                0o600,
                "the PIN hash is the kiosk user's alone"
            );
        }
    }

    #[test]
    fn a_damaged_file_is_an_error_that_does_not_repeat_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.json");
        std::fs::write(
            &path,
            "{\"portal_url\": \"https://x\",\n  secret-ish garbage",
        )
        .unwrap();
        match load(&path) {
            Err(e @ ConfigError::Corrupt { line: 2, .. }) => {
                assert!(!e.to_string().contains("garbage"));
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        assert!(matches!(load(&path), Err(ConfigError::Corrupt { .. })));
    }

    #[test]
    fn polled_settings_keep_the_teachers_language_and_say_when_they_change() {
        let mut config = KioskConfig {
            language: Language::Es,
            ..KioskConfig::default()
        };
        let school = badgein_proto::KioskSettings {
            idle_timeout_secs: 300,
            allow_typed_login: false,
            allowed_origins: vec!["https://reading.example".into()],
            languages: vec!["en".into()],
            revoked: false,
        };
        assert!(config.apply_polled_settings(&school));
        assert_eq!(config.language, Language::Es);
        assert_eq!(config.idle_timeout_secs, 300);
        assert!(!config.allow_typed_login);
        assert!(
            !config.apply_polled_settings(&school),
            "nothing new the second time"
        );
    }

    #[test]
    fn updates_are_on_unless_turned_off_and_the_endpoint_is_https_or_loopback() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.json");
        std::fs::write(&path, r#"{"kiosk_name": "Library"}"#).unwrap();
        let config = load(&path).unwrap().unwrap();
        assert_eq!(config.updates, Updates::On);
        assert_eq!(config.update_endpoint(), Ok(None));
        std::fs::write(
            &path,
            r#"{"updates": "off", "update_endpoint": "https://updates.school.example/kiosk/{{target}}/{{current_version}}"}"#,
        )
        .unwrap();
        let config = load(&path).unwrap().unwrap();
        assert_eq!(config.updates, Updates::Off);
        assert!(config.update_endpoint().unwrap().is_some());
        for (endpoint, ok) in [
            ("http://127.0.0.1:8123/latest.json", true),
            ("http://updates.school.example/latest.json", false),
            ("file:///tmp/latest.json", false),
            ("https://user:pw@updates.example/latest.json", false),
        ] {
            let config = KioskConfig {
                update_endpoint: Some(endpoint.into()),
                ..KioskConfig::default()
            };
            assert_eq!(config.update_endpoint().is_ok(), ok, "{endpoint}");
        }
        std::fs::write(&path, r#"{"updates": "sometimes"}"#).unwrap();
        assert!(
            matches!(load(&path), Err(ConfigError::Corrupt { .. })),
            "an unknown value is not taken as on"
        );
    }

    #[test]
    fn missing_fields_take_defaults_and_the_timeout_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.json");
        std::fs::write(
            &path,
            r#"{"kiosk_name": "Library", "idle_timeout_secs": 5}"#,
        )
        .unwrap();
        let config = load(&path).unwrap().unwrap();
        assert_eq!(config.kiosk_name, "Library");
        assert!(config.sounds);
        assert_eq!(config.settings().idle_timeout_secs, 30);
    }
}
