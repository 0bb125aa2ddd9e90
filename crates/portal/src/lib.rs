//! The BadgeIn portal service: badges, kiosk enrollment, sign-in, sessions and the portal's
//! pages, on axum and sqlx (SQLite or PostgreSQL).
//!
//! Entry points:
//! * [`Portal::open`] opens and migrates a database and holds the policy ([`Config`]) and the
//!   [`Clock`];
//! * administration (`add_school`, `add_user`, `issue_badge` (`issue_badge_to` for staff),
//!   `void_badges`, `enrollment_code`, `fleet_token`, `set_password`, `revoke_kiosk`,
//!   `add_app`, …) are methods of [`Portal`]; the ones that take access away end the sessions
//!   it gave;
//! * [`spawn`] serves the HTTP API and pages on an address (`127.0.0.1:0` in tests) and gives
//!   back a [`RunningPortal`] with the bound address; dropping it stops the server;
//! * [`spawn_metrics`] serves the Prometheus metrics (`metrics`) on a listener of their own.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use badgein_portal::{Config, ManualClock, Portal, spawn};
//! let portal = Portal::open("/tmp/x.db", Arc::new(ManualClock::starting_now()), Config::for_tests()).await?;
//! portal.add_school("s1", "Maple Elementary").await?;
//! let code = portal.enrollment_code("s1").await?;
//! let running = spawn(portal, "127.0.0.1:0").await?;
//! println!("{} {code}", running.base_url());
//! # Ok(()) }
//! ```

pub mod accounts;
pub mod admin;
pub mod apps;
pub mod auth;
pub mod badges;
pub mod claim;
pub mod cli;
pub mod client_addr;
pub mod clock;
pub mod config;
pub mod error;
pub mod family;
pub mod fixed_password;
pub mod fleet_tokens;
pub mod grade_policy;
pub mod http;
pub mod idp;
pub mod ids;
pub mod kiosks;
pub mod metrics;
pub mod portal;
pub mod qr_image;
pub mod retention;
pub mod roles;
pub mod roster;
pub mod school_settings;
pub mod school_time;
pub mod session_method;
pub mod setup_qr;
pub mod sheet;
pub mod store;
mod stored_text;
pub mod tokens;

pub use admin::NewUser;
pub use apps::{AppRequest, Registered};
pub use badges::StaffBadges;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Argon2Cost, Config};
pub use error::PortalError;
pub use http::{RunningMetrics, RunningPortal, spawn, spawn_metrics};
pub use ids::{AppId, ClassId, FleetTokenId, KioskId, SchoolId, UserId};
pub use portal::Portal;
pub use roles::{Role, UnknownRole};
pub use store::apps::{AppRow, Tile};
pub use store::badges::VoidScope;
pub use store::directory::User;
