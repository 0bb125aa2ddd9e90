//! The signing keys: an RSA-2048 (RS256) and a P-256 (ES256) key, made at first start and kept
//! in the database with their private halves sealed by the key-encryption key ([`super::kek`]).
//!
//! * A key's `kid` is its RFC 7638 thumbprint (SHA-256 of the public key), so a row whose
//!   private key is not the key its kid names is caught when it is opened.
//! * Rotation makes new current keys; the old ones stop signing at once and stay in the JWKS for
//!   [`RETIRED_KEY_PUBLISHED`], then leave it (the hourly pruning deletes them).
//! * A serving portal holds the current keys, opened, in memory ([`SigningKeys`]); a rotation
//!   by another process (the CLI) reaches it at its next minute chores (`Portal::minute_chores`), while
//!   the JWKS, read from the database, shows the new keys at once.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use jsonwebtoken::EncodingKey;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use serde::Serialize;

use super::kek::{IfMissing, Kek};
use super::rsa_key::RsaKey;
use super::signer::{CurrentKey, Signer};
use super::{ID_TOKEN_LIFETIME, KeyError, SigningAlg};
use crate::clock::Millis;
use crate::config::ms;
use crate::portal::Portal;
use crate::store::Pool;
use crate::store::audit::{self, Entry};
use crate::store::signing_keys::{self as rows, NewKey, Row};

/// How long the JWKS may be cached (its `Cache-Control: max-age`).
pub const JWKS_MAX_AGE: Duration = Duration::from_secs(5 * 60);

/// How long a retired key stays in the JWKS. Tokens it signed live [`ID_TOKEN_LIFETIME`] at
/// most; a serving portal may keep signing with it for a minute after a rotation by the CLI;
/// relying parties may hold the JWKS for [`JWKS_MAX_AGE`] and clocks drift. An hour covers all
/// of that with room to spare, and costs nothing but a few hundred bytes in the JWKS.
pub const RETIRED_KEY_PUBLISHED: Duration = Duration::from_secs(3600);

const _: () = assert!(
    RETIRED_KEY_PUBLISHED.as_secs()
        >= ID_TOKEN_LIFETIME.as_secs() + 60 + JWKS_MAX_AGE.as_secs() + 10 * 60
);

/// RSA modulus size: 2048 bits, what the apps schools use accept everywhere.
const RSA_BITS: usize = 2048;

/// What `keys list` shows of a key: never key material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    pub kid: String,
    pub alg: String,
    pub created: String,
    /// When it stopped signing; `None` while current.
    pub retired: Option<String>,
    /// When it leaves (or left) the JWKS.
    pub unpublished: Option<String>,
}

impl From<&Row> for KeyInfo {
    fn from(row: &Row) -> Self {
        Self {
            kid: row.kid.clone(),
            alg: row.alg.clone(),
            created: crate::clock::rfc3339(row.created_at),
            retired: row.retired_at.map(crate::clock::rfc3339),
            unpublished: row.not_after.map(crate::clock::rfc3339),
        }
    }
}

/// A serving portal's keys: where the key file is, and the current keys once loaded.
#[derive(Debug)]
pub struct SigningKeys {
    kek_path: Option<PathBuf>,
    loaded: RwLock<Option<Arc<Signer>>>,
}

impl SigningKeys {
    pub(crate) fn new(kek_path: Option<PathBuf>) -> Self {
        Self {
            kek_path,
            loaded: RwLock::new(None),
        }
    }

    pub(crate) fn kek_path(&self) -> Result<&Path, KeyError> {
        self.kek_path.as_deref().ok_or(KeyError::NoKeyFile)
    }

    /// The key file, for what else it seals (the staff second factor's secrets,
    /// `auth::second_factor`). Never made here: the signing keys' first start makes it.
    pub(crate) fn kek(&self) -> Result<Kek, KeyError> {
        Kek::load(self.kek_path()?, IfMissing::Refuse)
    }

