//! Printing badges: the whole class, only the children without one, or one child again.
//! Badge secrets are never stored, so every printed badge is a new one and voids the old.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use badgein_sheet::Layout;

use super::access::Teacher;
use super::classes::Answer;
use super::forms::{PickForm, PrintForm};
use super::view;
use crate::error::PortalError;
use crate::http::AppState;
use crate::store::directory::{self, User};

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
        .accept_form(&state, &headers, &uri, form, PrintForm::token)
        .await?;
    let class = teacher.class(&state, &class_id, Some(uri.path())).await?;
    if class.students == 0 {
        return Err(view::refusal(
            StatusCode::BAD_REQUEST,
            s,
            s.teach.no_students,
        ));
    }
    let (pdf, count) = state
        .run(state.portal.badge_sheet(&class.id, form.layout.layout()))
        .await
        .map_err(|e| view::failure(s, &e))?;
    let detail = format!("class {}: {count} badges, {}", class.id, form.layout.name());
    teacher.record(&state, "sheet", detail, None).await?;
    Ok(view::pdf(pdf, &format!("badges-{}", class.id)))
}

/// `POST /teach/classes/{class}/missing`: new badges, as labels, for the children the form
/// lists (the class page lists those without a working badge). The list is the one the
/// teacher saw, so trying again after a failure prints the same children again (and a
/// failure changes nothing: the sheet is all or nothing).
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
    let students = state
        .run(directory::class_students(portal.db(), &class.id))
        .await
        .map_err(|e| view::failure(s, &e))?
        .map(|(_, students)| students)
        .unwrap_or_default();
    let wanted: Vec<&str> = form.values("student").collect();
    let chosen: Vec<User> = students
        .into_iter()
        .filter(|u| wanted.contains(&u.id.as_str()))
        .collect();
    if wanted.iter().any(|id| !chosen.iter().any(|u| u.id == *id)) {
        return Err(teacher.not_yours(&state, Some(uri.path())).await);
    }
    if chosen.is_empty() {
        return Err(view::refusal(
            StatusCode::BAD_REQUEST,
            s,
            s.teach.no_students,
        ));
    }
    let detail = format!("class {}: {} badges, labels", class.id, chosen.len());
    let pdf = state
        .run(portal.print_badges(&chosen, &class.title, Layout::Labels, detail.clone()))
        .await
        .map_err(|e| view::failure(s, &e))?;
    teacher
        .record(&state, "sheet_missing", detail, None)
        .await?;
    Ok(view::pdf(pdf, &format!("new-badges-{}", class.id)))
}

/// `POST /teach/classes/{class}/students/{student}/reprint`: a new badge for one child (the
/// old one stops working), as a one-badge PDF. Rendered before anything is stored, so a
/// failure leaves the old badge working.
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
        .accept_form(&state, &headers, &uri, form, PrintForm::token)
        .await?;
    let class = teacher
        .pupil(&state, &class_id, &student_id, Some(uri.path()))
        .await?;
    let portal = &state.portal;
    let detail = format!(
        "class {} student {student_id}, {}",
        class.id,
        form.layout.name()
    );
    let printed = state
        .run(async {
            let student = portal
                .user(&student_id)
                .await?
                .ok_or_else(|| PortalError::NotFound(format!("user {student_id}")))?;
            let pdf = portal
                .print_badges(
                    std::slice::from_ref(&student),
                    &class.title,
                    form.layout.layout(),
                    detail.clone(),
                )
                .await?;
            Ok((pdf, student.given_name))
        })
        .await;
    let (pdf, given_name) = printed.map_err(|e| view::failure(s, &e))?;
    teacher.record(&state, "reprint", detail, None).await?;
    Ok(view::pdf(
        pdf,
        &format!("badge-{}", given_name.to_lowercase()),
    ))
}
