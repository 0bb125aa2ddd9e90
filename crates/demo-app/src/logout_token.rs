//! The checks of OpenID Connect Back-Channel Logout 1.0, section 2.6, on a logout token, with
//! the provider's keys and the time handed in. No HTTP and no clock here.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;

/// The event a logout token must carry (section 2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// A longer token is refused before any parsing. The portal's are well under 2 KiB.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Clock difference tolerated between the portal and the app.
pub const LEEWAY_SECS: i64 = 60;

/// Whom a valid logout token signs out: its `sid`, its `sub`, at least one of them; and its
/// `jti`, by which the app refuses the same token twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutSubject {
    pub sid: Option<String>,
    pub sub: Option<String>,
    pub jti: String,
}

/// What the token must match.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The issuer, exactly as discovery stated it.
    pub issuer: &'a str,
    /// This app's client id.
    pub audience: &'a str,
    /// Now, in seconds since the Unix epoch.
    pub now: i64,
}

/// Why a logout token was refused. None of these repeats anything from the token.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LogoutTokenError {
    #[error("the logout token is longer than {MAX_TOKEN_LEN} bytes")]
    TooLong,
    #[error("the logout token is not a signed JWT")]
    Malformed,
    #[error("the logout token is not signed with RS256")]
    WrongAlgorithm,
    #[error("the logout token's type is not logout+jwt")]
    WrongType,
    #[error("the logout token's header names no key (kid)")]
    NoKeyId,
    #[error("the logout token's key is not in the provider's JWKS")]
    UnknownKey,
    #[error("the logout token's signature does not verify")]
    BadSignature,
    #[error("the logout token is not from this app's provider (iss)")]
    WrongIssuer,
    #[error("the logout token is not for this app (aud)")]
    WrongAudience,
    #[error("the logout token has expired")]
    Expired,
    #[error("the logout token is issued in the future")]
    IssuedInFuture,
    #[error("the logout token has no {0} claim")]
    MissingClaim(&'static str),
    #[error("the logout token carries no back-channel logout event")]
    NoLogoutEvent,
    #[error("a logout token must not carry a nonce")]
    Nonce,
    #[error("the logout token names neither a session (sid) nor a subject (sub)")]
    NoSubject,
}

/// `aud` is a string or an array of strings.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, aud: &str) -> bool {
        match self {
            Self::One(a) => a == aud,
            Self::Many(all) => all.iter().any(|a| a == aud),
        }
    }
}

/// The claims read, each optional here so a missing one gets its own refusal.
#[derive(Debug, Deserialize)]
struct Claims {
    iss: Option<String>,
    aud: Option<Audience>,
    iat: Option<i64>,
    exp: Option<i64>,
    jti: Option<String>,
    events: Option<Value>,
    sid: Option<String>,
    sub: Option<String>,
    nonce: Option<Value>,
}

/// Checks `token` with the keys of `jwks`: the header (RS256, typed `logout+jwt` if typed at
/// all, a `kid` found in `jwks`), the signature, then the claims against `expected`.
pub fn check(
    token: &str,
    jwks: &JwkSet,
    expected: &Expected<'_>,
) -> Result<LogoutSubject, LogoutTokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(LogoutTokenError::TooLong);
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| LogoutTokenError::Malformed)?;
    if header.alg != Algorithm::RS256 {
        return Err(LogoutTokenError::WrongAlgorithm);
    }
    // Explicit typing (section 2.4) keeps an ID token from passing as a logout token; an
    // untyped token is still allowed by the spec.
    if let Some(typ) = &header.typ {
        let typ = typ.to_ascii_lowercase();
        if typ != "logout+jwt" && typ != "application/logout+jwt" {
            return Err(LogoutTokenError::WrongType);
        }
    }
    let kid = header.kid.as_deref().ok_or(LogoutTokenError::NoKeyId)?;
    let jwk = jwks.find(kid).ok_or(LogoutTokenError::UnknownKey)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| LogoutTokenError::UnknownKey)?;
    // jsonwebtoken checks the signature only; every claim is checked below, with our time.
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => LogoutTokenError::BadSignature,
            jsonwebtoken::errors::ErrorKind::InvalidAlgorithm
            | jsonwebtoken::errors::ErrorKind::InvalidKeyFormat
            | jsonwebtoken::errors::ErrorKind::InvalidRsaKey(_) => LogoutTokenError::UnknownKey,
            _ => LogoutTokenError::Malformed,
        })?
        .claims;
    check_claims(claims, expected)
}

