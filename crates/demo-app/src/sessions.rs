//! The app's own sessions and the sign-ins it has started, in memory. No HTTP here: the
//! handlers hand in what they read and get back what to answer. Time is an argument, so the
//! expiry rules are tested without waiting.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use openidconnect::{CsrfToken, Nonce, PkceCodeVerifier};

use crate::logout_token::LogoutSubject;

/// A sign-in started but not finished must come back within this long.
pub const LOGIN_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// A session lasts a school day at most (a back-channel logout usually ends it first).
pub const SESSION_LIFETIME: Duration = Duration::from_secs(8 * 60 * 60);
/// Nothing grows without bound: past this many entries the oldest one goes.
pub const MAX_ENTRIES: usize = 10_000;
/// How long a logout token's `jti` is remembered, to refuse the same token again (Back-Channel
/// Logout 1.0, section 2.6, step 8): longer than any token is accepted (the portal's live two
/// minutes, with a minute's leeway either side). The portal signs a new token for every try.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(10 * 60);

/// A logout token that came before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this logout token was used before (the same jti)")]
pub struct Replayed;

/// A random 128-bit name: a session's cookie value, or a started sign-in's.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token([u8; 16]);

impl Token {
    pub fn random() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// A cookie value back as a token: exactly 32 lowercase hex digits, else `None`.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != 32 {
            return None;
        }
        let mut bytes = [0u8; 16];
        for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks(2)) {
            let hex = std::str::from_utf8(pair).ok()?;
            if hex.bytes().any(|b| !matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                return None;
            }
            *byte = u8::from_str_radix(hex, 16).ok()?;
        }
        Some(Self(bytes))
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// A token is a secret: `Debug` does not show it.
impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(..)")
    }
}

/// A child signed in to the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSession {
    /// What the page calls her (the ID token's `name`, else `given_name`).
    pub name: String,
    /// The ID token's `sub`.
    pub sub: String,
    /// The ID token's `sid` (the portal session), when it had one.
    pub sid: Option<String>,
}

impl AppSession {
    /// Whether a logout token for `subject` ends this session: by `sid` when both name one,
    /// else by `sub` (a session without `sid` can only be found by its subject).
    fn ended_by(&self, subject: &LogoutSubject) -> bool {
        match (&subject.sid, &self.sid) {
            (Some(theirs), Some(ours)) => theirs == ours,
            _ => subject.sub.as_deref() == Some(self.sub.as_str()),
        }
    }
}

/// A sign-in the app started: what the answer must match. Kept server-side, named by a cookie.
#[derive(Debug)]
pub struct PendingLogin {
    pub state: CsrfToken,
    pub nonce: Nonce,
    pub verifier: PkceCodeVerifier,
}

/// What `/status` reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// The names of the children signed in, sorted.
    pub signed_in: Vec<String>,
    /// How many valid logout tokens arrived.
    pub backchannel_logouts: u64,
}

#[derive(Debug)]
struct Entry<T> {
    value: T,
    since: Instant,
}

/// Entries named by keys (tokens, or logout tokens' `jti`), each live for `lifetime`, at most
/// [`MAX_ENTRIES`].
#[derive(Debug)]
struct Timed<K, T> {
    entries: HashMap<K, Entry<T>>,
    lifetime: Duration,
}

impl<K: Hash + Eq + Clone, T> Timed<K, T> {
    fn new(lifetime: Duration) -> Self {
        Self {
            entries: HashMap::new(),
            lifetime,
        }
    }

    fn live(&self, entry: &Entry<T>, now: Instant) -> bool {
        now.saturating_duration_since(entry.since) < self.lifetime
    }

    fn insert(&mut self, token: K, value: T, now: Instant) {
        if self.entries.len() >= MAX_ENTRIES {
            let lifetime = self.lifetime;
            self.entries
                .retain(|_, e| now.saturating_duration_since(e.since) < lifetime);
        }
        if self.entries.len() >= MAX_ENTRIES
            && let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.since)
                .map(|(t, _)| t.clone())
        {
            self.entries.remove(&oldest);
        }
        self.entries.insert(token, Entry { value, since: now });
    }

    fn get(&self, token: &K, now: Instant) -> Option<&T> {
        self.entries
            .get(token)
            .filter(|e| self.live(e, now))
            .map(|e| &e.value)
    }

    fn take(&mut self, token: &K, now: Instant) -> Option<T> {
        let entry = self.entries.remove(token)?;
        self.live(&entry, now).then_some(entry.value)
    }
}

