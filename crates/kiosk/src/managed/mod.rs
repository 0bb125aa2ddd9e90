//! The machine-wide managed configuration that a school's IT deploys with its usual tools: read
//! before the user's config, its settings win and the setup screen shows them locked.
//!
//! Each OS keeps it in its own store, read by a small module that only turns that store into
//! [`Entry`]s (a key and a [`Value`]): `/etc/badgein/kiosk.toml` on Linux ([`toml_file`]),
//! `HKLM\Software\Policies\BadgeIn` on Windows (`windows_registry`), the managed preferences
//! domain `org.badgein.kiosk` on macOS (`macos_profile`). Everything else here is pure: the
//! entries are checked key by key ([`Managed::from_entries`]); an unknown key or a bad value is
//! reported ([`Problem`], never with the value, which may be the enrollment token) and that
//! one key ignored, so one typo does not undo the rest of IT's policy.
//!
//! `BADGEIN_MANAGED_CONFIG` names a TOML file to read instead, on every OS: for tests and for
//! building images. Whoever sets the kiosk's environment can already edit the user's config,
//! so it gives nobody more than they have. No file there (or at `/etc/badgein/kiosk.toml`)
//! means no managed configuration.

#[cfg(target_os = "macos")]
mod macos_profile;
mod toml_file;
#[cfg(windows)]
mod windows_registry;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::config::{IDLE_TIMEOUT_RANGE, KioskConfig};
use crate::machine::Language;
use crate::portal_url;
use crate::redacted::Redacted;
use crate::setup::SetupChange;

pub use toml_file::parse as parse_toml;

/// The environment variable naming a TOML file to read instead of the OS's store.
pub const PATH_VAR: &str = "BADGEIN_MANAGED_CONFIG";

/// Where Linux (and every Unix but macOS) keeps it.
pub const LINUX_PATH: &str = "/etc/badgein/kiosk.toml";

/// Longest portal address accepted.
const MAX_URL_LEN: usize = 2048;
/// Longest enrollment token or code accepted (a fleet token is 30 characters).
const MAX_TOKEN_LEN: usize = 64;
/// Longest kiosk name, as the portal accepts it.
pub const MAX_NAME_CHARS: usize = 100;

/// A value as the OS store holds it. Registry DWORDs and plist integers are `Number`.
#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Number(i64),
    Bool(bool),
    /// Any other kind (a list, a table, a date, a float...): named for the report.
    Other(&'static str),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Self::Text(_) => "text",
            Self::Number(_) => "a number",
            Self::Bool(_) => "true/false",
            Self::Other(kind) => kind,
        }
    }
}

/// Never the text itself: it may be the enrollment token.
impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(t) => write!(f, "Text(<{} bytes>)", t.len()),
            Self::Number(n) => write!(f, "Number({n})"),
            Self::Bool(b) => write!(f, "Bool({b})"),
            Self::Other(kind) => write!(f, "Other({kind})"),
        }
    }
}

/// One key of the OS store with its value.
pub type Entry = (String, Value);

/// The settings the setup screen shows locked (`get_setup`'s `locked`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Locked {
    PortalUrl,
    KioskName,
    IdleTimeoutSecs,
    Language,
    Sounds,
}

/// The keys of the managed configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    PortalUrl,
    Language,
    IdleTimeoutSecs,
    Sounds,
    EnrollmentToken,
    KioskName,
}

