//! "My children" (`/family`, issue 11 item 9): what a parent or guardian signed in with their
//! password sees (`family`): each linked child's name, classes and whether a badge works, a
//! "Badge lost" button, and the apps the school registered for the `guardian` role. The
//! dashboard (`/`) sends a guardian here. The button is a form post checked like the teacher
//! pages' (`teacher::access::Posted`): this session's CSRF token (a digest of its cookie, with
//! its own purpose string) and the portal's origin, before anything is looked up.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::AppState;
use super::html::{error_page, message_page, page};
use super::i18n::{self, Strings};
use super::session::{SignedIn, same_origin};
use crate::auth::sessions::LiveSession;
use crate::family::BadgeLost;
use crate::ids::UserId;
use crate::roles::Role;
use crate::session_method::SessionMethod;
use crate::store::audit::{self, Entry};
use crate::store::family::Child;
use crate::tokens;

/// A parent or guardian signed in with their password. Anyone else gets 403 ("this page is
/// for parents and guardians"); no session, the login page (and back here).
#[derive(Debug)]
pub struct Guardian {
    session: LiveSession,
    csrf: String,
    s: &'static Strings,
}

impl FromRequestParts<AppState> for Guardian {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let SignedIn { session, cookie } = SignedIn::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let s = i18n::for_locale(&session.user.locale);
        if session.user.role != Role::Guardian || session.method != SessionMethod::Password {
            return Err(message_page(
                StatusCode::FORBIDDEN,
                s,
                s.family.parents_only,
            ));
        }
        Ok(Self {
            session,
            csrf: csrf_token(&cookie),
            s,
        })
    }
}

/// The session's CSRF token for these forms: a digest of its cookie (as the teacher pages',
/// under another purpose string), known only to the browser holding the cookie and the portal.
fn csrf_token(cookie: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"badgein family csrf v1\0");
    h.update(cookie.as_bytes());
    tokens::hex(&h.finalize())
}

#[derive(Debug, Default, Deserialize)]
pub struct FamilyQuery {
    /// The child whose badge was just stopped (the confirmation).
    lost: Option<String>,
}

/// `GET /family`.
pub async fn family_page(
    State(state): State<AppState>,
    guardian: Guardian,
    query: Result<Query<FamilyQuery>, QueryRejection>,
) -> Response {
    let s = guardian.s;
    let user = &guardian.session.user;
    let work = async {
        let children = state.portal.children_of(user).await?;
        let tiles = state.portal.tiles_for(user).await?;
        Ok((children, tiles))
    };
    let (children, tiles) = match state.run(work).await {
        Ok(found) => found,
        Err(e) => return error_page(s, &e),
    };
    let lost = query.ok().and_then(|Query(q)| q.lost);
    // Only a linked child's name is ever shown back, whatever the query says, and only when
    // the badge indeed no longer works (a link cannot make a working badge look stopped).
    let stopped = lost.and_then(|id| {
        children
            .iter()
            .find(|c| c.id == id.as_str() && !c.badge_works)
    });
    let f = s.family;
    let body = html! {
        header {
            img src={ "/avatars/" (guardian.session.id) ".svg" } alt="" width="96" height="96";
            h1 { (f.title) }
            form method="post" action="/logout" { button type="submit" { (s.sign_out) } }
        }
        main {
            @if let Some(child) = stopped {
                p role="status" class="note" { (child.given_name) (f.badge_stopped) }
            }
            p { (f.intro) }
            p { (f.username) " " strong { (user.username) } }
            @if children.is_empty() {
                p class="note" { (f.no_children) }
            }
            @for (n, child) in children.iter().enumerate() {
                (child_section(s, n, child, &guardian.csrf))
            }
            h2 id="apps" { (f.apps) }
            @if tiles.is_empty() {
                p { (f.no_apps) }
            } @else {
                ul class="tiles" aria-labelledby="apps" {
                    @for app in &tiles {
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
                form method="post" action="/account/password" {
                    label for="current" { (s.current_password) }
                    input id="current" name="current" type="password"
                        autocomplete="current-password" required;
                    label for="new" { (s.new_password) }
                    input id="new" name="new" type="password" autocomplete="new-password"
                        minlength="8" required;
                    button type="submit" { (s.save) }
                }
            }
        }
    };
    page(StatusCode::OK, s, f.title, body)
}

/// One child: a section named by its heading, whose button says whose badge it stops.
fn child_section(s: &Strings, n: usize, child: &Child, csrf: &str) -> maud::Markup {
    let f = s.family;
    let heading = format!("child-{n}");
    let hint = format!("child-{n}-hint");
    html! {
        section class="child" aria-labelledby=(heading) {
            h2 id=(heading) { (child.given_name) " " (child.family_name) }
            p {
                @if child.classes.is_empty() {
                    (f.no_class)
                } @else {
                    (f.classes) " " (child.classes.join(", "))
                }
            }
            @if child.badge_works {
                p class="badge-ok" { (f.badge_works) }
                form method="post" action={ "/family/children/" (encoded(&child.id)) "/badge-lost" } {
                    input type="hidden" name="csrf" value=(csrf);
                    p id=(hint) class="hint" { (f.badge_lost_hint) }
                    button type="submit" aria-describedby=(format!("{heading} {hint}")) {
                        (f.badge_lost)
                    }
                }
            } @else {
                p class="badge-none" { (f.no_badge) }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LostForm {
    csrf: String,
}

/// `POST /family/children/{child}/badge-lost`: refused (403, recorded, nothing changed)
/// unless the form carries this session's token from the portal's origin and names a child
/// linked to this guardian.
pub async fn badge_lost(
    State(state): State<AppState>,
    guardian: Guardian,
    Path(child): Path<String>,
    headers: HeaderMap,
    form: Result<Form<LostForm>, FormRejection>,
) -> Response {
    let s = guardian.s;
    let user = &guardian.session.user;
    let token_ok = form
        .as_ref()
        .is_ok_and(|Form(f)| tokens::same(f.csrf.as_bytes(), guardian.csrf.as_bytes()));
    if !token_ok || !same_origin(&state, &headers) {
        refused(&state, &user.id, &child).await;
        return message_page(StatusCode::FORBIDDEN, s, s.family.form_expired);
    }
    let child = UserId::from(child);
    match state.run(state.portal.badge_lost(&user.id, &child)).await {
        Ok(BadgeLost::Voided(_)) => {
            Redirect::to(&format!("/family?lost={}", encoded(&child))).into_response()
        }
        Ok(BadgeLost::NotYourChild) => {
            message_page(StatusCode::FORBIDDEN, s, s.family.not_your_child)
        }
        Err(e) => error_page(s, &e),
    }
}

/// A refused form, recorded with the guardian's id (a forged post is worth seeing).
async fn refused(state: &AppState, guardian: &UserId, child: &str) {
    let mut entry = Entry::new(state.portal.now(), "badge.void", "csrf");
    entry.user_id = Some(guardian.clone());
    let child: String = child.chars().take(100).collect();
    entry.detail = Some(format!("by guardian: student {child}"));
    if let Err(e) = state.run(audit::record(state.portal.db(), &entry)).await {
        tracing::warn!(error = %e, "could not record a refused guardian form");
    }
}

/// An id as one path segment or query value: every byte but letters and digits encoded.
fn encoded(id: &str) -> String {
    utf8_percent_encode(id, NON_ALPHANUMERIC).to_string()
}
