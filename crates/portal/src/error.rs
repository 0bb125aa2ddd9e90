//! Domain errors, and the one place that turns them into `application/problem+json` answers.

use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use badgein_proto::{PROBLEM_JSON, Problem, ProblemCode};

use crate::ids::UserId;
use crate::roles::{Role, UnknownRole};

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    /// A refusal the caller must see as exactly this code (badge voided, kiosk revoked…).
    #[error("{}", .0.title())]
    Refused(ProblemCode),
    #[error("account locked for {retry_after} s")]
    Locked { retry_after: u64 },
    /// [`Self::Locked`], with when it ends as the school's clock says it (RFC 3339 with the
    /// school's offset): what a kiosk's typed sign-in is answered.
    #[error("account locked until {retry_at}")]
    LockedUntil { retry_after: u64, retry_at: String },
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    /// An app's registration broke a rule (`apps::registration`).
    #[error("{0}")]
    App(#[from] crate::apps::AppError),
    /// A badge asked for a member of staff without saying so (`badge issue --staff`).
    #[error(
        "user {user} is staff ({role}): a badge signs in as them without their password, so \
         staff badges are issued only on purpose (badge issue --staff)"
    )]
    StaffBadge { user: UserId, role: Role },
    /// A stored role no [`Role`] names: the row is refused, never read as some role.
    #[error("{0}")]
    UnknownRole(#[source] UnknownRole),
    #[error("database unavailable: {0}")]
    Database(#[source] sqlx::Error),
    #[error("database did not answer in time")]
    Timeout,
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database has a migration this binary does not know: a newer version upgraded it.
    /// Nothing is run against it (an older binary would read and write a schema it does not
    /// know).
    #[error(
        "the database was upgraded by a newer badgein-portal: it has migration {found}, and \
         this badgein-portal ({version}) knows migrations up to {known} only. Nothing was \
         changed. Run the newer version (or restore the backup taken before the upgrade, \
         docs/deploy.md)",
        version = env!("CARGO_PKG_VERSION")
    )]
    NewerDatabase { found: i64, known: i64 },
    #[error("operating system random source failed: {0}")]
    Random(#[source] getrandom::Error),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    /// More password checks are waiting than the hashing workers can take: refused at once
    /// rather than queued without bound.
    #[error("too many password checks at once")]
    Overloaded,
    /// The service is stopping and takes no more writes.
    #[error("the service is stopping")]
    Closing,
    /// The failure of a group commit, shared by every record of the group.
    #[error("{0}")]
    Group(#[source] Arc<PortalError>),
    /// Too many requests from one kiosk or address; try again after `retry_after` seconds.
    #[error("rate limited for {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// The key file (missing, unreadable, another database's): its message says which and
    /// what to do, never key material.
    #[error("{0}")]
    KeyFile(#[source] Box<crate::idp::KeyError>),
}

impl From<crate::idp::KeyError> for PortalError {
    fn from(e: crate::idp::KeyError) -> Self {
        match e {
            crate::idp::KeyError::Store(inner) => inner,
            other => Self::KeyFile(Box::new(other)),
        }
    }
}

impl From<sqlx::Error> for PortalError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::Conflict("already exists".to_owned())
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                Self::NotFound("a referenced record does not exist".to_owned())
            }
            sqlx::Error::ColumnDecode { source, .. } => {
                match source.downcast_ref::<UnknownRole>() {
                    Some(unknown) => Self::UnknownRole(unknown.clone()),
                    None => Self::Database(e),
                }
            }
            _ => Self::Database(e),
        }
    }
}

impl PortalError {
    pub fn code(&self) -> ProblemCode {
        match self {
            Self::Refused(code) => *code,
            Self::Locked { .. } | Self::LockedUntil { .. } => ProblemCode::AccountLocked,
            Self::RateLimited { .. } => ProblemCode::RateLimited,
            Self::Group(inner) => inner.code(),
            Self::BadRequest(_) | Self::Conflict(_) | Self::StaffBadge { .. } | Self::App(_) => {
                ProblemCode::BadRequest
            }
            Self::NotFound(_) => ProblemCode::NotFound,
            Self::Database(_)
            | Self::UnknownRole(_)
            | Self::Timeout
            | Self::Migrate(_)
            | Self::NewerDatabase { .. }
            | Self::Random(_)
            | Self::Hashing(_)
            | Self::Overloaded
            | Self::Closing
            | Self::KeyFile(_) => ProblemCode::Unavailable,
        }
    }

    pub fn problem(&self) -> Problem {
        if let Self::Group(inner) = self {
            return inner.problem();
        }
        let code = self.code();
        let problem = Problem::new(code);
        match self {
            Self::Locked { retry_after } | Self::RateLimited { retry_after } => {
                problem.with_retry_after(*retry_after)
            }
            Self::LockedUntil {
                retry_after,
                retry_at,
            } => problem
                .with_retry_after(*retry_after)
                .with_retry_at(retry_at.clone()),
            // Only input-related details are echoed; internal failures stay in the log.
            Self::BadRequest(detail) | Self::Conflict(detail) | Self::NotFound(detail) => {
                problem.with_detail(detail.clone())
            }
            Self::StaffBadge { .. } | Self::App(_) => problem.with_detail(self.to_string()),
            _ => problem,
        }
    }
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        if self.code() == ProblemCode::Unavailable {
            tracing::warn!(error = %self, "answering unavailable");
        }
        problem_response(&self.problem())
    }
}

pub fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(v) = problem
        .retry_after
        .and_then(|secs| HeaderValue::from_str(&secs.to_string()).ok())
    {
        headers.insert(header::RETRY_AFTER, v);
    }
    if problem.code == ProblemCode::Unavailable {
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from(UNAVAILABLE_RETRY_SECS),
        );
    }
    response
}

/// What `Retry-After` says when the service is overloaded or its database is unavailable.
pub const UNAVAILABLE_RETRY_SECS: u64 = 3;

pub type Result<T, E = PortalError> = std::result::Result<T, E>;
