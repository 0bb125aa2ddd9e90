//! Sending the back-channel logouts (OpenID Connect Back-Channel Logout 1.0): when a session
//! ends ("I'm done", the kiosk's idle timeout, the next badge, a revoked kiosk, a voided
//! badge, a reset password), every app it signed in to that registered a back-channel logout
//! URI gets a logout token, POSTed from the portal's server (section 2.5).
//!
//! The owed logouts are rows (`store::sign_ins`), not messages in memory: a session that ends
//! in any way, in any portal process, even while this one restarts, is found by the same query.
//! A worker per process claims what is due, sends each with a short timeout, and retries a
//! failure briefly ([`BACKOFF`]) before giving up; nothing waits for it: the kiosk's sign-out
//! answers at once and wakes the worker ([`Portal::wake_logouts`]), and a poll every
//! [`POLL_EVERY`] finds the sessions that ended by time.

use std::time::Duration;

use tokio::task::{JoinHandle, JoinSet};

use super::codes::subject;
use super::logout::{LogoutFor, sid};
use crate::config::ms;
use crate::error::Result;
use crate::portal::Portal;
use crate::store::audit::Entry;
use crate::store::sign_ins::{self, Due};

/// How long after a failed try the next one comes: then it is given up (four tries in about
/// 20 s; a logout token is good for two minutes).
pub const BACKOFF: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(4),
    Duration::from_secs(15),
];
/// How long one POST may take (connect, send, the app's answer).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a claimed logout stays this worker's: longer than a send, so no other process
/// sends it meanwhile; a worker that died leaves it to be claimed again after this.
const LEASE: Duration = Duration::from_secs(30);
/// How often the worker looks for sessions that ended by time (idle, expired, pruned) and for
/// retries that are due, when nothing woke it.
pub const POLL_EVERY: Duration = Duration::from_secs(2);
/// Logouts claimed per pass; a pass sends them all at once.
const BATCH: i64 = 64;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Answered 2xx by the app.
    pub sent: usize,
    /// Not needed: the app registered no URI, is gone, or cannot be given a `sub`.
    pub skipped: usize,
    /// Failed and to be tried again.
    pub retrying: usize,
    /// Refused by the app (4xx) or failed the last try: given up.
    pub given_up: usize,
}

/// How a send ended.
enum Outcome {
    Sent,
    Skipped,
    /// The app answered 4xx: the token is not going to be accepted on a second try.
    Refused(u16),
    /// A 5xx, a timeout, no connection: worth another try.
    Failed(String),
}

/// The HTTP client the worker sends with: no redirects (the registered URI, exactly), no
/// cookies, short timeouts.
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(2))
        .timeout(SEND_TIMEOUT)
        .user_agent(concat!("BadgeIn-portal/", env!("CARGO_PKG_VERSION")))
        .build()
}

impl Portal {
    /// Claims the logouts due now and sends them, all at once; records each result. The
    /// portal's issuer (`iss` of the tokens) is `issuer`.
    pub async fn deliver_logouts(&self, issuer: &str, client: &reqwest::Client) -> Result<Pass> {
        let now = self.now();
        let idle = ms(self.config().session_idle);
        let due = sign_ins::claim_due(self.db(), now, idle, now + ms(LEASE), BATCH).await?;
        let mut sends = JoinSet::new();
        for due in due {
            let portal = self.clone();
            let issuer = issuer.to_owned();
            let client = client.clone();
            sends.spawn(async move {
                let outcome = portal.send_logout(&issuer, &client, &due).await;
                portal.record_logout(&due, outcome).await
            });
        }
        let mut pass = Pass::default();
        while let Some(done) = sends.join_next().await {
            match done {
                Ok(Ok(counted)) => counted(&mut pass),
                Ok(Err(error)) => tracing::warn!(%error, "back-channel logout not recorded"),
                Err(error) => tracing::warn!(%error, "back-channel logout task failed"),
            }
        }
        Ok(pass)
    }

