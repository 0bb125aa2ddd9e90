//! Acting on one child's access: voiding their badge (after a confirm step) and clearing a
//! password lockout.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect};

use super::access::Teacher;
use super::classes::{Answer, class_path, pupil_path};
use super::forms::CsrfForm;
use super::view::{self, Confirm, Section};
use crate::http::AppState;
use crate::store::badges::VoidScope;

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
                .void_badges(&VoidScope::User(student_id.clone().into())),
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
