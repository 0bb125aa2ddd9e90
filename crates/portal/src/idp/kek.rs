//! The key-encryption key: 256 random bits in a file outside the database, which seal the
//! signing keys' private halves (XChaCha20-Poly1305, a random 192-bit nonce per seal, the key's
//! kid and algorithm as associated data so a sealed key cannot be moved to another row).
//!
//! The file holds 64 hex digits. It is made (0600, never overwritten) only when the database
//! has no signing keys yet; once keys exist, a missing file is an error, never a reason to make
//! a new one, and a different file is told apart from a damaged row (docs/identity-provider.md).

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};

use super::KeyError;

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
/// Poly1305's tag.
const TAG_LEN: usize = 16;
/// HKDF's salt for [`Kek::derive_hmac_key`]: fixed, naming the use (RFC 5869, section 3.1).
const HKDF_SALT: &[u8] = b"badgein key file v1";

/// The key. `Debug` never shows it.
pub struct Kek {
    cipher: XChaCha20Poly1305,
    /// HKDF's pseudorandom key from the file's bytes, for [`Kek::derive_hmac_key`].
    prk: ring::hkdf::Prk,
    path: PathBuf,
}

impl fmt::Debug for Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kek").field("path", &self.path).finish()
    }
}

/// Whether [`Kek::load`] may make the file when it is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMissing {
    /// The database has no sealed keys: a new file is safe.
    Create,
    /// Sealed keys exist: only the file that sealed them opens them.
    Refuse,
}

impl Kek {
    /// Reads the key file at `path`, or makes it (see [`IfMissing`]).
    pub fn load(path: &Path, if_missing: IfMissing) -> Result<Self, KeyError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return match if_missing {
                    IfMissing::Create => match Self::create(path) {
                        // Another instance made it first: use theirs.
                        Err(KeyError::KekUnwritable { source, .. })
                            if source.kind() == std::io::ErrorKind::AlreadyExists =>
                        {
                            Self::load(path, IfMissing::Refuse)
                        }
                        made => made,
                    },
                    IfMissing::Refuse => Err(KeyError::KekMissing(path.to_owned())),
                };
            }
            Err(source) => {
                return Err(KeyError::KekUnreadable {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let key = decode_hex(text.trim()).ok_or_else(|| KeyError::KekMalformed(path.to_owned()))?;
        Self::from_bytes(&key, path)
    }

    fn create(path: &Path) -> Result<Self, KeyError> {
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key).map_err(KeyError::Random)?;
        let mut text: String = key.iter().map(|b| format!("{b:02x}")).collect();
        text.push('\n');
        let unwritable = |source| KeyError::KekUnwritable {
            path: path.to_owned(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        // create_new: two instances starting at once never overwrite each other's key.
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(unwritable)?;
        file.write_all(text.as_bytes()).map_err(unwritable)?;
        file.sync_all().map_err(unwritable)?;
        tracing::info!(path = %path.display(), "made a new key-encryption key file");
        Self::from_bytes(&key, path)
    }

    fn from_bytes(key: &[u8], path: &Path) -> Result<Self, KeyError> {
        let cipher = XChaCha20Poly1305::new_from_slice(key)
            .map_err(|_| KeyError::KekMalformed(path.to_owned()))?;
        let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, HKDF_SALT).extract(key);
        Ok(Self {
            cipher,
            prk,
            path: path.to_owned(),
        })
    }

    /// An HMAC-SHA256 key for one `purpose`, derived from this file by HKDF-SHA256 (RFC 5869):
    /// independent of the sealing key and of every other purpose's, so a use of one reveals
    /// nothing of the others, yet nothing new needs keeping, backing up or moving.
    pub fn derive_hmac_key(&self, purpose: &[u8]) -> Result<ring::hmac::Key, KeyError> {
        // Fails only for an output longer than HKDF's 255 blocks; this is one.
        let info = [purpose];
        let okm = self
            .prk
            .expand(&info, ring::hmac::HMAC_SHA256)
            .map_err(|_| KeyError::Derive)?;
        Ok(ring::hmac::Key::from(okm))
    }

    /// The file this key came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `nonce || ciphertext || tag` of `plaintext`, bound to `aad`.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(KeyError::Random)?;
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| KeyError::Seal)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The plaintext of [`Self::seal`]'s output, or `None` when this key did not seal it for
    /// `aad` (another key file, another row, or damaged bytes: AEAD cannot tell these apart).
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).ok()?;
        self.cipher.decrypt(&nonce, Payload { msg: body, aad }).ok()
    }
}

fn decode_hex(text: &str) -> Option<[u8; KEY_LEN]> {
    if text.len() != KEY_LEN * 2 || !text.is_ascii() {
        return None;
    }
    let mut key = [0u8; KEY_LEN];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(key)
}