#[derive(Debug)]
struct Table {
    sessions: Timed<Token, AppSession>,
    logins: Timed<Token, PendingLogin>,
    /// The `jti` of the logout tokens taken.
    logout_tokens: Timed<String, ()>,
    backchannel_logouts: u64,
}

/// The session table, shared by the handlers.
#[derive(Debug)]
pub struct Sessions {
    table: Mutex<Table>,
}

impl Default for Sessions {
    fn default() -> Self {
        Self {
            table: Mutex::new(Table {
                sessions: Timed::new(SESSION_LIFETIME),
                logins: Timed::new(LOGIN_LIFETIME),
                logout_tokens: Timed::new(REPLAY_WINDOW),
                backchannel_logouts: 0,
            }),
        }
    }
}

impl Sessions {
    fn lock(&self) -> MutexGuard<'_, Table> {
        // Every change is one map operation: a panic elsewhere leaves nothing half-done.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps a started sign-in; the token goes in the browser's login cookie.
    pub fn begin_login(
        &self,
        login: PendingLogin,
        now: Instant,
    ) -> Result<Token, getrandom::Error> {
        let token = Token::random()?;
        self.lock().logins.insert(token, login, now);
        Ok(token)
    }

    /// The started sign-in `token` names, once: a second answer for it finds nothing.
    pub fn take_login(&self, token: &Token, now: Instant) -> Option<PendingLogin> {
        self.lock().logins.take(token, now)
    }

    /// Opens a session; the token goes in the session cookie.
    pub fn open(&self, session: AppSession, now: Instant) -> Result<Token, getrandom::Error> {
        let token = Token::random()?;
        self.lock().sessions.insert(token, session, now);
        Ok(token)
    }

    /// The live session `token` names.
    pub fn get(&self, token: &Token, now: Instant) -> Option<AppSession> {
        self.lock().sessions.get(token, now).cloned()
    }

    /// A valid logout token arrived: ends every session it names; how many. The same token
    /// again (its `jti` seen within [`REPLAY_WINDOW`]) ends nothing and is refused.
    pub fn back_channel_logout(
        &self,
        subject: &LogoutSubject,
        now: Instant,
    ) -> Result<usize, Replayed> {
        let mut table = self.lock();
        if table.logout_tokens.get(&subject.jti, now).is_some() {
            return Err(Replayed);
        }
        table.logout_tokens.insert(subject.jti.clone(), (), now);
        table.backchannel_logouts += 1;
        let before = table.sessions.entries.len();
        table
            .sessions
            .entries
            .retain(|_, e| !e.value.ended_by(subject));
        Ok(before - table.sessions.entries.len())
    }

