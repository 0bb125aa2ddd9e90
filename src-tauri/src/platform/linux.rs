//! Linux and the other XDG desktops.

use std::cell::{Cell, RefCell};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Instant;

use tauri::{Runtime, WebviewWindow};
use webkit2gtk::glib::object::{ObjectExt, ObjectType};
use webkit2gtk::{
    CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt,
    WebProcessTerminationReason, WebView, WebViewExt, glib,
};

use crate::backoff::Backoff;

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
        // wry starts loading the page as it makes the view, with no hook before that, and WebKit
        // hands a page its settings when it makes it in a web process: the page this runs after
        // was made compositing, and its process kept Mesa's OpenGL compositor and threads all
        // day whatever the policy said later. Its process is ended and the page loaded in a new
        // one, made with these settings: 10-14 MB less PSS, cold start unchanged
        // (docs/kiosk-performance.md). `reload_when_page_dies` leaves this end alone.
        if let Some(uri) = view.uri() {
            view.terminate_web_process();
            view.load_uri(&uri);
        }
    })
}

/// Loads `window`'s page again when its web process ends: WebKitGTK leaves the view empty after
/// a crash in WebKit or the out-of-memory killer (a small school computer). For the kiosk
/// window that is a kiosk nobody can sign in at until someone restarts it; its page asks the
/// app for the screen to show as it starts, so it comes back where the kiosk is. For a child's
/// portal view it is a blank page under the bar; the page comes back with the child's session,
/// whose cookies live in the network process. An end the app asked for (`lighten_webview` at
/// start) is not a death. Waits as [`Backoff`] says, from 1 s up to a minute, so a page that
/// dies as it loads is not started again in a loop; a view destroyed meanwhile (the child
/// signed out) is left alone. `view` names it in the log.
pub fn reload_when_page_dies<R: Runtime>(
    window: &WebviewWindow<R>,
    view: &'static str,
) -> tauri::Result<()> {
    window.with_webview(move |webview| {
        let restarts = Rc::new(PageRestarts {
            backoff: RefCell::new(Backoff::default()),
            loaded: Cell::new(Instant::now()),
        });
        webview
            .inner()
            .connect_web_process_terminated(move |web_view, reason| {
                if reason == WebProcessTerminationReason::TerminatedByApi {
                    return;
                }
                let wait = restarts
                    .backoff
                    .borrow_mut()
                    .after_failure(restarts.loaded.get().elapsed());
                tracing::warn!(
                    view,
                    ?reason,
                    wait_secs = wait.as_secs(),
                    "a view's web process ended; loading its page again"
                );
                let (web_view, restarts) = (web_view.downgrade(), Rc::clone(&restarts));
                glib::timeout_add_local_once(wait, move || {
                    // Gone once destroyed; a destroyed view not yet freed has a closed page,
                    // which WebKit will not load into either.
                    if let Some(web_view) = web_view.upgrade() {
                        reload(&web_view, &restarts);
                    }
                });
            });
    })
}

/// When a view's page was last loaded, and the waits before loading it again.
struct PageRestarts {
    backoff: RefCell<Backoff>,
    loaded: Cell<Instant>,
}

fn reload(view: &WebView, restarts: &PageRestarts) {
    restarts.loaded.set(Instant::now());
    view.reload();
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
            unsafe { glib::gobject_ffi::g_signal_handlers_destroy(manager.as_ptr().cast()) };
        }
    })
}
