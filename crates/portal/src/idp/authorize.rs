//! The authorization request (OpenID Connect Core 1.0, 3.1.2.1) read and checked, free of
//! HTTP: the parameters in, a [`Request`] or an [`AuthError`] out. Who the client is and
//! whether `redirect_uri` is one of its own are decided by the caller first: until then an
//! error is shown to the user, never sent to the URI (no open redirect).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// The longest `state` or `nonce` kept: an app needs far less, and both come back verbatim.
pub const MAX_STATE: usize = 512;
/// The longest value of any other parameter.
pub const MAX_PARAM: usize = 2048;
/// The longest whole query or form.
pub const MAX_QUERY: usize = 8192;

/// The OAuth error codes this endpoint sends back (RFC 6749 4.1.2.1, OIDC Core 3.1.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("invalid_request")]
    InvalidRequest,
    #[error("unsupported_response_type")]
    UnsupportedResponseType,
    #[error("invalid_scope")]
    InvalidScope,
    #[error("login_required")]
    LoginRequired,
    #[error("access_denied")]
    AccessDenied,
    #[error("unauthorized_client")]
    UnauthorizedClient,
    #[error("server_error")]
    ServerError,
    #[error("temporarily_unavailable")]
    TemporarilyUnavailable,
}

impl AuthError {
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::LoginRequired => "login_required",
            Self::AccessDenied => "access_denied",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }
}

/// `prompt` (OIDC Core 3.1.2.1): `none` and `login` are acted on; `consent` and
/// `select_account` ask for nothing here (there is no consent screen: the school registered
/// the app for its pupils).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
}

/// A checked authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The scopes granted: `openid` and those of [`super::discovery::SCOPES`] asked for.
    pub scopes: Vec<&'static str>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Prompt,
    /// Seconds.
    pub max_age: Option<u64>,
}

impl Request {
    pub fn scope(&self) -> String {
        self.scopes.join(" ")
    }
}

/// The parameters of a request, each at most once (a repeated one is `invalid_request`).
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
    repeated: bool,
    oversized: bool,
}

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        let mut params = Self::default();
        for (k, v) in pairs {
            if params.pairs.iter().any(|(seen, _)| *seen == k) {
                params.repeated = true;
                continue;
            }
            let limit = if k == "state" || k == "nonce" {
                MAX_STATE
            } else {
                MAX_PARAM
            };
            if v.len() > limit {
                params.oversized = true;
                continue;
            }
            params.pairs.push((k, v));
        }
        params
    }

    /// The value of `name`; empty counts as absent (RFC 6749 3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Whether a parameter came twice or was too long.
    pub fn malformed(&self) -> bool {
        self.repeated || self.oversized
    }
}

/// Checks everything but the client and the redirect URI (the caller's, first).
pub fn check(params: &Params) -> Result<Request, AuthError> {
    if params.malformed() {
        return Err(AuthError::InvalidRequest);
    }
    match params.get("response_type") {
        Some("code") => {}
        None => return Err(AuthError::InvalidRequest),
        Some(_) => return Err(AuthError::UnsupportedResponseType),
    }
    // The request object and the fragment/form_post modes are not offered.
    if params.get("request").is_some() || params.get("request_uri").is_some() {
        return Err(AuthError::InvalidRequest);
    }
    if params.get("response_mode").is_some_and(|m| m != "query") {
        return Err(AuthError::InvalidRequest);
    }
    let asked: Vec<&str> = params
        .get("scope")
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    if !asked.contains(&"openid") {
        return Err(AuthError::InvalidScope);
    }
    // Unknown scopes are ignored (RFC 6749 3.3: the server may grant fewer).
    let scopes: Vec<&'static str> = super::discovery::SCOPES
        .iter()
        .copied()
        .filter(|s| asked.contains(s))
        .collect();
    let code_challenge = match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (None, None) => None,
        (Some(challenge), Some("S256")) if is_challenge(challenge) => Some(challenge.to_owned()),
        // `plain` is refused (RFC 9700 2.1.1), as is a challenge without its method.
        _ => return Err(AuthError::InvalidRequest),
    };
    let mut prompt = Prompt::default();
    for p in params.get("prompt").unwrap_or_default().split(' ') {
        match p {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "" | "consent" | "select_account" => {}
            _ => return Err(AuthError::InvalidRequest),
        }
    }
    // `none` with anything else is an error (OIDC Core 3.1.2.1).
    if prompt.none && params.get("prompt") != Some("none") {
        return Err(AuthError::InvalidRequest);
    }
    let max_age = match params.get("max_age") {
        None => None,
        Some(v) if v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit()) => {
            Some(v.parse().map_err(|_| AuthError::InvalidRequest)?)
        }
        Some(_) => return Err(AuthError::InvalidRequest),
    };
    Ok(Request {
        scopes,
        nonce: params.get("nonce").map(str::to_owned),
        code_challenge,
        prompt,
        max_age,
    })
}

