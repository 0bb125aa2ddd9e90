//! "My classes": the list of classes and a class page with each child's badge and lockout
//! state and the buttons to act on them.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::access::Teacher;
use super::forms::{DoneQuery, LayoutChoice};
use super::view::{self, Section, csrf_field, day, segment};
use crate::http::html::esc;
use crate::http::{AppState, avatar};
use crate::store::teaching::{self, Pupil, TaughtClass};

pub type Answer = Result<Response, Response>;

pub fn class_path(class_id: &str) -> String {
    format!("/teach/classes/{}", segment(class_id))
}

pub fn pupil_path(class_id: &str, student_id: &str) -> String {
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
    let mut pupils = state
        .run(teaching::pupils(portal.db(), &class.id, portal.now()))
        .await
        .map_err(|e| view::failure(s, &e))?;
    for p in &mut pupils {
        p.locked_until = portal.locked_until(&p.username);
    }
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
                pic = avatar::svg(&p.id, &p.given_name, &p.family_name, false),
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
