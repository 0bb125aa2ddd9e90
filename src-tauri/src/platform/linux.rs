//! Linux and the other XDG desktops.

use std::path::PathBuf;

use tauri::{Runtime, WebviewWindow};
use webkit2gtk::glib::object::ObjectType;
use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt};

/// `$XDG_STATE_HOME/badgein/logs`, else `~/.local/state/badgein/logs`: logs are state that
/// outlives a run but is not worth backing up (the XDG Base Directory spec's own example).
pub fn log_dir() -> Option<PathBuf> {
    Some(dirs::state_dir()?.join("badgein").join("logs"))
}

/// WebKitGTK's settings for the kiosk window, which shows one local page that never navigates:
/// painted on the CPU, no back-forward page cache, no WebGL (unused), and the cache model of a
/// single-document viewer. Applied on the main thread, soon after.
///
/// Painting on the CPU (`HardwareAccelerationPolicy::Never`) keeps the window's web process
/// from compositing through OpenGL, which without a GPU (many school computers, and Xvfb) is
/// Mesa's software renderer: an idle kiosk's PSS 322 -> 248 MB (docs/kiosk-performance.md).
/// The kiosk's page is a canvas and a few pictures, greeted no slower on the CPU. Only this
/// window: a child's portal view keeps WebKit's default, since the apps in it may need
/// compositing or WebGL.
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

/// Lets a webview about to be destroyed be freed: drops every signal handler on its user content
/// manager. Queued on the main thread ahead of the destroy that follows it.
///
/// wry 0.57 connects its IPC handler to the view's user content manager with a closure that
/// holds the view itself, and the view holds the manager until it is freed: a cycle that
/// destroying the view does not break. A private (incognito) view owns an ephemeral web context
/// of its own, so each child's portal view left its context, that context's website data store
/// and two threads behind for the rest of the day (200 more threads and about 33 MB after 100
/// children, docs/kiosk-performance.md). The portal view has no IPC, so its handlers do
/// nothing that is lost. glib-rs can disconnect only a handler whose id it returned, and wry
/// keeps that id to itself, hence the one unsafe call here.
#[allow(unsafe_code)]
pub fn release_webview<R: Runtime>(window: &WebviewWindow<R>) -> tauri::Result<()> {
    window.with_webview(|webview| {
        if let Some(manager) = webview.inner().user_content_manager() {
            // SAFETY: `manager` is a live WebKitUserContentManager (a GObject) for the whole
            // call, which only drops the handlers connected to it; nothing keeps their ids to
            // disconnect them later (wry never does).
            unsafe {
                webkit2gtk::glib::gobject_ffi::g_signal_handlers_destroy(manager.as_ptr().cast())
            };
        }
    })
}
