//! A child's account on the class page (docs/accounts.md): the accessibility exception to the
//! badge grades, a temporary password for a grade that changes its own, and a new fixed
//! password printed on the child's card for a grade that does not. A class's teacher may do
//! all of it; a delegate what was delegated (`Capability`).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use badgein_sheet::Layout;
use maud::html;
use serde::Deserialize;

use super::access::{Answer, CsrfToken, Failure, Posted, Teacher};
use super::classes::class_path;
use super::forms::CsrfForm;
use super::view::{self, Section};
use crate::auth::delegation::Capability;
use crate::http::AppState;
use crate::sheet::CardPasswords;
use crate::store::directory::User;
use crate::store::teaching::TaughtClass;

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum YesNo {
    Yes,
    No,
}

#[derive(Debug, Deserialize)]
pub struct NeedsBadgeForm {
    csrf: String,
    needs: YesNo,
}

impl CsrfToken for NeedsBadgeForm {
    fn token(&self) -> &str {
        &self.csrf
    }
}

impl Teacher {
    /// The student `student_id` of `class_id`, if this session may do `need` for them.
    async fn student(
        &self,
        state: &AppState,
        class_id: &str,
        student_id: &str,
        need: Capability,
        action: &str,
    ) -> Result<(TaughtClass, User), Failure> {
        let class = self
            .pupil(state, class_id, student_id, need, Some(action))
            .await?;
        let student = self
            .run(state, state.portal.user(student_id))
            .await?
            .ok_or_else(|| self.refuse(StatusCode::FORBIDDEN, self.s.teach.not_yours))?;
        Ok((class, student))
    }
}

/// `POST /teach/classes/{class}/students/{student}/needs-badge`: marks (`needs=yes`) or
/// unmarks a child as needing a badge outside the badge grades.
pub async fn needs_badge(
    State(state): State<AppState>,
    Posted {
        teacher,
        path: (class_id, student_id),
        form,
        action,
    }: Posted<(String, String), NeedsBadgeForm>,
) -> Answer {
    let (class, student) = teacher
        .student(&state, &class_id, &student_id, Capability::Badges, &action)
        .await?;
    let needs = matches!(form.needs, YesNo::Yes);
    teacher
        .run(
            &state,
            state
                .portal
                .set_needs_badge(&student.id, needs, &teacher.user.id),
        )
        .await?;
    let detail = format!(
        "class {} student {}: {}",
        class.id,
        student.id,
        if needs { "yes" } else { "no" }
    );
    teacher.record(&state, "needs_badge", detail, None).await?;
    Ok(Redirect::to(&format!("{}?done=saved", class_path(&class.id))).into_response())
}

/// `POST /teach/classes/{class}/students/{student}/password`: a temporary password, shown
/// once, for a child whose grade changes its own password; they must change it at the next
/// sign-in.
pub async fn temporary(
    State(state): State<AppState>,
    Posted {
        teacher,
        path: (class_id, student_id),
        action,
        ..
    }: Posted<(String, String), CsrfForm>,
) -> Answer {
    let s = teacher.s;
    let (class, student) = teacher
        .student(
            &state,
            &class_id,
            &student_id,
            Capability::Passwords,
            &action,
        )
        .await?;
    let may_change = teacher
        .run(&state, state.portal.may_change_own_password(&student))
        .await?;
    if !may_change {
        return Err(teacher.refuse(StatusCode::BAD_REQUEST, s.accounts.no_password_change));
    }
    let password = teacher
        .run(
            &state,
            state.portal.temporary_password(&student, &teacher.user.id),
        )
        .await?;
    let detail = format!("class {} student {}: temporary", class.id, student.id);
    teacher
        .record(&state, "password_reset", detail, None)
        .await?;
    let subject = format!("{} {}", student.given_name, student.family_name);
    let main = html! {
        p class="subject" { (subject) }
        p class="code" { (password) }
        p { (s.accounts.temporary_text) }
        p { a class="button" href=(class_path(&class.id)) { (s.accounts.back_to_class) } }
    };
    let mut response = view::frame(
        StatusCode::OK,
        s,
        Section::Classes,
        s.accounts.temporary_title,
        main,
    );
    // Shown once: never kept by the browser.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /teach/classes/{class}/students/{student}/fixed-password`: a new fixed password and a
/// new badge for a child of the badge grades (or with the exception), on one card (the PDF is
/// the only place the password is ever shown). The old password and badge stop working.
pub async fn fixed_card(
    State(state): State<AppState>,
    Posted {
        teacher,
        path: (class_id, student_id),
        action,
        ..
    }: Posted<(String, String), CsrfForm>,
) -> Answer {
    let s = teacher.s;
    let (class, student) = teacher
        .student(
            &state,
            &class_id,
            &student_id,
            Capability::Passwords,
            &action,
        )
        .await?;
    let portal = &state.portal;
    let badge_ok = teacher.run(&state, portal.badge_allowed(&student)).await?;
    if !badge_ok {
        return Err(teacher.refuse(StatusCode::BAD_REQUEST, s.accounts.not_in_badge_grades));
    }
    let detail = format!(
        "class {} student {}, fixed password card",
        class.id, student.id
    );
    let pdf = teacher
        .run(&state, async {
            portal
                .print_badges(
                    std::slice::from_ref(&student),
                    &class.title,
                    Layout::Cards,
                    detail.clone(),
                    CardPasswords::Fixed {
                        by: &teacher.user.id,
                    },
                )
                .await
        })
        .await?;
    teacher
        .record(&state, "fixed_password", detail, None)
        .await?;
    Ok(view::pdf(
        pdf,
        &format!("card-{}", student.given_name.to_lowercase()),
    ))
}