    /// Sends one logout; never fails (the failure is the outcome).
    async fn send_logout(&self, issuer: &str, client: &reqwest::Client, due: &Due) -> Outcome {
        let receiver = match sign_ins::receiver(self.db(), &due.app_id).await {
            Ok(Some(r)) => r,
            Ok(None) => return Outcome::Skipped,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        let Some(uri) = receiver.backchannel_logout_uri else {
            return Outcome::Skipped;
        };
        let sub = match (receiver.pairwise, &receiver.pairwise_salt) {
            (false, _) => subject(&due.user_id, None),
            (true, Some(salt)) => subject(&due.user_id, Some(salt)),
            // A pairwise app without a salt was never given a token (idp::authorize).
            (true, None) => return Outcome::Skipped,
        };
        let sid = sid(&due.session_id, &due.app_id);
        let token = match self.logout_token(&LogoutFor {
            issuer,
            client_id: &receiver.client_id,
            sub: &sub,
            sid: &sid,
            alg: receiver.id_token_alg,
        }) {
            Ok(t) => t,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        match client
            .post(&uri)
            .form(&[("logout_token", token.as_str())])
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => Outcome::Sent,
            Ok(r) if r.status().is_client_error() => Outcome::Refused(r.status().as_u16()),
            Ok(r) => Outcome::Failed(format!("answered {}", r.status().as_u16())),
            // Without the URL: it may carry what the app put in it.
            Err(e) => Outcome::Failed(e.without_url().to_string()),
        }
    }

    /// Writes what a send did: done (with its audit entry) or a later retry. Returns how to
    /// count it.
    async fn record_logout(&self, due: &Due, outcome: Outcome) -> Result<fn(&mut Pass)> {
        let now = self.now();
        let entry = |result: &str, why: Option<&str>| {
            let mut e = Entry::new(now, "oidc.backchannel_logout", result);
            e.user_id = Some(due.user_id.clone());
            e.detail = Some(match why {
                Some(why) => format!("app {}: {why}", due.app_id),
                None => format!("app {}", due.app_id),
            });
            e
        };
        let tries = usize::try_from(due.logout_attempts).unwrap_or(0);
        Ok(match outcome {
            Outcome::Sent => {
                sign_ins::done(self.db(), due, now, Some(&entry("ok", None))).await?;
                |p| p.sent += 1
            }
            Outcome::Skipped => {
                sign_ins::done(self.db(), due, now, None).await?;
                |p| p.skipped += 1
            }
            Outcome::Refused(status) => {
                let why = format!("refused with {status}");
                tracing::info!(app = %due.app_id, status, "back-channel logout refused");
                sign_ins::done(self.db(), due, now, Some(&entry("refused", Some(&why)))).await?;
                |p| p.given_up += 1
            }
            Outcome::Failed(why) => match BACKOFF.get(tries) {
                Some(wait) => {
                    tracing::info!(app = %due.app_id, error = %why, "back-channel logout failed; retrying");
                    sign_ins::retry_at(self.db(), due, now + ms(*wait)).await?;
                    |p| p.retrying += 1
                }
                None => {
                    tracing::warn!(app = %due.app_id, error = %why, "back-channel logout given up");
                    sign_ins::done(self.db(), due, now, Some(&entry("failed", Some(&why)))).await?;
                    |p| p.given_up += 1
                }
            },
        })
    }
}

/// Runs the delivery worker until the returned task is aborted: a pass when woken by a
/// session's end, and every [`POLL_EVERY`].
pub fn spawn(portal: Portal, issuer: String) -> JoinHandle<()> {
    tokio::spawn(async move {
        let client = match http_client() {
            Ok(c) => c,
            Err(error) => {
                tracing::error!(%error, "back-channel logouts cannot be sent: no HTTP client");
                return;
            }
        };
        loop {
            match portal.deliver_logouts(&issuer, &client).await {
                // A full batch: there may be more due at once.
                Ok(pass) if pass.sent + pass.skipped + pass.retrying + pass.given_up > 0 => {
                    continue;
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "back-channel logouts not claimed"),
            }
            tokio::select! {
                () = portal.logouts_woken() => {}
                () = tokio::time::sleep(POLL_EVERY) => {}
            }
        }
    })
}
