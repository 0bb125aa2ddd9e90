//! Who may use the teacher pages and act on what: a teacher or administrator signed in with
//! their password (`crate::auth::origin::authority`), on the classes they manage and their own
//! school's kiosks; and a delegate (`crate::auth::delegation`), a staff member signed in with
//! their password, on every class of their school for what was delegated, never the kiosks.
//! Every form they post carries a per-session CSRF token, and its `Origin` (when sent) must be
//! the portal's: [`Posted`] checks both before a handler runs, and
//! [`Failure`] is every answer other than the handler's work.

use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::view;
use crate::auth::delegation::{self, Capability, Delegation};
use crate::auth::origin::{self, Authority, Missing, SessionMethod, is_staff};
use crate::error::PortalError;
use crate::http::AppState;
use crate::http::i18n::{self, Strings};
use crate::http::session::{NoSession, SignedIn, same_origin};
use crate::ids::{ClassId, KioskId, UserId};
use crate::roles::Role;
use crate::store::audit::{self, Entry};
use crate::store::directory::User;
use crate::store::teaching::{self, KioskRow, Manager, TaughtClass};
use crate::tokens;

/// What a teacher page answers instead of its work.
#[derive(Debug)]
pub enum Failure {
    /// An operation failed: the failure page in the teacher's language ([`view::failure`]).
    Failed(&'static Strings, PortalError),
    /// Refused with a sentence ([`view::refusal`]).
    Refused(StatusCode, &'static Strings, &'static str),
    /// Answered before the handler ran: the login page, or axum's own rejection of the path.
    Answered(Response),
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Self::Failed(s, e) => view::failure(s, &e),
            Self::Refused(status, s, text) => view::refusal(status, s, text),
            Self::Answered(response) => response,
        }
    }
}

/// What every teacher handler returns.
pub type Answer = Result<Response, Failure>;

/// A teacher signed in with their password (and its code, when they have an authenticator),
/// extracted from the session cookie. Anyone else is answered before the handler runs: no
/// session -> the login page, a student or a badge session -> 403 (recorded), a password-only
/// session of a teacher with an authenticator -> 403 (recorded), a teacher whose school
/// requires the second factor and who has none -> the enrollment page.
#[derive(Debug)]
pub struct Teacher {
    pub user: User,
    /// Administrator or teacher (`Own` for a delegate who is neither).
    pub authority: Authority,
    /// What this staff member was delegated at their school, if anything.
    pub delegation: Option<Delegation>,
    /// What this session's forms must send back as `csrf`.
    pub csrf: String,
    pub s: &'static Strings,
}

impl FromRequestParts<AppState> for Teacher {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        let SignedIn { session, cookie } = match SignedIn::from_request_parts(parts, state).await {
            Ok(signed_in) => signed_in,
            Err(NoSession::SignedOut(login)) => {
                return Err(Failure::Answered(Redirect::to(&login).into_response()));
            }
            Err(NoSession::Failed(fallback, e)) => return Err(Failure::Failed(fallback, e)),
        };
        let authority = session.authority();
        let missing = session.missing();
        let method = session.method;
        let factor = session.second_factor;
        let user = session.user;
        let s = i18n::for_locale(&user.locale);
        let password = matches!(
            method,
            SessionMethod::Password | SessionMethod::PasswordAndTotp
        );
        let delegation = if password && is_staff(user.role) {
            match state.run(state.portal.delegation_of(&user)).await {
                Ok(d) => d,
                Err(e) => return Err(Failure::Failed(s, e)),
            }
        } else {
            None
        };
        // A delegate's pages ask the second factor of them as a teacher's ask it of a teacher.
        let missing = match delegation {
            Some(_) => missing.or(origin::missing(Role::Teacher, method, factor)),
            None => missing,
        };
        match missing {
            // The school requires the second factor: its enrollment first, then the page.
            Some(Missing::Enrollment) => {
                return Err(Failure::Answered(
                    Redirect::to("/account/totp").into_response(),
                ));
            }
            Some(Missing::Code) => {
                refused(state, &user, parts.uri.path(), "second_factor").await;
                return Err(Failure::Refused(
                    StatusCode::FORBIDDEN,
                    s,
                    s.totp.sign_in_with_code,
                ));
            }
            None => {}
        }
        if !delegation::opens_class_pages(authority, user.role, method, delegation) {
            // A staff member's badge session is recorded even for a page view: it is what a
            // photographed badge would try.
            let staff_badge = method == SessionMethod::Badge && is_staff(user.role);
            if parts.method != Method::GET || staff_badge {
                let why = if staff_badge {
                    "badge_session"
                } else {
                    "forbidden"
                };
                refused(state, &user, parts.uri.path(), why).await;
            }
            return Err(Failure::Refused(
                StatusCode::FORBIDDEN,
                s,
                s.teach.teachers_only,
            ));
        }
        Ok(Self {
            user,
            authority,
            delegation,
            csrf: csrf_token(&cookie),
            s,
        })
    }
}

