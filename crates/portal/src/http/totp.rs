//! The staff second factor's pages (docs/staff-second-factor.md): `/account/totp` (the QR code
//! and the key to type by hand, confirmed with a first code, then the recovery codes shown
//! once) and the login page's code step (`POST /login/code`), which completes a password
//! sign-in waiting behind the browser's pending cookie. Also the lockout's sentence, which
//! says when the person can try again in the school's time zone.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use badgein_proto::ProblemCode;
use maud::html;
use serde::Deserialize;

use super::extract::ClientIp;
use super::html::{error_page, message_page, page, secure_headers, status_of};
use super::i18n::{self, Strings};
use super::qr_svg::qr_svg;
use super::session::{self, SignedIn, cookie_value, same_origin};
use super::{AppState, CookiePolicy, next};
use crate::auth::origin::{SessionMethod, is_staff};
use crate::auth::pending::LIFETIME_MS;
use crate::auth::second_factor::{CodeRefused, Enrollment, ISSUER};
use crate::auth::sessions::LiveSession;
use crate::auth::sign_in::BrowserSignIn;
use crate::auth::totp::{self, Secret, Unreadable};
use crate::error::PortalError;
use crate::metrics::sign_in::{Outcome, SignInMethod};
use crate::roles::Role;
use crate::school_time;

/// The pending sign-in's cookie (`auth::pending`), named and flagged like the session's.
fn pending_name(policy: CookiePolicy) -> &'static str {
    if policy.secure {
        "__Host-badgein-pending"
    } else {
        "badgein_pending"
    }
}

fn pending_cookie(policy: CookiePolicy, value: &str, max_age_secs: i64) -> String {
    let secure = if policy.secure { "; Secure" } else { "" };
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}",
        pending_name(policy)
    )
}

fn with_header(mut response: Response, name: header::HeaderName, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().append(name, v);
    }
    response
}

/// The login page's answer to a right password of a user with an authenticator: the code
/// form, and the cookie that binds the waiting sign-in to this browser.
pub(super) fn code_needed(
    state: &AppState,
    s: &Strings,
    token: &str,
    next: Option<&str>,
) -> Response {
    let response = code_form(StatusCode::OK, s, None, next);
    let cookie = pending_cookie(state.cookie, token, LIFETIME_MS / 1000);
    with_header(response, header::SET_COOKIE, &cookie)
}

fn code_form(status: StatusCode, s: &Strings, error: Option<&str>, next: Option<&str>) -> Response {
    let t = s.totp;
    let body = html! {
        main {
            h1 { (t.code_title) }
            @if let Some(error) = error {
                p role="alert" class="error" { (error) }
            }
            p { (t.code_intro) }
            form method="post" action="/login/code" {
                @if let Some(next) = next {
                    input type="hidden" name="next" value=(next);
                }
                label for="code" { (t.code_label) }
                input id="code" name="code" autocomplete="one-time-code" required
                    aria-describedby="code-hint" spellcheck="false" autocapitalize="off";
                p id="code-hint" class="hint" { (t.code_hint) }
                button type="submit" { (t.verify) }
            }
        }
    };
    page(status, s, t.code_title, body)
}

/// The sentence for a locked sign-in of `username`: when it can be tried again, in the
/// school's time zone and the page's language.
pub(super) async fn locked_sentence(
    state: &AppState,
    s: &Strings,
    username: &str,
    retry_after: u64,
) -> String {
    match state
        .run(state.portal.lock_ends_for_login(username, retry_after))
        .await
    {
        Ok((at, zone)) => (s.totp.locked_until)(&school_time::clock_time(at, &zone, s.lang)),
        Err(_) => s.locked.to_owned(),
    }
}

