//! Authorization codes and what they are exchanged for: [`Portal::issue_code`] (the
//! authorization endpoint, for a signed-in user) and [`Portal::redeem_code`] (the token
//! endpoint, for an authenticated client), which answers an access token and a signed ID
//! token. Codes live [`CODE_LIFETIME`], are single use (a second redemption revokes what the
//! first issued), and are bound to the client, redirect URI, session, nonce and PKCE
//! challenge. Codes and access tokens are 256-bit random tokens stored as SHA-256 digests.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::authorize::{Request, pkce_matches};
use super::{ID_TOKEN_LIFETIME, KeyError, SigningAlg, TokenType};
use crate::error::PortalError;
use crate::ids::{AppId, UserId};
use crate::portal::Portal;
use crate::session_method::SessionMethod;
use crate::store::audit::Entry;
use crate::store::directory::User;
use crate::store::oauth::{self, Holder, NewCode, Redeemed, Redemption};
use crate::tokens;

/// How long a code may wait for its exchange.
pub const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// How long an access token is good for (the userinfo endpoint, when it comes).
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// Why a code was not exchanged. Each is `invalid_grant` to the client, whatever the
/// reason (the reason goes to the log, not to the caller).
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error("unknown code, or another client's")]
    Unknown,
    #[error("the code was used before: it and what it issued are revoked")]
    Reused,
    #[error("the code expired, or its redirect URI or PKCE verifier does not match")]
    Mismatch,
    #[error("the session the code came from has ended")]
    SessionEnded,
    #[error(transparent)]
    Store(#[from] PortalError),
    #[error(transparent)]
    Keys(#[from] KeyError),
}

/// Where a code is to go and for what.
#[derive(Debug)]
pub struct Grant<'a> {
    pub app_id: &'a AppId,
    pub redirect_uri: &'a str,
    pub session_id: &'a str,
    pub user: &'a User,
    pub auth_time: i64,
    pub request: &'a Request,
}

/// What the token endpoint answers (RFC 6749 5.1, OIDC Core 3.1.3.3).
#[derive(Serialize)]
pub struct Tokens {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub id_token: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").finish_non_exhaustive()
    }
}

/// The exchange's inputs besides the code.
#[derive(Debug)]
pub struct Exchange<'a> {
    pub app_id: &'a AppId,
    pub client_id: &'a str,
    pub redirect_uri: Option<&'a str>,
    pub code_verifier: Option<&'a str>,
    /// A public client's: every code needs a PKCE challenge and its verifier.
    pub pkce_required: bool,
    /// The app's registered algorithm for its ID tokens.
    pub id_token_alg: SigningAlg,
    /// The discovery document's issuer.
    pub issuer: &'a str,
}

/// The ID token's claims: the registered ones, then those of the scopes granted. `aud` is the
/// one client, so `azp` is left out (OIDC Core 2: needed only with several audiences).
#[derive(Debug, Serialize)]
struct IdClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: i64,
    iat: i64,
    auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    amr: &'static [&'static str],
    /// The session at this app (`idp::logout::sid`), as its logout token will name it.
    sid: &'a str,
    /// The access token's hash, binding the two (OIDC Core 3.1.3.6).
    at_hash: String,
    #[serde(flatten)]
    profile: Option<Profile>,
    #[serde(flatten)]
    school: Option<SchoolClaims>,
    #[serde(flatten)]
    email: Option<EmailClaims>,
}

/// `at_hash` (OIDC Core 3.1.3.6): base64url of the left half of the access token's hash, by
/// the hash of the ID token's `alg` (SHA-256 for both RS256 and ES256).
fn at_hash(access_token: &str, alg: SigningAlg) -> String {
    let digest = match alg {
        SigningAlg::Rs256 | SigningAlg::Es256 => Sha256::digest(access_token.as_bytes()),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// What the `profile` scope releases about a user (docs/identity-provider.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub name: String,
    pub given_name: String,
    pub family_name: String,
    pub preferred_username: String,
    pub locale: String,
}

impl Profile {
    fn of(user: &User) -> Self {
        Self {
            name: user.display_name(),
            given_name: user.given_name.clone(),
            family_name: user.family_name.clone(),
            preferred_username: user.username.clone(),
            locale: user.locale.clone(),
        }
    }

    /// The profile when `scope` (space-separated) grants it.
    fn if_granted(scope: &str, user: &User) -> Option<Self> {
        scope
            .split(' ')
            .any(|s| s == "profile")
            .then(|| Self::of(user))
    }
}

/// What the `school` scope releases (BadgeIn's own claims, docs/identity-provider.md): the
/// user's roles and school, so an app can place a child without asking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchoolClaims {
    /// One role today (`student`, `teacher`, `administrator`, `other`), a list so that an app
    /// need not change when a person holds two.
    pub roles: Vec<&'static str>,
    /// The school's id as the roster names it.
    pub school: String,
    /// `PK`, `K`, `1` .. `12`, when the roster gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
}

