//! Reads the root `tauri.conf.json` and the capability files, and generates the ACL that
//! decides which command each webview may call.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(badgein_commands()));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; the message is what cargo shows.
        panic!("tauri-build: {error:#}");
    }
}

/// The commands of docs/kiosk-ipc.md; each gets an `allow-<name>` permission.
fn badgein_commands() -> &'static [&'static str] {
    &[
        "get_view",
        "preview",
        "preview_ready",
        "set_language",
        "show_typed",
        "cancel_typed",
        "sign_in_password",
        "sign_out",
        "still_here",
        "open_teacher",
        "teacher_unlock",
        "choose_pin",
        "leave_setup",
        "get_setup",
        "save_setup",
        "enroll",
        "confirm_setup_switch",
        "cancel_setup_switch",
        "list_cameras",
        "test_scan",
        "quit",
        "dismiss",
    ]
}
