//! Reads the root `tauri.conf.json` and the capability files, and generates the ACL that
//! decides which command each webview may call.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMAND_NAMES));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; the message is what cargo shows.
        panic!("tauri-build: {error:#}");
    }
}

// `COMMAND_NAMES`: the one list of the app's commands (its file says who else reads it).
include!("src/command_names.rs");
