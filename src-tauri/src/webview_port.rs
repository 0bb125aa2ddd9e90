//! The kiosk core's handle on the portal view: open a child's launch URL in a fresh private
//! view that may reach only the portal and the school's allow-listed origins; wipe it at
//! sign-out.

use std::sync::{Arc, Mutex};

use badgein_kiosk_core::driver::WebviewPort;
use badgein_kiosk_core::redacted::Redacted;
use tauri::{AppHandle, Runtime, Url};

use crate::allow_list::AllowList;
use crate::portal_view;

/// Where the portal view may go, as the latest config, enrollment or `save_setup` left it.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub portal: Option<Url>,
    /// The school's extra origins (`KioskSettings.allowed_origins`).
    pub apps: Vec<String>,
}

pub type SharedScope = Arc<Mutex<Scope>>;

#[derive(Debug)]
pub struct TauriWebview<R: Runtime> {
    pub app: AppHandle<R>,
    pub scope: SharedScope,
}

impl<R: Runtime> WebviewPort for TauriWebview<R> {
    async fn open_portal(&self, launch_url: &Redacted) {
        // The launch URL carries a one-time ticket: it is never logged, not even on failure.
        let Ok(url) = Url::parse(launch_url.expose()) else {
            tracing::warn!("the portal's launch URL is not a URL; not opened");
            return;
        };
        let scope = self.scope.lock().map(|s| s.clone()).unwrap_or_default();
        let Some(portal) = scope.portal else {
            tracing::warn!("no portal address configured; portal view not opened");
            return;
        };
        let allow = AllowList::new(&portal, scope.apps.iter().map(String::as_str));
        if !allow.permits(&url) {
            tracing::warn!(origin = %url.origin().ascii_serialization(), "launch URL outside the allow-list; not opened");
            return;
        }
        if let Err(error) = portal_view::open(&self.app, url, allow) {
            tracing::error!(%error, "the portal view could not be opened");
        }
    }

    async fn wipe_portal(&self) {
        portal_view::wipe(&self.app);
    }
}