impl SchoolClaims {
    /// The claims when `scope` (space-separated) grants them.
    fn if_granted(scope: &str, user: &User) -> Option<Self> {
        scope.split(' ').any(|s| s == "school").then(|| Self {
            roles: vec![user.role.as_str()],
            school: user.school_id.to_string(),
            grade: user.grade.clone(),
        })
    }
}

/// What the `email` scope releases: the roster's address, when the user has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailClaims {
    pub email: String,
    /// `true`: the address comes from the school's roster, its system of record for who a
    /// child or teacher is, not from anything the user typed (OIDC Core 5.1 asks whether the
    /// provider took steps to ensure the address was the user's; the district assigned it).
    pub email_verified: bool,
}

impl EmailClaims {
    /// The address when `scope` (space-separated) grants it and the roster has one.
    fn if_granted(scope: &str, user: &User) -> Option<Self> {
        if !scope.split(' ').any(|s| s == "email") {
            return None;
        }
        user.email.as_ref().map(|email| Self {
            email: email.clone(),
            email_verified: true,
        })
    }
}

/// The userinfo answer (OIDC Core 5.3.2): `sub` and the claims of the token's scopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserInfo {
    pub sub: String,
    #[serde(flatten)]
    pub profile: Option<Profile>,
    #[serde(flatten)]
    pub school: Option<SchoolClaims>,
    #[serde(flatten)]
    pub email: Option<EmailClaims>,
}