impl Key {
    const ALL: [Key; 6] = [
        Self::PortalUrl,
        Self::Language,
        Self::IdleTimeoutSecs,
        Self::Sounds,
        Self::EnrollmentToken,
        Self::KioskName,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::PortalUrl => "portal_url",
            Self::Language => "language",
            Self::IdleTimeoutSecs => "idle_timeout_secs",
            Self::Sounds => "sounds",
            Self::EnrollmentToken => "enrollment_token",
            Self::KioskName => "kiosk_name",
        }
    }

    fn of(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What was wrong with one key; that key is ignored. The value is never repeated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Problem {
    /// The name is shown escaped and cut short: it came from outside.
    #[error("unknown key {0:?} ignored")]
    UnknownKey(String),
    #[error("{key} should be {want}, not {found}; ignored")]
    WrongType {
        key: Key,
        want: &'static str,
        found: &'static str,
    },
    #[error("{key} is out of range ({why}); ignored")]
    OutOfRange { key: Key, why: &'static str },
    #[error("{key} is not valid ({why}); ignored")]
    Invalid { key: Key, why: String },
}

/// The managed settings that were set and valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Managed {
    /// An origin: `https://host[:port]`, or plain http on loopback.
    pub portal_url: Option<String>,
    pub language: Option<Language>,
    pub idle_timeout_secs: Option<u32>,
    pub sounds: Option<bool>,
    /// A fleet token (`BFT-...`) or an enrollment code: only ever sent to the portal.
    pub enrollment_token: Option<Redacted>,
    pub kiosk_name: Option<String>,
}

impl Managed {
    /// Whether the kiosk may enroll at `origin`: anywhere unless IT set the portal, then only
    /// there (a setup QR naming another portal is refused before anything is deleted or sent).
    pub fn allows_portal(&self, origin: &str) -> bool {
        self.portal_url.as_deref().is_none_or(|set| set == origin)
    }

    /// Checks each entry on its own: the valid ones are kept, the others reported.
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> (Self, Vec<Problem>) {
        let mut managed = Self::default();
        let mut problems = Vec::new();
        for (name, value) in entries {
            let Some(key) = Key::of(&name) else {
                problems.push(Problem::UnknownKey(shown_key(&name)));
                continue;
            };
            if let Err(problem) = managed.set(key, value) {
                problems.push(problem);
            }
        }
        (managed, problems)
    }

    fn set(&mut self, key: Key, value: Value) -> Result<(), Problem> {
        match key {
            Key::PortalUrl => self.portal_url = Some(origin(&text(key, value, MAX_URL_LEN)?)?),
            Key::Language => {
                let tag = text(key, value, 8)?;
                self.language = Some(match tag.to_ascii_lowercase().as_str() {
                    "en" => Language::En,
                    "es" => Language::Es,
                    _ => {
                        return Err(Problem::Invalid {
                            key,
                            why: "en or es".into(),
                        });
                    }
                });
            }
            Key::IdleTimeoutSecs => {
                let n = number(key, value)?;
                self.idle_timeout_secs = Some(
                    u32::try_from(n)
                        .ok()
                        .filter(|n| IDLE_TIMEOUT_RANGE.contains(n))
                        .ok_or(Problem::OutOfRange {
                            key,
                            why: "30 to 3600 seconds",
                        })?,
                );
            }
            Key::Sounds => {
                self.sounds = Some(match value {
                    Value::Bool(b) => b,
                    // A registry DWORD: 0 or 1.
                    Value::Number(0) => false,
                    Value::Number(1) => true,
                    Value::Number(_) => {
                        return Err(Problem::OutOfRange { key, why: "0 or 1" });
                    }
                    other => return Err(wrong_type(key, "true/false (or 0/1)", &other)),
                });
            }
            Key::EnrollmentToken => {
                let token = text(key, value, MAX_TOKEN_LEN)?;
                if !is_token_or_code(&token) {
                    return Err(Problem::Invalid {
                        key,
                        why: "not a fleet token (BFT-...) or an enrollment code (XXXXX-XXXXX)"
                            .into(),
                    });
                }
                self.enrollment_token = Some(Redacted::new(token));
            }
            Key::KioskName => {
                let name = text(key, value, MAX_NAME_CHARS * 4)?;
                self.kiosk_name = Some(kiosk_name(&name).ok_or_else(|| Problem::Invalid {
                    key,
                    why: format!("1 to {MAX_NAME_CHARS} printable characters"),
                })?);
            }
        }
        Ok(())
    }

    /// Whether there is nothing managed at all.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The setup screen's controls that IT has set.
    pub fn locked(&self) -> Vec<Locked> {
        [
            (self.portal_url.is_some(), Locked::PortalUrl),
            (self.kiosk_name.is_some(), Locked::KioskName),
            (self.idle_timeout_secs.is_some(), Locked::IdleTimeoutSecs),
            (self.language.is_some(), Locked::Language),
            (self.sounds.is_some(), Locked::Sounds),
        ]
        .into_iter()
        .filter_map(|(set, locked)| set.then_some(locked))
        .collect()
    }

    /// The user's config with IT's settings over it. A managed portal on another origin than
    /// the config's means the kiosk's enrollment there is not this portal's (`kiosk_id` goes).
    /// Call it again after anything else changes the config (setup, the school's settings):
    /// IT's settings win over the teacher's and the school's.
    pub fn overlay(&self, config: &mut KioskConfig) {
        if let Some(url) = &self.portal_url {
            let origin_of = |u: &str| portal_url::parse(u).ok().map(|u| u.origin());
            if config.portal_url.as_deref().and_then(origin_of) != origin_of(url) {
                config.kiosk_id = None;
            }
            config.portal_url = Some(url.clone());
        }
        if let Some(name) = &self.kiosk_name {
            config.kiosk_name = name.clone();
        }
        if let Some(secs) = self.idle_timeout_secs {
            config.idle_timeout_secs = secs;
        }
        if let Some(language) = self.language {
            config.language = language;
        }
        if let Some(sounds) = self.sounds {
            config.sounds = sounds;
        }
    }

    /// Setup's Save with the locked controls put back to IT's values, whatever the window sent.
    pub fn lock(&self, change: &mut SetupChange) {
        if let Some(url) = &self.portal_url {
            change.portal_url = url.clone();
        }
        if let Some(name) = &self.kiosk_name {
            change.kiosk_name = name.clone();
        }
        if let Some(secs) = self.idle_timeout_secs {
            change.idle_timeout_secs = secs;
        }
        if let Some(language) = self.language {
            change.language = language;
        }
        if let Some(sounds) = self.sounds {
            change.sounds = sounds;
        }
    }
}

/// Why the managed configuration could not be read at all (then none applies).
#[derive(Debug, Error)]
pub enum ManagedError {
    #[error("could not read the managed configuration {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("the managed configuration {path} is larger than {limit} bytes")]
    TooLarge { path: PathBuf, limit: usize },
    /// Position only: the file may hold the enrollment token.
    #[error("the managed configuration {path} is not valid TOML (line {line}, column {column})")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    #[error("could not read the managed configuration from {store}: {message}")]
    Store {
        store: &'static str,
        message: String,
    },
}

/// Reads this machine's managed configuration: the file `BADGEIN_MANAGED_CONFIG` names, else
/// the OS's store. Problems with single keys come back beside it, to be logged.
pub fn load() -> Result<(Managed, Vec<Problem>), ManagedError> {
    match std::env::var_os(PATH_VAR) {
        Some(path) => load_file(Path::new(&path)),
        None => Ok(Managed::from_entries(read_os_store()?)),
    }
}

/// The managed configuration in the TOML file at `path` (none when there is no file).
pub fn load_file(path: &Path) -> Result<(Managed, Vec<Problem>), ManagedError> {
    Ok(Managed::from_entries(toml_file::read(path)?))
}

/// [`load`], with every problem logged (without values) and an unreadable store taken as none.
pub fn load_logged() -> Managed {
    match load() {
        Ok((managed, problems)) => {
            for problem in &problems {
                tracing::warn!(%problem, "managed configuration");
            }
            if !managed.is_empty() {
                tracing::info!(locked = ?managed.locked(), token = managed.enrollment_token.is_some(), "managed configuration in force");
            }
            managed
        }
        Err(error) => {
            tracing::error!(%error, "managed configuration ignored");
            Managed::default()
        }
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
fn read_os_store() -> Result<Vec<Entry>, ManagedError> {
    toml_file::read(Path::new(LINUX_PATH))
}

#[cfg(windows)]
fn read_os_store() -> Result<Vec<Entry>, ManagedError> {
    windows_registry::read()
}

#[cfg(target_os = "macos")]
fn read_os_store() -> Result<Vec<Entry>, ManagedError> {
    macos_profile::read()
}

#[cfg(not(any(unix, windows)))]
fn read_os_store() -> Result<Vec<Entry>, ManagedError> {
    Ok(Vec::new())
}

fn wrong_type(key: Key, want: &'static str, found: &Value) -> Problem {
    Problem::WrongType {
        key,
        want,
        found: found.kind(),
    }
}

fn text(key: Key, value: Value, max_bytes: usize) -> Result<String, Problem> {
    match value {
        Value::Text(t) if t.len() > max_bytes => Err(Problem::OutOfRange {
            key,
            why: "too long",
        }),
        Value::Text(t) => Ok(t.trim().to_owned()),
        other => Err(wrong_type(key, "text", &other)),
    }
}

fn number(key: Key, value: Value) -> Result<i64, Problem> {
    match value {
        Value::Number(n) => Ok(n),
        other => Err(wrong_type(key, "a number", &other)),
    }
}

/// The portal's origin, as text; a path, query or fragment is refused (the contract asks for
/// an origin, and a path would be dropped by nothing).
fn origin(text: &str) -> Result<String, Problem> {
    let invalid = |why: String| Problem::Invalid {
        key: Key::PortalUrl,
        why,
    };
    let url = portal_url::parse(text).map_err(|e| invalid(e.to_string()))?;
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("an origin only: no path, query or fragment".into()));
    }
    Ok(url.origin().ascii_serialization())
}

/// A fleet token (`BFT-` and 26 base32 characters) or an enrollment code (10 base32
/// characters), compared as the portal does: without case, dashes or spaces.
fn is_token_or_code(text: &str) -> bool {
    let base32 = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    };
    let normal: String = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ' ')
    {
        return false;
    }
    match normal.len() {
        10 => base32(&normal),
        29 => normal.strip_prefix("BFT").is_some_and(base32),
        _ => false,
    }
}

/// A kiosk name the portal accepts: trimmed, 1 to 100 characters, none a control character.
pub fn kiosk_name(text: &str) -> Option<String> {
    let name = text.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && !name.chars().any(char::is_control);
    ok.then(|| name.to_owned())
}

/// An unknown key as the report shows it: escaped, at most 40 characters.
fn shown_key(name: &str) -> String {
    let mut shown: String = name.chars().take(40).collect();
    if name.chars().nth(40).is_some() {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests;
