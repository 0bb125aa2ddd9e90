//! "My classes": the list of classes and a class page with each child's badge and lockout
//! state and the buttons to act on them.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use maud::{Markup, html};

use super::access::{Answer, Rights, Teacher};
use super::forms::{DoneQuery, LayoutChoice};
use super::view::{self, Section, csrf_field, day, segment};
use crate::grade_policy::{may_change_password, may_have_badge, stored_grade};
use crate::http::i18n::Strings;
use crate::http::{AppState, avatar};
use crate::roles::Role;
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

/// `GET /teach/classes/{class}`: the class's children, their grade, badges and lockouts, and
/// the buttons this session may use on them (its own classes: all; a delegate's: what was
/// delegated).
pub async fn class_page(
    State(state): State<AppState>,
    teacher: Teacher,
    Path(class_id): Path<String>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Answer {
    let s = teacher.s;
    let Some((class, rights)) = teacher.class_rights(&state, &class_id).await? else {
        return Err(teacher.not_yours(&state, None).await);
    };
    let portal = &state.portal;
    let (mut pupils, policy) = teacher
        .run(&state, async {
            let pupils = teaching::pupils(portal.db(), &class.id, portal.now()).await?;
            Ok((pupils, portal.grade_policy(&teacher.user.school_id).await?))
        })
        .await?;
    for p in &mut pupils {
        p.locked_until = teacher
            .run(&state, portal.locked_until(&p.username))
            .await?;
    }
    let rows: Vec<Row<'_>> = pupils
        .iter()
        .map(|p| {
            let grade = stored_grade(p.grade.as_deref());
            Row {
                pupil: p,
                badge_ok: may_have_badge(&policy, grade, p.needs_badge),
                in_badge_grades: may_have_badge(&policy, grade, false),
                changes_password: may_change_password(&policy, Role::Student, grade),
            }
        })
        .collect();
    let done = query.ok().and_then(|Query(q)| q.done);
    let main = html! {
        @match done.as_deref() {
            Some("voided") => (view::note(s.teach.voided)),
            Some("unlocked") => (view::note(s.teach.unlocked)),
            Some("saved") => (view::note(s.accounts.saved)),
            _ => {},
        }
        @if pupils.is_empty() {
            p { (s.teach.no_students) }
        } @else {
            @if rights.badges {
                (print_buttons(&teacher, &class, &rows))
            }
            (pupil_table(&teacher, &class, rights, &rows))
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

/// A child on the class page, with what the grade rules say of them.
struct Row<'a> {
    pupil: &'a Pupil,
    /// A badge may be printed (the badge grades, or the exception).
    badge_ok: bool,
    /// In the badge grades without the exception.
    in_badge_grades: bool,
    /// Their grade changes its own password: a reset gives a temporary password (a child of
    /// the badge grades may also get a fixed password on a card).
    changes_password: bool,
}

fn print_buttons(teacher: &Teacher, class: &TaughtClass, rows: &[Row<'_>]) -> Markup {
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
    let mut missing = rows
        .iter()
        .filter(|r| r.badge_ok && r.pupil.badge_issued_at.is_none())
        .peekable();
    html! {
        p { (s.teach.print_note) }
        div class="actions" {
            (form(LayoutChoice::Labels, s.teach.print_labels))
            (form(LayoutChoice::Cards, s.teach.print_cards))
            @if missing.peek().is_some() {
                form method="post" action={ (path) "/missing" } {
                    (csrf_field(&teacher.csrf))
                    @for r in missing {
                        input type="hidden" name="student" value=(r.pupil.id);
                    }
                    button type="submit" { (s.teach.print_missing) }
                }
            }
        }
    }
}

fn pupil_table(teacher: &Teacher, class: &TaughtClass, rights: Rights, rows: &[Row<'_>]) -> Markup {
    let s = teacher.s;
    let csrf = csrf_field(&teacher.csrf);
    html! {
        table {
            caption class="vh" { (s.teach.students) }
            thead { tr {
                th scope="col" { (s.teach.name) }
                th scope="col" { (s.teach.badge) }
                th scope="col" { (s.accounts.grade) }
                th scope="col" { (s.teach.password_sign_in) }
                th scope="col" { (s.teach.actions) }
            } }
            tbody {
                @for r in rows {
                    (pupil_row(s, &csrf, class, rights, r))
                }
            }
        }
    }
}

fn pupil_row(
    s: &Strings,
    csrf: &Markup,
    class: &TaughtClass,
    rights: Rights,
    r: &Row<'_>,
) -> Markup {
    let p = r.pupil;
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
                } @else if r.badge_ok {
                    span class="warn" { (s.teach.no_badge) }
                } @else {
                    (s.accounts.outside_badge_grades)
                }
                @if p.needs_badge && !r.in_badge_grades {
                    br; strong { (s.accounts.needs_badge_marked) }
                }
                @if rights.badges && !r.in_badge_grades {
                    form method="post" action={ (path) "/needs-badge" } {
                        (csrf)
                        input type="hidden" name="needs" value=(if p.needs_badge { "no" } else { "yes" });
                        button type="submit" {
                            @if p.needs_badge { (s.accounts.unmark_needs_badge) } @else { (s.accounts.mark_needs_badge) }
                            (who)
                        }
                    }
                }
            }
            td { (p.grade.as_deref().unwrap_or(s.accounts.no_grade)) }
            td {
                @if p.locked_until.is_some() {
                    strong { (s.teach.locked_out) }
                } @else {
                    (s.teach.password_ok)
                }
                @if rights.passwords {
                    div class="actions" {
                        @if p.locked_until.is_some() {
                            form method="post" action={ (path) "/unlock" } {
                                (csrf)
                                button type="submit" { (s.teach.unlock) (who) }
                            }
                        }
                        @if r.changes_password {
                            form method="post" action={ (path) "/password" } {
                                (csrf)
                                button type="submit" { (s.accounts.reset_password) (who) }
                            }
                        }
                        @if r.badge_ok {
                            form method="post" action={ (path) "/fixed-password" } {
                                (csrf)
                                button type="submit" { (s.accounts.fixed_password_card) (who) }
                            }
                        }
                    }
                }
            }
            td {
                @if rights.badges && r.badge_ok {
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
}
