//! Linux and the other XDG desktops.

use std::path::PathBuf;

use tauri::{Runtime, WebviewWindow};
use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt};

/// `$XDG_STATE_HOME/badgein/logs`, else `~/.local/state/badgein/logs`: logs are state that
/// outlives a run but is not worth backing up (the XDG Base Directory spec's own example).
pub fn log_dir() -> Option<PathBuf> {
    Some(dirs::state_dir()?.join("badgein").join("logs"))
}

/// WebKitGTK's settings for the kiosk window, which shows one local page that never navigates:
/// painted by the CPU instead of composited through OpenGL (without a GPU, as under Xvfb or on
/// many school computers, that GL is Mesa's software renderer: 50 MB of Mesa and LLVM in each
/// process, and more CPU per preview repaint), no back-forward page cache, no WebGL (unused),
/// and the cache model of a single-document viewer. Applied on the main thread, soon after.
pub fn lighten_webview<R: Runtime>(window: &WebviewWindow<R>) -> tauri::Result<()> {
    window.with_webview(|webview| {
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            settings.set_enable_page_cache(false);
            settings.set_enable_webgl(false);
        }
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    })
}
