//! What an app is told when a session it signed in to ends: the `sid` it can match (also in
//! the ID token) and the back-channel logout token (OpenID Connect Back-Channel Logout 1.0,
//! section 2.4). The sending is `idp::backchannel`'s.

use serde::Serialize;

use super::{KeyError, LOGOUT_TOKEN_LIFETIME, SigningAlg, TokenType};
use crate::ids::AppId;
use crate::portal::Portal;
use crate::tokens;

/// The event a logout token carries (section 2.4: `events` holds this member, an empty
/// object).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// The `sid` app `app_id` sees for session `session_id`: hex of the SHA-256 of both, cut to
/// 128 bits. The same in the ID token and the logout token, so the app can end the right
/// session; different at each app, so two apps cannot join their users by it, and never the
/// session's own handle (which the kiosk uses).
pub fn sid(session_id: &str, app_id: &AppId) -> String {
    let mut input = Vec::with_capacity(session_id.len() + app_id.len() + 5);
    input.extend_from_slice(b"sid\0");
    input.extend_from_slice(app_id.as_bytes());
    input.push(0);
    input.extend_from_slice(session_id.as_bytes());
    tokens::hex(&tokens::digest(&input)[..16])
}

/// The logout token's claims (section 2.4): no `nonce`, which would let it pass for an ID
/// token; both `sub` and `sid`, so an app that keys its sessions either way can find them.
#[derive(Debug, Serialize)]
struct LogoutClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    jti: String,
    sub: &'a str,
    sid: &'a str,
    events: Events,
}

#[derive(Debug, Serialize)]
struct Events {
    #[serde(rename = "http://schemas.openid.net/event/backchannel-logout")]
    backchannel_logout: Empty,
}

#[derive(Debug, Serialize)]
struct Empty {}

/// Who a logout token is for.
#[derive(Debug)]
pub struct LogoutFor<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The `sub` the app knows the user by (pairwise or not).
    pub sub: &'a str,
    pub sid: &'a str,
    /// The app's ID token algorithm.
    pub alg: SigningAlg,
}

impl Portal {
    /// A signed logout token for `to`, with the app's ID token algorithm, valid
    /// [`LOGOUT_TOKEN_LIFETIME`] from now; `typ` `logout+jwt` (section 2.4 recommends explicit
    /// typing).
    pub fn logout_token(&self, to: &LogoutFor<'_>) -> Result<String, KeyError> {
        let now = self.now().div_euclid(1000);
        let lifetime = i64::try_from(LOGOUT_TOKEN_LIFETIME.as_secs()).unwrap_or(i64::MAX);
        let claims = LogoutClaims {
            iss: to.issuer,
            aud: to.client_id,
            iat: now,
            exp: now.saturating_add(lifetime),
            // Unique per token (section 2.4): apps may refuse a jti seen before.
            jti: tokens::random_hex(16)?,
            sub: to.sub,
            sid: to.sid,
            events: Events {
                backchannel_logout: Empty {},
            },
        };
        self.signer()?.sign(&claims, to.alg, TokenType::LogoutToken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sid_is_per_app_and_per_session_and_hides_the_handle() {
        let a = AppId::new("app-a");
        let b = AppId::new("app-b");
        let s = sid("s1", &a);
        assert_eq!(s.len(), 32);
        assert_eq!(s, sid("s1", &a));
        assert_ne!(s, sid("s1", &b));
        assert_ne!(s, sid("s2", &a));
        assert!(!s.contains("s1"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(sid("c", &AppId::new("ab")), sid("bc", &AppId::new("a")));
    }

    #[test]
    fn the_events_claim_has_the_logout_event_as_an_empty_object() {
        let e = serde_json::to_value(Events {
            backchannel_logout: Empty {},
        })
        .unwrap_or_default();
        assert_eq!(e, serde_json::json!({ BACKCHANNEL_LOGOUT_EVENT: {} }));
    }
}
