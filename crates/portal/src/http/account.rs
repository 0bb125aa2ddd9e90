//! The signed-in user's own account (docs/accounts.md): what the grade rules let them do with
//! their password, the change-password page a temporary password sends them to first, and
//! whether they reach the class pages as a delegate.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::AppState;
use super::html::{error_page, page};
use super::i18n::{self, Strings};
use super::session::SignedIn;
use crate::auth::origin::{SessionMethod, is_staff};
use crate::auth::sessions::LiveSession;
use crate::error::Result;

/// What the dashboard and the password pages need to know of the account.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    /// A temporary password: nothing else until it is changed.
    pub must_change: bool,
    /// The grade rules let this user change their own password.
    pub may_change: bool,
    /// A delegate's password session: the class pages are open.
    pub delegate: bool,
}

pub async fn standing(state: &AppState, session: &LiveSession) -> Result<Standing> {
    let portal = &state.portal;
    let user = &session.user;
    let flags = portal.account_flags(&user.id).await?;
    let may_change = portal.may_change_own_password(user).await?;
    let delegate = session.method == SessionMethod::Password
        && is_staff(user.role)
        && portal.delegation_of(user).await?.is_some();
    Ok(Standing {
        must_change: flags.must_change_password,
        may_change: may_change || flags.must_change_password,
        delegate,
    })
}

/// The change-password form (or, for a student whose grade does not change passwords, who
/// can help).
pub fn password_form(s: &Strings, standing: Standing) -> Markup {
    html! {
        @if standing.may_change {
            form method="post" action="/account/password" {
                label for="current" { (s.current_password) }
                input id="current" name="current" type="password"
                    autocomplete="current-password" required;
                label for="new" { (s.new_password) }
                input id="new" name="new" type="password" autocomplete="new-password"
                    minlength="8" required;
                button type="submit" { (s.save) }
            }
        } @else {
            p { (s.accounts.ask_teacher) }
        }
    }
}

/// `GET /account/password`: the change-password page, where a sign-in with a temporary
/// password lands.
pub async fn password_page(
    State(state): State<AppState>,
    SignedIn { session, .. }: SignedIn,
) -> Response {
    let s = i18n::for_locale(&session.user.locale);
    let standing = match state.run(standing(&state, &session)).await {
        Ok(found) => found,
        Err(e) => return error_page(s, &e),
    };
    let title = if standing.must_change {
        s.accounts.must_change_title
    } else {
        s.change_password
    };
    let body = html! {
        main {
            h1 { (title) }
            @if standing.must_change {
                p { (s.accounts.must_change_text) }
            }
            (password_form(s, standing))
            @if !standing.must_change {
                p { a href="/" { (s.teach.my_apps) } }
            }
        }
    };
    page(StatusCode::OK, s, title, body).into_response()
}
