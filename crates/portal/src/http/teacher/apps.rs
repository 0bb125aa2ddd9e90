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
use crate::apps::registration::{DEFAULT_SCOPES, OIDC_SCOPES};
use crate::apps::{
    AppError, AppRequest, Registered, parse_id_token_alg, parse_roles, parse_scopes,
};
use crate::error::PortalError;
use crate::http::AppState;
use crate::http::i18n::AppsPage;
use crate::idp::SigningAlg;
use crate::roles::Role;
use crate::store::apps::AppRow;

/// What the add form sends: one field each, but `roles` and `scopes`, a checkbox each (a field
/// repeated per box ticked, which is why it is read from the pairs). Empty optional fields are
/// absent values; an unknown field is ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub struct AppForm {
    csrf: String,
    name: String,
    url: String,
    /// The roles ticked, as sent: none is everyone.
    roles: Vec<String>,
    /// One a line.
    redirect_uris: String,
    backchannel_logout: String,
    pairwise: bool,
    public_client: bool,
    /// The scopes ticked, as sent: none is `profile` alone.
    scopes: Vec<String>,
    /// `RS256` or `ES256`; empty is RS256.
    id_token_alg: String,
    saml_entity_id: String,
    saml_acs: String,
}

impl From<Vec<(String, String)>> for AppForm {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "csrf" => form.csrf = value,
                "name" => form.name = value,
                "url" => form.url = value,
                "roles" => form.roles.push(value),
                "redirect_uris" => form.redirect_uris = value,
                "backchannel_logout" => form.backchannel_logout = value,
                "pairwise" => form.pairwise = true,
                "public_client" => form.public_client = true,
                "scopes" => form.scopes.push(value),
                "id_token_alg" => form.id_token_alg = value,
                "saml_entity_id" => form.saml_entity_id = value,
                "saml_acs" => form.saml_acs = value,
                _ => {}
            }
        }
        form
    }
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
            .map(|r| a.role(*r))
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
            fieldset aria-describedby="roles-help" {
                legend { (a.shown_to) }
                @for role in Role::ALL {
                    label {
                        input name="roles" type="checkbox" value=(role.as_str())
                            checked[f.roles.iter().any(|r| r == role.as_str())];
                        " " (a.role(role))
                    }
                }
                p id="roles-help" class="help" { (a.roles_help) }
            }
            label for="redirect_uris" { (a.redirects) }
            textarea id="redirect_uris" name="redirect_uris" rows="3"
                aria-describedby="redirects-help" { (f.redirect_uris) }
            p id="redirects-help" class="help" { (a.redirects_help) }
            label for="backchannel_logout" { (a.backchannel) }
            input id="backchannel_logout" name="backchannel_logout" type="url"
                value=(f.backchannel_logout);
            label {
                input name="pairwise" type="checkbox" checked[f.pairwise];
                " " (a.pairwise)
            }
            label {
                input name="public_client" type="checkbox" aria-describedby="public-help"
                    checked[f.public_client];
                " " (a.public_client)
            }
            p id="public-help" class="help" { (a.public_help) }
            fieldset aria-describedby="scopes-help" {
                legend { (a.scopes) }
                @for scope in OIDC_SCOPES {
                    label {
                        // A new form ticks what an app gets when nothing is ticked.
                        input name="scopes" type="checkbox" value=(scope)
                            checked[if f.scopes.is_empty() {
                                DEFAULT_SCOPES.contains(&scope)
                            } else {
                                f.scopes.iter().any(|s| s == scope)
                            }];
                        " " (a.scope(scope)) " (" code { (scope) } ")"
                    }
                }
                p id="scopes-help" class="help" { (a.scopes_help) }
            }
            label for="id_token_alg" { (a.id_token_alg) }
            select id="id_token_alg" name="id_token_alg" aria-describedby="alg-help" {
                @for alg in SigningAlg::ALL {
                    option value=(alg.as_str()) selected[f.id_token_alg == alg.as_str()] {
                        (alg.as_str())
                    }
                }
            }
            p id="alg-help" class="help" { (a.id_token_alg_help) }
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
    let rule = |e: AppError| Refused::Rule(e.to_string());
    let roles = parse_roles(&f.roles.join(",")).map_err(rule)?;
    let oidc_redirects: Vec<String> = f
        .redirect_uris
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    // The form always sends the boxes ticked and the algorithm chosen; they are an OpenID
    // Connect client's settings, so a plain link or a SAML app leaves them out.
    let (scopes, id_token_alg) = if oidc_redirects.is_empty() {
        (Vec::new(), None)
    } else {
        let scopes = parse_scopes(&f.scopes.join(",")).map_err(rule)?;
        let alg = match f.id_token_alg.as_str() {
            "" => None,
            text => Some(parse_id_token_alg(text).map_err(rule)?),
        };
        (scopes, alg)
    };
    let request = AppRequest {
        name: f.name.clone(),
        url: f.url.clone(),
        schools: vec![teacher.user.school_id.clone()],
        roles,
        oidc_redirects,
        backchannel_logout: given(&f.backchannel_logout),
        pairwise: f.pairwise,
        public_client: f.public_client,
        id_token_alg,
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