/// A form that carries the session's CSRF token.
pub trait CsrfToken {
    /// The token as sent (empty when the form had none).
    fn token(&self) -> &str;
}

/// A teacher's form post, accepted: the teacher, the path's parameters `P` and the form `T`.
/// In the order the handlers used to check it: the teacher (anyone else answered as by
/// [`Teacher`]), the path, then the form, refused (403, "out of date", recorded as `csrf`)
/// unless it parses, carries this session's token and comes from the portal's origin. A
/// form that does not parse (no token, a wrong content type, an unknown choice) is refused
/// like a missing token.
#[derive(Debug)]
pub struct Posted<P, T> {
    pub teacher: Teacher,
    pub path: P,
    pub form: T,
    /// The request's path, what refusals and the audit log name.
    pub action: String,
}

impl<P, T> FromRequest<AppState> for Posted<P, T>
where
    P: DeserializeOwned + Send,
    T: DeserializeOwned + CsrfToken + Send,
{
    type Rejection = Failure;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Failure> {
        let (mut parts, body) = req.into_parts();
        let teacher = Teacher::from_request_parts(&mut parts, state).await?;
        let Path(path) = Path::<P>::from_request_parts(&mut parts, state)
            .await
            .map_err(|rejection| Failure::Answered(rejection.into_response()))?;
        let action = parts.uri.path().to_owned();
        let origin_ok = same_origin(state, &parts.headers);
        let form = Form::<T>::from_request(Request::from_parts(parts, body), state)
            .await
            .ok()
            .map(|Form(form)| form);
        match form {
            Some(form)
                if origin_ok && tokens::same(form.token().as_bytes(), teacher.csrf.as_bytes()) =>
            {
                Ok(Self {
                    teacher,
                    path,
                    form,
                    action,
                })
            }
            _ => {
                refused(state, &teacher.user, &action, "csrf").await;
                Err(Failure::Refused(
                    StatusCode::FORBIDDEN,
                    teacher.s,
                    teacher.s.teach.form_expired,
                ))
            }
        }
    }
}

