//! The BadgeIn kiosk app: the Tauri shell around the kiosk core. It only translates between
//! the window (docs/kiosk-ipc.md), the camera loop and the portal view; decisions live in the
//! core crates.

pub mod allow_list;
mod backoff;
pub mod camera;
mod close_guard;
#[cfg(test)]
mod command_names;
mod commands;
mod kiosk;
pub mod kiosk_window;
pub mod logging;
pub mod paced;
mod platform;
pub mod portal_view;
pub mod preview;
pub mod supervise;
pub mod updates;
mod webview_port;

use std::sync::Arc;

use anyhow::Context as _;
use badgein_kiosk_core::machine::{Event, UserAction};
use tauri::Manager;

use crate::camera::Choice;
use crate::kiosk::Kiosk;

/// Starts the kiosk and returns when it quits.
pub fn run() -> anyhow::Result<()> {
    // Before anything starts a thread (logging does): they set the environment.
    let web_process_malloc = platform::web_process_malloc::prepare();
    let app_without_gl = platform::app_without_gl::prepare();
    logging::init();
    web_process_malloc.log();
    app_without_gl.log();
    let choice = Choice::parse(std::env::var("BADGEIN_CAMERA").ok().as_deref())?;
    tauri::Builder::default()
        // First, so a second launch exits before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            kiosk_window::refocus(app);
        }))
        .plugin(close_guard::plugin())
        .plugin(updates::plugin())
        .invoke_handler(commands::handler())
        .setup(move |app| {
            // First: a start that fails after this still counts against a new version.
            let update_record = updates::Record::at_start(app.handle())?;
            if let Some(window) = app.get_webview_window(kiosk_window::MAIN) {
                kiosk_window::cover_monitor(&window)?;
                platform::lighten_webview(&window)?;
                platform::reload_when_page_dies(&window, "kiosk window")?;
            }
            let kiosk = Kiosk::start(app.handle(), choice)?;
            updates::start(
                app.handle(),
                kiosk.core(),
                &kiosk.config_now(),
                update_record,
            );
            app.manage(kiosk);
            Ok(())
        })
        .on_window_event(|window, event| {
            kiosk_window::on_window_event(window, event, || {
                // The PIN pad, which `quit` needs.
                if let Some(kiosk) = window.try_state::<Arc<Kiosk>>() {
                    kiosk.send(Event::User(UserAction::OpenTeacher));
                }
            });
        })
        .build(tauri::generate_context!())
        .context("building the kiosk app")?
        .run(|_app, _event| {});
    Ok(())
}

#[cfg(test)]
mod ipc_types;
#[cfg(test)]
mod security_config;
