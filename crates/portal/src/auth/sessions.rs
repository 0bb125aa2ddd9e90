//! Sessions: started by a kiosk sign-in (with a one-time launch ticket) or by the browser
//! login page (with a cookie at once); checked on every page with the inactivity and absolute
//! limits, and the withdrawal of the badge, kiosk or user behind them, enforced by the database
//! query itself. Each session knows how it was made ([`SessionMethod`]); what it may do follows
//! from that and the user's role ([`crate::auth::origin::authority`]).

use std::net::IpAddr;

use badgein_proto::{ProblemCode, SignIn, SignedInUser};

use super::origin::{Authority, Missing, SecondFactor, SessionMethod, authority, missing};
use crate::clock::rfc3339;
use crate::config::ms;
use crate::error::{PortalError, Result};
use crate::ids::UserId;
use crate::metrics::DbQuery;
use crate::portal::Portal;
use crate::store::audit::{self, Entry};
use crate::store::directory::{self, User};
use crate::store::kiosks::Kiosk;
use crate::store::sessions::{self, NewSession};
use crate::tokens;

/// Bytes of randomness in a session handle (128 bits) and in cookies and tickets (256 bits).
const HANDLE_BYTES: usize = 16;
const SECRET_BYTES: usize = 32;

/// A live session: its public handle, its user, how it was made, and where its user stands
/// with the second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub id: String,
    pub user: User,
    pub method: SessionMethod,
    /// When it was made (ms): an ID token's `auth_time`, a SAML assertion's `AuthnInstant`.
    pub started_at: i64,
    pub second_factor: SecondFactor,
    /// Signed in with a temporary password (a delegate's reset): it opens nothing but its own
    /// change, not even an app's sign-in.
    pub must_change_password: bool,
}

impl LiveSession {
    /// What this session may do (the one rule: [`authority`]).
    pub fn authority(&self) -> Authority {
        authority(self.user.role, self.method, self.second_factor)
    }

    /// What this session lacks for the teacher pages, if the second factor is why.
    pub fn missing(&self) -> Option<Missing> {
        missing(self.user.role, self.method, self.second_factor)
    }
}

impl Portal {
    /// Starts a password session for `user` at `kiosk` and returns the kiosk's answer (see
    /// [`Self::start_at_kiosk`]).
    pub(crate) async fn start_kiosk_session(
        &self,
        user: &User,
        kiosk: &Kiosk,
        client_ip: &str,
        base_url: &str,
        audit: &Entry,
    ) -> Result<SignIn> {
        let method = (SessionMethod::Password, None);
        self.start_at_kiosk(user, kiosk, method, client_ip, base_url, audit)
            .await
    }

    /// Starts a session for `user` at `kiosk` made with badge `badge_id`.
    pub(crate) async fn start_badge_session(
        &self,
        user: &User,
        kiosk: &Kiosk,
        badge_id: &str,
        client_ip: &str,
        base_url: &str,
        audit: &Entry,
    ) -> Result<SignIn> {
        let method = (SessionMethod::Badge, Some(badge_id.to_owned()));
        self.start_at_kiosk(user, kiosk, method, client_ip, base_url, audit)
            .await
    }

    /// Starts a session for `user` at `kiosk`, made by `method` (with the badge id of a badge
    /// session), and returns the kiosk's answer. The launch ticket is bound to this kiosk and
    /// to the address it asked from. `audit` is written in the same transaction.
    async fn start_at_kiosk(
        &self,
        user: &User,
        kiosk: &Kiosk,
        (method, badge_id): (SessionMethod, Option<String>),
        client_ip: &str,
        base_url: &str,
        audit: &Entry,
    ) -> Result<SignIn> {
        let now = self.now();
        let session_id = tokens::random_hex(HANDLE_BYTES)?;
        let ticket = tokens::random_hex(SECRET_BYTES)?;
        let expires_at = now + ms(self.config().session_absolute);
        let ticket_hash = tokens::digest(ticket.as_bytes());
        let mut audit = audit.clone();
        audit.user_id = Some(user.id.clone());
        let new = NewSession {
            id: session_id.clone(),
            user_id: user.id.clone(),
            kiosk_id: Some(kiosk.id.clone()),
            method,
            badge_id,
            now,
            expires_at,
            ticket_hash: Some(ticket_hash),
            ticket_expires_at: Some(now + ms(self.config().ticket_lifetime)),
            ticket_ip: Some(client_ip.to_owned()),
            cookie_hash: None,
        };
        self.metrics()
            .timed(
                DbQuery::SessionWrite,
                sessions::create(self.db(), new, audit),
            )
            .await?;
        Ok(SignIn {
            launch_url: format!("{base_url}/launch?ticket={ticket}"),
            expires_at: rfc3339(expires_at),
            user: SignedInUser {
                display_name: user.display_name(),
                first_name: user.given_name.clone(),
                avatar_url: Some(format!("{base_url}/avatars/{session_id}.svg")),
                locale: user.locale.clone(),
            },
            session_id,
        })
    }