/// Whether the session (made at `auth_time`, ms) is fresh enough for `request` at `now`.
pub fn session_fresh(request: &Request, auth_time: i64, now: i64) -> bool {
    if request.prompt.login {
        return false;
    }
    match request.max_age {
        None => true,
        Some(secs) => {
            let max = i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX);
            now.saturating_sub(auth_time) <= max
        }
    }
}

/// A PKCE S256 challenge: base64url of a SHA-256 digest, 43 characters (RFC 7636 4.2).
fn is_challenge(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `verifier` (RFC 7636 4.1: 43 to 128 unreserved characters) hashes to `challenge`.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    well_formed
        && crate::tokens::same(
            URL_SAFE_NO_PAD
                .encode(Sha256::digest(verifier.as_bytes()))
                .as_bytes(),
            challenge.as_bytes(),
        )
}

/// `redirect_uri` with the answer's parameters added to its query (exactly `redirect_uri`
/// when there are none).
pub fn redirect_to(redirect_uri: &str, answer: &[(&str, &str)]) -> String {
    let mut out = redirect_uri.to_owned();
    if answer.is_empty() {
        return out;
    }
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in answer {
        serializer.append_pair(k, v);
    }
    out.push(if redirect_uri.contains('?') { '&' } else { '?' });
    out.push_str(&serializer.finish());
    out
}

/// The error answer for `redirect_uri`, with the app's `state`.
pub fn error_redirect(redirect_uri: &str, error: AuthError, state: Option<&str>) -> String {
    let mut answer = vec![("error", error.code())];
    if let Some(state) = state {
        answer.push(("state", state));
    }
    redirect_to(redirect_uri, &answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::new(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    #[test]
    fn pkce_follows_rfc_7636_appendix_b() {
        assert!(pkce_matches(VERIFIER, CHALLENGE));
        assert!(!pkce_matches(&VERIFIER.replace('d', "e"), CHALLENGE));
        assert!(!pkce_matches("short", CHALLENGE));
        assert!(!pkce_matches(CHALLENGE, CHALLENGE));
    }

    #[test]
    fn requests_are_checked() {
        let ok = [
            ("response_type", "code"),
            ("scope", "openid profile junk"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("nonce", "n"),
            ("max_age", "60"),
        ];
        let r = check(&params(&ok)).unwrap();
        assert_eq!(r.scopes, ["openid", "profile"]);
        assert_eq!(r.max_age, Some(60));
        let with = |k: &str, v: &str| {
            let mut p: Vec<(&str, &str)> = ok.iter().copied().filter(|(n, _)| *n != k).collect();
            p.push((k, v));
            check(&params(&p))
        };
        assert_eq!(
            with("response_type", "token"),
            Err(AuthError::UnsupportedResponseType)
        );
        assert_eq!(with("scope", "profile"), Err(AuthError::InvalidScope));
        assert_eq!(
            with("code_challenge_method", "plain"),
            Err(AuthError::InvalidRequest)
        );
        assert_eq!(with("prompt", "none login"), Err(AuthError::InvalidRequest));
        assert_eq!(with("max_age", "-1"), Err(AuthError::InvalidRequest));
        assert_eq!(
            with("nonce", &"n".repeat(MAX_STATE + 1)),
            Err(AuthError::InvalidRequest)
        );
        let mut twice = ok.to_vec();
        twice.push(("scope", "openid"));
        assert_eq!(check(&params(&twice)), Err(AuthError::InvalidRequest));
    }

    #[test]
    fn freshness() {
        let r = check(&params(&[
            ("response_type", "code"),
            ("scope", "openid"),
            ("max_age", "10"),
        ]))
        .unwrap();
        assert!(session_fresh(&r, 0, 10_000));
        assert!(!session_fresh(&r, 0, 10_001));
    }

    #[test]
    fn redirects_keep_the_registered_query() {
        assert_eq!(
            redirect_to("https://a.example/cb?x=1", &[("code", "c d")]),
            "https://a.example/cb?x=1&code=c+d"
        );
        assert_eq!(
            error_redirect("https://a.example/cb", AuthError::LoginRequired, Some("s&")),
            "https://a.example/cb?error=login_required&state=s%26"
        );
    }
}
