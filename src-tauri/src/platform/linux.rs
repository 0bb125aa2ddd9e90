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
/// Not set: painting on the CPU (`HardwareAccelerationPolicy::Never`), which spares Mesa's
/// software GL where there is no GPU. With it, WebKitWebDriver's screenshots of the kiosk
/// window never returned once the portal view covered it (tests/e2e/isolation.test.mjs), and
/// what else a window painted differently from its child window might do on a school's
/// machines was not worth the risk; scripts/bench-kiosk measures it with
/// WEBKIT_DISABLE_COMPOSITING_MODE=1 (docs/kiosk-performance.md).
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