    pub fn status(&self, now: Instant) -> Status {
        let table = self.lock();
        let mut signed_in: Vec<String> = table
            .sessions
            .entries
            .values()
            .filter(|e| table.sessions.live(e, now))
            .map(|e| e.value.name.clone())
            .collect();
        signed_in.sort();
        Status {
            signed_in,
            backchannel_logouts: table.backchannel_logouts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: &str, sub: &str, sid: Option<&str>) -> AppSession {
        AppSession {
            name: name.into(),
            sub: sub.into(),
            sid: sid.map(Into::into),
        }
    }

    fn login() -> PendingLogin {
        PendingLogin {
            state: CsrfToken::new("st".into()),
            nonce: Nonce::new("n".into()),
            verifier: PkceCodeVerifier::new("v".repeat(43)),
        }
    }

    fn logout(sid: Option<&str>, sub: Option<&str>) -> LogoutSubject {
        LogoutSubject {
            sid: sid.map(Into::into),
            sub: sub.map(Into::into),
            jti: Token::random().unwrap().to_string(),
        }
    }

    #[test]
    fn tokens_round_trip_and_strangers_do_not_parse() {
        let t = Token::random().unwrap();
        let text = t.to_string();
        assert_eq!(text.len(), 32);
        assert_eq!(Token::parse(&text), Some(t));
        assert_ne!(Token::random().unwrap(), t);
        for bad in [
            "",
            "00",
            &"0".repeat(31),
            &"0".repeat(33),
            &"A".repeat(32),
            &"g".repeat(32),
            &"é".repeat(16),
            &format!("+{}", "0".repeat(31)),
        ] {
            assert_eq!(Token::parse(bad), None, "{bad}");
        }
        assert_eq!(format!("{t:?}"), "Token(..)");
    }

    #[test]
    fn a_login_is_taken_once_and_expires() {
        let s = Sessions::default();
        let now = Instant::now();
        let t = s.begin_login(login(), now).unwrap();
        assert!(s.take_login(&t, now).is_some());
        assert!(s.take_login(&t, now).is_none());
        let t = s.begin_login(login(), now).unwrap();
        assert!(s.take_login(&t, now + LOGIN_LIFETIME).is_none());
    }

    #[test]
    fn sessions_expire() {
        let s = Sessions::default();
        let now = Instant::now();
        let t = s.open(session("Maya", "u1", None), now).unwrap();
        assert_eq!(s.get(&t, now).unwrap().name, "Maya");
        assert!(s.get(&t, now + SESSION_LIFETIME).is_none());
        assert!(s.status(now + SESSION_LIFETIME).signed_in.is_empty());
    }

    #[test]
    fn logout_ends_by_sid_when_both_have_one_else_by_sub() {
        let s = Sessions::default();
        let now = Instant::now();
        let maya_kiosk = s.open(session("Maya", "u1", Some("sid-1")), now).unwrap();
        let maya_home = s.open(session("Maya", "u1", Some("sid-2")), now).unwrap();
        let maya_old = s.open(session("Maya", "u1", None), now).unwrap();
        let leo = s.open(session("Leo", "u2", Some("sid-3")), now).unwrap();

        // sid names one session; the one without a sid is found by sub.
        assert_eq!(
            s.back_channel_logout(&logout(Some("sid-1"), Some("u1")), now),
            Ok(2)
        );
        assert!(s.get(&maya_kiosk, now).is_none());
        assert!(s.get(&maya_old, now).is_none());
        assert!(s.get(&maya_home, now).is_some());
        // A sid alone never reaches a session by sub.
        assert_eq!(
            s.back_channel_logout(&logout(Some("sid-9"), None), now),
            Ok(0)
        );
        // sub alone ends all of that subject's sessions, nobody else's.
        assert_eq!(s.back_channel_logout(&logout(None, Some("u1")), now), Ok(1));
        assert!(s.get(&leo, now).is_some());
        assert_eq!(
            s.status(now),
            Status {
                signed_in: vec!["Leo".into()],
                backchannel_logouts: 3
            }
        );
    }

    #[test]
    fn the_same_logout_token_counts_once() {
        let s = Sessions::default();
        let now = Instant::now();
        let maya = s.open(session("Maya", "u1", Some("sid-1")), now).unwrap();
        let token = logout(Some("sid-9"), None);
        assert_eq!(s.back_channel_logout(&token, now), Ok(0));
        assert_eq!(s.back_channel_logout(&token, now), Err(Replayed));
        // Replayed with her sid: still refused, she stays signed in.
        let replayed = LogoutSubject {
            sid: Some("sid-1".into()),
            ..token.clone()
        };
        assert_eq!(
            s.back_channel_logout(&replayed, now + REPLAY_WINDOW / 2),
            Err(Replayed)
        );
        assert!(s.get(&maya, now).is_some());
        assert_eq!(s.status(now).backchannel_logouts, 1);
        // Long after (the token itself expired by then), the jti is forgotten.
        assert_eq!(s.back_channel_logout(&token, now + REPLAY_WINDOW), Ok(0));
    }

    #[test]
    fn the_tables_are_bounded() {
        let s = Sessions::default();
        let start = Instant::now();
        let first = s.open(session("First", "u0", None), start).unwrap();
        for i in 1..=MAX_ENTRIES {
            let at = start + Duration::from_millis(u64::try_from(i).unwrap());
            s.open(session("Kid", &format!("u{i}"), None), at).unwrap();
            s.begin_login(login(), at).unwrap();
        }
        let later = start + Duration::from_secs(1);
        assert!(s.get(&first, later).is_none(), "the oldest made room");
        let table = s.lock();
        assert_eq!(table.sessions.entries.len(), MAX_ENTRIES);
        assert_eq!(table.logins.entries.len(), MAX_ENTRIES);
    }
}
