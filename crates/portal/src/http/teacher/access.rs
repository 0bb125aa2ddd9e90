//! Who may use the teacher pages and act on what: a teacher or administrator signed in with
//! their password (`crate::auth::origin::authority`), on the classes they manage and their own
//! school's kiosks. Every form they post carries a
//! per-session CSRF token, and its `Origin` (when sent) must be the portal's.

use axum::Form;
use axum::extract::FromRequestParts;
use axum::extract::rejection::FormRejection;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

use super::view;
use crate::auth::origin::{Authority, SessionMethod, is_staff};
use crate::auth::sessions::LiveSession;
use crate::http::AppState;
use crate::http::i18n::{self, Strings};
use crate::http::pages::{accept_language, cookie_value, same_origin};
use crate::ids::{ClassId, KioskId, UserId};
use crate::store::audit::{self, Entry};
use crate::store::directory::User;
use crate::store::teaching::{self, KioskRow, Manager, TaughtClass};
use crate::tokens;

/// Teachers and administrators signed in with a password manage classes; students, other
/// staff and anyone signed in with a badge do not.
pub fn manages_classes(session: &LiveSession) -> bool {
    session.authority().manages_classes()
}

/// A teacher signed in with their password, extracted from the session cookie. Anyone else is
/// answered before the handler runs: no session -> the login page, a student or a badge
/// session -> 403 (recorded).
#[derive(Debug)]
pub struct Teacher {
    pub user: User,
    /// Administrator or teacher.
    pub authority: Authority,
    /// What this session's forms must send back as `csrf`.
    pub csrf: String,
    pub s: &'static Strings,
}

impl FromRequestParts<AppState> for Teacher {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let fallback = i18n::from_accept_language(accept_language(&parts.headers));
        let Some(cookie) = cookie_value(&parts.headers, state.cookie.name()) else {
            return Err(Redirect::to("/login").into_response());
        };
        let session = match state.run(state.portal.session_by_cookie(&cookie)).await {
            Ok(Some(session)) => session,
            Ok(None) => return Err(Redirect::to("/login").into_response()),
            Err(e) => return Err(view::failure(fallback, &e)),
        };
        let authority = session.authority();
        let user = session.user;
        let s = i18n::for_locale(&user.locale);
        if !authority.manages_classes() {
            // A staff member's badge session is recorded even for a page view: it is what a
            // photographed badge would try.
            let staff_badge = session.method == SessionMethod::Badge && is_staff(user.role);
            if parts.method != Method::GET || staff_badge {
                let why = if staff_badge {
                    "badge_session"
                } else {
                    "forbidden"
                };
                refused(state, &user, parts.uri.path(), why).await;
            }
            return Err(view::refusal(
                StatusCode::FORBIDDEN,
                s,
                s.teach.teachers_only,
            ));
        }
        Ok(Self {
            user,
            authority,
            csrf: csrf_token(&cookie),
            s,
        })
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

    /// A form post is accepted only with this session's token and from the portal's origin.
    async fn check_form(
        &self,
        state: &AppState,
        headers: &HeaderMap,
        path: &str,
        token: Option<&str>,
    ) -> Result<(), Response> {
        let token_ok = token.is_some_and(|t| tokens::same(t.as_bytes(), self.csrf.as_bytes()));
        if token_ok && same_origin(state, headers) {
            return Ok(());
        }
        refused(state, &self.user, path, "csrf").await;
        Err(view::refusal(
            StatusCode::FORBIDDEN,
            self.s,
            self.s.teach.form_expired,
        ))
    }

    /// A posted form, if it parsed and passes `check_form`; a form that does not
    /// parse (no token, an unknown choice) is refused like a missing token.
    pub async fn accept_form<T>(
        &self,
        state: &AppState,
        headers: &HeaderMap,
        uri: &Uri,
        form: Result<Form<T>, FormRejection>,
        csrf: impl Fn(&T) -> &str,
    ) -> Result<T, Response> {
        let form = form.ok().map(|Form(f)| f);
        self.check_form(state, headers, uri.path(), form.as_ref().map(csrf))
            .await?;
        form.ok_or_else(|| view::refusal(StatusCode::FORBIDDEN, self.s, self.s.teach.form_expired))
    }