    fn current(&self) -> Option<Arc<Signer>> {
        self.loaded
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn replace(&self, signer: Signer) -> Arc<Signer> {
        let signer = Arc::new(signer);
        *self
            .loaded
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(signer.clone());
        signer
    }
}

impl Portal {
    /// Opens the current signing keys for signing; at first start (no keys in the database)
    /// makes them, and the key file if it is missing too. A missing, malformed or wrong key
    /// file, or a damaged key, is an error that says which.
    pub async fn load_signing_keys(&self) -> Result<Arc<Signer>, KeyError> {
        let keys = self.signing_keys();
        let path = keys.kek_path()?;
        if rows::count(self.db()).await? == 0 {
            // Birth-date hashes (`claim::birth_key`) made with the file forbid a new one too.
            let if_missing = if self.key_file_may_be_made().await? {
                IfMissing::Create
            } else {
                IfMissing::Refuse
            };
            let kek = Kek::load(path, if_missing)?;
            let made = generate_all(&kek).await?;
            let new: Vec<NewKey<'_>> = made.iter().map(Sealed::as_new).collect();
            if rows::insert_first(self.db(), &new, self.now()).await? {
                tracing::info!("made the identity provider's first signing keys");
                self.audit_keys("keys.create", &made).await?;
            }
        }
        let kek = Kek::load(path, IfMissing::Refuse)?;
        let signer = open_current(&kek, &rows::current(self.db()).await?)?;
        Ok(keys.replace(signer))
    }

    /// The loaded keys, to sign with.
    pub fn signer(&self) -> Result<Arc<Signer>, KeyError> {
        self.signing_keys().current().ok_or(KeyError::NotLoaded)
    }

    /// Picks up a rotation made by another process: when the current keys in the database are
    /// not the loaded ones, opens them. Does nothing before the keys are loaded.
    pub async fn refresh_signing_keys(&self) -> Result<(), KeyError> {
        let Some(loaded) = self.signing_keys().current() else {
            return Ok(());
        };
        let current = rows::current(self.db()).await?;
        let same = current.len() == loaded.keys().len()
            && current
                .iter()
                .all(|row| loaded.keys().iter().any(|k| k.kid == row.kid));
        if !same {
            let kek = Kek::load(self.signing_keys().kek_path()?, IfMissing::Refuse)?;
            self.signing_keys().replace(open_current(&kek, &current)?);
            tracing::info!("signing with the keys of a rotation");
        }
        Ok(())
    }

    /// Makes new current keys (one per algorithm); the old ones stop signing now and leave the
    /// JWKS after [`RETIRED_KEY_PUBLISHED`]. Refuses unless the key file opens the current
    /// keys, so that keys sealed with two different files never sit in one database. Returns
    /// the new keys.
    pub async fn rotate_signing_keys(&self) -> Result<Vec<KeyInfo>, KeyError> {
        let path = self.signing_keys().kek_path()?;
        let if_missing = if self.key_file_may_be_made().await? {
            IfMissing::Create
        } else {
            IfMissing::Refuse
        };
        let kek = Kek::load(path, if_missing)?;
        let current = rows::current(self.db()).await?;
        if !current.is_empty() {
            open_current(&kek, &current)?;
        }
        let made = generate_all(&kek).await?;
        let new: Vec<NewKey<'_>> = made.iter().map(Sealed::as_new).collect();
        let now = self.now();
        rows::replace_current(self.db(), &new, now, now + ms(RETIRED_KEY_PUBLISHED)).await?;
        self.audit_keys("keys.rotate", &made).await?;
        let opened = open_current(&kek, &rows::current(self.db()).await?)?;
        if self.signing_keys().current().is_some() {
            self.signing_keys().replace(opened);
        }
        Ok(rows::current(self.db())
            .await?
            .iter()
            .map(KeyInfo::from)
            .collect())
    }

    /// The JWKS: the public keys of the current keys and of the retired ones still published.
    /// A row whose public key does not parse is left out (and logged), not the whole set.
    pub async fn jwks(&self) -> crate::error::Result<JwkSet> {
        let rows = rows::published(self.db(), self.now()).await?;
        let keys = rows
            .iter()
            .filter_map(|row| match serde_json::from_str::<Jwk>(&row.public_jwk) {
                Ok(jwk) => Some(jwk),
                Err(error) => {
                    tracing::warn!(kid = %row.kid, %error, "stored public key left out of the JWKS");
                    None
                }
            })
            .collect();
        Ok(JwkSet { keys })
    }

