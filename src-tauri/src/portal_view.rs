//! The portal view: the student's portal in a private (incognito) webview of its own, under the
//! kiosk UI's top bar (where "I'm done" stays). It is a separate borderless, always-on-top
//! window rather than a child webview: on Linux, Tauri's multiwebview packs child webviews into
//! a box and ignores their bounds.
//!
//! The view is in no capability (src-tauri/capabilities/), so it can call no command; it may
//! only navigate to allow-listed origins, cannot open windows and cannot download. Sign-out
//! clears all its browsing data and destroys it. A page whose web process dies is loaded again
//! (`platform::reload_when_page_dies`).

use tauri::webview::NewWindowResponse;
use tauri::{AppHandle, Manager, Runtime, Url, WebviewUrl, WebviewWindowBuilder};

use crate::allow_list::AllowList;
use crate::kiosk_window::MAIN;

/// The portal view's label: in no capability, so it gets no IPC at all.
pub const PORTAL: &str = "portal";
/// The kiosk UI's top bar, which stays visible above the portal (logical pixels).
pub const BAR_HEIGHT: f64 = 72.0;

/// Opens `launch_url` in a fresh private portal view, replacing any left open.
pub fn open<R: Runtime>(
    app: &AppHandle<R>,
    launch_url: Url,
    allow: AllowList,
) -> tauri::Result<()> {
    wipe(app);
    let main = app
        .get_webview_window(MAIN)
        .ok_or(tauri::Error::WindowNotFound)?;
    let size = main.inner_size()?.to_logical::<f64>(main.scale_factor()?);
    let refused = allow.clone();
    let view = WebviewWindowBuilder::new(app, PORTAL, WebviewUrl::External(launch_url))
        .title("BadgeIn portal")
        .incognito(true)
        .decorations(false)
        .resizable(false)
        .minimizable(false)
        .maximizable(false)
        .closable(false)
        .always_on_top(true)
        .skip_taskbar(true)
        .position(0.0, BAR_HEIGHT)
        .inner_size(size.width, (size.height - BAR_HEIGHT).max(1.0))
        .parent(&main)?
        .devtools(false)
        .disable_drag_drop_handler()
        .on_navigation(move |url| {
            let permitted = allow.permits(url);
            if !permitted {
                // The origin only: paths and queries may carry tickets or student data.
                tracing::info!(origin = %url.origin().ascii_serialization(), "portal navigation refused");
            }
            permitted
        })
        .on_new_window(move |url, _features| {
            tracing::info!(
                allowed_origin = refused.permits(&url),
                "portal tried to open a window: refused"
            );
            NewWindowResponse::Deny
        })
        .on_download(|_, _| false)
        .build()?;
    crate::platform::reload_when_page_dies(&view, "portal view")?;
    Ok(())
}

/// Clears the portal view's cookies, storage and cache, then destroys it. Purely local: it
/// never waits for the network, so it happens even when the portal is unreachable.
pub fn wipe<R: Runtime>(app: &AppHandle<R>) {
    let Some(view) = app.get_webview_window(PORTAL) else {
        return;
    };
    if let Err(error) = view.clear_all_browsing_data() {
        tracing::warn!(%error, "clearing the portal view's data failed; destroying it anyway");
    }
    if let Err(error) = crate::platform::release_webview(&view) {
        tracing::warn!(%error, "the portal view's handlers could not be dropped; it may linger");
    }
    if let Err(error) = view.destroy() {
        tracing::error!(%error, "the portal view could not be destroyed");
    }
}
