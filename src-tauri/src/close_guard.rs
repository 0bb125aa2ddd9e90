//! Keeps pages from closing their own webview. WebKit lets a page call `window.close()` when
//! its history has a single entry, and wry answers the webview's close signal by destroying
//! it, below Tauri's close request: the kiosk UI or the portal view would vanish, leaving an
//! empty full-screen window. With a second history entry WebKit refuses the call, so every
//! page of every webview (the kiosk UI and the portal view) gets one at document start.

use tauri::Runtime;
use tauri::plugin::TauriPlugin;

const SCRIPT: &str = "if (window.history.length < 2) { window.history.pushState(window.history.state, '', window.location.href); }";

pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri::plugin::Builder::new("badgein-close-guard")
        .js_init_script(SCRIPT)
        .build()
}
