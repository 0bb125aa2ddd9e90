//! What the setup screen's Save does to the config: the rules, so the shell only translates.
//! Addresses and names are trimmed, the idle timeout kept in bounds, a new PIN checked and
//! hashed, and a config without a teacher PIN is never saved. When the portal's origin
//! changes the kiosk must enroll again ([`Applied::portal_changed`]): its credential belongs
//! to the old portal and is deleted by [`crate::enroll::unenroll`].

use serde::Deserialize;
use thiserror::Error;

use crate::config::{IDLE_TIMEOUT_RANGE, KioskConfig};
use crate::machine::{Code, Language};
use crate::pin::{self, PinError};
use crate::portal_url::{self, PortalUrlError};

/// `save_setup`'s arguments (docs/kiosk-ipc.md).
#[derive(Debug, Clone, Deserialize)]
pub struct SetupChange {
    pub portal_url: String,
    pub kiosk_name: String,
    pub camera_index: Option<u32>,
    pub idle_timeout_secs: u32,
    pub language: Language,
    pub sounds: bool,
    pub new_pin: Option<String>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SetupError {
    /// Setup saves nothing before a teacher PIN is chosen.
    #[error("no teacher PIN is set")]
    NoPin,
    #[error(transparent)]
    PortalUrl(#[from] PortalUrlError),
    #[error(transparent)]
    Pin(#[from] PinError),
}

impl SetupError {
    /// The message for the setup screen.
    pub fn code(&self) -> Code {
        match self {
            Self::NoPin => Code::PinInvalid,
            Self::PortalUrl(_) => Code::Problem(badgein_proto::ProblemCode::BadRequest),
            Self::Pin(e) => e.code(),
        }
    }
}

/// The config to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub config: KioskConfig,
    /// The portal's origin is not the one the kiosk enrolled with: unenroll, then ask for an
    /// enrollment code.
    pub portal_changed: bool,
}

/// `current` changed as the teacher asked. Hashes a new PIN, which takes a moment: call it
/// off the async workers.
pub fn apply(current: &KioskConfig, change: SetupChange) -> Result<Applied, SetupError> {
    let portal = change.portal_url.trim();
    let portal = if portal.is_empty() {
        None
    } else {
        Some(portal_url::parse(portal)?)
    };
    let pin_hash = match change.new_pin.as_deref() {
        Some(new_pin) => Some(pin::hash(new_pin)?),
        None => current.pin_hash.clone(),
    };
    if pin_hash.is_none() {
        return Err(SetupError::NoPin);
    }
    let old_origin = current
        .portal_url
        .as_deref()
        .and_then(|u| portal_url::parse(u).ok())
        .map(|u| u.origin());
    let portal_changed = old_origin != portal.as_ref().map(url::Url::origin);
    let mut config = current.clone();
    config.portal_url = portal
        .is_some()
        .then(|| change.portal_url.trim().to_owned());
    if portal_changed {
        config.kiosk_id = None;
    }
    config.kiosk_name = change.kiosk_name.trim().to_owned();
    config.camera_index = change.camera_index;
    config.idle_timeout_secs = change
        .idle_timeout_secs
        .clamp(*IDLE_TIMEOUT_RANGE.start(), *IDLE_TIMEOUT_RANGE.end());
    config.language = change.language;
    config.sounds = change.sounds;
    config.pin_hash = pin_hash;
    Ok(Applied {
        config,
        portal_changed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enrolled() -> KioskConfig {
        KioskConfig {
            portal_url: Some("https://portal-a.example".into()),
            kiosk_name: "Room 12".into(),
            kiosk_id: Some("k_1".into()),
            pin_hash: Some(pin::hash("246813").unwrap()),
            ..KioskConfig::default()
        }
    }

    fn change(portal_url: &str) -> SetupChange {
        SetupChange {
            portal_url: portal_url.into(),
            kiosk_name: "  Library  ".into(),
            camera_index: Some(2),
            idle_timeout_secs: 5,
            language: Language::Es,
            sounds: false,
            new_pin: None,
        }
    }

    #[test]
    fn fields_are_trimmed_and_bounded_and_the_pin_kept() {
        let current = enrolled();
        let applied = apply(&current, change("  https://portal-a.example/  ")).unwrap();
        assert!(
            !applied.portal_changed,
            "the same origin, spaces and a slash aside"
        );
        let c = applied.config;
        assert_eq!(c.portal_url.as_deref(), Some("https://portal-a.example/"));
        assert_eq!(c.kiosk_name, "Library");
        assert_eq!(c.kiosk_id.as_deref(), Some("k_1"));
        assert_eq!(c.idle_timeout_secs, 30);
        assert_eq!(
            (c.camera_index, c.language, c.sounds),
            (Some(2), Language::Es, false)
        );
        assert_eq!(c.pin_hash, current.pin_hash);
        let long = SetupChange {
            idle_timeout_secs: 99_999,
            ..change("https://portal-a.example")
        };
        assert_eq!(
            apply(&current, long).unwrap().config.idle_timeout_secs,
            3600
        );
    }

    #[test]
    fn another_origin_means_enrolling_again() {
        for other in [
            "https://portal-b.example",
            "https://portal-a.example:8443",
            "http://127.0.0.1:9",
            "",
        ] {
            let applied = apply(&enrolled(), change(other)).unwrap();
            assert!(applied.portal_changed, "{other}");
            assert_eq!(applied.config.kiosk_id, None, "{other}");
        }
    }

    #[test]
    fn nothing_is_saved_without_a_pin_or_with_a_bad_one() {
        let fresh = KioskConfig::default();
        assert_eq!(
            apply(&fresh, change("https://portal-a.example")),
            Err(SetupError::NoPin)
        );
        let short = SetupChange {
            new_pin: Some("1357".into()),
            ..change("https://portal-a.example")
        };
        assert_eq!(
            apply(&enrolled(), short).map_err(|e| e.code()),
            Err(Code::PinInvalid)
        );
        let bad_url = change("http://portal.example");
        assert_eq!(
            apply(&enrolled(), bad_url).map_err(|e| e.code()),
            Err(Code::Problem(badgein_proto::ProblemCode::BadRequest))
        );
        let new_pin = SetupChange {
            new_pin: Some("135790".into()),
            ..change("https://portal-a.example")
        };
        let applied = apply(&fresh, new_pin).unwrap();
        assert!(pin::verify(
            applied.config.pin_hash.as_deref().unwrap(),
            "135790"
        ));
    }
}