    /// Records that `made` became the current keys (their kids and algorithms only).
    async fn audit_keys(&self, action: &str, made: &[Sealed]) -> Result<(), KeyError> {
        let mut entry = Entry::new(self.now(), action, "ok");
        let kids: Vec<String> = made
            .iter()
            .map(|k| format!("{} {}", k.alg, k.kid))
            .collect();
        entry.detail = Some(format!("current signing keys: {}", kids.join(", ")));
        audit::record(self.db(), &entry).await?;
        Ok(())
    }

    /// Every stored key, newest first, without key material.
    pub async fn list_signing_keys(&self) -> Result<Vec<KeyInfo>, KeyError> {
        Ok(rows::all(self.db())
            .await?
            .iter()
            .map(KeyInfo::from)
            .collect())
    }
}

/// Deletes the retired keys that left the JWKS before `before`; returns how many.
pub async fn prune_unpublished(db: &Pool, before: Millis) -> crate::error::Result<u64> {
    rows::delete_unpublished(db, before).await
}

/// A key as generated: sealed private key and public JWK, ready to insert.
struct Sealed {
    kid: String,
    alg: SigningAlg,
    private_key: Vec<u8>,
    public_jwk: String,
}

impl Sealed {
    fn as_new(&self) -> NewKey<'_> {
        NewKey {
            kid: &self.kid,
            alg: self.alg.as_str(),
            private_key: &self.private_key,
            public_jwk: &self.public_jwk,
        }
    }
}

/// One key per algorithm, off the async threads (RSA key generation takes a while).
async fn generate_all(kek: &Kek) -> Result<Vec<Sealed>, KeyError> {
    let mut out = Vec::new();
    for alg in SigningAlg::ALL {
        let pkcs8 = tokio::task::spawn_blocking(move || generate(alg))
            .await
            .map_err(|e| KeyError::Generate(e.to_string()))??;
        let (_, jwk) = parse(alg, &pkcs8).map_err(KeyError::Generate)?;
        let kid = jwk.common.key_id.clone().unwrap_or_default();
        let public_jwk =
            serde_json::to_string(&jwk).map_err(|e| KeyError::Generate(e.to_string()))?;
        out.push(Sealed {
            private_key: kek.seal(&pkcs8, &aad(&kid, alg))?,
            kid,
            alg,
            public_jwk,
        });
    }
    Ok(out)
}

/// A new private key, PKCS#8 DER.
fn generate(alg: SigningAlg) -> Result<Vec<u8>, KeyError> {
    use rsa::pkcs8::EncodePrivateKey as _;
    let der = match alg {
        SigningAlg::Rs256 => rsa::PrivateKey::new(&mut getrandom_rng::SysRng, RSA_BITS)
            .map_err(|e| KeyError::Generate(e.to_string()))?
            .to_pkcs8_der(),
        SigningAlg::Es256 => {
            use p256::elliptic_curve::Generate as _;
            p256::pkcs8::EncodePrivateKey::to_pkcs8_der(&p256::ecdsa::SigningKey::generate())
        }
    }
    .map_err(|e| KeyError::Generate(e.to_string()))?;
    Ok(der.as_bytes().to_vec())
}

/// The signing key and the public JWK (with `kid`, `alg` and `use`) of a PKCS#8 private key.
fn parse(alg: SigningAlg, pkcs8: &[u8]) -> Result<(EncodingKey, Jwk), String> {
    let encoding = match alg {
        SigningAlg::Rs256 => {
            use rsa::pkcs1::EncodeRsaPrivateKey as _;
            use rsa::pkcs8::DecodePrivateKey as _;
            // jsonwebtoken takes RSA keys as PKCS#1.
            let key = rsa::PrivateKey::from_pkcs8_der(pkcs8).map_err(|e| e.to_string())?;
            EncodingKey::from_rsa_der(key.to_pkcs1_der().map_err(|e| e.to_string())?.as_bytes())
        }
        SigningAlg::Es256 => {
            use p256::pkcs8::DecodePrivateKey as _;
            p256::ecdsa::SigningKey::from_pkcs8_der(pkcs8).map_err(|e| e.to_string())?;
            EncodingKey::from_ec_der(pkcs8)
        }
    };
    let mut jwk = Jwk::from_encoding_key(&encoding, alg.jwt()).map_err(|e| e.to_string())?;
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    jwk.common.key_id = Some(
        jwk.thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| e.to_string())?,
    );
    Ok((encoding, jwk))
}

