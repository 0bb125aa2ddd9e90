//! "My classes": the list, a class page, printing the class's badges, reprinting or voiding
//! one child's badge and clearing a password lockout.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use badgein_proto::ProblemCode;
use badgein_sheet::{Layout, SheetEntry};
use serde::Deserialize;

use super::access::Teacher;
use super::view::{self, Confirm, Section, csrf_field, day, segment};
use crate::error::PortalError;
use crate::http::AppState;
use crate::http::html::esc;
use crate::http::pages::avatar_svg;
use crate::store::badges::VoidScope;
use crate::store::teaching::{self, Pupil, TaughtClass};

type Answer = Result<Response, Response>;

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

impl CsrfForm {
    pub fn token(&self) -> &str {
        &self.csrf
    }
}

#[derive(Debug, Deserialize)]
pub struct PrintForm {
    csrf: String,
    layout: LayoutChoice,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum LayoutChoice {
    Labels,
    Cards,
}

impl LayoutChoice {
    fn layout(self) -> Layout {
        match self {
            Self::Labels => Layout::Labels,
            Self::Cards => Layout::Cards,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Labels => "labels",
            Self::Cards => "cards",
        }
    }
}

/// A form of repeated fields: `csrf` and one `student` per child to print.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct PickForm(Vec<(String, String)>);

impl PickForm {
    fn values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn token(&self) -> &str {
        self.values("csrf").next().unwrap_or_default()
    }
}

/// `?done=…` after an action: which note the page shows.
#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

fn class_path(class_id: &str) -> String {
    format!("/teach/classes/{}", segment(class_id))
}

fn pupil_path(class_id: &str, student_id: &str) -> String {
    format!("{}/students/{}", class_path(class_id), segment(student_id))
}

/// `GET /teach`: the classes this teacher manages.
pub async fn list(State(state): State<AppState>, teacher: Teacher) -> Answer {
    let s = teacher.s;
    let classes = teacher.classes(&state).await?;
    let main = if classes.is_empty() {
        format!("<p>{}</p>", s.teach.no_classes)
    } else {
        let rows: String = classes
            .iter()
            .map(|c| {
                format!(
                    "<tr><td><a href=\"{href}\">{title}</a></td><td>{n}</td></tr>",
                    href = class_path(&c.id),
                    title = esc(&c.title),
                    n = c.students,
                )
            })
            .collect();
        format!(
            "<table><caption class=\"vh\">{caption}</caption><thead><tr>\
             <th scope=\"col\">{class}</th><th scope=\"col\">{students}</th></tr></thead>\
             <tbody>{rows}</tbody></table>",
            caption = s.teach.my_classes,
            class = s.teach.class,
            students = s.teach.students,
        )
    };
    Ok(view::frame(
        StatusCode::OK,
        s,
        Section::Classes,
        s.teach.my_classes,
        &main,
    ))
}

/// `GET /teach/classes/{class}`: the class's children, their badges and lockouts, and the
/// buttons to act on them.
pub async fn class_page(
    State(state): State<AppState>,
    teacher: Teacher,
    Path(class_id): Path<String>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Answer {
    let s = teacher.s;
    let class = teacher.class(&state, &class_id, None).await?;
    let portal = &state.portal;
    let pupils = state
        .run(teaching::pupils(
            portal.db(),
            &class.id,
            portal.now(),
            portal.config().lockout_failures,
        ))
        .await
        .map_err(|e| view::failure(s, &e))?;
    let done = query.ok().and_then(|Query(q)| q.done);
    let note = match done.as_deref() {
        Some("voided") => view::note(s.teach.voided),
        Some("unlocked") => view::note(s.teach.unlocked),
        _ => String::new(),
    };
    let main = if pupils.is_empty() {
        format!("{note}<p>{}</p>", s.teach.no_students)
    } else {
        format!(
            "{note}{print}{table}",
            print = print_buttons(&teacher, &class, &pupils),
            table = pupil_table(&teacher, &class, &pupils),
        )
    };
    Ok(view::frame(
        StatusCode::OK,
        s,
        Section::Classes,
        &class.title,
        &main,
    ))
}

fn print_buttons(teacher: &Teacher, class: &TaughtClass, pupils: &[Pupil]) -> String {
    let s = teacher.s;
    let missing: String = pupils
        .iter()
        .filter(|p| p.badge_issued_at.is_none())
        .map(|p| {
            format!(
                "<input type=\"hidden\" name=\"student\" value=\"{}\">",
                esc(&p.id)
            )
        })
        .collect();
    let missing = if missing.is_empty() {
        String::new()
    } else {
        format!(
            "<form method=\"post\" action=\"{path}/missing\">{csrf}{missing}\
             <button type=\"submit\">{label}</button></form>",
            path = class_path(&class.id),
            csrf = csrf_field(&teacher.csrf),
            label = s.teach.print_missing,
        )
    };
    let form = |layout: LayoutChoice, label: &str| {
        format!(
            "<form method=\"post\" action=\"{path}/sheet\">{csrf}\
             <input type=\"hidden\" name=\"layout\" value=\"{layout}\">\
             <button type=\"submit\">{label}</button></form>",
            path = class_path(&class.id),
            csrf = csrf_field(&teacher.csrf),
            layout = layout.name(),
        )
    };
    format!(
        "<p>{note}</p><div class=\"actions\">{labels}{cards}{missing}</div>",
        note = s.teach.print_note,
        labels = form(LayoutChoice::Labels, s.teach.print_labels),
        cards = form(LayoutChoice::Cards, s.teach.print_cards),
    )
}

fn pupil_table(teacher: &Teacher, class: &TaughtClass, pupils: &[Pupil]) -> String {
    let s = teacher.s;
    let csrf = csrf_field(&teacher.csrf);
    let rows: String = pupils
        .iter()
        .map(|p| {
            let path = pupil_path(&class.id, &p.id);
            let who = format!(
                "<span class=\"vh\"> {}</span>",
                esc(&format!("{} {}", p.given_name, p.family_name))
            );
            let badge = match (p.badge_issued_at, p.badge_expires_at) {
                (Some(issued), Some(until)) => format!(
                    "{} {}, {} {}",
                    s.teach.issued,
                    day(issued),
                    s.teach.works_until,
                    day(until)
                ),
                _ => format!("<span class=\"warn\">{}</span>", s.teach.no_badge),
            };
            let password = if p.locked_until.is_some() {
                format!(
                    "<strong>{locked}</strong> <form method=\"post\" action=\"{path}/unlock\">\
                     {csrf}<button type=\"submit\">{unlock}{who}</button></form>",
                    locked = s.teach.locked_out,
                    unlock = s.teach.unlock,
                )
            } else {
                s.teach.password_ok.to_owned()
            };
            let void = if p.badge_issued_at.is_some() {
                format!(
                    "<a class=\"button danger\" href=\"{path}/void\">{void}{who}</a>",
                    void = s.teach.void
                )
            } else {
                String::new()
            };
            format!(
                "<tr><th scope=\"row\"><span class=\"pupil\"><span class=\"pic\">{pic}</span>\
                 <span>{given} <span class=\"family\">{family}</span></span></span></th>\
                 <td>{badge}</td><td>{password}</td><td><div class=\"actions\">\
                 <form method=\"post\" action=\"{path}/reprint\">{csrf}\
                 <input type=\"hidden\" name=\"layout\" value=\"cards\">\
                 <button type=\"submit\">{reprint}{who}</button></form>{void}</div></td></tr>",
                pic = avatar_svg(&p.id, &p.given_name, &p.family_name, false),
                given = esc(&p.given_name),
                family = esc(&p.family_name),
                reprint = if p.badge_issued_at.is_some() {
                    s.teach.reprint
                } else {
                    s.teach.print_one
                },
            )
        })
        .collect();
    format!(
        "<table><caption class=\"vh\">{caption}</caption><thead><tr>\
         <th scope=\"col\">{name}</th><th scope=\"col\">{badge}</th>\
         <th scope=\"col\">{password}</th><th scope=\"col\">{actions}</th></tr></thead>\
         <tbody>{rows}</tbody></table>",
        caption = s.teach.students,
        name = s.teach.name,
        badge = s.teach.badge,
        password = s.teach.password_sign_in,
        actions = s.teach.actions,
    )
}

/// `POST /teach/classes/{class}/sheet`: new badges for the whole class, as a PDF.
pub async fn sheet(
    State(state): State<AppState>,
    teacher: Teacher,
    headers: HeaderMap,
    uri: Uri,
    Path(class_id): Path<String>,
    form: Result<Form<PrintForm>, FormRejection>,
) -> Answer {
    let s = teacher.s;
    let form = teacher
        .accept_form(&state, &headers, &uri, form, |f: &PrintForm| &f.csrf)
        .await?;
    let class = teacher.class(&state, &class_id, Some(uri.path())).await?;
    let (pdf, count) = match state
        .run(state.portal.badge_sheet(&class.id, form.layout.layout()))
        .await
    {
        Ok(done) => done,
        Err(e) if e.code() == ProblemCode::BadRequest => {
            return Err(view::refusal(
                StatusCode::BAD_REQUEST,
                s,
                s.teach.no_students,
            ));
        }
        Err(e) => return Err(view::failure(s, &e)),
    };
    let detail = format!("class {}: {count} badges, {}", class.id, form.layout.name());
    teacher.record(&state, "sheet", detail, None).await?;
    Ok(view::pdf(pdf, &format!("badges-{}", class.id)))
}

/// `POST /teach/classes/{class}/missing`: new badges, as labels, for the children the form
/// lists (the class page lists those without a working badge). The list is the one the
/// teacher saw, so trying again after a failure prints the same children again.
pub async fn missing(
    State(state): State<AppState>,
    teacher: Teacher,
    headers: HeaderMap,
    uri: Uri,
    Path(class_id): Path<String>,
    form: Result<Form<PickForm>, FormRejection>,
) -> Answer {
    let s = teacher.s;
    let form = teacher
        .accept_form(&state, &headers, &uri, form, PickForm::token)
        .await?;
    let class = teacher.class(&state, &class_id, Some(uri.path())).await?;
    let portal = &state.portal;
    let pupils = state
        .run(teaching::pupils(
            portal.db(),
            &class.id,
            portal.now(),
            portal.config().lockout_failures,
        ))
        .await
        .map_err(|e| view::failure(s, &e))?;
    let wanted: Vec<&str> = form.values("student").collect();
    let chosen: Vec<&Pupil> = pupils
        .iter()
        .filter(|p| wanted.contains(&p.id.as_str()))
        .collect();
    if wanted.iter().any(|id| !chosen.iter().any(|p| p.id == *id)) {
        return Err(teacher.not_yours(&state, Some(uri.path())).await);
    }
    if chosen.is_empty() {
        return Err(view::refusal(
            StatusCode::BAD_REQUEST,
            s,
            s.teach.no_students,
        ));
    }
    let printed = state
        .run(async {
            let mut entries = Vec::with_capacity(chosen.len());
            for pupil in &chosen {
                let badge = portal.issue_badge(&pupil.id, None).await?;
                entries.push(SheetEntry {
                    payload: badge.encode(),
                    first_name: pupil.given_name.clone(),
                    class_name: class.title.clone(),
                });
            }
            badgein_sheet::render(Layout::Labels, &entries)
                .map_err(|e| PortalError::BadRequest(format!("cannot render the sheet: {e}")))
        })
        .await;
    let pdf = printed.map_err(|e| view::failure(s, &e))?;
    let detail = format!("class {}: {} badges, labels", class.id, chosen.len());
    teacher
        .record(&state, "sheet_missing", detail, None)
        .await?;
    Ok(view::pdf(pdf, &format!("new-badges-{}", class.id)))
}

/// `POST /teach/classes/{class}/students/{student}/reprint`: a new badge for one child (the
/// old one stops working), as a one-badge PDF.
pub async fn reprint(
    State(state): State<AppState>,
    teacher: Teacher,
    headers: HeaderMap,
    uri: Uri,
    Path((class_id, student_id)): Path<(String, String)>,
    form: Result<Form<PrintForm>, FormRejection>,
) -> Answer {
    let s = teacher.s;
    let form = teacher
        .accept_form(&state, &headers, &uri, form, |f: &PrintForm| &f.csrf)
        .await?;
    let class = teacher
        .pupil(&state, &class_id, &student_id, Some(uri.path()))
        .await?;
    let portal = &state.portal;
    let printed = state
        .run(async {
            let student = portal
                .user(&student_id)
                .await?
                .ok_or_else(|| PortalError::NotFound(format!("user {student_id}")))?;
            let badge = portal.issue_badge(&student.id, None).await?;
            let entry = SheetEntry {
                payload: badge.encode(),
                first_name: student.given_name.clone(),
                class_name: class.title.clone(),
            };
            let pdf = badgein_sheet::render(form.layout.layout(), &[entry])
                .map_err(|e| PortalError::BadRequest(format!("cannot render the badge: {e}")))?;
            Ok((pdf, student.given_name))
        })
        .await;
    let (pdf, given_name) = printed.map_err(|e| view::failure(s, &e))?;
    let detail = format!(
        "class {} student {student_id}, {}",
        class.id,
        form.layout.name()
    );
    teacher.record(&state, "reprint", detail, None).await?;
    Ok(view::pdf(
        pdf,
        &format!("badge-{}", given_name.to_lowercase()),
    ))
}

/// `GET /teach/classes/{class}/students/{student}/void`: the confirm step.
pub async fn void_confirm(
    State(state): State<AppState>,
    teacher: Teacher,
    Path((class_id, student_id)): Path<(String, String)>,
) -> Answer {
    let s = teacher.s;
    let class = teacher.pupil(&state, &class_id, &student_id, None).await?;
    let student = state
        .run(state.portal.user(&student_id))
        .await
        .map_err(|e| view::failure(s, &e))?
        .ok_or_else(|| view::refusal(StatusCode::FORBIDDEN, s, s.teach.not_yours))?;
    let subject = format!(
        "{} {} ({})",
        student.given_name, student.family_name, class.title
    );
    let action = format!("{}/void", pupil_path(&class.id, &student.id));
    Ok(view::confirm(
        s,
        Section::Classes,
        &Confirm {
            title: s.teach.void_title,
            subject: &subject,
            text: s.teach.void_text,
            yes: s.teach.void_yes,
            action: &action,
            back: &class_path(&class.id),
            csrf: &teacher.csrf,
        },
    ))
}

/// `POST /teach/classes/{class}/students/{student}/void`.
pub async fn void(
    State(state): State<AppState>,
    teacher: Teacher,
    headers: HeaderMap,
    uri: Uri,
    Path((class_id, student_id)): Path<(String, String)>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Answer {
    teacher
        .accept_form(&state, &headers, &uri, form, CsrfForm::token)
        .await?;
    let class = teacher
        .pupil(&state, &class_id, &student_id, Some(uri.path()))
        .await?;
    let count = state
        .run(
            state
                .portal
                .void_badges(&VoidScope::User(student_id.clone())),
        )
        .await
        .map_err(|e| view::failure(teacher.s, &e))?;
    let detail = format!("class {} student {student_id}: {count}", class.id);
    teacher.record(&state, "void", detail, None).await?;
    Ok(Redirect::to(&format!("{}?done=voided", class_path(&class.id))).into_response())
}

/// `POST /teach/classes/{class}/students/{student}/unlock`: clears a password lockout.
pub async fn unlock(
    State(state): State<AppState>,
    teacher: Teacher,
    headers: HeaderMap,
    uri: Uri,
    Path((class_id, student_id)): Path<(String, String)>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Answer {
    teacher
        .accept_form(&state, &headers, &uri, form, CsrfForm::token)
        .await?;
    let class = teacher
        .pupil(&state, &class_id, &student_id, Some(uri.path()))
        .await?;
    state
        .run(state.portal.unlock(&student_id))
        .await
        .map_err(|e| view::failure(teacher.s, &e))?;
    let detail = format!("class {} student {student_id}", class.id);
    teacher.record(&state, "unlock", detail, None).await?;
    Ok(Redirect::to(&format!("{}?done=unlocked", class_path(&class.id))).into_response())
}
