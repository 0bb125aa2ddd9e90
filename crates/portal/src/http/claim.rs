//! `/claim`: claiming an account (`claim`). One form, no script; every refusal comes back on
//! the same form with the typed answers kept (never the passwords), the message announced
//! (`role="alert"`) and the field it is about marked `aria-invalid` and described by it.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use badgein_proto::ProblemCode;
use maud::{Markup, html};
use serde::Deserialize;

use super::AppState;
use super::extract::ClientIp;
use super::html::{error_page, message_page, page, secure_headers};
use super::i18n::Strings;
use super::session::{self, same_origin};
use crate::claim::date::DateProblem;
use crate::claim::{ClaimForm, ClaimRefusal};
use crate::metrics::sign_in::{Outcome, SignInMethod};

/// The form's fields; a missing one is empty (and refused as such).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClaimFields {
    first_name: String,
    last_name: String,
    birth_date: String,
    number: String,
    password: String,
    password_again: String,
}

/// The fields a refusal is about, for `aria-invalid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Names,
    BirthDate,
    Number,
    Password,
    PasswordAgain,
    /// The whole form (no match, too many tries).
    All,
}

/// `GET /claim`.
pub async fn claim_page(headers: HeaderMap) -> Response {
    let s = session::language(&headers);
    form_page(StatusCode::OK, s, &ClaimFields::default(), None)
}

