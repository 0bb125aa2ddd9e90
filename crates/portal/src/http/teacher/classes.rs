//! "My classes": the list of classes and a class page with each child's badge and lockout
//! state and the buttons to act on them.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use maud::{Markup, html};

use super::access::{Answer, Teacher};
use super::forms::{DoneQuery, LayoutChoice};
use super::view::{self, Section, csrf_field, day, segment};
use crate::http::i18n::Strings;
use crate::http::{AppState, avatar};
use crate::store::teaching::{self, Pupil, TaughtClass};

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
    let main = html! {
        @if classes.is_empty() {
            p { (s.teach.no_classes) }
        } @else {
            table {
                caption class="vh" { (s.teach.my_classes) }
                thead { tr {
                    th scope="col" { (s.teach.class) }
                    th scope="col" { (s.teach.students) }
                } }
                tbody {
                    @for c in &classes {
                        tr {
                            td { a href=(class_path(&c.id)) { (c.title) } }
                            td { (c.students) }
                        }
                    }
                }
            }
        }
    };
    Ok(view::frame(
        StatusCode::OK,
        s,
        Section::Classes,
        s.teach.my_classes,
        main,
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
    let mut pupils = teacher
        .run(
            &state,
            teaching::pupils(portal.db(), &class.id, portal.now()),
        )
        .await?;
    for p in &mut pupils {
        p.locked_until = portal.locked_until(&p.username);
    }
    let done = query.ok().and_then(|Query(q)| q.done);
    let main = html! {
        @match done.as_deref() {
            Some("voided") => (view::note(s.teach.voided)),
            Some("unlocked") => (view::note(s.teach.unlocked)),
            _ => {},
        }
        @if pupils.is_empty() {
            p { (s.teach.no_students) }
        } @else {
            (print_buttons(&teacher, &class, &pupils))
            (pupil_table(&teacher, &class, &pupils))
        }
    };
    Ok(view::frame(
        StatusCode::OK,
        s,
        Section::Classes,
        &class.title,
        main,
    ))
}

fn print_buttons(teacher: &Teacher, class: &TaughtClass, pupils: &[Pupil]) -> Markup {
    let s = teacher.s;
    let path = class_path(&class.id);
    let form = |layout: LayoutChoice, label: &str| {
        html! {
            form method="post" action={ (path) "/sheet" } {
                (csrf_field(&teacher.csrf))
                input type="hidden" name="layout" value=(layout.name());
                button type="submit" { (label) }
            }
        }
    };
    let mut missing = pupils
        .iter()
        .filter(|p| p.badge_issued_at.is_none())
        .peekable();
    html! {
        p { (s.teach.print_note) }
        div class="actions" {
            (form(LayoutChoice::Labels, s.teach.print_labels))
            (form(LayoutChoice::Cards, s.teach.print_cards))
            @if missing.peek().is_some() {
                form method="post" action={ (path) "/missing" } {
                    (csrf_field(&teacher.csrf))
                    @for p in missing {
                        input type="hidden" name="student" value=(p.id);
                    }
                    button type="submit" { (s.teach.print_missing) }
                }
            }
        }
    }
}

fn pupil_table(teacher: &Teacher, class: &TaughtClass, pupils: &[Pupil]) -> Markup {
    let s = teacher.s;
    let csrf = csrf_field(&teacher.csrf);
    html! {
        table {
            caption class="vh" { (s.teach.students) }
            thead { tr {
                th scope="col" { (s.teach.name) }
                th scope="col" { (s.teach.badge) }
                th scope="col" { (s.teach.password_sign_in) }
                th scope="col" { (s.teach.actions) }
            } }
            tbody {
                @for p in pupils {
                    (pupil_row(s, &csrf, class, p))
                }
            }
        }
    }
}

fn pupil_row(s: &Strings, csrf: &Markup, class: &TaughtClass, p: &Pupil) -> Markup {
    let path = pupil_path(&class.id, &p.id);
    // Who a button acts on, for screen readers (the row's buttons all read alike otherwise).
    let who = html! { span class="vh" { " " (p.given_name) " " (p.family_name) } };
    html! {
        tr {
            th scope="row" {
                span class="pupil" {
                    span class="pic" { (avatar::svg(&p.id, &p.given_name, &p.family_name, false)) }
                    span { (p.given_name) " " span class="family" { (p.family_name) } }
                }
            }
            td {
                @if let (Some(issued), Some(until)) = (p.badge_issued_at, p.badge_expires_at) {
                    (s.teach.issued) " " (day(issued)) ", " (s.teach.works_until) " " (day(until))
                } @else {
                    span class="warn" { (s.teach.no_badge) }
                }
            }
            td {
                @if p.locked_until.is_some() {
                    strong { (s.teach.locked_out) }
                    " "
                    form method="post" action={ (path) "/unlock" } {
                        (csrf)
                        button type="submit" { (s.teach.unlock) (who) }
                    }
                } @else {
                    (s.teach.password_ok)
                }
            }
            td {
                div class="actions" {
                    form method="post" action={ (path) "/reprint" } {
                        (csrf)
                        input type="hidden" name="layout" value="cards";
                        button type="submit" {
                            @if p.badge_issued_at.is_some() { (s.teach.reprint) } @else { (s.teach.print_one) }
                            (who)
                        }
                    }
                    @if p.badge_issued_at.is_some() {
                        a class="button danger" href={ (path) "/void" } { (s.teach.void) (who) }
                    }
                }
            }
        }
    }
}