fn secs(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The `amr` values of a session method (RFC 8176 names `pwd`, `otp` and `mfa`; a badge is
/// BadgeIn's own).
fn amr(method: SessionMethod) -> &'static [&'static str] {
    match method {
        SessionMethod::Badge => &["badge"],
        SessionMethod::Password => &["pwd"],
        SessionMethod::PasswordAndTotp => &["pwd", "otp", "mfa"],
    }
}

/// The `sub` an app sees for `user`: the user id, or for a pairwise app (its salt given) the
/// hex SHA-256 of the salt and the user id (OIDC Core 8.1), the same at every sign-in and
/// different for every app.
pub fn subject(user: &UserId, pairwise_salt: Option<&[u8]>) -> String {
    match pairwise_salt {
        None => user.as_str().to_owned(),
        Some(salt) => {
            let mut input = salt.to_vec();
            input.extend_from_slice(user.as_str().as_bytes());
            tokens::hex(&tokens::digest(&input))
        }
    }
}

/// The `sub` the holder's app sees; `None` for a pairwise app without a salt (one registered
/// before salts existed) or an app that is gone.
fn holder_subject(holder: &Holder) -> Option<String> {
    match (holder.app_pairwise, &holder.app_salt) {
        (Some(false), _) => Some(subject(&holder.user.id, None)),
        (Some(true), Some(salt)) => Some(subject(&holder.user.id, Some(salt))),
        (Some(true), None) | (None, _) => None,
    }
}

impl Portal {
    /// A new code for `grant`, stored as its digest; the code itself is returned once.
    pub async fn issue_code(&self, grant: &Grant<'_>) -> crate::error::Result<String> {
        let code = tokens::random_hex(32)?;
        let now = self.now();
        let scope = grant.request.scope();
        oauth::insert_code(
            self.db(),
            &NewCode {
                code_hash: &tokens::digest(code.as_bytes()),
                app_id: grant.app_id,
                redirect_uri: grant.redirect_uri,
                session_id: grant.session_id,
                user_id: &grant.user.id,
                nonce: grant.request.nonce.as_deref(),
                code_challenge: grant.request.code_challenge.as_deref(),
                scope: &scope,
                auth_time: grant.auth_time,
                created_at: now,
                expires_at: now + ms(CODE_LIFETIME),
            },
        )
        .await?;
        Ok(code)
    }

    /// Exchanges `code` for tokens: the code must be this client's, unused, unexpired, for
    /// this redirect URI, with the verifier of its PKCE challenge, from a live session.
    pub async fn redeem_code(&self, code: &str, ex: &Exchange<'_>) -> Result<Tokens, GrantError> {
        let now = self.now();
        let code_hash = tokens::digest(code.as_bytes());
        let access_token = tokens::random_hex(32)?;
        let mut reused = Entry::new(now, "oauth.code_reused", "revoked");
        reused.detail = Some(format!("app {}", ex.app_id));
        let mut issued = Entry::new(now, "oauth.token", "ok");
        issued.detail = Some(format!("app {}", ex.app_id));
        // Owned, for the group commit that writes it.
        let redirect_uri = ex.redirect_uri.map(str::to_owned);
        let verifier = ex.code_verifier.map(str::to_owned);
        let pkce_required = ex.pkce_required;
        let check = move |row: &oauth::CodeRow| {
            row.expires_at > now
                && redirect_uri.as_deref() == Some(row.redirect_uri.as_str())
                && match (&row.code_challenge, &verifier) {
                    (None, None) => !pkce_required,
                    (Some(challenge), Some(verifier)) => pkce_matches(verifier, challenge),
                    _ => false,
                }
        };
        let (found, ok) = oauth::redeem(
            self.db(),
            Redemption {
                code_hash: code_hash.to_vec(),
                app_id: ex.app_id.clone(),
                now,
                token_hash: tokens::digest(access_token.as_bytes()).to_vec(),
                token_expires_at: now + ms(ACCESS_TOKEN_LIFETIME),
                check: Box::new(check),
                issued,
                reused,
            },
        )
        .await?;
        let row = match found {
            Redeemed::Unknown => return Err(GrantError::Unknown),
            Redeemed::Reused => return Err(GrantError::Reused),
            Redeemed::Fresh(row) if ok => row,
            Redeemed::Fresh(_) => return Err(GrantError::Mismatch),
        };
        // The session must still be live and the user still allowed.
        let holder =
            oauth::holder(self.db(), &row.session_id, &row.user_id, ex.app_id, now).await?;
        let Some(holder) = holder else {
            oauth::revoke_for_code(self.db(), &code_hash, now).await?;
            return Err(GrantError::SessionEnded);
        };
        let Some(sub) = holder_subject(&holder) else {
            oauth::revoke_for_code(self.db(), &code_hash, now).await?;
            return Err(GrantError::Unknown);
        };
        let method =
            SessionMethod::from_stored(&holder.session_method, holder.session_second_factor);
        let user = &holder.user;
        let sid = super::logout::sid(&row.session_id, ex.app_id);
        let claims = IdClaims {
            iss: ex.issuer,
            sub: &sub,
            aud: ex.client_id,
            iat: secs(now),
            exp: secs(now + ms(ID_TOKEN_LIFETIME)),
            auth_time: secs(row.auth_time),
            nonce: row.nonce.as_deref(),
            amr: amr(method),
            sid: &sid,
            at_hash: at_hash(&access_token, ex.id_token_alg),
            profile: Profile::if_granted(&row.scope, user),
            school: SchoolClaims::if_granted(&row.scope, user),
            email: EmailClaims::if_granted(&row.scope, user),
        };
        let id_token = self
            .signer()?
            .sign(&claims, ex.id_token_alg, TokenType::IdToken)?;
        Ok(Tokens {
            access_token,
            token_type: "Bearer",
            expires_in: ACCESS_TOKEN_LIFETIME.as_secs(),
            id_token,
        })
    }

    /// How many access tokens an app holds (tests and audits: "nothing issued").
    pub async fn access_tokens_of(&self, app_id: &AppId) -> crate::error::Result<i64> {
        oauth::access_tokens_of(self.db(), app_id).await
    }

    /// Whether an access token is live.
    pub async fn access_token_live(&self, token: &str) -> crate::error::Result<bool> {
        oauth::access_token_live(self.db(), &tokens::digest(token.as_bytes()), self.now()).await
    }

    /// The userinfo answer for a live access token whose session is live and whose user is
    /// still allowed; `None` otherwise (an unknown, expired, revoked or orphaned token).
    pub async fn userinfo(&self, token: &str) -> crate::error::Result<Option<UserInfo>> {
        let now = self.now();
        let hash = tokens::digest(token.as_bytes());
        let Some(grant) = oauth::live_access_token(self.db(), &hash, now).await? else {
            return Ok(None);
        };
        let holder = oauth::holder(
            self.db(),
            &grant.session_id,
            &grant.user_id,
            &grant.app_id,
            now,
        )
        .await?;
        Ok(holder.and_then(|holder| {
            let user = &holder.user;
            holder_subject(&holder).map(|sub| UserInfo {
                sub,
                profile: Profile::if_granted(&grant.scope, user),
                school: SchoolClaims::if_granted(&grant.scope, user),
                email: EmailClaims::if_granted(&grant.scope, user),
            })
        }))
    }
}

impl Portal {
    /// The OpenID Connect client with this client id, with its redirect URIs.
    pub async fn oidc_client(
        &self,
        client_id: &str,
    ) -> crate::error::Result<Option<crate::store::apps::OidcClient>> {
        crate::store::apps::oidc_client(self.db(), client_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_is_the_left_half_of_sha256() {
        // The access token and at_hash of OIDC Core A.3 (an RS256 example).
        assert_eq!(
            at_hash(
                "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y",
                SigningAlg::Rs256
            ),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
        assert_eq!(at_hash("x", SigningAlg::Es256).len(), 22);
    }

    #[test]
    fn pairwise_subjects_depend_on_the_salt() {
        let u1 = UserId::new("u1");
        assert_eq!(subject(&u1, None), "u1");
        let a = subject(&u1, Some(&[1; 16]));
        assert_eq!(a.len(), 64);
        assert_eq!(a, subject(&u1, Some(&[1; 16])));
        assert_ne!(a, subject(&u1, Some(&[2; 16])));
        assert_ne!(a, subject(&UserId::new("u2"), Some(&[1; 16])));
    }
}
