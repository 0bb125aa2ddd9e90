//! The portal's own pages: launch (ticket -> cookie), dashboard, typed login, logout, password
//! change, avatars. Server-rendered, no script, in the user's language.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use badgein_proto::ProblemCode;
use maud::html;
use serde::Deserialize;

use super::account::{self, Standing};
use super::extract::ClientIp;
use super::html::{error_page, message_page, page, secure_headers, status_of};
use super::i18n::{self, Strings};
use super::session::{self, SignedIn, cookie_value, current, same_origin};
use super::{AppState, avatar, next, totp};
use crate::apps::icon::IconKind;
use crate::auth::origin::{SessionMethod, is_staff};
use crate::auth::password_rules;
use crate::auth::sessions::LiveSession;
use crate::auth::sign_in::PasswordStep;
use crate::error::{PortalError, UNAVAILABLE_RETRY_SECS};
use crate::ids::AppId;
use crate::metrics::sign_in::{Outcome, SignInMethod};
use crate::roles::Role;
use crate::store::apps::Tile;

#[derive(Debug, Deserialize)]
pub struct LaunchQuery {
    ticket: Option<String>,
}

/// `GET /launch?ticket=…`: redeems the one-time ticket, sets the session cookie and goes to
/// the dashboard.
pub async fn launch(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    query: Result<Query<LaunchQuery>, QueryRejection>,
) -> Response {
    let s = session::language(&headers);
    let ticket = query.ok().and_then(|Query(q)| q.ticket).unwrap_or_default();
    if ticket.is_empty() || ticket.len() > 128 {
        return message_page(StatusCode::BAD_REQUEST, s, s.link_expired);
    }
    match state.run(state.portal.redeem_ticket(&ticket, ip)).await {
        Ok(cookie) => with_cookie(
            Redirect::to("/").into_response(),
            &state.cookie.set(&cookie),
        ),
        Err(e) => error_page(s, &e),
    }
}

/// `GET /`: the dashboard, or (by [`SignedIn`]'s rejection) the login page without a live
/// session.
pub async fn dashboard(
    State(state): State<AppState>,
    SignedIn { session, .. }: SignedIn,
) -> Response {
    // A parent's or guardian's home is "My children" (`http/family`).
    if session.user.role == Role::Guardian {
        return Redirect::to("/family").into_response();
    }
    let found = state
        .run(async {
            let standing = account::standing(&state, &session).await?;
            Ok((standing, state.portal.tiles_for(&session.user).await?))
        })
        .await;
    match found {
        // A temporary password is changed before anything else.
        Ok((standing, _)) if standing.must_change => {
            Redirect::to("/account/password").into_response()
        }
        Ok((standing, apps)) => dashboard_page(&session, standing, &apps, None),
        Err(e) => error_page(i18n::for_locale(&session.user.locale), &e),
    }
}

