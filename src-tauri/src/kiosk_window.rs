//! The kiosk window: full screen, no decorations (tauri.conf.json), and it cannot be closed by
//! the window manager, Alt+F4 or WebDriver. A close request shows the teacher PIN pad instead;
//! only the `quit` command with the right PIN ends the app.

use tauri::{Manager, Runtime, Window, WindowEvent};

/// The label of the kiosk window, as in tauri.conf.json and the capability file.
pub const MAIN: &str = "main";

/// Every window's close request is refused; the caller is told so it can ask for the PIN.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent, on_refused: impl Fn()) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        api.prevent_close();
        tracing::info!(window = window.label(), "close refused: teacher PIN needed");
        on_refused();
    }
}

/// Covers the whole monitor. Full screen is asked of the window manager (tauri.conf.json);
/// without one (a bare X server, some kiosk sessions) the window is also moved and sized to
/// the monitor so nothing else shows.
pub fn cover_monitor<R: Runtime>(window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    if let Some(monitor) = window.current_monitor()?.or(window.primary_monitor()?) {
        window.set_position(*monitor.position())?;
        window.set_size(*monitor.size())?;
    }
    window.set_fullscreen(true)
}

/// A second launch (single-instance plugin) brings the kiosk window back to the front.
pub fn refocus<R: Runtime, M: Manager<R>>(app: &M) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = cover_monitor(&window);
        let _ = window.set_focus();
    }
}
