//! Windows.

use std::path::PathBuf;

/// `%LOCALAPPDATA%\BadgeIn\logs`: per user and not roaming (a classroom computer's logs stay
/// on it).
pub fn log_dir() -> Option<PathBuf> {
    Some(dirs::data_local_dir()?.join("BadgeIn").join("logs"))
}

/// Nothing yet: the idle numbers (docs/kiosk-performance.md) were measured on Linux only.
pub fn lighten_webview<R: tauri::Runtime>(_window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    Ok(())
}

/// Nothing yet: the Linux module's reload after a page's web process ends is not written for
/// this web engine (the view would show the engine's own error page, or nothing).
pub fn reload_when_page_dies<R: tauri::Runtime>(
    _window: &tauri::WebviewWindow<R>,
    _view: &'static str,
) -> tauri::Result<()> {
    Ok(())
}

/// Nothing: the leak it undoes is in wry's WebKitGTK code (see the Linux module).
pub fn release_webview<R: tauri::Runtime>(_window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    Ok(())
}
