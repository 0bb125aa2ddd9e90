//! `GET`/`POST /oauth/logout`, the `end_session_endpoint` (OpenID Connect RP-Initiated Logout
//! 1.0): an app sends the browser here to sign the user out of BadgeIn as well. The rules are
//! `idp::end_session`'s; this module reads the request and writes the answer. Ending the
//! session also sends the back-channel logouts to the other apps it signed in to.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;
use url::form_urlencoded;

use super::AppState;
use super::html::{error_page, message_page, page};
use super::i18n::Strings;
use super::oauth::see_other;
use super::pages::signed_out;
use super::session::{self, same_origin};
use crate::idp::authorize::{self, MAX_QUERY, Params};
use crate::idp::discovery::paths;
use crate::idp::end_session::{Answer, EndSession};

pub async fn end_session_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    end_session(
        &state,
        &headers,
        query.unwrap_or_default().as_bytes(),
        false,
    )
    .await
}

pub async fn end_session_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    end_session(&state, &headers, &body, true).await
}

fn bad_link(s: &'static Strings) -> Response {
    message_page(StatusCode::BAD_REQUEST, s, s.bad_app_link)
}

async fn end_session(state: &AppState, headers: &HeaderMap, raw: &[u8], posted: bool) -> Response {
    let s = session::language(headers);
    if raw.len() > MAX_QUERY {
        return bad_link(s);
    }
    let params = Params::new(form_urlencoded::parse(raw).into_owned().collect());
    let cookie = session::cookie_value(headers, state.cookie.name());
    let request = EndSession {
        params: &params,
        cookie: cookie.as_deref(),
        confirmed: posted && params.get("confirm") == Some("yes") && same_origin(state, headers),
        issuer: &state.base_url,
    };
    let back_to = match state.run(state.portal.end_session(&request)).await {
        Ok(Answer::BadLink) => return bad_link(s),
        Ok(Answer::Confirm { client_id, back_to }) => {
            return confirm_page(
                s,
                client_id.as_deref(),
                back_to.as_deref(),
                params.get("state"),
            );
        }
        Ok(Answer::SignedOut { back_to }) => back_to,
        Err(e) => return error_page(s, &e),
    };
    let done = match back_to {
        Some(uri) => {
            let answer: Vec<(&str, &str)> = params
                .get("state")
                .map(|v| vec![("state", v)])
                .unwrap_or_default();
            see_other(&authorize::redirect_to(&uri, &answer), headers)
        }
        None => message_page(StatusCode::OK, s, s.signed_out),
    };
    signed_out(state, done)
}

/// "An app asks to sign you out. Sign out?": a form that posts the request back here with
/// `confirm=yes`, and a way to stay. Only a page of this portal can post it (same origin,
/// and the `SameSite=Lax` cookie stays off another site's post).
fn confirm_page(
    s: &'static Strings,
    client_id: Option<&str>,
    back_to: Option<&str>,
    app_state: Option<&str>,
) -> Response {
    let body = html! {
        main {
            h1 { (s.sign_out_question) }
            form method="post" action=(paths::END_SESSION) {
                @if let Some(id) = client_id {
                    input type="hidden" name="client_id" value=(id);
                }
                @if let Some(uri) = back_to {
                    input type="hidden" name="post_logout_redirect_uri" value=(uri);
                }
                @if let Some(v) = app_state {
                    input type="hidden" name="state" value=(v);
                }
                input type="hidden" name="confirm" value="yes";
                button type="submit" { (s.sign_out) }
            }
            p { a href="/" { (s.stay_signed_in) } }
        }
    };
    page(StatusCode::OK, s, s.sign_out_question, body)
}