    /// The classes this teacher manages.
    pub async fn classes(&self, state: &AppState) -> Result<Vec<TaughtClass>, Response> {
        state
            .run(teaching::classes(state.portal.db(), self.manager(), None))
            .await
            .map_err(|e| view::failure(self.s, &e))
    }

    /// `class_id` if this teacher manages it; otherwise the refusal to answer (recorded when
    /// `path` is an action, not a page view).
    pub async fn class(
        &self,
        state: &AppState,
        class_id: &str,
        action: Option<&str>,
    ) -> Result<TaughtClass, Response> {
        let found = state
            .run(teaching::classes(
                state.portal.db(),
                self.manager(),
                Some(&ClassId::from(class_id)),
            ))
            .await
            .map_err(|e| view::failure(self.s, &e))?;
        match found.into_iter().next() {
            Some(class) => Ok(class),
            None => Err(self.not_yours(state, action).await),
        }
    }

    /// `class_id` and `student_id` if the student is an enabled student of a class this
    /// teacher manages.
    pub async fn pupil(
        &self,
        state: &AppState,
        class_id: &str,
        student_id: &str,
        action: Option<&str>,
    ) -> Result<TaughtClass, Response> {
        let class = self.class(state, class_id, action).await?;
        let member = state
            .run(teaching::is_pupil(
                state.portal.db(),
                &ClassId::from(class_id),
                &UserId::from(student_id),
            ))
            .await
            .map_err(|e| view::failure(self.s, &e))?;
        if member {
            Ok(class)
        } else {
            Err(self.not_yours(state, action).await)
        }
    }

    /// The kiosks of this teacher's school, or just `only` (empty when it is not theirs).
    pub async fn kiosks(
        &self,
        state: &AppState,
        only: Option<&str>,
    ) -> Result<Vec<KioskRow>, Response> {
        state
            .run(teaching::kiosks(
                state.portal.db(),
                &self.user.school_id,
                only.map(KioskId::from).as_ref(),
            ))
            .await
            .map_err(|e| view::failure(self.s, &e))
    }

    /// `kiosk_id` if it is a kiosk of this teacher's school.
    pub async fn kiosk(
        &self,
        state: &AppState,
        kiosk_id: &str,
        action: Option<&str>,
    ) -> Result<KioskRow, Response> {
        match self.kiosks(state, Some(kiosk_id)).await?.into_iter().next() {
            Some(kiosk) => Ok(kiosk),
            None => Err(self.not_yours(state, action).await),
        }
    }

    pub async fn not_yours(&self, state: &AppState, action: Option<&str>) -> Response {
        if let Some(path) = action {
            refused(state, &self.user, path, "forbidden").await;
        }
        view::refusal(StatusCode::FORBIDDEN, self.s, self.s.teach.not_yours)
    }

    /// Records an action this teacher took (`teacher.<what>`), after it was done. The action
    /// itself was already recorded by the operation it called; this adds who asked.
    pub async fn record(
        &self,
        state: &AppState,
        what: &str,
        detail: String,
        kiosk_id: Option<&str>,
    ) -> Result<(), Response> {
        let mut entry = Entry::new(state.portal.now(), &format!("teacher.{what}"), "ok");
        entry.user_id = Some(self.user.id.clone());
        entry.kiosk_id = kiosk_id.map(KioskId::from);
        entry.detail = Some(detail);
        state
            .run(audit::record(state.portal.db(), &entry))
            .await
            .map_err(|e| view::failure(self.s, &e))
    }
}

/// Records a refused teacher-page action. Best effort: the answer is a refusal either way.
async fn refused(state: &AppState, user: &User, path: &str, why: &str) {
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
