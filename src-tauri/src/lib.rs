//! The BadgeIn kiosk app: the Tauri shell around the kiosk core. It only translates between
//! the window (docs/kiosk-ipc.md), the camera loop and the portal view; decisions live in the
//! core crates.

pub mod allow_list;
pub mod camera;
mod close_guard;
mod commands;
mod kiosk;
pub mod kiosk_window;
pub mod portal_view;
pub mod preview;
pub mod scan_loop;

use std::sync::Arc;

use anyhow::Context as _;
use tauri::Manager;

use crate::camera::Choice;
use crate::kiosk::Kiosk;
use crate::scan_loop::ScanLoop;

/// Starts the kiosk and returns when it quits.
pub fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,badgein=debug".into()),
        )
        .init();
    let choice = Choice::parse(std::env::var("BADGEIN_CAMERA").ok().as_deref())?;
    let kiosk = Arc::new(Kiosk::new());

    tauri::Builder::default()
        // First, so a second launch exits before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            kiosk_window::refocus(app);
        }))
        .plugin(close_guard::plugin())
        .manage(kiosk.clone())
        .invoke_handler(tauri::generate_handler![
            commands::get_view,
            commands::preview,
            commands::preview_ready,
            commands::quit,
        ])
        .setup(move |app| {
            if let Some(window) = app.get_webview_window(kiosk_window::MAIN) {
                kiosk_window::cover_monitor(&window)?;
            }
            let handle = app.handle().clone();
            let preview = kiosk.preview.clone();
            let scan_loop = ScanLoop::spawn(choice, preview, move |event| {
                if let Some(kiosk) = handle.try_state::<Arc<Kiosk>>() {
                    kiosk.on_camera(&handle, event);
                }
            })?;
            app.manage(scan_loop);
            Ok(())
        })
        .on_window_event(|window, event| {
            kiosk_window::on_window_event(window, event, || {});
        })
        .build(tauri::generate_context!())
        .context("building the kiosk app")?
        .run(|_app, _event| {});
    Ok(())
}

#[cfg(test)]
mod security_config;
