//! Printing badges: the whole class, only the children without one, or one child again.
//! Badge secrets are never stored, so every printed badge is a new one and voids the old.

use axum::extract::State;
use axum::http::StatusCode;
use badgein_sheet::Layout;

use super::access::{Answer, Posted};
use super::forms::{PickForm, PrintForm};
use super::view;
use crate::auth::delegation::Capability;
use crate::error::PortalError;
use crate::http::AppState;
use crate::sheet::CardPasswords;
use crate::store::directory::{self, User};

/// `POST /teach/classes/{class}/sheet`: new badges for the whole class, as a PDF.
pub async fn sheet(
    State(state): State<AppState>,
    Posted {
        teacher,
        path: class_id,
        form,
        action,
    }: Posted<String, PrintForm>,
) -> Answer {
    let class = teacher
        .class(&state, &class_id, Some(Capability::Badges), Some(&action))
        .await?;
    if class.students == 0 {
        return Err(teacher.refuse(StatusCode::BAD_REQUEST, teacher.s.teach.no_students));
    }
    let (pdf, count) = teacher
        .run(
            &state,
            state.portal.badge_sheet(&class.id, form.layout.layout()),
        )
        .await?;
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
    Posted {
        teacher,
        path: class_id,
        form,
        action,
    }: Posted<String, PickForm>,
) -> Answer {
    let class = teacher
        .class(&state, &class_id, Some(Capability::Badges), Some(&action))
        .await?;
    let portal = &state.portal;
    let students = teacher
        .run(&state, directory::class_students(portal.db(), &class.id))
        .await?
        .map(|(_, students)| students)
        .unwrap_or_default();
    let wanted: Vec<&str> = form.values("student").collect();
    let chosen: Vec<User> = students
        .into_iter()
        .filter(|u| wanted.contains(&u.id.as_str()))
        .collect();
    if wanted.iter().any(|id| !chosen.iter().any(|u| u.id == *id)) {
        return Err(teacher.not_yours(&state, Some(&action)).await);
    }
    if chosen.is_empty() {
        return Err(teacher.refuse(StatusCode::BAD_REQUEST, teacher.s.teach.no_students));
    }
    let detail = format!("class {}: {} badges, labels", class.id, chosen.len());
    let pdf = teacher
        .run(
            &state,
            portal.print_badges(
                &chosen,
                &class.title,
                Layout::Labels,
                detail.clone(),
                CardPasswords::None,
            ),
        )
        .await?;
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
    Posted {
        teacher,
        path: (class_id, student_id),
        form,
        action,
    }: Posted<(String, String), PrintForm>,
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
    let portal = &state.portal;
    let detail = format!(
        "class {} student {student_id}, {}",
        class.id,
        form.layout.name()
    );
    let (pdf, given_name) = teacher
        .run(&state, async {
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
                    CardPasswords::None,
                )
                .await?;
            Ok((pdf, student.given_name))
        })
        .await?;
    teacher.record(&state, "reprint", detail, None).await?;
    Ok(view::pdf(
        pdf,
        &format!("badge-{}", given_name.to_lowercase()),
    ))
}