/// A page's answer carrying `Retry-After`, when the refusal has one.
fn with_retry_after(response: Response, e: &PortalError) -> Response {
    match e.problem().retry_after {
        Some(secs) => with_header(response, header::RETRY_AFTER, &secs.to_string()),
        None => response,
    }
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    code: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /login/code`: the second step of a password sign-in.
pub async fn code_step(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let s = session::language(&headers);
    if !same_origin(&state, &headers) {
        return message_page(StatusCode::FORBIDDEN, s, s.not_found);
    }
    let t = s.totp;
    let Ok(Form(form)) = form else {
        return code_form(StatusCode::BAD_REQUEST, s, Some(t.not_a_code), None);
    };
    let next = form.next.as_deref().and_then(next::safe_next);
    let token = cookie_value(&headers, pending_name(state.cookie)).unwrap_or_default();
    let result = state
        .run(async { Ok(state.portal.sign_in_with_code(&token, &form.code, ip).await) })
        .await;
    state
        .portal
        .metrics()
        .sign_in(SignInMethod::Code, code_outcome(&result));
    let forget = pending_cookie(state.cookie, "", 0);
    match result {
        Ok(Ok(signed_in)) => {
            let response = signed_in_response(&state, &signed_in, next.unwrap_or("/"));
            with_header(response, header::SET_COOKIE, &forget)
        }
        Ok(Err(CodeRefused::Unreadable(Unreadable::WrongLength))) => {
            code_form(StatusCode::BAD_REQUEST, s, Some(t.wrong_length), next)
        }
        Ok(Err(CodeRefused::Unreadable(Unreadable::NotACode))) => {
            code_form(StatusCode::BAD_REQUEST, s, Some(t.not_a_code), next)
        }
        Ok(Err(CodeRefused::Wrong)) => {
            code_form(StatusCode::UNAUTHORIZED, s, Some(t.wrong_code), next)
        }
        Ok(Err(CodeRefused::Expired)) => {
            let response =
                super::pages::login_form(StatusCode::BAD_REQUEST, s, Some(t.expired), next);
            with_header(response, header::SET_COOKIE, &forget)
        }
        Ok(Err(CodeRefused::Locked {
            retry_after,
            at,
            zone,
        })) => {
            let text = (t.locked_until)(&school_time::clock_time(at, &zone, s.lang));
            let locked = PortalError::Locked { retry_after };
            let response = super::pages::login_form(status_of(&locked), s, Some(&text), next);
            let response = with_retry_after(response, &locked);
            with_header(response, header::SET_COOKIE, &forget)
        }
        Ok(Err(CodeRefused::Portal(e))) | Err(e) => {
            with_header(error_page(s, &e), header::SET_COOKIE, &forget)
        }
    }
}

/// The code step's answer as the sign-in counters label it.
fn code_outcome<T>(result: &Result<Result<T, CodeRefused>, PortalError>) -> Outcome {
    match result {
        Ok(Ok(_)) => Outcome::Ok,
        Ok(Err(CodeRefused::Unreadable(_))) => Outcome::Refused(ProblemCode::BadRequest),
        Ok(Err(CodeRefused::Wrong)) => Outcome::Refused(ProblemCode::InvalidCredentials),
        Ok(Err(CodeRefused::Expired)) => Outcome::Expired,
        Ok(Err(CodeRefused::Locked { .. })) => Outcome::Refused(ProblemCode::AccountLocked),
        Ok(Err(CodeRefused::Portal(e))) | Err(e) => Outcome::Refused(e.code()),
    }
}

/// A completed sign-in: the session cookie, the device cookie, and on to `to`.
pub(super) fn signed_in_response(
    state: &AppState,
    signed_in: &BrowserSignIn,
    to: &str,
) -> Response {
    let lifetime = state.portal.config().device_lifetime;
    let mut response = Redirect::to(to).into_response();
    secure_headers(response.headers_mut());
    let response = with_header(
        response,
        header::SET_COOKIE,
        &state.cookie.set(&signed_in.cookie),
    );
    with_header(
        response,
        header::SET_COOKIE,
        &state.cookie.device(&signed_in.device_cookie, lifetime),
    )
}

/// Who may enroll: a member of staff signed in with a password. A student is told nothing is
/// here; a badge session (anyone holding the badge) is sent to sign in with the password.
/// A refusal: a status and a sentence of the user's language.
type Refusal = (StatusCode, &'static Strings, &'static str);

fn enrollment_gate(session: &LiveSession) -> Result<&'static Strings, Refusal> {
    let s = i18n::for_locale(&session.user.locale);
    if !is_staff(session.user.role) {
        return Err((StatusCode::NOT_FOUND, s, s.not_found));
    }
    if session.method == SessionMethod::Badge {
        return Err((StatusCode::FORBIDDEN, s, s.totp.password_first));
    }
    Ok(s)
}

/// `GET /account/totp`.
pub async fn setup_page(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let session = signed_in.session;
    let s = match enrollment_gate(&session) {
        Ok(s) => s,
        Err((status, s, text)) => return message_page(status, s, text),
    };
    match state.run(state.portal.totp_enrollment(&session.user)).await {
        Ok(enrollment) => enrollment_page(StatusCode::OK, s, &session, &enrollment, None),
        Err(e) => error_page(s, &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct TurnOnForm {
    code: String,
}

/// `POST /account/totp`: confirms the enrollment with a first code; shows the recovery codes.
pub async fn turn_on(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    form: Result<Form<TurnOnForm>, FormRejection>,
) -> Response {
    let session = signed_in.session;
    let s = match enrollment_gate(&session) {
        Ok(s) => s,
        Err((status, s, text)) => return message_page(status, s, text),
    };
    if !same_origin(&state, &headers) {
        return message_page(StatusCode::FORBIDDEN, s, s.not_found);
    }
    let t = s.totp;
    let input = form.map(|Form(f)| f.code).unwrap_or_default();
    let result = state
        .run(async {
            Ok(state
                .portal
                .confirm_totp(&session.id, &session.user, &input)
                .await)
        })
        .await;
    let (status, error) = match result {
        Ok(Ok(codes)) => return recovery_page(s, &session, &codes),
        Ok(Err(CodeRefused::Unreadable(Unreadable::WrongLength))) => {
            (StatusCode::BAD_REQUEST, t.wrong_length)
        }
        Ok(Err(CodeRefused::Unreadable(Unreadable::NotACode))) => {
            (StatusCode::BAD_REQUEST, t.not_a_code)
        }
        Ok(Err(CodeRefused::Wrong | CodeRefused::Expired | CodeRefused::Locked { .. })) => {
            (StatusCode::BAD_REQUEST, t.wrong_code)
        }
        Ok(Err(CodeRefused::Portal(PortalError::Conflict(_)))) => (StatusCode::CONFLICT, t.on),
        Ok(Err(CodeRefused::Portal(e))) | Err(e) => return error_page(s, &e),
    };
    match state.run(state.portal.totp_enrollment(&session.user)).await {
        Ok(enrollment) => enrollment_page(status, s, &session, &enrollment, Some(error)),
        Err(e) => error_page(s, &e),
    }
}

fn enrollment_page(
    status: StatusCode,
    s: &Strings,
    session: &LiveSession,
    enrollment: &Enrollment,
    error: Option<&str>,
) -> Response {
    let t = s.totp;
    let body = match enrollment {
        Enrollment::On => html! {
            main {
                h1 { (t.setup_title) }
                @if let Some(error) = error {
                    p role="alert" class="error" { (error) }
                }
                p role="status" { (t.on) }
                p { (t.lost_phone) }
                p { a href="/" { (t.continue_link) } }
            }
        },
        Enrollment::Waiting(secret) => {
            let uri = totp::otpauth_uri(ISSUER, &session.user.username, secret);
            html! {
                main {
                    h1 { (t.setup_title) }
                    @if let Some(error) = error {
                        p role="alert" class="error" { (error) }
                    }
                    ol {
                        @for step in t.setup_steps { li { (step) } }
                    }
                    (qr_svg(&uri, t.qr_label))
                    p { (t.by_hand) }
                    dl {
                        dt { (t.key) }
                        dd { code class="secret" { (grouped(secret)) } }
                        dt { "URI" }
                        dd { code class="uri" { (uri) } }
                    }
                    form method="post" action="/account/totp" {
                        label for="code" { (t.code_label) }
                        input id="code" name="code" inputmode="numeric" autocomplete="one-time-code"
                            required aria-describedby="code-hint";
                        p id="code-hint" class="hint" { (s.totp.wrong_length) }
                        button type="submit" { (t.turn_on) }
                    }
                }
            }
        }
    };
    page(status, s, t.setup_title, body)
}

/// The key in groups of four, easier to type.
fn grouped(secret: &Secret) -> String {
    let key = secret.base32();
    key.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn recovery_page(s: &Strings, session: &LiveSession, codes: &[String]) -> Response {
    let t = s.totp;
    let manager = matches!(session.user.role, Role::Teacher | Role::Administrator);
    let onward = if manager { "/teach" } else { "/" };
    let body = html! {
        main {
            h1 { (t.recovery_title) }
            p role="status" { (t.on) }
            p { (t.recovery_intro) }
            ol class="recovery" {
                @for code in codes { li { code { (code) } } }
            }
            p { a class="button" href=(onward) { (t.continue_link) } }
        }
    };
    page(StatusCode::OK, s, t.recovery_title, body)
}