/// The associated data a key is sealed with: it binds the sealed bytes to their row.
fn aad(kid: &str, alg: SigningAlg) -> Vec<u8> {
    format!("badgein signing key|{kid}|{alg}").into_bytes()
}

/// Opens the current rows into a [`Signer`]: every algorithm must have its key, each must open
/// with `kek` and be the key its kid names.
fn open_current(kek: &Kek, current: &[Row]) -> Result<Signer, KeyError> {
    let mut keys = Vec::new();
    let mut unopened = Vec::new();
    for row in current {
        let alg = SigningAlg::parse(&row.alg).ok_or_else(|| KeyError::UnknownAlgorithm {
            kid: row.kid.clone(),
        })?;
        let Some(pkcs8) = kek.open(&row.private_key, &aad(&row.kid, alg)) else {
            unopened.push(row.kid.clone());
            continue;
        };
        let damaged = || KeyError::Damaged {
            kid: row.kid.clone(),
        };
        let (encoding, jwk) = parse(alg, &pkcs8).map_err(|_| damaged())?;
        if jwk.common.key_id.as_deref() != Some(row.kid.as_str()) {
            return Err(damaged());
        }
        let rsa = match alg {
            SigningAlg::Rs256 => {
                use rsa::pkcs8::DecodePrivateKey as _;
                let key = rsa::PrivateKey::from_pkcs8_der(&pkcs8).map_err(|_| damaged())?;
                Some(RsaKey::new(row.kid.clone(), row.created_at, key).map_err(|_| damaged())?)
            }
            SigningAlg::Es256 => None,
        };
        keys.push(CurrentKey {
            kid: row.kid.clone(),
            alg,
            encoding,
            rsa,
        });
    }
    match unopened.as_slice() {
        [] => {}
        // Nothing opens: the key file is not this database's (AEAD cannot tell that from
        // every row being damaged, and the message says both).
        _ if keys.is_empty() => return Err(KeyError::WrongKek(kek.path().to_owned())),
        [kid, ..] => return Err(KeyError::Damaged { kid: kid.clone() }),
    }
    if let Some(missing) = SigningAlg::ALL
        .into_iter()
        .find(|alg| !keys.iter().any(|k| k.alg == *alg))
    {
        return Err(KeyError::NoCurrentKey(missing));
    }
    Ok(Signer::new(keys))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::idp::TokenType;

    #[test]
    fn generated_keys_parse_and_name_themselves() {
        for alg in SigningAlg::ALL {
            let pkcs8 = generate(alg).unwrap();
            let (_, jwk) = parse(alg, &pkcs8).unwrap();
            let kid = jwk.common.key_id.clone().unwrap();
            // base64url of a SHA-256: 43 characters.
            assert_eq!(kid.len(), 43, "{alg}");
            let json = serde_json::to_value(&jwk).unwrap();
            assert_eq!(json["alg"], alg.as_str());
            assert_eq!(json["use"], "sig");
            // The public JWK has no private member.
            for private in ["d", "p", "q", "dp", "dq", "qi"] {
                assert!(json.get(private).is_none(), "{alg} {private}");
            }
            // Another key of the same algorithm has another kid.
            let (_, other) = parse(alg, &generate(alg).unwrap()).unwrap();
            assert_ne!(other.common.key_id, Some(kid));
        }
    }

    /// A signer over fresh keys, and the JWKS that publishes them.
    fn signer_and_jwks() -> (Signer, JwkSet) {
        let mut keys = Vec::new();
        let mut jwks = JwkSet::default();
        for alg in SigningAlg::ALL {
            let pkcs8 = generate(alg).unwrap();
            let (encoding, jwk) = parse(alg, &pkcs8).unwrap();
            let kid = jwk.common.key_id.clone().unwrap();
            // The RSA key signs through AWS-LC, as when served; jsonwebtoken verifies below.
            let rsa = (alg == SigningAlg::Rs256).then(|| {
                use rsa::pkcs8::DecodePrivateKey as _;
                let key = rsa::PrivateKey::from_pkcs8_der(&pkcs8).unwrap();
                RsaKey::new(kid.clone(), 0, key).unwrap()
            });
            keys.push(CurrentKey {
                kid,
                alg,
                encoding,
                rsa,
            });
            jwks.keys.push(jwk);
        }
        (Signer::new(keys), jwks)
    }

    #[derive(Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
    struct Claims {
        iss: String,
        sub: String,
        aud: String,
        exp: i64,
    }

    fn claims() -> Claims {
        Claims {
            iss: "https://portal.example.org".into(),
            sub: "u1".into(),
            aud: "app".into(),
            exp: i64::MAX / 1000,
        }
    }

    #[test]
    fn tokens_verify_with_the_published_key_they_name() {
        let (signer, jwks) = signer_and_jwks();
        for alg in SigningAlg::ALL {
            for typ in [TokenType::IdToken, TokenType::LogoutToken] {
                let token = signer.sign(&claims(), alg, typ).unwrap();
                let header = jsonwebtoken::decode_header(&token).unwrap();
                assert_eq!(header.alg, alg.jwt());
                assert_eq!(header.typ.as_deref(), Some(typ.as_str()));
                let kid = header.kid.unwrap();
                assert_eq!(Some(kid.as_str()), signer.kid(alg));
                let jwk = jwks.find(&kid).unwrap();

                // jsonwebtoken, from the published JWK.
                let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
                let mut validation = jsonwebtoken::Validation::new(alg.jwt());
                validation.set_audience(&["app"]);
                let data = jsonwebtoken::decode::<Claims>(&token, &key, &validation).unwrap();
                assert_eq!(data.claims, claims());

                // openidconnect's own JOSE code (what the apps' relying parties run), from the
                // same JWK as JSON.
                use openidconnect::JsonWebKey as _;
                let theirs: openidconnect::core::CoreJsonWebKey =
                    serde_json::from_value(serde_json::to_value(jwk).unwrap()).unwrap();
                let (input, signature) = token.rsplit_once('.').unwrap();
                let signature = base64url(signature);
                let their_alg = match alg {
                    SigningAlg::Rs256 => {
                        openidconnect::core::CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256
                    }
                    SigningAlg::Es256 => {
                        openidconnect::core::CoreJwsSigningAlgorithm::EcdsaP256Sha256
                    }
                };
                theirs
                    .verify_signature(&their_alg, input.as_bytes(), &signature)
                    .unwrap();
                // A changed payload does not verify.
                let mut forged = input.to_owned();
                forged.push('A');
                assert!(
                    theirs
                        .verify_signature(&their_alg, forged.as_bytes(), &signature)
                        .is_err()
                );
            }
        }
    }

    #[test]
    fn another_keys_jwk_does_not_verify() {
        let (signer, _) = signer_and_jwks();
        let (_, other) = signer_and_jwks();
        for alg in SigningAlg::ALL {
            let token = signer.sign(&claims(), alg, TokenType::IdToken).unwrap();
            let jwk = other
                .keys
                .iter()
                .find(|k| k.common.key_algorithm == Some(alg.jwt().into()))
                .unwrap();
            let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
            let mut validation = jsonwebtoken::Validation::new(alg.jwt());
            validation.set_audience(&["app"]);
            assert!(jsonwebtoken::decode::<Claims>(&token, &key, &validation).is_err());
        }
    }

    /// RFC 4648 base64url without padding, for the test only.
    fn base64url(text: &str) -> Vec<u8> {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut bits = 0u32;
        let mut count = 0;
        let mut out = Vec::new();
        for c in text.bytes() {
            let v = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
            bits = (bits << 6) | v;
            count += 6;
            if count >= 8 {
                count -= 8;
                out.push((bits >> count) as u8);
                bits &= (1 << count) - 1;
            }
        }
        out
    }

    #[test]
    fn garbage_is_not_a_key() {
        for alg in SigningAlg::ALL {
            for bytes in [&b""[..], b"\x30\x00", &[0xff; 300]] {
                assert!(parse(alg, bytes).is_err(), "{alg}");
            }
        }
        // An ES256 key is not an RS256 key, nor the reverse.
        assert!(parse(SigningAlg::Rs256, &generate(SigningAlg::Es256).unwrap()).is_err());
        assert!(parse(SigningAlg::Es256, &generate(SigningAlg::Rs256).unwrap()).is_err());
    }
}
