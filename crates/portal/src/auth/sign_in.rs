//! Password sign-in under the password guard (`auth::guard`), password changes and teacher
//! unlocks.

use std::net::IpAddr;
use std::time::Instant;

use badgein_proto::{PasswordSignIn, ProblemCode, SignIn};

use super::guard::{Attempt, Scope};
use super::junk;
use super::origin::{SecondFactor, SessionMethod, may_hold_badge};
use super::password::{MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};
use super::password_rules::{self, MAX_CHARS, PasswordProblem};
use crate::client_addr::limit_key;
use crate::clock::Millis;
use crate::config::ms;
use crate::error::{PortalError, Result};
use crate::ids::UserId;
use crate::metrics::DbQuery;
use crate::portal::Portal;
use crate::store::audit::{self, Entry};
use crate::store::directory::{self, User};
use crate::store::kiosks::Kiosk;
use crate::store::{devices, sessions};
use crate::tokens;

const MAX_USERNAME_LEN: usize = 256;
/// A device cookie is 32 random bytes as hex; anything else is ignored.
const DEVICE_COOKIE_LEN: usize = 64;

/// Where a password is typed.
#[derive(Debug, Clone, Copy)]
pub enum PasswordFrom<'a> {
    /// The login page, with the browser's device cookie if it sent one.
    Browser { device: Option<&'a str> },
    /// An enrolled kiosk's typed sign-in.
    Kiosk(&'a Kiosk),
    /// A signed-in user confirming their password (the session proves the browser).
    Session(&'a str),
}

/// A browser sign-in: the session, its cookie, and the device cookie to (re)set.
#[derive(Debug)]
pub struct BrowserSignIn {
    pub session_id: String,
    pub cookie: String,
    /// The browser is recognised for this account from now on (docs/API.md).
    pub device_cookie: String,
    /// The school requires the second factor of this member of staff, who has not enrolled:
    /// the enrollment page comes first.
    pub enroll_first: bool,
}

/// What the login page's password step leads to.
#[derive(Debug)]
pub enum PasswordStep {
    SignedIn(BrowserSignIn),
    /// The user has an authenticator: the code step comes next, with this token (the browser's
    /// cookie for `auth::pending`). No session yet.
    CodeNeeded {
        token: String,
    },
}

impl Portal {
    /// Checks a username and password under the password guard. Unknown users, users without
    /// a password and wrong passwords all get `invalid_credentials` after the same Argon2
    /// work and the same counters. A wrong password for a real account is noted in `entry`
    /// (its user, the username and the address) so that it is audited; anything about an
    /// unknown username only goes to the junk counts.
    async fn check_password(
        &self,
        username: &str,
        password: &str,
        from: PasswordFrom<'_>,
        ip: IpAddr,
        entry: &mut Entry,
    ) -> Result<(User, bool)> {
        if username.len() > MAX_USERNAME_LEN || password.len() > MAX_PASSWORD_LEN {
            return Err(PortalError::BadRequest(
                "username or password too long".into(),
            ));
        }
        let now = self.now();
        let key = username.to_lowercase();
        let address = limit_key(ip);
        let device = match from {
            PasswordFrom::Browser { device } => {
                well_formed_device(device).map(|d| tokens::digest(d.as_bytes()))
            }
            _ => None,
        };
        let unrecognised = match from {
            PasswordFrom::Kiosk(k) => Scope::Kiosk(k.id.clone()),
            _ => Scope::Address(address.clone()),
        };
        // What cannot turn out recognised is throttled before the database is asked.
        let pre_throttled = device.is_none() && !matches!(from, PasswordFrom::Session(_));
        if pre_throttled {
            self.guard()
                .throttle_unrecognised(&unrecognised, &address, now)?;
        }
        let login = self
            .metrics()
            .timed(
                DbQuery::LoginLookup,
                directory::user_for_login(self.db(), &key),
            )
            .await?;
        let recognised = match (&login, from, &device) {
            (Some(l), PasswordFrom::Browser { .. }, Some(hash)) => {
                let since = now - ms(self.config().device_lifetime);
                devices::browser_known(self.db(), hash, &l.user.id, since).await?
            }
            (Some(l), PasswordFrom::Kiosk(k), _) => {
                devices::kiosk_known(self.db(), &l.user.id, &k.id).await?
            }
            (Some(_), PasswordFrom::Session(_), _) => true,
            _ => false,
        };
        if !recognised && !pre_throttled {
            self.guard()
                .throttle_unrecognised(&unrecognised, &address, now)?;
        }
        let scope = match (from, &device) {
            (PasswordFrom::Session(id), _) => Scope::Browser(format!("session {id}")),
            (PasswordFrom::Browser { .. }, Some(hash)) if recognised => {
                Scope::Browser(tokens::hex(hash))
            }
            _ => unrecognised,
        };
        // A place in the hashing pool first: what the workers cannot take costs no counter.
        let slot = self.hasher().reserve()?;
        let attempt = Attempt {
            account: &key,
            scope,
            recognised,
            address: &address,
            now,
        };
        let admitted = self.guard().admit(self.db(), &attempt).await?;
        let (user, hash) = match login {
            Some(l) => (Some(l.user), l.password_hash),
            None => (None, None),
        };
        let ok = self
            .hasher()
            .verify(slot, hash, password.to_owned())
            .await?;
        match user {
            Some(user) if ok => {
                self.guard().succeeded(self.db(), &key).await?;
                if user.disabled_at.is_some() {
                    entry.user_id = Some(user.id.clone());
                    return Err(PortalError::Refused(ProblemCode::AccountDisabled));
                }
                Ok((user, recognised))
            }
            Some(user) => {
                entry.user_id = Some(user.id.clone());
                let locked = if admitted.locks_if_wrong {
                    "; this failure locks it for this device or address"
                } else {
                    ""
                };
                entry.detail = Some(format!(
                    "username {} from {ip}{}{locked}",
                    user.username,
                    if recognised { " (recognised)" } else { "" },
                ));
                Err(PortalError::Refused(ProblemCode::InvalidCredentials))
            }
            None => Err(PortalError::Refused(ProblemCode::InvalidCredentials)),
        }
    }

    /// `POST /api/v1/sign-ins/password` from a kiosk.
    pub async fn sign_in_password_at_kiosk(
        &self,
        credential: &str,
        request: &PasswordSignIn,
        client_ip: IpAddr,
        base_url: &str,
    ) -> Result<SignIn> {
        let started = Instant::now();
        let mut entry = Entry::new(self.now(), "sign_in.password", "ok");
        let mut school = None;
        let result = async {
            let kiosk = self.active_kiosk(credential).await?;
            entry.kiosk_id = Some(kiosk.id.clone());
            school = Some(kiosk.school_id.clone());
            let (user, _) = self
                .check_password(
                    &request.username,
                    &request.password,
                    PasswordFrom::Kiosk(&kiosk),
                    client_ip,
                    &mut entry,
                )
                .await?;
            entry.user_id = Some(user.id.clone());
            // A classroom kiosk signs in the people who may hold a badge: never a parent.
            if !may_hold_badge(user.role) {
                return Err(PortalError::Refused(ProblemCode::WrongSchool));
            }
            if user.school_id != kiosk.school_id {
                return Err(PortalError::Refused(ProblemCode::WrongSchool));
            }
            Ok((user, kiosk))
        }
        .await;
        entry.latency_ms = Some(elapsed_ms(started));
        match result {
            Ok((user, kiosk)) => {
                self.start_kiosk_session(&user, &kiosk, &client_ip.to_string(), base_url, &entry)
                    .await
            }
            Err(PortalError::Locked { retry_after }) => {
                // The kiosk shows when to try again, as its school's clock says it.
                let error = match school {
                    Some(school) => PortalError::LockedUntil {
                        retry_after,
                        retry_at: self.lock_ends_at_school(&school, retry_after).await?,
                    },
                    None => PortalError::Locked { retry_after },
                };
                self.audit_failure(entry, error, client_ip).await
            }
            Err(e) => self.audit_failure(entry, e, client_ip).await,
        }
    }

    /// The browser login page's password step. `device`: the browser's device cookie, if it
    /// sent one. A user with an authenticator gets no session yet: the code step comes next
    /// (`auth::second_factor`).
    pub async fn sign_in_password_in_browser(
        &self,
        username: &str,
        password: &str,
        device: Option<&str>,
        client_ip: IpAddr,
    ) -> Result<PasswordStep> {
        let started = Instant::now();
        let mut entry = Entry::new(self.now(), "sign_in.password", "ok");
        let result = self
            .check_password(
                username,
                password,
                PasswordFrom::Browser { device },
                client_ip,
                &mut entry,
            )
            .await;
        entry.latency_ms = Some(elapsed_ms(started));
        let user = match result {
            Ok((user, _)) => user,
            Err(e) => return self.audit_failure(entry, e, client_ip).await,
        };
        // The same browser may be shared (a classroom computer): it keeps one device
        // cookie, recognised for every account that signed in on it.
        let device_cookie = match well_formed_device(device) {
            Some(d) => d,
            None => tokens::random_hex(32)?,
        };
        let factor = self.second_factor(&user).await?;
        if factor == SecondFactor::Enrolled {
            let token = self.wait_for_code(&user, device_cookie).await?;
            entry.user_id = Some(user.id.clone());
            entry.detail = Some("the second factor comes next".into());
            audit::record(self.db(), &entry).await?;
            return Ok(PasswordStep::CodeNeeded { token });
        }
        let mut signed_in = self
            .start_signed_in_browser(&user, device_cookie, SessionMethod::Password, &entry)
            .await?;
        signed_in.enroll_first = factor == SecondFactor::Required;
        Ok(PasswordStep::SignedIn(signed_in))
    }

    /// Remembers the browser for `user` and starts its session made by `method`, with `entry`
    /// as the sign-in's audit record.
    pub(crate) async fn start_signed_in_browser(
        &self,
        user: &User,
        device_cookie: String,
        method: SessionMethod,
        entry: &Entry,
    ) -> Result<BrowserSignIn> {
        devices::remember_browser(
            self.db(),
            &tokens::digest(device_cookie.as_bytes()),
            &user.id,
            self.now(),
        )
        .await?;
        let (session_id, cookie) = self.start_browser_session(user, method, entry).await?;
        Ok(BrowserSignIn {
            session_id,
            cookie,
            device_cookie,
            enroll_first: false,
        })
    }

    /// Until when `username`'s password sign-in is locked anywhere (for the teacher pages).
    pub async fn locked_until(&self, username: &str) -> Result<Option<Millis>> {
        self.guard()
            .locked_until(self.db(), &username.to_lowercase(), self.now())
            .await
    }

    /// Writes the junk counted since the last call to the audit log, one row per kind and
    /// address (the server calls it every minute and when it stops). What could not be
    /// written is kept for the next call.
    pub async fn flush_junk(&self) -> Result<()> {
        let mut summaries = self.junk().drain().into_iter();
        while let Some(summary) = summaries.next() {
            if let Err(e) = audit::record(self.db(), &summary.entry()).await {
                let mut unwritten = vec![summary];
                unwritten.extend(summaries);
                self.junk().restore(unwritten);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Records a refused attempt from `client_ip` and returns the refusal: junk (see
    /// `auth::junk`) is only counted, anything naming a real account or kiosk action is
    /// written. An audit failure turns into `unavailable`: nothing is answered that was not
    /// recorded.
    pub(crate) async fn audit_failure<T>(
        &self,
        mut entry: Entry,
        error: PortalError,
        client_ip: IpAddr,
    ) -> Result<T> {
        let code = error.code();
        if code == ProblemCode::Unavailable {
            return Err(error);
        }
        code.as_str().clone_into(&mut entry.result);
        if junk::is_junk(&entry, code) {
            self.junk().count(&entry, &limit_key(client_ip));
        } else {
            audit::record(self.db(), &entry).await?;
        }
        Err(error)
    }

    /// Changes the password of a signed-in user (who must know the current one) and ends every
    /// other session of theirs. Returns how many sessions were ended.
    pub async fn change_password(
        &self,
        session_id: &str,
        user: &User,
        current: &str,
        new: &str,
        client_ip: IpAddr,
    ) -> Result<u64> {
        check_new_password(new)?;
        let mut entry = Entry::new(self.now(), "user.password_change", "ok");
        let checked = self
            .check_password(
                &user.username,
                current,
                PasswordFrom::Session(session_id),
                client_ip,
                &mut entry,
            )
            .await;
        if let Err(e) = checked {
            return self.audit_failure(entry, e, client_ip).await;
        }
        let hash = self.hasher().hash(new.to_owned()).await?;
        directory::set_password_hash(self.db(), &user.id, &hash).await?;
        // Their own password now: a temporary one no longer holds them on the change page.
        crate::store::accounts::password_changed(self.db(), &user.id).await?;
        let now = self.now();
        let ended = sessions::end_others(self.db(), &user.id, session_id, now).await?;
        self.wake_logouts();
        let mut entry = Entry::new(now, "user.password_change", "ok");
        entry.user_id = Some(user.id.clone());
        entry.detail = Some(format!("ended {ended} other sessions"));
        audit::record(self.db(), &entry).await?;
        Ok(ended)
    }

    /// An administrator sets a password (CLI); every session of the user ends.
    pub async fn set_password(&self, user_id: impl Into<UserId>, password: &str) -> Result<()> {
        let user_id = user_id.into();
        check_new_password(password)?;
        let hash = self.hasher().hash(password.to_owned()).await?;
        self.reset_password_hash(&user_id, &hash).await
    }

    /// A teacher (or the CLI, in another process) clears a password lockout everywhere.
    pub async fn unlock(&self, user_id: impl Into<UserId>) -> Result<()> {
        let user_id = user_id.into();
        let user = directory::user(self.db(), &user_id)
            .await?
            .ok_or_else(|| PortalError::NotFound(format!("user {user_id}")))?;
        self.guard()
            .clear(self.db(), &user.username.to_lowercase())
            .await?;
        let mut entry = Entry::new(self.now(), "user.unlock", "ok");
        entry.user_id = Some(user.id);
        audit::record(self.db(), &entry).await
    }
}

/// The device cookie as it is stored (lowercase hex), if `device` is one at all.
fn well_formed_device(device: Option<&str>) -> Option<String> {
    device
        .filter(|d| d.len() == DEVICE_COOKIE_LEN && d.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
}

/// A new password under `auth::password_rules`; the refusal says which rule.
fn check_new_password(password: &str) -> Result<()> {
    password_rules::check(password).map_err(|problem| {
        PortalError::BadRequest(match problem {
            PasswordProblem::TooShort => {
                format!("a password needs at least {MIN_PASSWORD_LEN} characters")
            }
            PasswordProblem::TooLong => {
                format!("a password has at most {MAX_CHARS} characters")
            }
            PasswordProblem::Common => {
                "this password is one of the most common ones; choose another".to_owned()
            }
        })
    })
}

pub(crate) fn elapsed_ms(since: Instant) -> i64 {
    i64::try_from(since.elapsed().as_millis()).unwrap_or(i64::MAX)
}