/// `POST /claim`.
pub async fn claim(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<ClaimFields>, FormRejection>,
) -> Response {
    let s = session::language(&headers);
    if !same_origin(&state, &headers) {
        return message_page(StatusCode::FORBIDDEN, s, s.not_found);
    }
    let Ok(Form(fields)) = form else {
        let empty = ClaimFields::default();
        return form_page(
            StatusCode::BAD_REQUEST,
            s,
            &empty,
            Some((s.claim.name_missing, Field::Names)),
        );
    };
    let request = ClaimForm {
        first_name: &fields.first_name,
        last_name: &fields.last_name,
        birth_date: &fields.birth_date,
        number: &fields.number,
        password: &fields.password,
        password_again: &fields.password_again,
    };
    let result = state.run(state.portal.claim_account(&request, ip)).await;
    let outcome = match &result {
        Ok(Ok(_)) => Outcome::Ok,
        Ok(Err(refusal)) => outcome(*refusal),
        Err(e) => Outcome::Refused(e.code()),
    };
    state.portal.metrics().sign_in(SignInMethod::Claim, outcome);
    match result {
        Ok(Ok(claimed)) => {
            let mut response = Redirect::to("/").into_response();
            if let Ok(v) = HeaderValue::from_str(&state.cookie.set(&claimed.cookie)) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            secure_headers(response.headers_mut());
            response
        }
        Ok(Err(refusal)) => {
            let (status, text, field) = answer(s, refusal);
            let mut response = form_page(status, s, &fields, Some((text, field)));
            if let ClaimRefusal::RateLimited { retry_after } = refusal
                && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
        Err(e) => error_page(s, &e),
    }
}

/// A refusal as the sign-in counters label it: the form's mistakes are `bad_request`, a
/// claim that matches no account `invalid_credentials`.
fn outcome(refusal: ClaimRefusal) -> Outcome {
    Outcome::Refused(match refusal {
        ClaimRefusal::Name
        | ClaimRefusal::Date(_)
        | ClaimRefusal::Number
        | ClaimRefusal::Password(_)
        | ClaimRefusal::PasswordsDiffer => ProblemCode::BadRequest,
        ClaimRefusal::NoMatch => ProblemCode::InvalidCredentials,
        ClaimRefusal::RateLimited { .. } => ProblemCode::RateLimited,
    })
}

/// The status, sentence and field of a refusal.
fn answer(s: &Strings, refusal: ClaimRefusal) -> (StatusCode, &'static str, Field) {
    let c = s.claim;
    let p = s.password_rules;
    let bad = StatusCode::BAD_REQUEST;
    match refusal {
        ClaimRefusal::Name => (bad, c.name_missing, Field::Names),
        ClaimRefusal::Date(DateProblem::Format) => (bad, c.date_format, Field::BirthDate),
        ClaimRefusal::Date(DateProblem::NoSuchDate) => (bad, c.date_no_such, Field::BirthDate),
        ClaimRefusal::Date(DateProblem::Future) => (bad, c.date_future, Field::BirthDate),
        ClaimRefusal::Number => (bad, c.number_missing, Field::Number),
        ClaimRefusal::Password(problem) => (bad, p.of(problem), Field::Password),
        ClaimRefusal::PasswordsDiffer => (bad, c.passwords_differ, Field::PasswordAgain),
        ClaimRefusal::NoMatch => (bad, c.no_match, Field::All),
        ClaimRefusal::RateLimited { .. } => {
            (StatusCode::TOO_MANY_REQUESTS, c.rate_limited, Field::All)
        }
    }
}

fn form_page(
    status: StatusCode,
    s: &Strings,
    fields: &ClaimFields,
    error: Option<(&str, Field)>,
) -> Response {
    let c = s.claim;
    let wrong = |field: Field| error.is_some_and(|(_, f)| f == field);
    // The message describes the field it is about, so a screen reader reads it there too.
    let described = |field: Field, hint: Option<&'static str>| -> Option<String> {
        let mut ids: Vec<&str> = hint.into_iter().collect();
        if wrong(field) {
            ids.push("claim-error");
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    let invalid = |field: Field| wrong(field).then_some("true");
    let body = html! {
        main {
            h1 { (c.title) }
            p { (c.intro) }
            @if let Some((text, _)) = error {
                p id="claim-error" role="alert" class="error" { (text) }
            }
            form method="post" action="/claim" novalidate {
                (text_field("first_name", c.first_name, &fields.first_name, "given-name",
                    invalid(Field::Names), described(Field::Names, None)))
                (text_field("last_name", c.last_name, &fields.last_name, "family-name",
                    invalid(Field::Names), described(Field::Names, None)))
                label for="birth_date" { (c.birth_date) }
                p id="birth_date-hint" class="hint" { (c.birth_date_hint) }
                input id="birth_date" name="birth_date" value=(fields.birth_date)
                    inputmode="numeric" autocomplete="bday" maxlength="20" required
                    aria-invalid=[invalid(Field::BirthDate)]
                    aria-describedby=[described(Field::BirthDate, Some("birth_date-hint"))];
                label for="number" { (c.number) }
                p id="number-hint" class="hint" { (c.number_hint) }
                input id="number" name="number" value=(fields.number) autocomplete="off"
                    maxlength="100" required
                    aria-invalid=[invalid(Field::Number)]
                    aria-describedby=[described(Field::Number, Some("number-hint"))];
                label for="password" { (c.password) }
                p id="password-hint" class="hint" { (c.password_hint) }
                input id="password" name="password" type="password" autocomplete="new-password"
                    required aria-invalid=[invalid(Field::Password)]
                    aria-describedby=[described(Field::Password, Some("password-hint"))];
                label for="password_again" { (c.password_again) }
                input id="password_again" name="password_again" type="password"
                    autocomplete="new-password" required
                    aria-invalid=[invalid(Field::PasswordAgain)]
                    aria-describedby=[described(Field::PasswordAgain, None)];
                button type="submit" { (c.submit) }
            }
            p { a href="/claim/parent" { (s.parent_claim.link) } }
            p { a href="/login" { (c.back_to_sign_in) } }
        }
    };
    page(status, s, c.title, body)
}

fn text_field(
    name: &str,
    label: &str,
    value: &str,
    autocomplete: &str,
    invalid: Option<&str>,
    described: Option<String>,
) -> Markup {
    html! {
        label for=(name) { (label) }
        input id=(name) name=(name) value=(value) autocomplete=(autocomplete)
            maxlength="100" required aria-invalid=[invalid] aria-describedby=[described];
    }
}
