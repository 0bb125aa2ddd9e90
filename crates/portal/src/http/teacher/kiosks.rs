//! The kiosks of the teacher's school: the list, a new enrollment code, revoking one.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{Markup, html};

use super::access::{Answer, Posted, Teacher};
use super::forms::{CsrfForm, DoneQuery};
use super::view::{self, Confirm, Section, csrf_field, day, moment, segment};
use crate::http::i18n_setup_qr::setup_qr_text;
use crate::http::qr_svg::qr_svg;
use crate::http::{AppState, i18n};
use crate::store::teaching::KioskRow;

fn revoke_path(kiosk_id: &str) -> String {
    format!("/teach/kiosks/{}/revoke", segment(kiosk_id))
}

/// `GET /teach/kiosks`.
pub async fn list(
    State(state): State<AppState>,
    teacher: Teacher,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Answer {
    let s = teacher.s;
    let kiosks = teacher.kiosks(&state, None).await?;
    let done = query.ok().and_then(|Query(q)| q.done);
    let main = html! {
        @if done.as_deref() == Some("revoked") {
            (view::note(s.teach.revoked_done))
        }
        form method="post" action="/teach/kiosks/code" {
            (csrf_field(&teacher.csrf))
            button type="submit" { (s.teach.new_code) }
        }
        @if kiosks.is_empty() {
            p { (s.teach.no_kiosks) }
        } @else {
            table {
                caption class="vh" { (s.teach.kiosks) }
                thead { tr {
                    th scope="col" { (s.teach.name) }
                    th scope="col" { (s.teach.enrolled) }
                    th scope="col" { (s.teach.last_sign_in) }
                    th scope="col" { (s.teach.status) }
                    th scope="col" { (s.teach.actions) }
                } }
                tbody {
                    @for k in &kiosks { (row(&teacher, k)) }
                }
            }
        }
    };
    Ok(view::frame(
        StatusCode::OK,
        s,
        Section::Kiosks,
        s.teach.kiosks,
        main,
    ))
}

fn row(teacher: &Teacher, k: &KioskRow) -> Markup {
    let s = teacher.s;
    html! {
        tr {
            th scope="row" { (k.name) }
            td { (day(k.enrolled_at)) }
            td {
                @if let Some(at) = k.last_sign_in { (moment(at)) } @else { (s.teach.never) }
            }
            @if k.revoked_at.is_some() {
                td { (s.teach.revoked) }
                td {}
            } @else {
                td { (s.teach.working) }
                td {
                    a class="button danger" href=(revoke_path(&k.id)) {
                        (s.teach.revoke)
                        span class="vh" { " " (k.name) }
                    }
                }
            }
        }
    }
}

/// `POST /teach/kiosks/code`: a single-use enrollment code for the teacher's school, shown
/// once in large type.
pub async fn code(
    State(state): State<AppState>,
    Posted {
        teacher, action, ..
    }: Posted<(), CsrfForm>,
) -> Answer {
    teacher.manages_kiosks(&state, Some(&action)).await?;
    let s = teacher.s;
    let school = teacher.user.school_id.clone();
    let code = teacher
        .run(&state, state.portal.enrollment_code(&school))
        .await?;
    teacher
        .record(&state, "kiosk_code", format!("school {school}"), None)
        .await?;
    let minutes = state.portal.config().enrollment_code_lifetime.as_secs() / 60;
    let left = i18n::plural(minutes, s.teach.code_minute, s.teach.code_minutes);
    let main = html! {
        p class="code" { (code) }
        p { (s.teach.code_help) }
        p { (minutes) " " (left) }
        (setup_qr(&state.base_url, &code, s.lang))
        p { a class="button" href="/teach/kiosks" { (s.teach.kiosks) } }
    };
    Ok(view::frame(
        StatusCode::OK,
        s,
        Section::Kiosks,
        s.teach.code_title,
        main,
    ))
}

/// The code as a setup QR for the kiosk's camera (`crate::setup_qr`), with the portal's
/// address in words; a note instead when the portal's address cannot go in one. The QR's name
/// says what it is for; the code is spelled out only when the teacher opens the disclosure.
fn setup_qr(origin: &str, code: &str, lang: &str) -> Markup {
    let t = setup_qr_text(lang);
    let text = crate::setup_qr::origin(origin)
        .and_then(|origin| Ok((crate::setup_qr::text(&origin, code)?, origin)));
    let spelled = code.chars().map(String::from).collect::<Vec<_>>().join(" ");
    match text {
        Ok((text, origin)) => html! {
            (qr_svg(&text, t.label))
            p { (t.help) " " code { (origin) } }
            details {
                summary { (t.spell) }
                p { (spelled) }
            }
        },
        Err(_) => html! { p { (t.no_origin) } },
    }
}

/// `GET /teach/kiosks/{kiosk}/revoke`: the confirm step.
pub async fn revoke_confirm(
    State(state): State<AppState>,
    teacher: Teacher,
    Path(kiosk_id): Path<String>,
) -> Answer {
    let s = teacher.s;
    let kiosk = teacher.kiosk(&state, &kiosk_id, None).await?;
    Ok(view::confirm(
        s,
        Section::Kiosks,
        &Confirm {
            title: s.teach.revoke_title,
            subject: &kiosk.name,
            text: s.teach.revoke_text,
            yes: s.teach.revoke_yes,
            action: &revoke_path(&kiosk.id),
            back: "/teach/kiosks",
            csrf: &teacher.csrf,
        },
    ))
}

/// `POST /teach/kiosks/{kiosk}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    Posted {
        teacher,
        path: kiosk_id,
        action,
        ..
    }: Posted<String, CsrfForm>,
) -> Answer {
    let kiosk = teacher.kiosk(&state, &kiosk_id, Some(&action)).await?;
    teacher
        .run(&state, state.portal.revoke_kiosk(&kiosk.id))
        .await?;
    teacher
        .record(
            &state,
            "kiosk_revoke",
            format!("school {}", teacher.user.school_id),
            Some(&kiosk.id),
        )
        .await?;
    Ok(Redirect::to("/teach/kiosks?done=revoked").into_response())
}
