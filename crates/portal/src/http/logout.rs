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
use super::session::{self, current, same_origin};
use crate::idp::authorize::{self, MAX_QUERY, Params};
use crate::idp::discovery::paths;
use crate::idp::end_session::{Hint, LogoutApp, hint_names_session};

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
    if params.malformed() {
        return bad_link(s);
    }
    // Which app asks, proven by its ID token or named by its client id; both must agree.
    let hint = match params.get("id_token_hint") {
        None => None,
        Some(text) => match state
            .run(state.portal.read_id_token_hint(text, &state.base_url))
            .await
        {
            Ok(Some(hint)) => Some(hint),
            Ok(None) => return bad_link(s),
            Err(e) => return error_page(s, &e),
        },
    };
    let client_id = match (
        hint.as_ref().map(|h| h.client_id.as_str()),
        params.get("client_id"),
    ) {
        (Some(a), Some(b)) if a != b => return bad_link(s),
        (Some(id), _) | (None, Some(id)) => Some(id),
        (None, None) => None,
    };
    let app = match client_id {
        None => None,
        Some(id) => match state.run(state.portal.logout_app(id)).await {
            Ok(Some(app)) => Some(app),
            Ok(None) => return bad_link(s),
            Err(e) => return error_page(s, &e),
        },
    };
    // Back to the app only at an address it registered; never to one it did not.
    let back_to = match params.get("post_logout_redirect_uri") {
        None => None,
        Some(uri) if app.as_ref().is_some_and(|a| a.may_return_to(uri)) => Some(uri),
        Some(_) => return bad_link(s),
    };
    let session = match current(state, headers).await {
        Ok(session) => session,
        Err(e) => return error_page(s, &e),
    };
    if let Some(session) = session {
        let proven = matches!((&hint, &app), (Some(h), Some(a)) if named(h, a, &session.id));
        let confirmed =
            posted && params.get("confirm") == Some("yes") && same_origin(state, headers);
        if !proven && !confirmed {
            return confirm_page(s, client_id, back_to, params.get("state"));
        }
        if let Err(e) = state
            .run(state.portal.logout(&session.id, &session.user.id))
            .await
        {
            return error_page(s, &e);
        }
    }
    let done = match back_to {
        Some(uri) => {
            let answer: Vec<(&str, &str)> = params
                .get("state")
                .map(|v| vec![("state", v)])
                .unwrap_or_default();
            see_other(&authorize::redirect_to(uri, &answer), headers)
        }
        None => message_page(StatusCode::OK, s, s.signed_out),
    };
    signed_out(state, done)
}

fn named(hint: &Hint, app: &LogoutApp, session_id: &str) -> bool {
    hint_names_session(hint, &app.id, session_id)
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
