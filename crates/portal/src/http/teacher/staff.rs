//! The administrators' staff page: the school's staff and whether each has the second factor
//! on, with a reset for someone who lost their phone and recovery codes
//! (docs/staff-second-factor.md). Open only to a session `authority` says is an
//! administrator's, for the staff of their own school.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::html;

use super::access::{Answer, Failure, Posted, Teacher, refused};
use super::forms::{CsrfForm, DoneQuery};
use super::view::{self, Confirm, Section, segment};
use crate::http::AppState;
use crate::ids::UserId;
use crate::store::totp::{self as rows, StaffRow};

impl Teacher {
    /// Refused (and recorded when `action` is a form post's path) unless an administrator.
    async fn administrator_only(
        &self,
        state: &AppState,
        action: Option<&str>,
    ) -> Result<(), Failure> {
        if self.authority.manages_apps() {
            return Ok(());
        }
        if let Some(path) = action {
            refused(state, &self.user, path, "forbidden").await;
        }
        Err(self.refuse(StatusCode::FORBIDDEN, self.s.teach.apps.administrators_only))
    }

    async fn staff(&self, state: &AppState) -> Result<Vec<StaffRow>, Failure> {
        self.run(
            state,
            rows::staff_of_school(state.portal.db(), &self.user.school_id),
        )
        .await
    }

    /// `user_id` if it is a member of staff of this administrator's school; otherwise the
    /// refusal (recorded when `action` is a post), the same whoever else it is.
    async fn staff_member(
        &self,
        state: &AppState,
        user_id: &str,
        action: Option<&str>,
    ) -> Result<StaffRow, Failure> {
        self.administrator_only(state, action).await?;
        let found = self
            .staff(state)
            .await?
            .into_iter()
            .find(|m| m.id.as_str() == user_id);
        match found {
            Some(member) => Ok(member),
            None => {
                if let Some(path) = action {
                    refused(state, &self.user, path, "forbidden").await;
                }
                Err(self.refuse(StatusCode::FORBIDDEN, self.s.totp.not_staff_here))
            }
        }
    }
}

fn reset_path(user: &UserId) -> String {
    format!("/teach/staff/{}/totp-reset", segment(user.as_str()))
}

/// `GET /teach/staff`.
pub async fn list(
    State(state): State<AppState>,
    teacher: Teacher,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Answer {
    teacher.administrator_only(&state, None).await?;
    let t = teacher.s.totp;
    let done = query.ok().and_then(|Query(q)| q.done);
    let staff = teacher.staff(&state).await?;
    let main = html! {
        @if done.as_deref() == Some("reset") { (view::note(t.reset_done)) }
        p { (t.staff_intro) }
        table {
            caption class="vh" { (t.staff_title) }
            thead { tr {
                th scope="col" { (teacher.s.teach.name) }
                th scope="col" { (teacher.s.username) }
                th scope="col" { (t.role) }
                th scope="col" { (t.second_factor) }
                th scope="col" { (teacher.s.teach.actions) }
            } }
            tbody {
                @for member in &staff {
                    tr {
                        th scope="row" { (member.given_name) " " (member.family_name) }
                        td { (member.username) }
                        td { (member.role.as_str()) }
                        td { @if member.enrolled > 0 { (t.is_on) } @else { (t.is_off) } }
                        td {
                            @if member.enrolled > 0 {
                                a class="button danger" href=(reset_path(&member.id)) {
                                    (t.reset)
                                    span class="vh" { " " (member.given_name) " " (member.family_name) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(view::frame(
        StatusCode::OK,
        teacher.s,
        Section::Staff,
        t.staff_title,
        main,
    ))
}

/// `GET /teach/staff/{user}/totp-reset`: the confirm step.
pub async fn reset_confirm(
    State(state): State<AppState>,
    teacher: Teacher,
    Path(user_id): Path<String>,
) -> Answer {
    let member = teacher.staff_member(&state, &user_id, None).await?;
    let t = teacher.s.totp;
    let subject = format!(
        "{} {} ({})",
        member.given_name, member.family_name, member.username
    );
    Ok(view::confirm(
        teacher.s,
        Section::Staff,
        &Confirm {
            title: t.reset,
            subject: &subject,
            text: t.reset_text,
            yes: t.reset,
            action: &reset_path(&member.id),
            back: "/teach/staff",
            csrf: &teacher.csrf,
        },
    ))
}

/// `POST /teach/staff/{user}/totp-reset`: resets, audited with the administrator's id.
pub async fn reset(
    State(state): State<AppState>,
    Posted {
        teacher,
        path: user_id,
        action,
        ..
    }: Posted<String, CsrfForm>,
) -> Answer {
    let member = teacher
        .staff_member(&state, &user_id, Some(&action))
        .await?;
    teacher
        .run(
            &state,
            state.portal.reset_totp(member.id, Some(&teacher.user.id)),
        )
        .await?;
    Ok(Redirect::to("/teach/staff?done=reset").into_response())
}
