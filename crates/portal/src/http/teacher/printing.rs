//! Printing badges: the whole class, only the children without one, or one child again.
//! Badge secrets are never stored, so every printed badge is a new one and voids the old.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use badgein_sheet::{Layout, SheetEntry};

use super::access::Teacher;
use super::classes::Answer;
use super::forms::{PickForm, PrintForm};
use super::view;
use crate::error::PortalError;
use crate::http::AppState;
use crate::store::teaching::{self, Pupil};

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
        .accept_form(&state, &headers, &uri, form, PrintForm::token)
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
