//! The administrators' apps page: the apps shown at their school, a form to add one for the
//! school, and for the school's own apps (registered for it alone) removal and a new secret,
//! shown once. Apps registered for several schools or every school are the district's, changed
//! only with `badgein-portal app`. Open only to a session `authority` says manages apps.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{Markup, html};
use serde::Deserialize;

use super::access::{Answer, CsrfToken, Failure, Posted, Teacher, refused};
use super::forms::{CsrfForm, DoneQuery};
use super::view::{self, Section, csrf_field, segment};
use crate::apps::{AppRequest, Registered, parse_roles, parse_scopes};
use crate::error::PortalError;
use crate::http::AppState;
use crate::http::i18n::AppsPage;
use crate::store::apps::AppRow;

/// What the add form sends. Empty optional fields are absent values.
#[derive(Debug, Default, Deserialize)]
pub struct AppForm {
    csrf: String,
    name: String,
    url: String,
    #[serde(default)]
    roles: String,
    /// One a line.
    #[serde(default)]
    redirect_uris: String,
    #[serde(default)]
    backchannel_logout: String,
    #[serde(default)]
    pairwise: Option<String>,
    #[serde(default)]
    public_client: Option<String>,
    /// Comma-separated, as `--scopes`.
    #[serde(default)]
    scopes: String,
    #[serde(default)]
    saml_entity_id: String,
    #[serde(default)]
    saml_acs: String,
}

impl CsrfToken for AppForm {
    fn token(&self) -> &str {
        &self.csrf
    }
}

