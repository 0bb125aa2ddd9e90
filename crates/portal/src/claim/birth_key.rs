//! The key of the birth-date hashes. A date of birth is kept only as
//! HMAC-SHA256(key, user id, 0, `YYYY-MM-DD`): the user id in it makes two children born the
//! same day hash apart (a dump shows no shared birthdays), and the key makes the hash useless
//! without it (there are only some 36,500 dates in a century: a plain hash, even salted, falls
//! to trying them all).
//!
//! The key is derived (HKDF-SHA256, [`Kek::derive_hmac_key`]) from the key file that already
//! seals the identity provider's signing keys (`idp::kek`: `<db>.kek` beside SQLite, made
//! 0600; `--key-file` / `BADGEIN_KEY_FILE` for PostgreSQL, so the secret comes from the
//! environment there) rather than kept in a second file, because:
//!
//! * it already lives outside the database, with a backup and restore story
//!   (docs/operations.md) operators follow; a second file would be a second thing to lose;
//! * the start of `serve` already proves it is this database's file (it must open the sealed
//!   signing keys), so hashes are never checked against another database's key by mistake;
//! * HKDF with its own purpose string makes the HMAC key independent of the sealing key.
//!
//! The rule that guards both uses: the file is made only while the database holds neither
//! sealed keys nor birth-date hashes ([`Portal::key_file_may_be_made`]); once either exists a
//! missing file is an error, never a reason to make a new one (which would silently turn
//! every stored hash into one no date matches).

use std::fmt;

use badgein_roster::BirthDate;

use crate::error::Result;
use crate::idp::KeyError;
use crate::idp::kek::{IfMissing, Kek};
use crate::ids::UserId;
use crate::portal::Portal;

/// HKDF's `info` for this key: changing it would orphan every stored hash.
const PURPOSE: &[u8] = b"badgein birth-date hmac v1";

/// The HMAC key. `Debug` never shows it.
pub struct BirthKey(ring::hmac::Key);

impl fmt::Debug for BirthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BirthKey(..)")
    }
}

impl BirthKey {
    pub fn from_kek(kek: &Kek) -> Result<Self, KeyError> {
        kek.derive_hmac_key(PURPOSE).map(Self)
    }

    /// What is stored for `user` born on `date`.
    pub fn digest(&self, user: &UserId, date: &BirthDate) -> Vec<u8> {
        ring::hmac::sign(&self.0, &message(user, date))
            .as_ref()
            .to_vec()
    }

    /// Whether `stored` is [`BirthKey::digest`] of `user` and `date`, in constant time.
    pub fn matches(&self, user: &UserId, date: &BirthDate, stored: &[u8]) -> bool {
        ring::hmac::verify(&self.0, &message(user, date), stored).is_ok()
    }
}

/// `user id, 0, YYYY-MM-DD`: an id has no NUL (it comes from CSV text), so no two pairs share
/// a message.
fn message(user: &UserId, date: &BirthDate) -> Vec<u8> {
    let mut m = user.as_str().as_bytes().to_vec();
    m.push(0);
    m.extend_from_slice(date.canonical().as_bytes());
    m
}

impl Portal {
    /// Whether the key file may be made now: the database holds no sealed signing keys and no
    /// birth-date hashes (see the module's documentation).
    pub(crate) async fn key_file_may_be_made(&self) -> Result<bool> {
        Ok(crate::store::signing_keys::count(self.db()).await? == 0
            && !crate::store::claim::any_birth_dates(self.db()).await?)
    }

    /// The birth-date key from the key file. `make`: a roster import with birth dates, which
    /// may make the file (under [`Portal::key_file_may_be_made`]); a claim never does.
    pub(crate) async fn birth_key(&self, make: bool) -> Result<BirthKey> {
        let path = self.signing_keys().kek_path()?;
        let if_missing = if make && self.key_file_may_be_made().await? {
            IfMissing::Create
        } else {
            IfMissing::Refuse
        };
        let kek = Kek::load(path, if_missing)?;
        Ok(BirthKey::from_kek(&kek)?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::BirthKey;
    use crate::idp::kek::{IfMissing, Kek};
    use crate::ids::UserId;
    use badgein_roster::BirthDate;
    use sha2::{Digest, Sha256};

    #[test]
    fn the_stored_value_is_neither_the_date_nor_its_plain_hash() {
        let path = std::env::temp_dir().join(format!(
            "badgein-birth-key-{}",
            crate::tokens::random_hex(8).unwrap()
        ));
        let key = BirthKey::from_kek(&Kek::load(&path, IfMissing::Create).unwrap()).unwrap();
        let date = BirthDate::parse_iso("2012-01-05").unwrap();
        let (ana, ben) = (UserId::from("ana"), UserId::from("ben"));
        let stored = key.digest(&ana, &date);
        assert_eq!(stored.len(), 32);
        assert!(key.matches(&ana, &date, &stored));
        assert!(!key.matches(&ben, &date, &stored));
        assert!(!key.matches(&ana, &BirthDate::parse_iso("2012-01-06").unwrap(), &stored));
        // Same day, another child: another value (a dump shows no shared birthdays).
        assert_ne!(stored, key.digest(&ben, &date));
        for plain in ["2012-01-05", "ana\u{0}2012-01-05", "01/05/2012"] {
            assert_ne!(stored, Sha256::digest(plain.as_bytes()).to_vec());
            assert!(!stored.windows(plain.len()).any(|w| w == plain.as_bytes()));
        }
        assert_eq!(format!("{key:?}"), "BirthKey(..)");
        std::fs::remove_file(&path).unwrap();
    }
}