fn check_claims(
    claims: Claims,
    expected: &Expected<'_>,
) -> Result<LogoutSubject, LogoutTokenError> {
    use LogoutTokenError as E;
    let iss = claims.iss.ok_or(E::MissingClaim("iss"))?;
    if iss != expected.issuer {
        return Err(E::WrongIssuer);
    }
    let aud = claims.aud.ok_or(E::MissingClaim("aud"))?;
    if !aud.contains(expected.audience) {
        return Err(E::WrongAudience);
    }
    let exp = claims.exp.ok_or(E::MissingClaim("exp"))?;
    if expected.now > exp.saturating_add(LEEWAY_SECS) {
        return Err(E::Expired);
    }
    let iat = claims.iat.ok_or(E::MissingClaim("iat"))?;
    if iat > expected.now.saturating_add(LEEWAY_SECS) {
        return Err(E::IssuedInFuture);
    }
    let jti = claims
        .jti
        .filter(|j| !j.is_empty())
        .ok_or(E::MissingClaim("jti"))?;
    let event = claims
        .events
        .as_ref()
        .and_then(Value::as_object)
        .and_then(|events| events.get(BACKCHANNEL_LOGOUT_EVENT));
    if !event.is_some_and(Value::is_object) {
        return Err(E::NoLogoutEvent);
    }
    if claims.nonce.is_some() {
        return Err(E::Nonce);
    }
    let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
    let (sid, sub) = (nonempty(claims.sid), nonempty(claims.sub));
    if sid.is_none() && sub.is_none() {
        return Err(E::NoSubject);
    }
    Ok(LogoutSubject { sid, sub, jti })
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;

    const ISSUER: &str = "http://127.0.0.1:8750";
    const CLIENT: &str = "c-story";
    const NOW: i64 = 1_800_000_000;
    const KID: &str = "key-1";

    fn expected() -> Expected<'static> {
        Expected {
            issuer: ISSUER,
            audience: CLIENT,
            now: NOW,
        }
    }

    /// A fresh RSA-2048 key as jsonwebtoken signs with it, and its public JWK named `kid`.
    fn rsa_key(kid: &str) -> (EncodingKey, Jwk) {
        use rsa::pkcs1::EncodeRsaPrivateKey as _;
        let key = rsa::PrivateKey::new(&mut getrandom_rng::SysRng, 2048).unwrap();
        let encoding = EncodingKey::from_rsa_der(key.to_pkcs1_der().unwrap().as_bytes());
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256).unwrap();
        jwk.common.key_id = Some(kid.into());
        (encoding, jwk)
    }

    /// The portal's key (published) and a stranger's key under the same kid (not published).
    fn keys() -> &'static ((EncodingKey, Jwk), (EncodingKey, Jwk)) {
        static KEYS: OnceLock<((EncodingKey, Jwk), (EncodingKey, Jwk))> = OnceLock::new();
        KEYS.get_or_init(|| (rsa_key(KID), rsa_key(KID)))
    }

    fn jwks() -> JwkSet {
        JwkSet {
            keys: vec![keys().0.1.clone()],
        }
    }

    fn valid_claims() -> Value {
        json!({
            "iss": ISSUER,
            "aud": CLIENT,
            "iat": NOW - 5,
            "exp": NOW + 115,
            "jti": "j-1",
            "events": { BACKCHANNEL_LOGOUT_EVENT: {} },
            "sid": "sid-1",
            "sub": "u1",
        })
    }

    fn header() -> Header {
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some(KID.into());
        h.typ = Some("logout+jwt".into());
        h
    }

    fn sign(header: &Header, claims: &Value, key: &EncodingKey) -> String {
        jsonwebtoken::encode(header, claims, key).unwrap()
    }

    fn signed(claims: &Value) -> String {
        sign(&header(), claims, &keys().0.0)
    }

    /// `valid_claims` with `change` applied (a `null` removes the claim).
    fn claims_with(change: Value) -> Value {
        let mut claims = valid_claims();
        for (k, v) in change.as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        claims
    }

    #[test]
    fn a_valid_token_is_accepted() {
        let subject = check(&signed(&valid_claims()), &jwks(), &expected()).unwrap();
        assert_eq!(
            subject,
            LogoutSubject {
                sid: Some("sid-1".into()),
                sub: Some("u1".into()),
                jti: "j-1".into(),
            }
        );
        // sid alone, sub alone, an audience list, an untyped header, the edges of the leeway.
        for (change, sid, sub) in [
            (json!({"sub": null}), Some("sid-1"), None),
            (json!({"sid": null}), None, Some("u1")),
            (json!({"aud": ["other", CLIENT]}), Some("sid-1"), Some("u1")),
            (json!({"exp": NOW - LEEWAY_SECS}), Some("sid-1"), Some("u1")),
            (json!({"iat": NOW + LEEWAY_SECS}), Some("sid-1"), Some("u1")),
        ] {
            let got = check(&signed(&claims_with(change.clone())), &jwks(), &expected());
            let want = LogoutSubject {
                sid: sid.map(Into::into),
                sub: sub.map(Into::into),
                jti: "j-1".into(),
            };
            assert_eq!(got, Ok(want), "{change}");
        }
        let mut untyped = header();
        untyped.typ = None;
        let token = sign(&untyped, &valid_claims(), &keys().0.0);
        assert!(check(&token, &jwks(), &expected()).is_ok());
    }

    #[test]
    fn wrong_claims_are_refused() {
        use LogoutTokenError as E;
        for (change, error) in [
            (json!({"aud": "another-app"}), E::WrongAudience),
            (json!({"aud": ["a", "b"]}), E::WrongAudience),
            (json!({"aud": 7}), E::Malformed),
            (json!({"aud": null}), E::MissingClaim("aud")),
            (json!({"iss": "http://127.0.0.1:8750/"}), E::WrongIssuer),
            (json!({"iss": "https://evil.example"}), E::WrongIssuer),
            (json!({"iss": null}), E::MissingClaim("iss")),
            (json!({"exp": NOW - LEEWAY_SECS - 1}), E::Expired),
            (json!({"exp": null}), E::MissingClaim("exp")),
            (json!({"iat": NOW + LEEWAY_SECS + 1}), E::IssuedInFuture),
            (json!({"iat": null}), E::MissingClaim("iat")),
            (json!({"jti": null}), E::MissingClaim("jti")),
            (json!({"jti": ""}), E::MissingClaim("jti")),
            (json!({"nonce": "n0nce"}), E::Nonce),
            (json!({"nonce": {}}), E::Nonce),
            (json!({"events": null}), E::NoLogoutEvent),
            (json!({"events": {}}), E::NoLogoutEvent),
            (
                json!({"events": [BACKCHANNEL_LOGOUT_EVENT]}),
                E::NoLogoutEvent,
            ),
            (
                json!({"events": BACKCHANNEL_LOGOUT_EVENT}),
                E::NoLogoutEvent,
            ),
            (
                json!({"events": {BACKCHANNEL_LOGOUT_EVENT: true}}),
                E::NoLogoutEvent,
            ),
            (
                json!({"events": {"http://schemas.openid.net/event/other": {}}}),
                E::NoLogoutEvent,
            ),
            (json!({"sid": null, "sub": null}), E::NoSubject),
            (json!({"sid": "", "sub": ""}), E::NoSubject),
            (json!({"sub": 42}), E::Malformed),
        ] {
            let got = check(&signed(&claims_with(change.clone())), &jwks(), &expected());
            assert_eq!(got, Err(error), "{change}");
        }
    }

    #[test]
    fn bad_signatures_keys_and_headers_are_refused() {
        use LogoutTokenError as E;
        let token = signed(&valid_claims());
        // Another key under the published kid.
        let forged = sign(&header(), &valid_claims(), &keys().1.0);
        assert_eq!(check(&forged, &jwks(), &expected()), Err(E::BadSignature));
        // A changed payload under the original signature.
        let mut parts: Vec<&str> = token.split('.').collect();
        let other = signed(&claims_with(json!({"sub": "u2"})));
        let other_payload = other.split('.').nth(1).unwrap();
        parts[1] = other_payload;
        assert_eq!(
            check(&parts.join("."), &jwks(), &expected()),
            Err(E::BadSignature)
        );
        // A kid the JWKS does not have, and none at all.
        let mut h = header();
        h.kid = Some("key-2".into());
        assert_eq!(
            check(
                &sign(&h, &valid_claims(), &keys().0.0),
                &jwks(),
                &expected()
            ),
            Err(E::UnknownKey)
        );
        assert_eq!(
            check(&token, &JwkSet { keys: vec![] }, &expected()),
            Err(E::UnknownKey)
        );
        h.kid = None;
        assert_eq!(
            check(
                &sign(&h, &valid_claims(), &keys().0.0),
                &jwks(),
                &expected()
            ),
            Err(E::NoKeyId)
        );
        // An ID token's type; an HMAC token keyed with a guessable secret.
        let mut h = header();
        h.typ = Some("JWT".into());
        assert_eq!(
            check(
                &sign(&h, &valid_claims(), &keys().0.0),
                &jwks(),
                &expected()
            ),
            Err(E::WrongType)
        );
        let mut h = header();
        h.alg = Algorithm::HS256;
        let hmac = sign(
            &h,
            &valid_claims(),
            &EncodingKey::from_secret(b"c-story").unwrap(),
        );
        assert_eq!(check(&hmac, &jwks(), &expected()), Err(E::WrongAlgorithm));
        // "alg": "none" by hand.
        let none = format!(
            "{}.{}.",
            b64(r#"{"alg":"none","kid":"key-1","typ":"logout+jwt"}"#),
            token.split('.').nth(1).unwrap()
        );
        assert!(check(&none, &jwks(), &expected()).is_err());
    }

    /// base64url without padding, as JWTs use it.
    fn b64(text: &str) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
    }

    #[test]
    fn garbage_is_refused_without_a_panic() {
        use LogoutTokenError as E;
        let long = "a".repeat(MAX_TOKEN_LEN + 1);
        assert_eq!(check(&long, &jwks(), &expected()), Err(E::TooLong));
        for junk in [
            "",
            ".",
            "..",
            "a.b.c",
            "a.b",
            "a.b.c.d.e",
            "\u{0}\u{1}",
            "é.é.é",
            "eyJhbGciOiJSUzI1NiJ9",
            "eyJhbGciOiJSUzI1NiJ9..",
            "e30.e30.e30",
        ] {
            assert!(check(junk, &jwks(), &expected()).is_err(), "{junk:?}");
        }
        // A header that is JSON but not an object, claims that are not JSON.
        let token = signed(&valid_claims());
        let sig = token.split('.').nth(2).unwrap();
        for (h, p) in [("[]", "{}"), ("1", "{}")] {
            let t = format!("{}.{}.{sig}", b64(h), b64(p));
            assert_eq!(check(&t, &jwks(), &expected()), Err(E::Malformed), "{h}");
        }
    }
}