impl Teacher {
    fn manager(&self) -> Manager<'_> {
        Manager {
            user_id: &self.user.id,
            school_id: &self.user.school_id,
            administrator: self.authority == Authority::Administrator,
        }
    }

    /// Runs an operation under the database deadline; a failure is answered in this
    /// teacher's language.
    pub async fn run<T>(
        &self,
        state: &AppState,
        work: impl Future<Output = crate::error::Result<T>>,
    ) -> Result<T, Failure> {
        state
            .run(work)
            .await
            .map_err(|e| Failure::Failed(self.s, e))
    }

    /// Refused with `text` in this teacher's language.
    pub fn refuse(&self, status: StatusCode, text: &'static str) -> Failure {
        Failure::Refused(status, self.s, text)
    }

    /// Every class of the school, as a delegate reaches them.
    fn whole_school(&self) -> Manager<'_> {
        Manager {
            administrator: true,
            ..self.manager()
        }
    }

    /// The classes this teacher manages (a delegate: every class of the school).
    pub async fn classes(&self, state: &AppState) -> Result<Vec<TaughtClass>, Failure> {
        let who = if self.delegation.is_some() {
            self.whole_school()
        } else {
            self.manager()
        };
        self.run(state, teaching::classes(state.portal.db(), who, None))
            .await
    }

    /// `class_id` and what this session may do there, if it may see it at all.
    pub async fn class_rights(
        &self,
        state: &AppState,
        class_id: &str,
    ) -> Result<Option<(TaughtClass, Rights)>, Failure> {
        let id = ClassId::from(class_id);
        let db = state.portal.db();
        let own = self
            .run(state, teaching::classes(db, self.manager(), Some(&id)))
            .await?;
        if let Some(class) = own.into_iter().next() {
            return Ok(Some((class, Rights::of(true, None))));
        }
        let Some(d) = self.delegation else {
            return Ok(None);
        };
        let school = self
            .run(state, teaching::classes(db, self.whole_school(), Some(&id)))
            .await?;
        Ok(school
            .into_iter()
            .next()
            .map(|class| (class, Rights::of(false, Some(d)))))
    }

    /// `class_id` if this session may see it and (`need`) do that there; otherwise the
    /// refusal to answer (recorded when `action` is a form post's path, not a page view).
    pub async fn class(
        &self,
        state: &AppState,
        class_id: &str,
        need: Option<Capability>,
        action: Option<&str>,
    ) -> Result<TaughtClass, Failure> {
        match self.class_rights(state, class_id).await? {
            Some((class, rights)) if need.is_none_or(|c| rights.allows(c)) => Ok(class),
            _ => Err(self.not_yours(state, action).await),
        }
    }

    /// `class_id` if the student is an enabled student of a class this session may do `need`
    /// in.
    pub async fn pupil(
        &self,
        state: &AppState,
        class_id: &str,
        student_id: &str,
        need: Capability,
        action: Option<&str>,
    ) -> Result<TaughtClass, Failure> {
        let class = self.class(state, class_id, Some(need), action).await?;
        let member = self
            .run(
                state,
                teaching::is_pupil(
                    state.portal.db(),
                    &ClassId::from(class_id),
                    &UserId::from(student_id),
                ),
            )
            .await?;
        if member {
            Ok(class)
        } else {
            Err(self.not_yours(state, action).await)
        }
    }

    /// The kiosks of this teacher's school, or just `only` (empty when it is not theirs).
    /// Refused to a delegate who is not a teacher: a delegation is about classes.
    pub async fn kiosks(
        &self,
        state: &AppState,
        only: Option<&str>,
    ) -> Result<Vec<KioskRow>, Failure> {
        self.manages_kiosks(state, None).await?;
        self.run(
            state,
            teaching::kiosks(
                state.portal.db(),
                &self.user.school_id,
                only.map(KioskId::from).as_ref(),
            ),
        )
        .await
    }

    /// Refused (recorded for a post's `action`) unless a teacher or administrator by their
    /// own authority: a delegation is about classes, not kiosks.
    pub async fn manages_kiosks(
        &self,
        state: &AppState,
        action: Option<&str>,
    ) -> Result<(), Failure> {
        if self.authority.manages_classes() {
            Ok(())
        } else {
            Err(self.not_yours(state, action).await)
        }
    }

    /// `kiosk_id` if it is a kiosk of this teacher's school.
    pub async fn kiosk(
        &self,
        state: &AppState,
        kiosk_id: &str,
        action: Option<&str>,
    ) -> Result<KioskRow, Failure> {
        match self.kiosks(state, Some(kiosk_id)).await?.into_iter().next() {
            Some(kiosk) => Ok(kiosk),
            None => Err(self.not_yours(state, action).await),
        }
    }

    pub async fn not_yours(&self, state: &AppState, action: Option<&str>) -> Failure {
        if let Some(path) = action {
            refused(state, &self.user, path, "forbidden").await;
        }
        self.refuse(StatusCode::FORBIDDEN, self.s.teach.not_yours)
    }

    /// Records an action this teacher took (`teacher.<what>`), after it was done. The action
    /// itself was already recorded by the operation it called; this adds who asked.
    pub async fn record(
        &self,
        state: &AppState,
        what: &str,
        detail: String,
        kiosk_id: Option<&str>,
    ) -> Result<(), Failure> {
        let mut entry = Entry::new(state.portal.now(), &format!("teacher.{what}"), "ok");
        entry.user_id = Some(self.user.id.clone());
        entry.kiosk_id = kiosk_id.map(KioskId::from);
        entry.detail = Some(detail);
        self.run(state, audit::record(state.portal.db(), &entry))
            .await
    }
}
/// What a session may do on one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rights {
    pub badges: bool,
    pub passwords: bool,
}

impl Rights {
    fn of(own_right: bool, d: Option<Delegation>) -> Self {
        Self {
            badges: delegation::may(own_right, d, Capability::Badges),
            passwords: delegation::may(own_right, d, Capability::Passwords),
        }
    }

    pub fn allows(self, c: Capability) -> bool {
        match c {
            Capability::Badges => self.badges,
            Capability::Passwords => self.passwords,
        }
    }
}

/// Records a refused teacher-page action. Best effort: the answer is a refusal either way.
pub(super) async fn refused(state: &AppState, user: &User, path: &str, why: &str) {
    let mut entry = Entry::new(state.portal.now(), "teacher.refused", why);
    entry.user_id = Some(user.id.clone());
    entry.detail = Some(path.chars().take(200).collect());
    if let Err(e) = state.run(audit::record(state.portal.db(), &entry)).await {
        tracing::warn!(error = %e, "could not record a refused teacher action");
    }
}

/// The session's CSRF token: a digest of its cookie, which only the browser holding that
/// cookie (HttpOnly, so not even the page's own script) and the portal know. Nothing to store,
/// and it dies with the session.
fn csrf_token(cookie: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"badgein csrf v1\0");
    h.update(cookie.as_bytes());
    tokens::hex(&h.finalize())
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_differ_per_session_and_hide_the_cookie() {
        let a = super::csrf_token("cookie-a");
        assert_eq!(a.len(), 64);
        assert_eq!(a, super::csrf_token("cookie-a"));
        assert_ne!(a, super::csrf_token("cookie-b"));
        assert!(!a.contains("cookie"));
    }
}