/// Where the key file is when none is given: beside a SQLite database file
/// (`badgein.db` -> `badgein.db.kek`), so the two are backed up and moved together by anyone
/// who reads docs/operations.md, yet a copy of the database file alone cannot sign. PostgreSQL
/// has no such place: `None`, and `--key-file` is required.
pub fn default_path(db_url: &str) -> Option<PathBuf> {
    if db_url.starts_with("postgres://") || db_url.starts_with("postgresql://") {
        return None;
    }
    let path = db_url
        .strip_prefix("sqlite://")
        .or_else(|| db_url.strip_prefix("sqlite:"))
        .map_or(db_url, |rest| rest.split('?').next().unwrap_or(rest));
    if path.is_empty() || path.starts_with(':') {
        // `sqlite::memory:`: nothing on disk to sit beside.
        return None;
    }
    let mut name = PathBuf::from(path).into_os_string();
    name.push(".kek");
    Some(PathBuf::from(name))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn temp_path(name: &str) -> PathBuf {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        let suffix: String = b.iter().map(|x| format!("{x:02x}")).collect();
        std::env::temp_dir().join(format!("badgein-kek-{name}-{suffix}"))
    }

    #[test]
    fn made_once_private_and_read_back() {
        let path = temp_path("made");
        let made = Kek::load(&path, IfMissing::Create).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let sealed = made.seal(b"private key", b"kid|RS256").unwrap();
        let read = Kek::load(&path, IfMissing::Refuse).unwrap();
        assert_eq!(read.open(&sealed, b"kid|RS256").unwrap(), b"private key");
        // Bound to its row: another kid's associated data does not open it.
        assert!(read.open(&sealed, b"other|RS256").is_none());
        assert!(!format!("{read:?}").contains(&std::fs::read_to_string(&path).unwrap()));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn derived_keys_differ_by_purpose_and_file_and_repeat() {
        let (one, two) = (temp_path("hkdf1"), temp_path("hkdf2"));
        let a = Kek::load(&one, IfMissing::Create).unwrap();
        let b = Kek::load(&two, IfMissing::Create).unwrap();
        let mac = |k: &Kek, purpose: &[u8]| {
            ring::hmac::sign(&k.derive_hmac_key(purpose).unwrap(), b"2012-01-05")
                .as_ref()
                .to_vec()
        };
        assert_eq!(
            mac(&a, b"birth"),
            mac(&Kek::load(&one, IfMissing::Refuse).unwrap(), b"birth")
        );
        assert_ne!(mac(&a, b"birth"), mac(&a, b"other"));
        assert_ne!(mac(&a, b"birth"), mac(&b, b"birth"));
        std::fs::remove_file(&one).unwrap();
        std::fs::remove_file(&two).unwrap();
    }

    #[test]
    fn a_missing_file_is_refused_unless_asked_to_create() {
        let path = temp_path("missing");
        assert!(matches!(
            Kek::load(&path, IfMissing::Refuse),
            Err(KeyError::KekMissing(_))
        ));
        assert!(!path.exists());
    }

    #[test]
    fn malformed_files_and_damaged_seals_are_errors_not_panics() {
        for text in [
            "",
            "zz",
            "00",
            &"g".repeat(64),
            &"0".repeat(63),
            "é".repeat(32).as_str(),
        ] {
            let path = temp_path("bad");
            std::fs::write(&path, text).unwrap();
            assert!(
                matches!(
                    Kek::load(&path, IfMissing::Refuse),
                    Err(KeyError::KekMalformed(_))
                ),
                "{text:?}"
            );
            std::fs::remove_file(&path).unwrap();
        }
        let path = temp_path("seal");
        let kek = Kek::load(&path, IfMissing::Create).unwrap();
        let sealed = kek.seal(b"secret", b"aad").unwrap();
        for cut in [0, 1, 23, 24, 39, sealed.len() - 1] {
            assert!(kek.open(&sealed[..cut], b"aad").is_none(), "{cut}");
        }
        let mut flipped = sealed.clone();
        flipped[30] ^= 1;
        assert!(kek.open(&flipped, b"aad").is_none());
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn default_path_is_beside_a_sqlite_file() {
        assert_eq!(
            default_path("/srv/badgein.db"),
            Some(PathBuf::from("/srv/badgein.db.kek"))
        );
        assert_eq!(
            default_path("sqlite:///srv/b.db?mode=rwc"),
            Some(PathBuf::from("/srv/b.db.kek"))
        );
        assert_eq!(default_path("sqlite::memory:"), None);
        assert_eq!(default_path("postgres://u@h/db"), None);
    }
}
