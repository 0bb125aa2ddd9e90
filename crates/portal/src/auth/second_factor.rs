//! The staff second factor (docs/staff-second-factor.md): enrolling an authenticator app,
//! the login page's code step, and an administrator's reset. The rules of a code are
//! `auth::totp`'s and `auth::recovery`'s; what a session may do with or without it is
//! `auth::origin`'s; the rows are `store::totp`'s.

use std::net::IpAddr;
use std::time::Instant;

use badgein_proto::ProblemCode;

use super::origin::{SecondFactor, SessionMethod, is_staff};
use super::pending::{self, LIFETIME_MS, Waiting};
use super::recovery;
use super::sign_in::{BrowserSignIn, elapsed_ms};
use super::totp::{self, Secret, Typed, Unreadable};
use crate::clock::Millis;
use crate::error::{PortalError, Result};
use crate::ids::UserId;
use crate::portal::Portal;
use crate::store::audit::Entry;
use crate::store::directory::{self, User};
use crate::store::totp as rows;

/// The name apps show beside the account (the `otpauth://` issuer).
pub const ISSUER: &str = "BadgeIn";

/// Where a member of staff's enrollment is.
#[derive(Debug)]
pub enum Enrollment {
    /// The factor is on (a new one only after an administrator's reset).
    On,
    /// Waiting for the first code of the app that took this secret.
    Waiting(Secret),
}

