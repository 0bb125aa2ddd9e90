//! What differs per operating system, each behind a small module of its own: where the kiosk's
//! log files go (docs/kiosk-install.md says where IT finds them), and the kiosk window's web
//! engine settings that keep an idle kiosk light and let a closed portal view go
//! (docs/kiosk-performance.md), and loading a view's page (the kiosk window's, a child's portal
//! view's) again if its web process dies; and, before the app starts a thread, glibc's malloc in
//! WebKit's processes told to give freed memory back and no OpenGL in the app's own process
//! on a computer without a GPU. How the kiosk starts at login and comes back after a crash is
//! the installers' business (packaging/kiosk/), not the app's.

#[cfg(all(unix, not(target_os = "macos")))]
pub mod app_without_gl;
#[cfg(all(unix, not(target_os = "macos")))]
mod before_threads;
#[cfg(all(unix, not(target_os = "macos")))]
mod linux;
#[cfg(all(unix, not(target_os = "macos")))]
pub mod web_process_malloc;
/// Elsewhere nothing is prepared before threads start: both settings are Linux's (glibc's
/// malloc; Mesa through libglvnd and GTK's GLX), and the Linux modules say why.
#[cfg(not(all(unix, not(target_os = "macos"))))]
pub mod nothing_to_prepare {
    #[derive(Debug)]
    pub struct Outcome;
    impl Outcome {
        pub fn log(&self) {}
    }
    pub fn prepare() -> Outcome {
        Outcome
    }
}
#[cfg(not(all(unix, not(target_os = "macos"))))]
pub use nothing_to_prepare as app_without_gl;
#[cfg(not(all(unix, not(target_os = "macos"))))]
pub use nothing_to_prepare as web_process_malloc;
#[cfg(target_os = "macos")]
mod macos;
#[cfg(windows)]
mod windows;

#[cfg(all(unix, not(target_os = "macos")))]
pub use linux::{lighten_webview, log_dir, release_webview, reload_when_page_dies};
#[cfg(target_os = "macos")]
pub use macos::{lighten_webview, log_dir, release_webview, reload_when_page_dies};
#[cfg(windows)]
pub use windows::{lighten_webview, log_dir, release_webview, reload_when_page_dies};
