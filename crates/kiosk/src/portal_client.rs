//! The kiosk's client for the portal's kiosk API (`badgein_proto::paths`).
//!
//! HTTPS only (plain HTTP on loopback), rustls, no redirects followed (a captive portal or a
//! misconfigured proxy is "offline", not somewhere to send a credential), a 3 s connect and
//! request timeout so a child hears "ask your teacher" quickly (P5). Reads and the idempotent
//! session end are retried; sign-ins never are (a retried sign-in could open two sessions).

use std::time::Duration;

use badgein_proto::{
    BadgeSignIn, EnrollRequest, Enrolled, KioskSettings, PasswordSignIn, Problem, ProblemCode,
    SignIn, paths,
};
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode, Url, redirect};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

use crate::machine::{ClockTime, PortalAnswer};
use crate::portal_url::{self, PortalUrlError};
use crate::redacted::Redacted;
use crate::secrets::Credential;

/// Connect and whole-request timeout.
pub const TIMEOUT: Duration = Duration::from_secs(3);
/// Attempts for calls that are safe to repeat.
const ATTEMPTS: u32 = 3;
const RETRY_PAUSE: Duration = Duration::from_millis(200);
/// Kiosk API answers are a few hundred bytes; anything much larger is not our portal.
const MAX_BODY: usize = 64 * 1024;

#[derive(Debug, Error)]
pub enum ClientError {
    #[error(transparent)]
    Url(#[from] PortalUrlError),
    #[error("the portal refused: {code}")]
    Problem {
        code: ProblemCode,
        retry_after: Option<u64>,
        /// When a lock ends, on the school's clock (the problem's `retry_at`).
        until: Option<ClockTime>,
    },
    /// No usable answer: connection failed, timed out, a redirect, or an error page that is not
    /// a problem document.
    #[error("the portal did not answer: {0}")]
    Unreachable(String),
    /// An answer that does not follow the contract.
    #[error("the portal answered something unexpected: {0}")]
    Protocol(String),
    #[error("this kiosk has no device credential")]
    NotEnrolled,
    /// The device credential was issued by another portal: it is never sent anywhere else.
    #[error("the device credential was issued by {issuer}, not this portal")]
    CredentialElsewhere { issuer: String },
    #[error("could not set up the HTTP client: {0}")]
    Setup(String),
}

impl ClientError {
    /// What the state machine hears.
    pub fn answer(&self) -> PortalAnswer {
        match self {
            Self::Problem {
                code,
                retry_after,
                until,
            } => PortalAnswer::Failed {
                code: *code,
                retry_after: *retry_after,
                until: *until,
            },
            Self::NotEnrolled | Self::CredentialElsewhere { .. } => PortalAnswer::Failed {
                code: ProblemCode::KioskNotEnrolled,
                retry_after: None,
                until: None,
            },
            Self::Url(_) | Self::Unreachable(_) | Self::Protocol(_) | Self::Setup(_) => {
                PortalAnswer::Unreachable
            }
        }
    }

