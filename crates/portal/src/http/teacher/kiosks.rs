//! The kiosks of the teacher's school: the list, a new enrollment code, revoking one.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect};

use super::access::Teacher;
use super::classes::Answer;
use super::forms::{CsrfForm, DoneQuery};
use super::view::{self, Confirm, Section, csrf_field, day, moment, segment};
use crate::http::html::esc;
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
    let note = match query.ok().and_then(|Query(q)| q.done).as_deref() {
        Some("revoked") => view::note(s.teach.revoked_done),
        _ => String::new(),
    };
    let table = if kiosks.is_empty() {
        format!("<p>{}</p>", s.teach.no_kiosks)
    } else {
        let rows: String = kiosks.iter().map(|k| row(&teacher, k)).collect();
        format!(
            "<table><caption class=\"vh\">{caption}</caption><thead><tr>\
             <th scope=\"col\">{name}</th><th scope=\"col\">{enrolled}</th>\
             <th scope=\"col\">{last}</th><th scope=\"col\">{status}</th>\
             <th scope=\"col\">{actions}</th></tr></thead><tbody>{rows}</tbody></table>",
            caption = s.teach.kiosks,
            name = s.teach.name,
            enrolled = s.teach.enrolled,
            last = s.teach.last_sign_in,
            status = s.teach.status,
            actions = s.teach.actions,
        )
    };
    let main = format!(
        "{note}<form method=\"post\" action=\"/teach/kiosks/code\">{csrf}\
         <button type=\"submit\">{new}</button></form>{table}",
        csrf = csrf_field(&teacher.csrf),
        new = s.teach.new_code,
    );
    Ok(view::frame(
        StatusCode::OK,
        s,
        Section::Kiosks,
        s.teach.kiosks,
        &main,
    ))
}

fn row(teacher: &Teacher, k: &KioskRow) -> String {
    let s = teacher.s;
    let last = k
        .last_sign_in
        .map_or_else(|| s.teach.never.to_owned(), moment);
    let (status, action) = if k.revoked_at.is_some() {
        (s.teach.revoked, String::new())
    } else {
        (
            s.teach.working,
            format!(
                "<a class=\"button danger\" href=\"{href}\">{revoke}\
                 <span class=\"vh\"> {name}</span></a>",
                href = revoke_path(&k.id),
                revoke = s.teach.revoke,
                name = esc(&k.name),
            ),
        )
    };
    format!(
        "<tr><th scope=\"row\">{name}</th><td>{enrolled}</td><td>{last}</td>\
         <td>{status}</td><td>{action}</td></tr>",
        name = esc(&k.name),
        enrolled = day(k.enrolled_at),
    )
}

/// `POST /teach/kiosks/code`: a single-use enrollment code for the teacher's school, shown
/// once in large type.
pub async fn code(
    State(state): State<AppState>,
    teacher: Teacher,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Answer {
    let s = teacher.s;
    teacher
        .accept_form(&state, &headers, &uri, form, CsrfForm::token)
        .await?;
    let school = teacher.user.school_id.clone();
    let code = state
        .run(state.portal.enrollment_code(&school))
        .await
        .map_err(|e| view::failure(s, &e))?;
    teacher
        .record(&state, "kiosk_code", format!("school {school}"), None)
        .await?;
    let minutes = state.portal.config().enrollment_code_lifetime.as_secs() / 60;
    let main = format!(
        "<p class=\"code\">{code}</p><p>{help}</p><p>{minutes} {left}</p>\
         <p><a class=\"button\" href=\"/teach/kiosks\">{back}</a></p>",
        code = esc(&code),
        help = s.teach.code_help,
        left = i18n::plural(minutes, s.teach.code_minute, s.teach.code_minutes),
        back = s.teach.kiosks,
    );
    Ok(view::frame(
        StatusCode::OK,
        s,
        Section::Kiosks,
        s.teach.code_title,
        &main,
    ))
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
    teacher: Teacher,
    headers: HeaderMap,
    uri: Uri,
    Path(kiosk_id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Answer {
    teacher
        .accept_form(&state, &headers, &uri, form, CsrfForm::token)
        .await?;
    let kiosk = teacher.kiosk(&state, &kiosk_id, Some(uri.path())).await?;
    state
        .run(state.portal.revoke_kiosk(&kiosk.id))
        .await
        .map_err(|e| view::failure(teacher.s, &e))?;
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
