//! The authorization endpoint's decision, free of HTTP: a request's parameters and the
//! browser's session cookie in, one [`Answer`] out, every refusal audited. The order is the
//! security: the client and its redirect URI first (until both are known good nothing goes to
//! the URI: an error page instead), then the request's own rules, then the session (sign in,
//! or `login_required` for `prompt=none`), then whether this user is shown the app, and only
//! then a code.

use super::authorize::{self, AuthError, Params};
use super::codes::Grant;
use crate::auth::sessions::LiveSession;
use crate::error::Result;
use crate::portal::Portal;
use crate::store::apps::OidcClient;
use crate::store::audit::{self, Entry};

/// The audit action of every refused authorization request.
pub const ACTION: &str = "oauth.authorize";

/// Why a verified client's request gets no code.
enum Refused {
    To(AuthError),
    SignIn { drop_prompt: bool },
}

/// What the endpoint answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// An error page: the client is unknown or `redirect_uri` is not exactly one it
    /// registered, so nothing may be sent there.
    BadLink,
    /// Back to the app with an error (`redirect` is the whole URL, `state` included).
    Error { redirect: String, error: AuthError },
    /// The user must sign in first, then come back with this request (`prompt=login`
    /// dropped when `drop_prompt`, or the sign-in it asks for would be asked again forever).
    SignIn { drop_prompt: bool },
    /// Back to the app with a code (`redirect` is the whole URL).
    Code { redirect: String },
}

impl Portal {
    /// Decides an authorization request. `cookie` is the browser's session cookie, if any;
    /// `address` the client's rate-limit key (refusals before a user is known are counted as
    /// junk per address, one audit row a minute, so a flood writes nothing per request).
    pub async fn authorize(
        &self,
        params: &Params,
        cookie: Option<&str>,
        address: &str,
    ) -> Result<Answer> {
        let junk = |result: &str| {
            self.junk()
                .count(&Entry::new(self.now(), ACTION, result), address);
        };
        let (Some(client_id), Some(redirect_uri)) =
            (params.get("client_id"), params.get("redirect_uri"))
        else {
            junk("bad_link");
            return Ok(Answer::BadLink);
        };
        let Some(client) = self.oidc_client(client_id).await? else {
            junk("bad_link");
            return Ok(Answer::BadLink);
        };
        if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
            junk("bad_link");
            return Ok(Answer::BadLink);
        }
        let app_state = params.get("state");
        let error = |error: AuthError| Answer::Error {
            redirect: authorize::error_redirect(redirect_uri, error, app_state),
            error,
        };
        // From here on the app hears of every failure, the database's too.
        match self
            .authorize_client(params, &client, redirect_uri, cookie, &junk)
            .await
        {
            Ok(Ok(redirect)) => Ok(Answer::Code { redirect }),
            Ok(Err(Refused::SignIn { drop_prompt })) => Ok(Answer::SignIn { drop_prompt }),
            Ok(Err(Refused::To(e))) => Ok(error(e)),
            Err(e) => {
                tracing::warn!(error = %e, "authorization request failed");
                Ok(error(AuthError::TemporarilyUnavailable))
            }
        }
    }

    /// The request of a verified client: the code's redirect, or why not.
    async fn authorize_client(
        &self,
        params: &Params,
        client: &OidcClient,
        redirect_uri: &str,
        cookie: Option<&str>,
        junk: &impl Fn(&str),
    ) -> Result<std::result::Result<String, Refused>> {
        let mut request = match authorize::check(params) {
            Ok(request) => request,
            Err(e) => {
                junk(e.code());
                return Ok(Err(Refused::To(e)));
            }
        };
        // Only what the app was allowed at registration: a scope beyond it is not granted
        // (RFC 6749 3.3 lets the server grant fewer), so its claims are not released.
        request.scopes.retain(|s| client.may_have(s));
        // A public client has no secret: PKCE is what keeps a stolen code useless (RFC 9700
        // 2.1.1).
        if client.public_client && request.code_challenge.is_none() {
            junk(AuthError::InvalidRequest.code());
            return Ok(Err(Refused::To(AuthError::InvalidRequest)));
        }
        // A pairwise app registered before salts existed has none: refused rather than given a
        // `sub` it did not register for.
        if client.pairwise && client.pairwise_salt.is_none() {
            junk(AuthError::UnauthorizedClient.code());
            return Ok(Err(Refused::To(AuthError::UnauthorizedClient)));
        }
        let session = match cookie {
            Some(cookie) => self.session_by_cookie(cookie).await?,
            None => None,
        };
        let now = self.now();
        let session = match session {
            // A temporary password must be changed before any app is signed in to: the
            // sign-in this asks for leads there first.
            Some(session)
                if !session.must_change_password
                    && authorize::session_fresh(&request, session.started_at, now) =>
            {
                session
            }
            _ if request.prompt.none => return Ok(Err(Refused::To(AuthError::LoginRequired))),
            _ => {
                return Ok(Err(Refused::SignIn {
                    drop_prompt: request.prompt.login,
                }));
            }
        };
        let shown = self.tiles_for(&session.user).await?;
        if !shown.iter().any(|t| t.id == client.id) {
            self.audit_refusal(&session, &client.id, AuthError::AccessDenied)
                .await?;
            return Ok(Err(Refused::To(AuthError::AccessDenied)));
        }
        let code = self
            .issue_code(&Grant {
                app_id: &client.id,
                redirect_uri,
                session_id: &session.id,
                user: &session.user,
                auth_time: session.started_at,
                request: &request,
            })
            .await?;
        let mut answer = vec![("code", code.as_str())];
        if let Some(s) = params.get("state") {
            answer.push(("state", s));
        }
        Ok(Ok(authorize::redirect_to(redirect_uri, &answer)))
    }

    /// A refusal to a signed-in user: a row of its own, naming the user and the app.
    async fn audit_refusal(
        &self,
        session: &LiveSession,
        app: &crate::ids::AppId,
        error: AuthError,
    ) -> Result<()> {
        let mut entry = Entry::new(self.now(), ACTION, error.code());
        entry.user_id = Some(session.user.id.clone());
        entry.detail = Some(format!("app {app}"));
        audit::record(self.db(), &entry).await
    }
}

/// The request again for `/login?next=`, without `prompt` when `drop_prompt`.
pub fn sign_in_again(params: &Params, drop_prompt: bool) -> Vec<(&str, &str)> {
    params
        .pairs()
        .iter()
        .filter(|(k, _)| !(drop_prompt && k == "prompt"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}