fn dashboard_page(
    session: &LiveSession,
    standing: Standing,
    apps: &[Tile],
    note: Option<&str>,
) -> Response {
    let user = &session.user;
    let s = i18n::for_locale(&user.locale);
    let body = html! {
        header {
            img src={ "/avatars/" (session.id) ".svg" } alt="" width="96" height="96";
            h1 { (s.hello) ", " (user.given_name) "!" }
            form method="post" action="/logout" { button type="submit" { (s.sign_out) } }
        }
        main {
            @if let Some(note) = note {
                p role="status" class="note" { (note) }
            }
            @if user.role == Role::Guardian {
                p { a class="button" href="/family" { (s.family.title) } }
            }
            @if session.authority().manages_classes() || standing.delegate {
                p { a class="button" href="/teach" { (s.teach.my_classes) } }
            }
            @if session.authority().manages_apps() {
                p { a class="button" href="/teach/apps" { (s.teach.apps.title) } }
                p { a class="button" href="/teach/school" { (s.accounts.school_title) } }
                p { a class="button" href="/teach/staff" { (s.totp.staff_title) } }
            }
            @if is_staff(user.role) && session.method != SessionMethod::Badge {
                p { a href="/account/totp" { (s.totp.link) } }
            }
            h2 id="apps" { (s.your_apps) }
            @if apps.is_empty() {
                p { (s.no_apps) }
            } @else {
                ul class="tiles" aria-labelledby="apps" {
                    @for app in apps {
                        li {
                            a class="tile" href=(app.link()) rel="noopener noreferrer" {
                                @if app.icon_type.is_some() {
                                    img src={ "/apps/" (app.id) "/icon" } alt="" width="48" height="48";
                                }
                                (app.name)
                            }
                        }
                    }
                }
            }
            details {
                summary { (s.change_password) }
                (account::password_form(s, standing))
            }
        }
    };
    // The title is text (escaped by `page`), not markup.
    let title = format!("{}, {}", s.hello, user.given_name);
    page(StatusCode::OK, s, &title, body)
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// `GET /login`: the typed sign-in form. `next` (an app's sign-in request, sent here by
/// `/oauth/authorize` or `/saml/sso`) is carried through the form when it is one
/// (`next::safe_next`).
pub async fn login_page(
    headers: HeaderMap,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Response {
    let next = query.ok().and_then(|Query(q)| q.next);
    let next = next.as_deref().and_then(next::safe_next);
    login_form(StatusCode::OK, session::language(&headers), None, next)
}

pub(super) fn login_form(
    status: StatusCode,
    s: &Strings,
    error: Option<&str>,
    next: Option<&str>,
) -> Response {
    let body = html! {
        main {
            h1 { (s.sign_in_title) }
            @if let Some(error) = error {
                p role="alert" class="error" { (error) }
            }
            form method="post" action="/login" {
                @if let Some(next) = next {
                    input type="hidden" name="next" value=(next);
                }
                label for="username" { (s.username) }
                input id="username" name="username" autocomplete="username" required;
                label for="password" { (s.password) }
                input id="password" name="password" type="password"
                    autocomplete="current-password" required;
                button type="submit" { (s.sign_in) }
            }
            p { a href="/claim" { (s.claim.link) } }
            p { a href="/claim/parent" { (s.parent_claim.link) } }
        }
    };
    page(status, s, s.sign_in_title, body)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /login`. A success also (re)sets the device cookie that makes this browser
/// recognised for the account (docs/API.md, "Password attempts").
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let s = session::language(&headers);
    if !same_origin(&state, &headers) {
        return message_page(StatusCode::FORBIDDEN, s, s.not_found);
    }
    let Ok(Form(form)) = form else {
        return login_form(StatusCode::BAD_REQUEST, s, Some(s.wrong_login), None);
    };
    let next = form.next.as_deref().and_then(next::safe_next);
    let back_to = next.unwrap_or("/");
    let device = cookie_value(&headers, state.cookie.device_name());
    let result = state
        .run(state.portal.sign_in_password_in_browser(
            &form.username,
            &form.password,
            device.as_deref(),
            ip,
        ))
        .await;
    let outcome = match &result {
        Ok(PasswordStep::SignedIn(_)) => Outcome::Ok,
        Ok(PasswordStep::CodeNeeded { .. }) => Outcome::CodeNeeded,
        Err(e) => Outcome::Refused(e.code()),
    };
    state
        .portal
        .metrics()
        .sign_in(SignInMethod::Password, outcome);
    match result {
        Ok(PasswordStep::SignedIn(signed_in)) => {
            // A school that requires the second factor: its enrollment comes first; then a
            // temporary password (a delegate's reset) is changed before anything else.
            let to = if signed_in.enroll_first {
                Ok("/account/totp")
            } else {
                state
                    .run(state.portal.must_change_password(&form.username))
                    .await
                    .map(|must| if must { "/account/password" } else { back_to })
            };
            match to {
                Ok(to) => totp::signed_in_response(&state, &signed_in, to),
                Err(e) => error_page(s, &e),
            }
        }
        Ok(PasswordStep::CodeNeeded { token }) => totp::code_needed(&state, s, &token, next),
        Err(e) => {
            let status = status_of(&e);
            let locked_text;
            let text = match (&e, e.code()) {
                (PortalError::Locked { retry_after }, _) => {
                    locked_text =
                        totp::locked_sentence(&state, s, &form.username, *retry_after).await;
                    locked_text.as_str()
                }
                (_, ProblemCode::AccountLocked | ProblemCode::RateLimited) => s.locked,
                (_, ProblemCode::AccountDisabled) => s.disabled,
                (_, ProblemCode::Unavailable) => s.unavailable,
                _ => s.wrong_login,
            };
            let mut response = login_form(status, s, Some(text), next);
            let retry_after = e.problem().retry_after.or_else(|| {
                (e.code() == ProblemCode::Unavailable).then_some(UNAVAILABLE_RETRY_SECS)
            });
            if let Some(v) =
                retry_after.and_then(|secs| HeaderValue::from_str(&secs.to_string()).ok())
            {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
    }
}

/// `POST /logout`: ends the session server-side and tells the browser to forget everything.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let s = session::language(&headers);
    if !same_origin(&state, &headers) {
        return message_page(StatusCode::FORBIDDEN, s, s.not_found);
    }
    if let Ok(Some(session)) = current(&state, &headers).await
        && let Err(e) = state
            .run(state.portal.logout(&session.id, &session.user.id))
            .await
    {
        return error_page(s, &e);
    }
    signed_out(&state, Redirect::to("/login").into_response())
}

/// `response` with the session cookie cleared and the browser's cache and storage for the
/// portal dropped: what every sign-out answers.
pub(super) fn signed_out(state: &AppState, response: Response) -> Response {
    let mut response = with_cookie(response, &state.cookie.clear());
    // Not "cookies": that would also drop the device cookie, and the next sign-in from
    // this browser would no longer be recognised. The session cookie is cleared above.
    response.headers_mut().insert(
        "clear-site-data",
        HeaderValue::from_static("\"cache\", \"storage\""),
    );
    response
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
}

/// `POST /account/password`: needs the current password; ends every other session.
pub async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let fallback = session::language(&headers);
    if !same_origin(&state, &headers) {
        return message_page(StatusCode::FORBIDDEN, fallback, fallback.not_found);
    }
    let session = match current(&state, &headers).await {
        Ok(Some(found)) => found,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(e) => return error_page(fallback, &e),
    };
    let s = i18n::for_locale(&session.user.locale);
    let Ok(Form(form)) = form else {
        return message_page(StatusCode::BAD_REQUEST, s, s.bad_password_change);
    };
    match state.run(account::standing(&state, &session)).await {
        Ok(standing) if !standing.may_change => {
            return message_page(StatusCode::FORBIDDEN, s, s.accounts.ask_teacher);
        }
        Ok(_) => {}
        Err(e) => return error_page(s, &e),
    }
    // The rules first, each refusal in its own words (the current password is not checked
    // for a new one that could never be taken).
    if let Err(problem) = password_rules::check(&form.new) {
        return message_page(StatusCode::BAD_REQUEST, s, s.password_rules.of(problem));
    }
    let result = state
        .run(async {
            state
                .portal
                .change_password(&session.id, &session.user, &form.current, &form.new, ip)
                .await?;
            let standing = account::standing(&state, &session).await?;
            Ok((standing, state.portal.tiles_for(&session.user).await?))
        })
        .await;
    match result {
        Ok((standing, apps)) => dashboard_page(&session, standing, &apps, Some(s.password_changed)),
        Err(e) if e.code() == ProblemCode::Unavailable => error_page(s, &e),
        Err(e) if e.code() == ProblemCode::AccountLocked => {
            message_page(status_of(&e), s, s.locked)
        }
        Err(e) => message_page(status_of(&e), s, s.bad_password_change),
    }
}

/// `GET /avatars/{session}.svg`: the picture of a live session's user (initials on a colour
/// drawn from the user id), for the kiosk's greeting and the dashboard.
pub async fn avatar(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(session_id) = file.strip_suffix(".svg") else {
        return not_found().await;
    };
    match state.run(state.portal.session_user(session_id)).await {
        Ok(Some(user)) => {
            let mut response = avatar::svg(&user.id, &user.given_name, &user.family_name, true)
                .into_string()
                .into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            );
            secure_headers(h);
            response
        }
        Ok(None) => not_found().await,
        Err(e) => e.into_response(),
    }
}

/// `GET /apps/{id}/icon`: an app's picture, as the type its bytes were found to be. Served
/// sandboxed: an SVG opened on its own runs no script and reaches nothing.
pub async fn app_icon(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if id.len() > 64 {
        return not_found().await;
    }
    match state.run(state.portal.app_icon(&AppId::from(id))).await {
        Ok(Some((bytes, media_type))) => {
            let Some(kind) = IconKind::from_media_type(&media_type) else {
                return not_found().await;
            };
            let mut response = bytes.into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(kind.media_type()),
            );
            secure_headers(h);
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
            );
            response
        }
        Ok(None) => not_found().await,
        Err(e) => e.into_response(),
    }
}

pub async fn stylesheet() -> Response {
    const CSS: &str = include_str!("portal.css");
    let mut response = CSS.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=3600"),
    );
    response
}

pub async fn not_found() -> Response {
    message_page(StatusCode::NOT_FOUND, &i18n::EN, i18n::EN.not_found)
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    secure_headers(response.headers_mut());
    response
}