    /// Starts a browser session (typed login) made by `method` and returns `(session id,
    /// cookie value)`.
    pub(crate) async fn start_browser_session(
        &self,
        user: &User,
        method: SessionMethod,
        audit: &Entry,
    ) -> Result<(String, String)> {
        let now = self.now();
        let session_id = tokens::random_hex(HANDLE_BYTES)?;
        let cookie = tokens::random_hex(SECRET_BYTES)?;
        let cookie_hash = tokens::digest(cookie.as_bytes());
        let mut audit = audit.clone();
        audit.user_id = Some(user.id.clone());
        let new = NewSession {
            id: session_id.clone(),
            user_id: user.id.clone(),
            kiosk_id: None,
            method,
            badge_id: None,
            now,
            expires_at: now + ms(self.config().session_absolute),
            ticket_hash: None,
            ticket_expires_at: None,
            ticket_ip: None,
            cookie_hash: Some(cookie_hash),
        };
        self.metrics()
            .timed(
                DbQuery::SessionWrite,
                sessions::create(self.db(), new, audit),
            )
            .await?;
        Ok((session_id, cookie))
    }

    /// Redeems a launch ticket: once, within its lifetime, from the address of the kiosk that
    /// asked, while that kiosk is not revoked, the badge that started the session not voided
    /// and its user not disabled. Returns the new cookie value. Any failure spends the ticket
    /// anyway.
    pub async fn redeem_ticket(&self, ticket: &str, client_ip: IpAddr) -> Result<String> {
        let now = self.now();
        let refused = PortalError::Refused(ProblemCode::InvalidCredentials);
        let claimed = sessions::claim_ticket(self.db(), &tokens::digest(ticket.as_bytes())).await?;
        let mut entry = Entry::new(now, "session.launch", "ok");
        let outcome = match &claimed {
            None => Err(refused),
            Some(t) => {
                entry.kiosk_id.clone_from(&t.kiosk_id);
                entry.user_id = Some(t.user_id.clone());
                let expired = t.ended_at.is_some()
                    || t.withdrawn != 0
                    || t.ticket_expires_at.is_none_or(|e| e <= now);
                if expired || t.ticket_ip.as_deref() != Some(client_ip.to_string().as_str()) {
                    Err(refused)
                } else if t.kiosk_revoked != 0 {
                    Err(PortalError::Refused(ProblemCode::KioskRevoked))
                } else {
                    Ok(t.id.clone())
                }
            }
        };
        match outcome {
            Ok(session_id) => {
                let cookie = tokens::random_hex(SECRET_BYTES)?;
                sessions::set_cookie(self.db(), &session_id, &tokens::digest(cookie.as_bytes()))
                    .await?;
                audit::record(self.db(), &entry).await?;
                Ok(cookie)
            }
            // An unknown ticket is junk; a real one refused names its session's user.
            Err(e) => self.audit_failure(entry, e, client_ip).await,
        }
    }

    /// The live session behind a cookie value; refreshes its inactivity timer.
    pub async fn session_by_cookie(&self, cookie: &str) -> Result<Option<LiveSession>> {
        let now = self.now();
        let idle = ms(self.config().session_idle);
        let found =
            sessions::touch(self.db(), &tokens::digest(cookie.as_bytes()), now, idle).await?;
        let Some(row) = found else {
            return Ok(None);
        };
        let method = SessionMethod::from_stored(&row.session_method, row.session_second_factor);
        // A badge session opens nothing the second factor guards: no need to ask.
        let second_factor = match method {
            SessionMethod::Badge => SecondFactor::Optional,
            SessionMethod::Password | SessionMethod::PasswordAndTotp => {
                self.second_factor(&row.user).await?
            }
        };
        Ok(Some(LiveSession {
            id: row.session_id,
            method,
            started_at: row.session_created,
            second_factor,
            must_change_password: row.must_change_password,
            user: row.user,
        }))
    }

    /// The user of a live session, by its public handle.
    pub async fn session_user(&self, session_id: &str) -> Result<Option<User>> {
        let Some(user_id) = sessions::live_user(self.db(), session_id, self.now()).await? else {
            return Ok(None);
        };
        directory::user(self.db(), &user_id).await
    }

    /// `POST /api/v1/sessions/{id}/end`: a kiosk ends one of its own sessions (idempotent).
    /// A revoked kiosk may still do this, and nothing else: ending a session only takes
    /// access away, and a kiosk revoked while a child is signed in must be able to sign
    /// them out.
    pub async fn end_session_as_kiosk(&self, credential: &str, session_id: &str) -> Result<()> {
        let kiosk = self.kiosk_by_credential(credential).await?;
        self.end_kiosk_session(&kiosk, session_id).await
    }

    /// A kiosk ends one of its own sessions (idempotent).
    pub async fn end_kiosk_session(&self, kiosk: &Kiosk, session_id: &str) -> Result<()> {
        let now = self.now();
        if !sessions::end_for_kiosk(self.db(), session_id, &kiosk.id, now).await? {
            return Err(PortalError::Refused(ProblemCode::NotFound));
        }
        self.wake_logouts();
        let mut entry = Entry::new(now, "session.end", "ok");
        entry.kiosk_id = Some(kiosk.id.clone());
        audit::record(self.db(), &entry).await
    }

    pub async fn logout(&self, session_id: &str, user_id: &UserId) -> Result<()> {
        let now = self.now();
        sessions::end(self.db(), session_id, now).await?;
        self.wake_logouts();
        let mut entry = Entry::new(now, "session.logout", "ok");
        entry.user_id = Some(user_id.clone());
        audit::record(self.db(), &entry).await
    }
}