fn given(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

impl Teacher {
    /// The refusal for anyone but an administrator (`Authority::manages_apps`), recorded
    /// when `action` is a form post's path.
    async fn not_administrator(&self, state: &AppState, action: Option<&str>) -> Option<Failure> {
        if self.authority.manages_apps() {
            return None;
        }
        if let Some(path) = action {
            refused(state, &self.user, path, "forbidden").await;
        }
        Some(self.refuse(StatusCode::FORBIDDEN, self.s.teach.apps.administrators_only))
    }

    /// The apps shown at this administrator's school, in registration order.
    async fn school_apps(&self, state: &AppState) -> Result<Vec<AppRow>, Failure> {
        let school = &self.user.school_id;
        let all = self.run(state, state.portal.apps()).await?;
        Ok(all
            .into_iter()
            .filter(|a| a.schools.is_empty() || a.schools.contains(school))
            .collect())
    }

    /// Whether the app is this school's own: registered for this school alone.
    fn owns(&self, app: &AppRow) -> bool {
        app.schools == [self.user.school_id.clone()]
    }

    /// `app_id` if this is an administrator and it is their school's own app; otherwise the
    /// refusal (recorded), the same whether the app is the district's or does not exist.
    async fn own_app(
        &self,
        state: &AppState,
        app_id: &str,
        action: &str,
    ) -> Result<AppRow, Failure> {
        if let Some(refusal) = self.not_administrator(state, Some(action)).await {
            return Err(refusal);
        }
        let found = self
            .school_apps(state)
            .await?
            .into_iter()
            .find(|a| a.id == app_id && self.owns(a));
        match found {
            Some(app) => Ok(app),
            None => {
                refused(state, &self.user, action, "forbidden").await;
                Err(self.refuse(StatusCode::FORBIDDEN, self.s.teach.apps.elsewhere))
            }
        }
    }
}

/// `GET /teach/apps`.
pub async fn list(
    State(state): State<AppState>,
    teacher: Teacher,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Answer {
    if let Some(refusal) = teacher.not_administrator(&state, None).await {
        return Err(refusal);
    }
    let a = teacher.s.teach.apps;
    let done = query.ok().and_then(|Query(q)| q.done);
    let note = (done.as_deref() == Some("removed")).then_some(a.removed);
    page(
        &state,
        &teacher,
        StatusCode::OK,
        note,
        None,
        &AppForm::default(),
    )
    .await
}

/// The page: a note or a refusal on top, the apps, the add form (with `form`'s values).
async fn page(
    state: &AppState,
    teacher: &Teacher,
    status: StatusCode,
    note: Option<&str>,
    error: Option<&str>,
    form: &AppForm,
) -> Answer {
    let a = teacher.s.teach.apps;
    let apps = teacher.school_apps(state).await?;
    let main = html! {
        @if let Some(note) = note { (view::note(note)) }
        @if let Some(error) = error {
            div role="alert" class="error" { p { (a.refused) ": " (error) } }
        }
        @if apps.is_empty() {
            p { (a.none) }
        } @else {
            table {
                caption class="vh" { (a.title) }
                thead { tr {
                    th scope="col" { (teacher.s.teach.name) }
                    th scope="col" { (a.url) }
                    th scope="col" { (a.kind) }
                    th scope="col" { (a.shown_to) }
                    th scope="col" { (teacher.s.teach.actions) }
                } }
                tbody { @for app in &apps { (row(teacher, app)) } }
            }
        }
        h2 id="add" { (a.add_title) }
        p { (a.add_help) }
        (add_form(teacher, form))
    };
    Ok(view::frame(status, teacher.s, Section::Apps, a.title, main))
}

fn kind(a: &AppsPage, app: &AppRow) -> String {
    let oidc = if app.public_client {
        format!("OpenID Connect ({})", a.public_kind)
    } else {
        "OpenID Connect".to_owned()
    };
    match (app.client_id.is_some(), app.saml_entity_id.is_some()) {
        (true, true) => format!("{oidc}, SAML"),
        (true, false) => oidc,
        (false, true) => "SAML".to_owned(),
        (false, false) => a.link.to_owned(),
    }
}

fn row(teacher: &Teacher, app: &AppRow) -> Markup {
    let a = teacher.s.teach.apps;
    let roles = if app.roles.is_empty() {
        a.every_role.to_owned()
    } else {
        app.roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let path = format!("/teach/apps/{}", segment(&app.id));
    html! {
        tr {
            th scope="row" { (app.name) }
            td { (app.url) }
            td {
                (kind(a, app))
                @if let Some(client_id) = &app.client_id {
                    br; (a.client_id) ": " code { (client_id) }
                }
            }
            td { (roles) }
            td {
                @if teacher.owns(app) {
                    form method="post" action={ (path) "/remove" } {
                        (csrf_field(&teacher.csrf))
                        button type="submit" class="danger" {
                            (a.remove) span class="vh" { " " (app.name) }
                        }
                    }
                    @if app.client_id.is_some() && !app.public_client {
                        form method="post" action={ (path) "/secret" } {
                            (csrf_field(&teacher.csrf))
                            button type="submit" {
                                (a.new_secret) span class="vh" { " " (app.name) }
                            }
                        }
                    }
                } @else {
                    (a.elsewhere)
                }
            }
        }
    }
}

fn add_form(teacher: &Teacher, f: &AppForm) -> Markup {
    let a = teacher.s.teach.apps;
    html! {
        form method="post" action="/teach/apps" aria-labelledby="add" {
            (csrf_field(&teacher.csrf))
            label for="name" { (teacher.s.teach.name) }
            input id="name" name="name" required maxlength="80" value=(f.name);
            label for="url" { (a.url) }
            input id="url" name="url" type="url" required value=(f.url);
            label for="roles" { (a.shown_to) }
            input id="roles" name="roles" aria-describedby="roles-help" value=(f.roles);
            p id="roles-help" class="help" { (a.roles_help) }
            label for="redirect_uris" { (a.redirects) }
            textarea id="redirect_uris" name="redirect_uris" rows="3"
                aria-describedby="redirects-help" { (f.redirect_uris) }
            p id="redirects-help" class="help" { (a.redirects_help) }
            label for="backchannel_logout" { (a.backchannel) }
            input id="backchannel_logout" name="backchannel_logout" type="url"
                value=(f.backchannel_logout);
            label {
                input name="pairwise" type="checkbox" checked[f.pairwise.is_some()];
                " " (a.pairwise)
            }
            label {
                input name="public_client" type="checkbox" aria-describedby="public-help"
                    checked[f.public_client.is_some()];
                " " (a.public_client)
            }
            p id="public-help" class="help" { (a.public_help) }
            label for="scopes" { (a.scopes) }
            input id="scopes" name="scopes" aria-describedby="scopes-help" value=(f.scopes);
            p id="scopes-help" class="help" { (a.scopes_help) }
            label for="saml_entity_id" { (a.entity_id) }
            input id="saml_entity_id" name="saml_entity_id" value=(f.saml_entity_id);
            label for="saml_acs" { (a.acs) }
            input id="saml_acs" name="saml_acs" type="url" value=(f.saml_acs);
            button type="submit" { (a.add) }
        }
    }
}

/// `POST /teach/apps`: an app for this administrator's school. A refused one comes back on
/// the page with the reason and what was typed; a client's secret is shown once.
pub async fn add(
    State(state): State<AppState>,
    Posted {
        teacher,
        form: f,
        action,
        ..
    }: Posted<(), AppForm>,
) -> Answer {
    if let Some(refusal) = teacher.not_administrator(&state, Some(&action)).await {
        return Err(refusal);
    }
    match register(&state, &teacher, &f).await {
        Ok(registered) => {
            teacher
                .record(
                    &state,
                    "app_add",
                    format!("app {}", registered.app_id),
                    None,
                )
                .await?;
            Ok(secret_page(&teacher, &f.name, &registered))
        }
        // A refused registration comes back on the page with the reason and what was typed.
        Err(Refused::Rule(error)) => {
            page(
                &state,
                &teacher,
                StatusCode::BAD_REQUEST,
                None,
                Some(&error),
                &f,
            )
            .await
        }
        Err(Refused::Failed(e)) => Err(Failure::Failed(teacher.s, e)),
    }
}

/// Why [`register`] registered nothing.
enum Refused {
    /// A broken rule, said on the page.
    Rule(String),
    Failed(PortalError),
}

/// The form's app registered for this administrator's school.
async fn register(state: &AppState, teacher: &Teacher, f: &AppForm) -> Result<Registered, Refused> {
    let roles = parse_roles(&f.roles).map_err(|e| Refused::Rule(e.to_string()))?;
    let scopes = parse_scopes(&f.scopes).map_err(|e| Refused::Rule(e.to_string()))?;
    let request = AppRequest {
        name: f.name.clone(),
        url: f.url.clone(),
        schools: vec![teacher.user.school_id.clone()],
        roles,
        oidc_redirects: f
            .redirect_uris
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        backchannel_logout: given(&f.backchannel_logout),
        pairwise: f.pairwise.is_some(),
        public_client: f.public_client.is_some(),
        id_token_alg: None,
        scopes,
        saml_entity_id: given(&f.saml_entity_id),
        saml_acs: given(&f.saml_acs),
        icon: None,
    };
    match state.run(state.portal.add_app(&request)).await {
        Ok(registered) => Ok(registered),
        Err(e @ (PortalError::App(_) | PortalError::Conflict(_))) => {
            Err(Refused::Rule(e.to_string()))
        }
        Err(e) => Err(Refused::Failed(e)),
    }
}

/// After adding or a new secret: the client id and secret, this once (a public client's id
/// alone: it has no secret); a plain link goes back to the list.
fn secret_page(teacher: &Teacher, name: &str, r: &Registered) -> axum::response::Response {
    let a = teacher.s.teach.apps;
    let Some(client_id) = &r.client_id else {
        return Redirect::to("/teach/apps").into_response();
    };
    let main = html! {
        p class="subject" { (name) }
        @if let Some(secret) = &r.client_secret {
            p { (a.secret_help) }
            dl {
                dt { (a.client_id) } dd { code { (client_id) } }
                dt { (a.client_secret) } dd { code class="code" { (secret) } }
            }
        } @else {
            p { (a.public_registered) }
            dl {
                dt { (a.client_id) } dd { code { (client_id) } }
            }
        }
        p { a class="button" href="/teach/apps" { (a.title) } }
    };
    view::frame(
        StatusCode::OK,
        teacher.s,
        Section::Apps,
        a.secret_title,
        main,
    )
}

/// `POST /teach/apps/{app}/remove`: one of the school's own apps.
pub async fn remove(
    State(state): State<AppState>,
    Posted {
        teacher,
        path: app_id,
        action,
        ..
    }: Posted<String, CsrfForm>,
) -> Answer {
    let app = teacher.own_app(&state, &app_id, &action).await?;
    teacher
        .run(&state, state.portal.remove_app(&app.id))
        .await?;
    teacher
        .record(&state, "app_remove", format!("app {}", app.id), None)
        .await?;
    Ok(Redirect::to("/teach/apps?done=removed").into_response())
}

/// `POST /teach/apps/{app}/secret`: a new secret for one of the school's own clients.
pub async fn secret(
    State(state): State<AppState>,
    Posted {
        teacher,
        path: app_id,
        action,
        ..
    }: Posted<String, CsrfForm>,
) -> Answer {
    let app = teacher.own_app(&state, &app_id, &action).await?;
    if app.public_client {
        return Err(teacher.refuse(StatusCode::BAD_REQUEST, teacher.s.teach.apps.no_secret));
    }
    let registered = teacher
        .run(&state, state.portal.rotate_app_secret(&app.id))
        .await?;
    teacher
        .record(&state, "app_secret", format!("app {}", app.id), None)
        .await?;
    Ok(secret_page(&teacher, &app.name, &registered))
}
