//! Password sign-in with lockout, password changes and teacher unlocks.

use std::time::Instant;

use badgein_proto::{PasswordSignIn, ProblemCode, SignIn};

use super::lockout::{self, Decision};
use super::password::{MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};
use crate::config::ms;
use crate::error::{PortalError, Result};
use crate::portal::Portal;
use crate::store::audit::{self, Entry};
use crate::store::directory::{self, User};
use crate::store::{lockout as counters, sessions};

const MAX_USERNAME_LEN: usize = 256;

impl Portal {
    /// Checks a username and password under the lockout rule. Unknown users, users without a
    /// password and wrong passwords all get `invalid_credentials` after the same Argon2 work;
    /// every username (known or not) is locked after the configured number of failures.
    async fn check_password(&self, username: &str, password: &str) -> Result<User> {
        if username.len() > MAX_USERNAME_LEN || password.len() > MAX_PASSWORD_LEN {
            return Err(PortalError::BadRequest(
                "username or password too long".into(),
            ));
        }
        let now = self.now();
        let key = username.to_lowercase();
        let max = self.config().lockout_failures;
        let counter = counters::count_attempt(
            self.db(),
            &key,
            now,
            max,
            ms(self.config().lockout_duration),
        )
        .await?;
        if let Decision::Locked { retry_after_secs } = lockout::decide(counter, now, max) {
            return Err(PortalError::Locked {
                retry_after: retry_after_secs,
            });
        }
        let found = directory::user_for_login(self.db(), &key).await?;
        let (user, hash) = match found {
            Some((user, hash)) => (Some(user), hash),
            None => (None, None),
        };
        let ok = self.hasher().verify(hash, password.to_owned()).await?;
        match user {
            Some(user) if ok => {
                counters::reset(self.db(), &key).await?;
                if user.disabled_at.is_some() {
                    return Err(PortalError::Refused(ProblemCode::AccountDisabled));
                }
                Ok(user)
            }
            _ => Err(PortalError::Refused(ProblemCode::InvalidCredentials)),
        }
    }

    /// `POST /api/v1/sign-ins/password` from a kiosk.
    pub async fn sign_in_password_at_kiosk(
        &self,
        credential: &str,
        request: &PasswordSignIn,
        client_ip: &str,
        base_url: &str,
    ) -> Result<SignIn> {
        let started = Instant::now();
        let mut entry = Entry::new(self.now(), "sign_in.password", "ok");
        let result = async {
            let kiosk = self.active_kiosk(credential).await?;
            entry.kiosk_id = Some(kiosk.id.clone());
            let user = self
                .check_password(&request.username, &request.password)
                .await?;
            entry.user_id = Some(user.id.clone());
            if user.school_id != kiosk.school_id {
                return Err(PortalError::Refused(ProblemCode::WrongSchool));
            }
            Ok((user, kiosk))
        }
        .await;
        entry.latency_ms = Some(elapsed_ms(started));
        match result {
            Ok((user, kiosk)) => {
                self.start_kiosk_session(&user, &kiosk, client_ip, base_url, &entry)
                    .await
            }
            Err(e) => self.audit_failure(entry, e).await,
        }
    }

    /// The browser login page: returns `(session id, cookie value)`.
    pub async fn sign_in_password_in_browser(
        &self,
        username: &str,
        password: &str,
    ) -> Result<(String, String)> {
        let started = Instant::now();
        let mut entry = Entry::new(self.now(), "sign_in.password", "ok");
        let result = self.check_password(username, password).await;
        entry.latency_ms = Some(elapsed_ms(started));
        match result {
            Ok(user) => self.start_browser_session(&user, &entry).await,
            Err(e) => self.audit_failure(entry, e).await,
        }
    }

    /// Records a refused attempt and returns the refusal. An audit failure turns into
    /// `unavailable`: nothing is answered that was not recorded.
    pub(crate) async fn audit_failure<T>(&self, mut entry: Entry, error: PortalError) -> Result<T> {
        if error.code() == ProblemCode::Unavailable {
            return Err(error);
        }
        error.code().as_str().clone_into(&mut entry.result);
        audit::record(self.db(), &entry).await?;
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
    ) -> Result<u64> {
        check_new_password(new)?;
        self.check_password(&user.username, current).await?;
        let hash = self.hasher().hash(new.to_owned()).await?;
        directory::set_password_hash(self.db(), &user.id, &hash).await?;
        let now = self.now();
        let ended = sessions::end_others(self.db(), &user.id, session_id, now).await?;
        let mut entry = Entry::new(now, "user.password_change", "ok");
        entry.user_id = Some(user.id.clone());
        entry.detail = Some(format!("ended {ended} other sessions"));
        audit::record(self.db(), &entry).await?;
        Ok(ended)
    }

    /// An administrator sets a password (CLI); every session of the user ends.
    pub async fn set_password(&self, user_id: &str, password: &str) -> Result<()> {
        check_new_password(password)?;
        let hash = self.hasher().hash(password.to_owned()).await?;
        self.reset_password_hash(user_id, &hash).await
    }

    /// A teacher clears a password lockout.
    pub async fn unlock(&self, user_id: &str) -> Result<()> {
        let user = directory::user(self.db(), user_id)
            .await?
            .ok_or_else(|| PortalError::NotFound(format!("user {user_id}")))?;
        counters::reset(self.db(), &user.username).await?;
        let mut entry = Entry::new(self.now(), "user.unlock", "ok");
        entry.user_id = Some(user.id);
        audit::record(self.db(), &entry).await
    }
}

fn check_new_password(password: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_LEN || password.len() > MAX_PASSWORD_LEN {
        return Err(PortalError::BadRequest(format!(
            "a password has {MIN_PASSWORD_LEN} to {MAX_PASSWORD_LEN} characters"
        )));
    }
    Ok(())
}

pub(crate) fn elapsed_ms(since: Instant) -> i64 {
    i64::try_from(since.elapsed().as_millis()).unwrap_or(i64::MAX)
}