/// Why a code was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum CodeRefused {
    /// The sign-in waiting for a code is unknown or expired: type the password again.
    #[error("no sign-in is waiting for a code")]
    Expired,
    /// Not a code at all; nothing counted.
    #[error(transparent)]
    Unreadable(#[from] Unreadable),
    /// A code, but not the right one (or one already used); counted towards the lockout.
    #[error("wrong code")]
    Wrong,
    /// Too many wrong codes: the sign-in ends; the password may be tried again at `at`, told
    /// in `zone` (the user's school's).
    #[error("locked")]
    Locked {
        retry_after: u64,
        at: Millis,
        zone: jiff::tz::TimeZone,
    },
    #[error(transparent)]
    Portal(#[from] PortalError),
}

/// The associated data a user's sealed secret is bound to: moved to another row, it does not
/// open.
fn aad(user: &UserId) -> Vec<u8> {
    format!("totp:{user}").into_bytes()
}

impl Portal {
    /// Where `user` stands with the second factor. Only staff are asked; a student, or a
    /// badge session's owner, never is.
    pub async fn second_factor(&self, user: &User) -> Result<SecondFactor> {
        if !is_staff(user.role) {
            return Ok(SecondFactor::Optional);
        }
        let (enrolled, required) = rows::standing(self.db(), &user.id).await?;
        Ok(match (enrolled, required) {
            (true, _) => SecondFactor::Enrolled,
            (false, true) => SecondFactor::Required,
            (false, false) => SecondFactor::Optional,
        })
    }

    /// `user`'s enrollment: on, or waiting with its secret (made, sealed and stored on the first
    /// visit; the same secret on the next, until confirmed). Staff only.
    pub async fn totp_enrollment(&self, user: &User) -> Result<Enrollment> {
        if !is_staff(user.role) {
            return Err(PortalError::Refused(ProblemCode::NotFound));
        }
        let kek = self.signing_keys().kek()?;
        if rows::row(self.db(), &user.id).await?.is_none() {
            let sealed = kek.seal(Secret::random()?.as_bytes(), &aad(&user.id))?;
            let mut entry = Entry::new(self.now(), "user.totp_start", "ok");
            entry.user_id = Some(user.id.clone());
            rows::start(self.db(), &user.id, &sealed, &entry).await?;
        }
        let row = rows::row(self.db(), &user.id)
            .await?
            .ok_or_else(|| PortalError::Conflict("the enrollment was reset meanwhile".into()))?;
        if row.confirmed_at.is_some() {
            return Ok(Enrollment::On);
        }
        Ok(Enrollment::Waiting(
            self.open_secret(&user.id, &row.secret_sealed)?,
        ))
    }

    fn open_secret(&self, user: &UserId, sealed: &[u8]) -> Result<Secret> {
        let kek = self.signing_keys().kek()?;
        kek.open(sealed, &aad(user))
            .and_then(|bytes| Secret::from_bytes(&bytes))
            .ok_or_else(|| PortalError::from(crate::idp::KeyError::WrongKek(kek.path().to_owned())))
    }

    /// Confirms `user`'s waiting enrollment with a code of the app, from session `session_id`
    /// (which has now passed the second factor). Returns the recovery codes, to show once.
    pub async fn confirm_totp(
        &self,
        session_id: &str,
        user: &User,
        input: &str,
    ) -> std::result::Result<Vec<String>, CodeRefused> {
        let Typed::Code(code) = totp::read(input)? else {
            return Err(Unreadable::NotACode.into());
        };
        let Enrollment::Waiting(secret) = self.totp_enrollment(user).await? else {
            return Err(PortalError::Conflict("the second factor is already on".into()).into());
        };
        let now = self.now();
        let step = secret
            .matching_step(code, now, 0)
            .ok_or(CodeRefused::Wrong)?;
        let codes = recovery::generate()?;
        let hashes: Vec<Vec<u8>> = codes
            .iter()
            .filter_map(|c| recovery::normalise(c))
            .map(|c| recovery::digest(&c))
            .collect();
        let mut entry = Entry::new(now, "user.totp_enroll", "ok");
        entry.user_id = Some(user.id.clone());
        if !rows::confirm(self.db(), &user.id, step, &hashes, session_id, &entry).await? {
            return Err(PortalError::Conflict("the second factor is already on".into()).into());
        }
        Ok(codes)
    }

    /// Whether `typed` is a right, unused code of `user` at `now`; spends it if so.
    async fn spend_code(&self, user: &UserId, typed: &Typed, now: Millis) -> Result<bool> {
        match typed {
            Typed::Code(code) => {
                let Some(row) = rows::row(self.db(), user).await? else {
                    return Ok(false);
                };
                if row.confirmed_at.is_none() {
                    return Ok(false);
                }
                let secret = self.open_secret(user, &row.secret_sealed)?;
                match secret.matching_step(*code, now, row.last_step) {
                    Some(step) => rows::spend_step(self.db(), user, step).await,
                    None => Ok(false),
                }
            }
            Typed::Recovery(code) => {
                rows::spend_recovery(self.db(), user, &recovery::digest(code), now).await
            }
        }
    }

    /// Keeps a password sign-in of `user` waiting for its code; returns the browser's token.
    pub(crate) async fn wait_for_code(&self, user: &User, device_cookie: String) -> Result<String> {
        let waiting = Waiting {
            user_id: user.id.clone(),
            account: user.username.to_lowercase(),
            device_cookie,
            expires_at: self.now() + LIFETIME_MS,
        };
        pending::insert(self.db(), waiting).await
    }

    /// The login page's code step: completes the password sign-in waiting behind `token` with
    /// an authenticator code or a recovery code. A wrong code counts towards the lockout
    /// (`auth::guard`) and the sign-in keeps waiting; a right one is spent and the session
    /// starts, having passed the second factor.
    pub async fn sign_in_with_code(
        &self,
        token: &str,
        input: &str,
        client_ip: IpAddr,
    ) -> std::result::Result<BrowserSignIn, CodeRefused> {
        let started = Instant::now();
        let now = self.now();
        let waiting = pending::take(self.db(), token, now)
            .await?
            .ok_or(CodeRefused::Expired)?;
        let typed = match totp::read(input) {
            Ok(typed) => typed,
            Err(unreadable) => {
                pending::put_back(self.db(), token, waiting).await?;
                return Err(unreadable.into());
            }
        };
        let mut entry = Entry::new(now, "sign_in.second_factor", "ok");
        entry.user_id = Some(waiting.user_id.clone());
        if matches!(typed, Typed::Recovery(_)) {
            entry.detail = Some("recovery code".into());
        }
        match self
            .guard()
            .admit_code(self.db(), &waiting.account, now)
            .await
        {
            Ok(()) => {}
            Err(locked @ PortalError::Locked { .. }) => {
                // The waiting sign-in ends with the lock: after it, the password comes first
                // again.
                entry.latency_ms = Some(elapsed_ms(started));
                let retry_after = locked.problem().retry_after.unwrap_or(1);
                if let Err(e) = self.audit_failure::<()>(entry, locked, client_ip).await
                    && e.code() == ProblemCode::Unavailable
                {
                    return Err(e.into());
                }
                let (at, zone) = self
                    .lock_ends_for_login(&waiting.account, retry_after)
                    .await?;
                return Err(CodeRefused::Locked {
                    retry_after,
                    at,
                    zone,
                });
            }
            Err(e) => {
                // No verdict on the code (the database did not answer): the sign-in waits on.
                pending::put_back(self.db(), token, waiting).await?;
                return Err(e.into());
            }
        }
        let spent = match self.spend_code(&waiting.user_id, &typed, now).await {
            Ok(spent) => spent,
            Err(e) => {
                pending::put_back(self.db(), token, waiting).await?;
                return Err(e.into());
            }
        };
        entry.latency_ms = Some(elapsed_ms(started));
        if !spent {
            let account = waiting.account.clone();
            pending::put_back(self.db(), token, waiting).await?;
            if self
                .guard()
                .locked_until(self.db(), &account, now)
                .await?
                .is_some()
            {
                entry.detail = Some("this wrong code locks the account".into());
            }
            let wrong = PortalError::Refused(ProblemCode::InvalidCredentials);
            return match self
                .audit_failure::<BrowserSignIn>(entry, wrong, client_ip)
                .await
            {
                Err(e) if e.code() == ProblemCode::Unavailable => Err(e.into()),
                _ => Err(CodeRefused::Wrong),
            };
        }
        self.guard()
            .code_succeeded(self.db(), &waiting.account)
            .await?;
        let user = directory::user(self.db(), &waiting.user_id)
            .await?
            .filter(|u| u.disabled_at.is_none())
            .ok_or(PortalError::Refused(ProblemCode::AccountDisabled))?;
        let signed_in = self
            .start_signed_in_browser(
                &user,
                waiting.device_cookie,
                SessionMethod::PasswordAndTotp,
                &entry,
            )
            .await?;
        Ok(signed_in)
    }

    /// An administrator (`by`; `None`: the command line) resets `user_id`'s second factor (a
    /// lost phone and lost codes): the authenticator and recovery codes are gone and every
    /// session of the user ends, audited in the same transaction. The next visit to
    /// `/account/totp` enrolls anew. Returns how many sessions ended.
    pub async fn reset_totp(&self, user_id: impl Into<UserId>, by: Option<&UserId>) -> Result<u64> {
        let user_id = user_id.into();
        let mut entry = Entry::new(self.now(), "user.totp_reset", "ok");
        entry.user_id = Some(user_id.clone());
        entry.detail = Some(match by {
            Some(admin) => format!("by administrator {admin}"),
            None => "by the command line".to_owned(),
        });
        let ended = rows::reset(self.db(), &user_id, &entry)
            .await?
            .ok_or_else(|| PortalError::NotFound(format!("user {user_id}")))?;
        self.wake_logouts();
        Ok(ended)
    }
}
