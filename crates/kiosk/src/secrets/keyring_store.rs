//! The OS secret store through the `keyring` crate: macOS Keychain, Windows Credential
//! Manager, and on Linux the Secret Service (GNOME Keyring, KWallet). (keyring 3.6's
//! `linux-native-sync-persistent` store is named for a keyutils cache, but its entries are
//! Secret Service ones alone: without a D-Bus session and an unlocked keyring nothing is kept.)
//! The crate is built with a real store for every OS: without one it silently uses a mock
//! that forgets everything, which the self-check would catch.

use keyring::credential::{CredentialBuilder, CredentialPersistence};
use keyring::{Entry, Error};

use super::{Credential, SecretError, SecretStore, probe_value};
use crate::redacted::Redacted;

/// The service name entries are filed under.
pub const SERVICE: &str = "org.badgein.kiosk";
const USER: &str = "device-credential";
const PROBE_USER: &str = "self-check";

/// What the teacher reads when the self-check fails (on Linux, where it usually does, the
/// keyutils cache alone would lose the credential at the next reboot).
#[cfg(target_os = "linux")]
const HELP: &str = "the kiosk keeps its device credential in the desktop keyring \
(Secret Service: GNOME Keyring or KWallet), which must be running and unlocked in this \
session";
#[cfg(not(target_os = "linux"))]
const HELP: &str = "the kiosk keeps its device credential in the system keychain, which \
must be available to this user account";

pub struct KeyringStore {
    service: String,
    /// `None`: the platform's default store. Tests pass keyring's own mock.
    builder: Option<Box<CredentialBuilder>>,
}

impl std::fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyringStore")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new(SERVICE)
    }
}

impl KeyringStore {
    /// The platform's store, entries filed under `service`.
    pub fn new(service: &str) -> Self {
        Self {
            service: service.to_owned(),
            builder: None,
        }
    }

    /// Another keyring store (keyring's mock in tests).
    pub fn with_builder(service: &str, builder: Box<CredentialBuilder>) -> Self {
        Self {
            service: service.to_owned(),
            builder: Some(builder),
        }
    }

    fn entry(&self, user: &str) -> Result<Entry, SecretError> {
        match &self.builder {
            Some(b) => b
                .build(None, &self.service, user)
                .map(Entry::new_with_credential),
            None => Entry::new(&self.service, user),
        }
        .map_err(store_error)
    }

    fn persistence(&self) -> CredentialPersistence {
        match &self.builder {
            Some(b) => b.persistence(),
            None => keyring::default::default_credential_builder().persistence(),
        }
    }
}

impl SecretStore for KeyringStore {
    fn load(&self) -> Result<Option<Credential>, SecretError> {
        match self.entry(USER)?.get_password() {
            Ok(p) => Credential::from_stored(&Redacted::new(p)).map(Some),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(store_error(e)),
        }
    }

    fn store(&self, credential: &Credential) -> Result<(), SecretError> {
        self.entry(USER)?
            .set_password(credential.to_stored().expose())
            .map_err(store_error)
    }

    fn delete(&self) -> Result<(), SecretError> {
        match self.entry(USER)?.delete_credential() {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }

    fn self_check(&self) -> Result<(), SecretError> {
        if !matches!(self.persistence(), CredentialPersistence::UntilDelete) {
            return Err(SecretError::NotPersistent(format!(
                "this build's secret store forgets the credential on restart; {HELP}"
            )));
        }
        let not_persistent = |e: Error| SecretError::NotPersistent(format!("{HELP} ({e})"));
        let probe = self.entry(PROBE_USER)?;
        let value = probe_value()?;
        probe.set_password(&value).map_err(not_persistent)?;
        let read = probe.get_password();
        // Clean up whatever the read said.
        let deleted = probe.delete_credential();
        match read {
            Ok(v) if v == value => {}
            Ok(_) => {
                return Err(SecretError::NotPersistent(
                    "the secret store gave back a different value".into(),
                ));
            }
            Err(e) => return Err(not_persistent(e)),
        }
        deleted.map_err(not_persistent)
    }
}

/// keyring's messages describe the store, never the secret.
fn store_error(e: Error) -> SecretError {
    SecretError::Store(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential(secret: &str) -> Credential {
        let portal = url::Url::parse("https://portal.example").unwrap();
        Credential::issued_by(&portal, Redacted::new(secret))
    }

    #[test]
    fn a_store_that_forgets_is_refused_with_a_reason() {
        let store = KeyringStore::with_builder(
            "org.badgein.kiosk.test",
            keyring::mock::default_credential_builder(),
        );
        let err = store.self_check().unwrap_err();
        assert!(matches!(err, SecretError::NotPersistent(ref m) if m.contains(HELP)));
        // ...and rightly so: keyring's mock loses what it was given as soon as the entry goes.
        store.store(&credential("cred")).unwrap();
        assert_eq!(store.load().unwrap(), None);
    }

    /// What this machine lacks when the platform store is unusable, for the failure message.
    #[cfg(target_os = "linux")]
    fn missing_store() -> String {
        let bus = match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
            Ok(address) if !address.is_empty() => "a D-Bus session bus is set".to_owned(),
            _ => "DBUS_SESSION_BUS_ADDRESS is not set: there is no D-Bus session".to_owned(),
        };
        format!(
            "this test needs the Secret Service the kiosk keeps its credential in: a D-Bus \
             session with an unlocked keyring ({bus}). Run it as scripts/test does: \
             `dbus-run-session -- tests/e2e/with-keyring cargo nextest run -p \
             badgein-kiosk-core` (gnome-keyring and dbus-daemon, installed by scripts/setup)"
        )
    }
    #[cfg(not(target_os = "linux"))]
    fn missing_store() -> String {
        "this test needs the system keychain of the user running it".to_owned()
    }

    /// The store a real kiosk uses, against the real OS keyring: saved, read back, deleted.
    /// A kiosk whose store is unusable cannot enroll, so neither may this test pass then: it
    /// fails, naming what is missing. scripts/test (CI) runs the Rust suites inside a D-Bus
    /// session with an unlocked GNOME Keyring (tests/e2e/with-keyring).
    #[test]
    fn the_platform_store_keeps_a_credential() {
        let service = format!("org.badgein.kiosk.test.{}", std::process::id());
        let store = KeyringStore::new(&service);
        if let Err(error) = store.self_check() {
            panic!(
                "the platform secret store is unusable: {error}\n{}",
                missing_store()
            );
        }
        let cred = credential("a-device-credential");
        store.store(&cred).unwrap();
        assert_eq!(store.load().unwrap(), Some(cred.clone()));

        // Not a cache in this process: the Secret Service itself holds the credential (the copy
        // that outlives a reboot), asked directly.
        #[cfg(target_os = "linux")]
        let in_secret_service = || {
            Entry::new_with_credential(
                keyring::secret_service::default_credential_builder()
                    .build(None, &service, USER)
                    .unwrap(),
            )
            .get_password()
        };
        #[cfg(target_os = "linux")]
        assert_eq!(in_secret_service().unwrap(), cred.to_stored().expose());

        // A second store on the same service name (the kiosk after a restart) reads it back.
        let restarted = KeyringStore::new(&service);
        assert_eq!(restarted.load().unwrap(), Some(cred));

        store.delete().unwrap();
        assert_eq!(store.load().unwrap(), None);
        #[cfg(target_os = "linux")]
        assert!(matches!(in_secret_service(), Err(Error::NoEntry)));
    }
}
