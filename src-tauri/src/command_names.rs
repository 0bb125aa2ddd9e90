/// The commands of docs/kiosk-ipc.md by name: tauri-build makes an `allow-<name>` permission
/// for each (`build.rs` includes this file), `commands::ipc_commands!` registers a handler for
/// each, and `capabilities/main.json` grants each to the kiosk window. A test checks the three
/// agree, so a command added in one place and not the others fails there, not at run time.
pub const COMMAND_NAMES: &[&str] = &[
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
];
