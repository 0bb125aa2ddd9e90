//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): an app sends the browser to
//! the `end_session_endpoint` to sign the user out of BadgeIn too. The rules, free of HTTP:
//!
//! * `id_token_hint`, when given, must be an ID token this portal signed (any published key;
//!   expired is fine, section 2); it names the app (`aud`) and the session (`sid`).
//! * `post_logout_redirect_uri`, when given, must be exactly the app's URL or one of its
//!   redirect URIs as registered (BadgeIn registers no separate list: these are the addresses
//!   the app already proved it owns); else the user sees an error page, never a redirect.
//! * The session ends at once only when the hint's `sid` is this browser's session at that app;
//!   otherwise the user is asked first, so a link on another site cannot sign a child out.

use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;

use super::SigningAlg;
use super::logout::sid;
use crate::error::Result;
use crate::ids::AppId;
use crate::portal::Portal;

/// The largest hint read (an ID token is about 1 KB; the query as a whole is limited too).
pub const MAX_HINT: usize = 8 * 1024;

/// What a valid `id_token_hint` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub client_id: String,
    pub sid: Option<String>,
}

#[derive(Debug, Deserialize)]
struct HintClaims {
    aud: Audience,
    #[serde(default)]
    sid: Option<String>,
}

/// `aud` as the specification allows it: one string or a list (ours is one string).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The app a logout request is for, and where it may send the browser afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutApp {
    pub id: AppId,
    /// The registered addresses a `post_logout_redirect_uri` must equal.
    pub registered: Vec<String>,
}

impl LogoutApp {
    pub fn may_return_to(&self, uri: &str) -> bool {
        self.registered.iter().any(|r| r == uri)
    }
}

impl Portal {
    /// The hint's app and session, when it is an ID token this portal signed for `issuer`;
    /// `None` for anything else (garbage, another issuer, a key never published, a logout
    /// token, a token with a forged signature).
    pub async fn read_id_token_hint(&self, hint: &str, issuer: &str) -> Result<Option<Hint>> {
        if hint.len() > MAX_HINT {
            return Ok(None);
        }
        let Ok(header) = decode_header(hint) else {
            return Ok(None);
        };
        // Only the algorithms we sign with, and only an ID token's type: a logout token has
        // the same signature and must not pass for one.
        let alg_ok = SigningAlg::ALL.iter().any(|a| a.jwt() == header.alg);
        if !alg_ok || header.typ.as_deref() != Some("JWT") {
            return Ok(None);
        }
        let Some(kid) = header.kid else {
            return Ok(None);
        };
        let jwks = self.jwks().await?;
        let Some(jwk) = jwks.find(&kid) else {
            return Ok(None);
        };
        let Ok(key) = DecodingKey::from_jwk(jwk) else {
            return Ok(None);
        };
        let mut validation = Validation::new(header.alg);
        // An expired ID token is a fine hint (RP-Initiated Logout 1.0, section 2); the
        // audience is what we read, not what we check.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        validation.validate_aud = false;
        validation.set_issuer(&[issuer]);
        let Ok(data) = decode::<HintClaims>(hint, &key, &validation) else {
            return Ok(None);
        };
        let client_id = match data.claims.aud {
            Audience::One(a) => a,
            Audience::Many(mut all) if all.len() == 1 => all.remove(0),
            Audience::Many(_) => return Ok(None),
        };
        Ok(Some(Hint {
            client_id,
            sid: data.claims.sid,
        }))
    }

    /// The OpenID Connect app with this client id and its registered addresses.
    pub async fn logout_app(&self, client_id: &str) -> Result<Option<LogoutApp>> {
        let Some(client) = self.oidc_client(client_id).await? else {
            return Ok(None);
        };
        let mut registered = client.redirect_uris;
        if let Some(url) = crate::store::apps::url_of(self.db(), &client.id).await? {
            registered.push(url);
        }
        Ok(Some(LogoutApp {
            id: client.id,
            registered,
        }))
    }
}

/// What the end-session endpoint answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// An error page: the hint, the client or the return address is not good (never a
    /// redirect).
    BadLink,
    /// Ask the user first: the request does not prove it is this session's app. The fields go
    /// back into the confirmation form.
    Confirm {
        client_id: Option<String>,
        back_to: Option<String>,
    },
    /// Signed out (or already was): then to `back_to`, or the "signed out" page.
    SignedOut { back_to: Option<String> },
}

/// An end-session request as read: its parameters, the browser's session cookie, and whether
/// the user confirmed on the portal's own page (a same-origin `POST` with `confirm=yes`; HTTP
/// decides that, from the request's origin).
#[derive(Debug)]
pub struct EndSession<'a> {
    pub params: &'a super::authorize::Params,
    pub cookie: Option<&'a str>,
    pub confirmed: bool,
    /// The discovery document's issuer (the hint's `iss`).
    pub issuer: &'a str,
}

impl Portal {
    /// Decides (and, when it may, carries out) an end-session request, in this order: the
    /// hint, the client (both must agree), the return address, then the session: ended at once
    /// when the hint names it or the user confirmed, else a question.
    pub async fn end_session(&self, request: &EndSession<'_>) -> Result<Answer> {
        let params = request.params;
        if params.malformed() {
            return Ok(Answer::BadLink);
        }
        let hint = match params.get("id_token_hint") {
            None => None,
            Some(text) => match self.read_id_token_hint(text, request.issuer).await? {
                Some(hint) => Some(hint),
                None => return Ok(Answer::BadLink),
            },
        };
        let client_id = match (
            hint.as_ref().map(|h| h.client_id.as_str()),
            params.get("client_id"),
        ) {
            (Some(a), Some(b)) if a != b => return Ok(Answer::BadLink),
            (Some(id), _) | (None, Some(id)) => Some(id),
            (None, None) => None,
        };
        let app = match client_id {
            None => None,
            Some(id) => match self.logout_app(id).await? {
                Some(app) => Some(app),
                None => return Ok(Answer::BadLink),
            },
        };
        // Back to the app only at an address it registered; never to one it did not.
        let back_to = match params.get("post_logout_redirect_uri") {
            None => None,
            Some(uri) if app.as_ref().is_some_and(|a| a.may_return_to(uri)) => Some(uri),
            Some(_) => return Ok(Answer::BadLink),
        };
        let session = match request.cookie {
            Some(cookie) => self.session_by_cookie(cookie).await?,
            None => None,
        };
        if let Some(session) = session {
            let proven = matches!((&hint, &app),
                (Some(h), Some(a)) if hint_names_session(h, &a.id, &session.id));
            if !proven && !request.confirmed {
                return Ok(Answer::Confirm {
                    client_id: client_id.map(str::to_owned),
                    back_to: back_to.map(str::to_owned),
                });
            }
            self.logout(&session.id, &session.user.id).await?;
        }
        Ok(Answer::SignedOut {
            back_to: back_to.map(str::to_owned),
        })
    }
}

/// Whether `hint` names `session_id` at `app`: then the app that sends the user here is the
/// one the user signed in to from this browser, and the sign-out needs no question.
pub fn hint_names_session(hint: &Hint, app: &AppId, session_id: &str) -> bool {
    hint.sid
        .as_deref()
        .is_some_and(|s| crate::tokens::same(s.as_bytes(), sid(session_id, app).as_bytes()))
}
