//! `/claim/parent`: a parent or guardian claims their account (`claim::parent`). The student
//! claim page's twin (`http/claim`): one form, no script, every refusal back on the same form
//! with the typed answers kept (never the passwords), the message announced and the field it
//! is about marked `aria-invalid` and described by it.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::AppState;
use super::extract::ClientIp;
use super::html::{error_page, message_page, page, secure_headers};
use super::i18n::Strings;
use super::session::{self, same_origin};
use crate::claim::date::DateProblem;
use crate::claim::parent::{ParentClaimForm, ParentClaimRefusal};

/// The form's fields; a missing one is empty (and refused as such).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ParentClaimFields {
    account: String,
    child_number: String,
    child_birth_date: String,
    password: String,
    password_again: String,
}

/// The field a refusal is about, for `aria-invalid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Account,
    ChildNumber,
    BirthDate,
    Password,
    PasswordAgain,
    /// The whole form (no match, too many tries).
    All,
}

/// `GET /claim/parent`.
pub async fn claim_page(headers: HeaderMap) -> Response {
    let s = session::language(&headers);
    form_page(StatusCode::OK, s, &ParentClaimFields::default(), None)
}

/// `POST /claim/parent`.
pub async fn claim(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<ParentClaimFields>, FormRejection>,
) -> Response {
    let s = session::language(&headers);
    if !same_origin(&state, &headers) {
        return message_page(StatusCode::FORBIDDEN, s, s.not_found);
    }
    let Ok(Form(fields)) = form else {
        let missing = (s.parent_claim.account_missing, Field::Account);
        let empty = ParentClaimFields::default();
        return form_page(StatusCode::BAD_REQUEST, s, &empty, Some(missing));
    };
    let request = ParentClaimForm {
        account: &fields.account,
        child_number: &fields.child_number,
        child_birth_date: &fields.child_birth_date,
        password: &fields.password,
        password_again: &fields.password_again,
    };
    match state
        .run(state.portal.claim_guardian_account(&request, ip))
        .await
    {
        Ok(Ok(claimed)) => {
            let mut response = Redirect::to("/family").into_response();
            if let Ok(v) = HeaderValue::from_str(&state.cookie.set(&claimed.cookie)) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            secure_headers(response.headers_mut());
            response
        }
        Ok(Err(refusal)) => {
            let (status, text, field) = answer(s, refusal);
            let mut response = form_page(status, s, &fields, Some((text, field)));
            if let ParentClaimRefusal::RateLimited { retry_after } = refusal
                && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
        Err(e) => error_page(s, &e),
    }
}

/// The status, sentence and field of a refusal: the date, password and limit sentences are
/// the student claim's.
fn answer(s: &Strings, refusal: ParentClaimRefusal) -> (StatusCode, &'static str, Field) {
    let (c, p, pc) = (s.claim, s.password_rules, s.parent_claim);
    let bad = StatusCode::BAD_REQUEST;
    match refusal {
        ParentClaimRefusal::Account => (bad, pc.account_missing, Field::Account),
        ParentClaimRefusal::ChildNumber => (bad, pc.child_number_missing, Field::ChildNumber),
        ParentClaimRefusal::Date(DateProblem::Format) => (bad, c.date_format, Field::BirthDate),
        ParentClaimRefusal::Date(DateProblem::NoSuchDate) => {
            (bad, c.date_no_such, Field::BirthDate)
        }
        ParentClaimRefusal::Date(DateProblem::Future) => (bad, c.date_future, Field::BirthDate),
        ParentClaimRefusal::Password(problem) => (bad, p.of(problem), Field::Password),
        ParentClaimRefusal::PasswordsDiffer => (bad, c.passwords_differ, Field::PasswordAgain),
        ParentClaimRefusal::NoMatch => (bad, pc.no_match, Field::All),
        ParentClaimRefusal::RateLimited { .. } => {
            (StatusCode::TOO_MANY_REQUESTS, c.rate_limited, Field::All)
        }
    }
}

fn form_page(
    status: StatusCode,
    s: &Strings,
    fields: &ParentClaimFields,
    error: Option<(&str, Field)>,
) -> Response {
    let (c, pc) = (s.claim, s.parent_claim);
    let wrong = |field: Field| error.is_some_and(|(_, f)| f == field);
    // The message describes the field it is about, so a screen reader reads it there too.
    let described = |field: Field, hint: &str| -> String {
        if wrong(field) {
            format!("{hint} claim-error")
        } else {
            hint.to_owned()
        }
    };
    let invalid = |field: Field| wrong(field).then_some("true");
    let body = html! {
        main {
            h1 { (pc.title) }
            p { (pc.intro) }
            @if let Some((text, _)) = error {
                p id="claim-error" role="alert" class="error" { (text) }
            }
            form method="post" action="/claim/parent" novalidate {
                label for="account" { (pc.account) }
                p id="account-hint" class="hint" { (pc.account_hint) }
                input id="account" name="account" value=(fields.account) autocomplete="username"
                    maxlength="300" required aria-invalid=[invalid(Field::Account)]
                    aria-describedby=(described(Field::Account, "account-hint"));
                label for="child_number" { (pc.child_number) }
                p id="child_number-hint" class="hint" { (pc.child_number_hint) }
                input id="child_number" name="child_number" value=(fields.child_number)
                    autocomplete="off" maxlength="100" required
                    aria-invalid=[invalid(Field::ChildNumber)]
                    aria-describedby=(described(Field::ChildNumber, "child_number-hint"));
                label for="child_birth_date" { (pc.child_birth_date) }
                p id="child_birth_date-hint" class="hint" { (c.birth_date_hint) }
                input id="child_birth_date" name="child_birth_date"
                    value=(fields.child_birth_date) inputmode="numeric" autocomplete="off"
                    maxlength="20" required aria-invalid=[invalid(Field::BirthDate)]
                    aria-describedby=(described(Field::BirthDate, "child_birth_date-hint"));
                label for="password" { (c.password) }
                p id="password-hint" class="hint" { (c.password_hint) }
                input id="password" name="password" type="password" autocomplete="new-password"
                    required aria-invalid=[invalid(Field::Password)]
                    aria-describedby=(described(Field::Password, "password-hint"));
                label for="password_again" { (c.password_again) }
                input id="password_again" name="password_again" type="password"
                    autocomplete="new-password" required
                    aria-invalid=[invalid(Field::PasswordAgain)]
                    aria-describedby=[wrong(Field::PasswordAgain).then_some("claim-error")];
                button type="submit" { (pc.submit) }
            }
            p { a href="/login" { (c.back_to_sign_in) } }
        }
    };
    page(status, s, pc.title, body)
}
