//! Acting on one child's access: voiding their badge (after a confirm step) and clearing a
//! password lockout.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};

use super::access::{Answer, Posted, Teacher};
use super::classes::{class_path, pupil_path};
use super::forms::CsrfForm;
use super::view::{self, Confirm, Section};
use crate::auth::delegation::Capability;
use crate::http::AppState;
use crate::store::badges::VoidScope;

/// `GET /teach/classes/{class}/students/{student}/void`: the confirm step.
pub async fn void_confirm(
    State(state): State<AppState>,
    teacher: Teacher,
    Path((class_id, student_id)): Path<(String, String)>,
) -> Answer {
    let s = teacher.s;
    let class = teacher
        .pupil(&state, &class_id, &student_id, Capability::Badges, None)
        .await?;
    let student = teacher
        .run(&state, state.portal.user(&student_id))
        .await?
        .ok_or_else(|| teacher.refuse(StatusCode::FORBIDDEN, s.teach.not_yours))?;
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
    Posted {
        teacher,
        path: (class_id, student_id),
        action,
        ..
    }: Posted<(String, String), CsrfForm>,
) -> Answer {
    let class = teacher
        .pupil(
            &state,
            &class_id,
            &student_id,
            Capability::Badges,
            Some(&action),
        )
        .await?;
    let scope = VoidScope::User(student_id.clone().into());
    let count = teacher
        .run(&state, state.portal.void_badges(&scope))
        .await?;
    let detail = format!("class {} student {student_id}: {count}", class.id);
    teacher.record(&state, "void", detail, None).await?;
    Ok(Redirect::to(&format!("{}?done=voided", class_path(&class.id))).into_response())
}

/// `POST /teach/classes/{class}/students/{student}/unlock`: clears a password lockout.
pub async fn unlock(
    State(state): State<AppState>,
    Posted {
        teacher,
        path: (class_id, student_id),
        action,
        ..
    }: Posted<(String, String), CsrfForm>,
) -> Answer {
    let class = teacher
        .pupil(
            &state,
            &class_id,
            &student_id,
            Capability::Passwords,
            Some(&action),
        )
        .await?;
    teacher
        .run(&state, state.portal.unlock(&student_id))
        .await?;
    let detail = format!("class {} student {student_id}", class.id);
    teacher.record(&state, "unlock", detail, None).await?;
    Ok(Redirect::to(&format!("{}?done=unlocked", class_path(&class.id))).into_response())
}