    fn retryable(&self) -> bool {
        match self {
            Self::Unreachable(_) => true,
            Self::Problem { code, .. } => *code == ProblemCode::Unavailable,
            _ => false,
        }
    }
}

/// A client bound to one portal and (once enrolled) the device credential that portal issued.
#[derive(Debug, Clone)]
pub struct PortalClient {
    http: Client,
    base: Url,
    credential: Option<Credential>,
}

impl PortalClient {
    /// A client for the portal at `portal_url` (checked by [`portal_url::parse`]). A
    /// credential issued by another origin is refused: it would be sent to the wrong portal.
    pub fn new(portal_url: &str, credential: Option<Credential>) -> Result<Self, ClientError> {
        let base = portal_url::parse(portal_url)?;
        if let Some(c) = &credential
            && !c.is_for(&base)
        {
            return Err(ClientError::CredentialElsewhere {
                issuer: c.origin().to_owned(),
            });
        }
        let http = Client::builder()
            .use_rustls_tls()
            .redirect(redirect::Policy::none())
            .connect_timeout(TIMEOUT)
            .timeout(TIMEOUT)
            .user_agent(concat!("badgein-kiosk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Setup(e.to_string()))?;
        Ok(Self {
            http,
            base,
            credential,
        })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn is_enrolled(&self) -> bool {
        self.credential.is_some()
    }

    /// Trades a single-use enrollment code for a device credential. Not retried: the code is
    /// single use, and a lost answer means asking the teacher for a new one.
    pub async fn enroll(&self, code: &str, name: &str) -> Result<Enrolled, ClientError> {
        let body = EnrollRequest {
            code: code.to_owned(),
            name: name.to_owned(),
        };
        let req = self.request(Method::POST, paths::ENROLL)?.json(&body);
        read_json(send(req).await?).await
    }

    /// The school's settings for this kiosk; retried.
    pub async fn me(&self) -> Result<KioskSettings, ClientError> {
        self.retrying(|| async {
            let req = self.authorized(Method::GET, paths::KIOSK_ME)?;
            read_json(send(req).await?).await
        })
        .await
    }

    pub async fn sign_in_badge(&self, body: &BadgeSignIn) -> Result<SignIn, ClientError> {
        let req = self
            .authorized(Method::POST, paths::SIGN_IN_BADGE)?
            .json(body);
        self.read_sign_in(send(req).await?).await
    }

    pub async fn sign_in_password(&self, body: &PasswordSignIn) -> Result<SignIn, ClientError> {
        let req = self
            .authorized(Method::POST, paths::SIGN_IN_PASSWORD)?
            .json(body);
        self.read_sign_in(send(req).await?).await
    }

    /// Ends a session; retried, since ending twice is the same as ending once. A session the
    /// portal no longer knows is ended.
    pub async fn end_session(&self, session_id: &Redacted) -> Result<(), ClientError> {
        let path = paths::end_session(&url_segment(session_id.expose()));
        self.retrying(|| async {
            let req = self.authorized(Method::POST, &path)?;
            match send(req).await {
                Ok(_)
                | Err(ClientError::Problem {
                    code: ProblemCode::NotFound,
                    ..
                }) => Ok(()),
                Err(e) => Err(e),
            }
        })
        .await
    }

    async fn retrying<T, F, Fut>(&self, call: F) -> Result<T, ClientError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, ClientError>>,
    {
        let mut attempt = 1;
        loop {
            match call().await {
                Err(e) if e.retryable() && attempt < ATTEMPTS => {
                    tracing::debug!(attempt, error = %e, "portal call failed, retrying");
                    tokio::time::sleep(RETRY_PAUSE * attempt).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn request(&self, method: Method, path: &str) -> Result<RequestBuilder, ClientError> {
        let url = self
            .base
            .join(path)
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        Ok(self.http.request(method, url))
    }

    fn authorized(&self, method: Method, path: &str) -> Result<RequestBuilder, ClientError> {
        let credential = self.credential.as_ref().ok_or(ClientError::NotEnrolled)?;
        let url = self
            .base
            .join(path)
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        // A path that joins to another origin (`//host/...`) must not take the credential along.
        if !credential.is_for(&url) {
            return Err(ClientError::CredentialElsewhere {
                issuer: credential.origin().to_owned(),
            });
        }
        Ok(self
            .http
            .request(method, url)
            .bearer_auth(credential.secret().expose()))
    }

    async fn read_sign_in(&self, response: Response) -> Result<SignIn, ClientError> {
        /// The contract's `{sign_in}` read either bare or wrapped in a `sign_in` field.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Answer {
            Bare(SignIn),
            Wrapped { sign_in: SignIn },
        }
        let sign_in = match read_json::<Answer>(response).await? {
            Answer::Bare(s) | Answer::Wrapped { sign_in: s } => s,
        };
        // The launch URL is opened in the portal webview: it has to be the portal's own.
        let launch = Url::parse(&sign_in.launch_url)
            .map_err(|_| ClientError::Protocol("launch_url is not a URL".into()))?;
        if !portal_url::same_origin(&self.base, &launch) {
            return Err(ClientError::Protocol(
                "launch_url is not on the portal's origin".into(),
            ));
        }
        Ok(sign_in)
    }
}

/// Session ids are opaque: keep them one path segment whatever they contain.
fn url_segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Sends a request; a success status comes back, everything else is an error.
async fn send(req: RequestBuilder) -> Result<Response, ClientError> {
    let response = req.send().await.map_err(|e| {
        // reqwest's messages name the URL but never headers, so the credential stays out.
        ClientError::Unreachable(e.without_url().to_string())
    })?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    Err(problem_of(response).await)
}

async fn problem_of(response: Response) -> ClientError {
    let status = response.status();
    let header_retry = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let is_problem = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(badgein_proto::PROBLEM_JSON));
    if is_problem {
        if let Ok(bytes) = read_body(response).await
            && let Ok(problem) = serde_json::from_slice::<Problem>(&bytes)
        {
            return ClientError::Problem {
                code: problem.code,
                retry_after: problem.retry_after.or(header_retry),
                until: problem
                    .retry_at
                    .as_deref()
                    .and_then(ClockTime::from_rfc3339),
            };
        }
        return ClientError::Protocol(format!("unreadable problem document ({status})"));
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        return ClientError::Problem {
            code: ProblemCode::RateLimited,
            retry_after: header_retry,
            until: None,
        };
    }
    // A redirect, a proxy's error page, a 502 from a load balancer: not the portal talking.
    ClientError::Unreachable(format!("HTTP {status} without a problem document"))
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ClientError> {
    parse_json(&read_body(response).await?)
}

/// serde_json's message can quote the value it could not take (a child's name, a token) and
/// the error is logged: only the kind of error and where it is are kept.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ClientError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ClientError::Protocol(format!(
            "unreadable JSON ({:?} error at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })
}

/// Reads a body of at most [`MAX_BODY`] bytes.
async fn read_body(mut response: Response) -> Result<Vec<u8>, ClientError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| ClientError::Unreachable(e.without_url().to_string()))?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(ClientError::Protocol("answer too large".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Runs a sign-in and turns the outcome into what the state machine hears. Errors are logged
/// by kind only: no badge, password, session id or URL.
pub fn answer_of(result: Result<SignIn, ClientError>) -> PortalAnswer {
    match result {
        Ok(sign_in) => PortalAnswer::SignedIn(sign_in),
        Err(e) => {
            tracing::info!(error = %e, "sign-in did not succeed");
            e.answer()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_stay_one_path_segment() {
        assert_eq!(url_segment("abc-DEF_1.2~"), "abc-DEF_1.2~");
        assert_eq!(url_segment("../admin?x=1"), "..%2Fadmin%3Fx%3D1");
    }

    #[test]
    fn an_unreadable_answer_is_reported_without_its_values() {
        // A name where a number belongs: serde_json's own message would quote it.
        let error = parse_json::<Vec<u32>>(br#"["Zoe Quintana"]"#)
            .unwrap_err()
            .to_string();
        assert!(!error.contains("Quintana"), "{error}");
        assert!(error.contains("line 1, column"), "{error}");
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let e = PortalClient::new("http://portal.example", None).unwrap_err();
        assert!(matches!(e, ClientError::Url(PortalUrlError::NotHttps)));
        assert!(PortalClient::new("http://127.0.0.1:9", None).is_ok());
    }

    fn credential_of(issuer: &str, secret: &str) -> Credential {
        Credential::issued_by(&Url::parse(issuer).unwrap(), Redacted::new(secret))
    }

    #[test]
    fn debug_never_shows_the_credential() {
        let c = PortalClient::new(
            "https://portal.example",
            Some(credential_of("https://portal.example", "dev-cred-123")),
        )
        .unwrap();
        assert!(!format!("{c:?}").contains("dev-cred-123"));
    }

    #[test]
    fn a_credential_is_only_ever_given_to_its_issuers_client() {
        let a = credential_of("https://portal-a.example", "cred-a");
        for elsewhere in ["https://portal-b.example", "https://portal-a.example:444"] {
            let e = PortalClient::new(elsewhere, Some(a.clone())).unwrap_err();
            assert!(
                matches!(e, ClientError::CredentialElsewhere { .. }),
                "{elsewhere}"
            );
            assert!(!e.to_string().contains("cred-a"));
        }
        let client = PortalClient::new("https://portal-a.example/", Some(a)).unwrap();
        assert!(client.authorized(Method::GET, "kiosks/me").is_ok());
        assert!(matches!(
            client.authorized(Method::GET, "//evil.example/kiosks/me"),
            Err(ClientError::CredentialElsewhere { .. })
        ));
    }
}
