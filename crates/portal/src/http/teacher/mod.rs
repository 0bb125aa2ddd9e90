//! The teacher pages: a teacher's classes (badges printed, reprinted and voided, password
//! lockouts cleared), their school's kiosks (enrollment codes, revocation) and, for
//! administrators, the school's apps. Server-rendered
//! like the dashboard, no script; every action is checked against what the teacher manages,
//! carries the session's CSRF token, and is audited with the teacher's id.

use axum::Router;
use axum::routing::{get, post};

use super::AppState;

mod access;
mod accounts;
mod apps;
mod classes;
mod forms;
mod kiosks;
mod printing;
mod pupils;
mod school;
mod staff;
mod view;

pub(super) fn routes() -> Router<AppState> {
    const PUPIL: &str = "/teach/classes/{class}/students/{student}";
    Router::new()
        .route("/teach", get(classes::list))
        .route("/teach/classes/{class}", get(classes::class_page))
        .route("/teach/classes/{class}/sheet", post(printing::sheet))
        .route("/teach/classes/{class}/missing", post(printing::missing))
        .route(&format!("{PUPIL}/reprint"), post(printing::reprint))
        .route(
            &format!("{PUPIL}/void"),
            get(pupils::void_confirm).post(pupils::void),
        )
        .route(&format!("{PUPIL}/unlock"), post(pupils::unlock))
        .route(&format!("{PUPIL}/needs-badge"), post(accounts::needs_badge))
        .route(&format!("{PUPIL}/password"), post(accounts::temporary))
        .route(
            &format!("{PUPIL}/fixed-password"),
            post(accounts::fixed_card),
        )
        .route("/teach/school", get(school::page))
        .route("/teach/school/policy", post(school::policy))
        .route("/teach/school/delegates", post(school::add_delegate))
        .route(
            "/teach/school/delegates/{user}/remove",
            post(school::remove_delegate),
        )
        .route("/teach/apps", get(apps::list).post(apps::add))
        .route("/teach/apps/{app}/remove", post(apps::remove))
        .route("/teach/apps/{app}/secret", post(apps::secret))
        .route("/teach/staff", get(staff::list))
        .route(
            "/teach/staff/{user}/totp-reset",
            get(staff::reset_confirm).post(staff::reset),
        )
        .route("/teach/kiosks", get(kiosks::list))
        .route("/teach/kiosks/code", post(kiosks::code))
        .route(
            "/teach/kiosks/{kiosk}/revoke",
            get(kiosks::revoke_confirm).post(kiosks::revoke),
        )
}
