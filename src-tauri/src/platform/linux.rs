//! Linux and the other XDG desktops.

use std::path::PathBuf;

use tauri::{Runtime, WebviewWindow};
use webkit2gtk::{CacheModel, SettingsExt, WebContextExt, WebViewExt};

/// `$XDG_STATE_HOME/badgein/logs`, else `~/.local/state/badgein/logs`: logs are state that
/// outlives a run but is not worth backing up (the XDG Base Directory spec's own example).
pub fn log_dir() -> Option<PathBuf> {
    Some(dirs::state_dir()?.join("badgein").join("logs"))
}

/// WebKitGTK's settings for the kiosk window, which shows one local page that never navigates:
/// no back-forward page cache, no WebGL (unused), and the cache model of a single-document
/// viewer. Applied on the main thread, soon after.
///
/// Not set: painting on the CPU (`HardwareAccelerationPolicy::Never`, or
/// `WEBKIT_DISABLE_COMPOSITING_MODE=1` for the whole process), which spares Mesa's software GL
/// where there is no GPU (about 90 MB of PSS, docs/kiosk-performance.md). With either,
/// WebKitWebDriver's screenshots of the kiosk window never returned once the portal view
/// covered it, and the tests that keep children apart (tests/e2e/isolation.test.mjs) could not
/// run against the kiosk as shipped.
pub fn lighten_webview<R: Runtime>(window: &WebviewWindow<R>) -> tauri::Result<()> {
    window.with_webview(|webview| {
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_enable_page_cache(false);
            settings.set_enable_webgl(false);
        }
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    })
}
