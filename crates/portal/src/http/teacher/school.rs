//! The administrators' school accounts page (docs/accounts.md): the school's grade rules, to
//! read and change, and its delegates, to add, change and remove. Open only to an
//! administrator's password session; every change carries the CSRF token and is audited with
//! the administrator's id.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::html;
use serde::Deserialize;

use super::access::{Answer, CsrfToken, Posted, Teacher, refused};
use super::forms::{CsrfForm, DoneQuery};
use super::view::{self, Section, csrf_field, segment};
use crate::accounts::PolicyChange;
use crate::auth::delegation::Delegation;
use crate::auth::origin::Authority;
use crate::grade_policy::{GradePolicy, GradeRange};
use crate::http::AppState;
use crate::store::accounts as stored;

#[derive(Debug, Default, Deserialize)]
pub struct PolicyForm {
    csrf: String,
    badge_grades: String,
    password_change_grades: String,
    claim_grades: String,
}

impl CsrfToken for PolicyForm {
    fn token(&self) -> &str {
        &self.csrf
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DelegateForm {
    csrf: String,
    user: String,
    #[serde(default)]
    badges: Option<String>,
    #[serde(default)]
    passwords: Option<String>,
}

impl CsrfToken for DelegateForm {
    fn token(&self) -> &str {
        &self.csrf
    }
}

impl Teacher {
    /// Refused (recorded for a post's `action`) unless an administrator.
    async fn administrator(
        &self,
        state: &AppState,
        action: Option<&str>,
    ) -> Result<(), super::access::Failure> {
        if self.authority == Authority::Administrator {
            return Ok(());
        }
        if let Some(path) = action {
            refused(state, &self.user, path, "forbidden").await;
        }
        Err(self.refuse(StatusCode::FORBIDDEN, self.s.teach.apps.administrators_only))
    }
}

/// `GET /teach/school`.
pub async fn page(
    State(state): State<AppState>,
    teacher: Teacher,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Answer {
    teacher.administrator(&state, None).await?;
    let a = teacher.s.accounts;
    let note = match query.ok().and_then(|Query(q)| q.done).as_deref() {
        Some("policy") => Some(a.saved),
        Some("added") => Some(a.delegate_added),
        Some("removed") => Some(a.delegate_removed),
        _ => None,
    };
    render(&state, &teacher, StatusCode::OK, note, None, None).await
}

/// The page, with a note or an error on top; `typed`: the policy form as sent (after a bad
/// range), otherwise the stored policy.
async fn render(
    state: &AppState,
    teacher: &Teacher,
    status: StatusCode,
    note: Option<&str>,
    error: Option<&str>,
    typed: Option<&PolicyForm>,
) -> Answer {
    let s = teacher.s;
    let a = s.accounts;
    let school = &teacher.user.school_id;
    let db = state.portal.db();
    let (policy, delegates, staff) = teacher
        .run(state, async {
            Ok((
                state.portal.grade_policy(school).await?,
                state.portal.delegates(Some(school)).await?,
                stored::staff(db, school).await?,
            ))
        })
        .await?;
    let view = GradePolicy::view(&policy, school.as_str());
    let value = |typed_value: Option<&str>, stored: &str| typed_value.unwrap_or(stored).to_owned();
    let badge = value(typed.map(|f| f.badge_grades.as_str()), &view.badge_grades);
    let change = value(
        typed.map(|f| f.password_change_grades.as_str()),
        &view.password_change_grades,
    );
    let claim = value(typed.map(|f| f.claim_grades.as_str()), &view.claim_grades);
    let main = html! {
        @if let Some(note) = note { (view::note(note)) }
        @if let Some(error) = error { p role="alert" class="error" { (error) } }
        h2 id="policy" { (a.policy_heading) }
        form method="post" action="/teach/school/policy" aria-labelledby="policy" {
            (csrf_field(&teacher.csrf))
            p id="range-help" class="help" { (a.range_hint) }
            label for="badge_grades" { (a.badge_grades) }
            input id="badge_grades" name="badge_grades" required aria-describedby="range-help" value=(badge);
            label for="password_change_grades" { (a.password_change_grades) }
            input id="password_change_grades" name="password_change_grades" required
                aria-describedby="range-help" value=(change);
            label for="claim_grades" { (a.claim_grades) }
            input id="claim_grades" name="claim_grades" required aria-describedby="range-help" value=(claim);
            button type="submit" { (s.save) }
        }
        h2 id="delegates" { (a.delegates_heading) }
        p { (a.delegates_help) }
        @if delegates.is_empty() {
            p { (a.no_delegates) }
        } @else {
            table {
                caption class="vh" { (a.delegates_heading) }
                thead { tr {
                    th scope="col" { (a.staff_member) }
                    th scope="col" { (a.may_do) }
                    th scope="col" { (s.teach.actions) }
                } }
                tbody {
                    @for d in &delegates {
                        tr {
                            th scope="row" { (d.given_name) " " (d.family_name) }
                            td {
                                @if d.can_badges { (a.can_badges) }
                                @if d.can_badges && d.can_passwords { "; " }
                                @if d.can_passwords { (a.can_passwords) }
                            }
                            td {
                                form method="post" action={ "/teach/school/delegates/" (segment(d.user_id.as_str())) "/remove" } {
                                    (csrf_field(&teacher.csrf))
                                    button type="submit" class="danger" {
                                        (a.remove) span class="vh" { " " (d.given_name) " " (d.family_name) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 id="add-delegate" { (a.add_delegate) }
        form method="post" action="/teach/school/delegates" aria-labelledby="add-delegate" {
            (csrf_field(&teacher.csrf))
            label for="delegate-user" { (a.staff_member) }
            select id="delegate-user" name="user" required {
                @for member in &staff {
                    option value=(member.id) { (member.given_name) " " (member.family_name) }
                }
            }
            fieldset {
                legend { (a.may_do) }
                label { input type="checkbox" name="badges" value="yes"; " " (a.can_badges) }
                label { input type="checkbox" name="passwords" value="yes"; " " (a.can_passwords) }
            }
            button type="submit" { (a.add_delegate) }
        }
    };
    Ok(view::frame(status, s, Section::Apps, a.school_title, main))
}

/// `POST /teach/school/policy`: all three ranges; one bad range changes nothing.
pub async fn policy(
    State(state): State<AppState>,
    Posted {
        teacher,
        form,
        action,
        ..
    }: Posted<(), PolicyForm>,
) -> Answer {
    teacher.administrator(&state, Some(&action)).await?;
    let parsed = (
        GradeRange::parse(&form.badge_grades),
        GradeRange::parse(&form.password_change_grades),
        GradeRange::parse(&form.claim_grades),
    );
    let (Ok(badges), Ok(password_change), Ok(claim)) = parsed else {
        let a = teacher.s.accounts;
        return render(
            &state,
            &teacher,
            StatusCode::BAD_REQUEST,
            None,
            Some(a.bad_range),
            Some(&form),
        )
        .await;
    };
    let change = PolicyChange {
        badges: Some(badges),
        password_change: Some(password_change),
        claim: Some(claim),
    };
    let school = teacher.user.school_id.clone();
    teacher
        .run(
            &state,
            state
                .portal
                .set_grade_policy(school, change, Some(&teacher.user.id)),
        )
        .await?;
    Ok(Redirect::to("/teach/school?done=policy").into_response())
}

/// `POST /teach/school/delegates`: adds a delegate (or changes what they may do).
pub async fn add_delegate(
    State(state): State<AppState>,
    Posted {
        teacher,
        form,
        action,
        ..
    }: Posted<(), DelegateForm>,
) -> Answer {
    teacher.administrator(&state, Some(&action)).await?;
    let can = Delegation {
        badges: form.badges.as_deref() == Some("yes"),
        passwords: form.passwords.as_deref() == Some("yes"),
    };
    let school = teacher.user.school_id.clone();
    let added = state
        .run(
            state
                .portal
                .add_delegate(school, form.user.as_str(), can, Some(&teacher.user.id)),
        )
        .await;
    match added {
        Ok(()) => Ok(Redirect::to("/teach/school?done=added").into_response()),
        Err(e) if matches!(e.code(), badgein_proto::ProblemCode::Unavailable) => {
            Err(super::access::Failure::Failed(teacher.s, e))
        }
        Err(_) => {
            let a = teacher.s.accounts;
            render(
                &state,
                &teacher,
                StatusCode::BAD_REQUEST,
                None,
                Some(a.bad_delegate),
                None,
            )
            .await
        }
    }
}

/// `POST /teach/school/delegates/{user}/remove`.
pub async fn remove_delegate(
    State(state): State<AppState>,
    Posted {
        teacher,
        path: user,
        action,
        ..
    }: Posted<String, CsrfForm>,
) -> Answer {
    teacher.administrator(&state, Some(&action)).await?;
    let school = teacher.user.school_id.clone();
    teacher
        .run(
            &state,
            state
                .portal
                .remove_delegate(school, user.as_str(), Some(&teacher.user.id)),
        )
        .await?;
    Ok(Redirect::to("/teach/school?done=removed").into_response())
}
