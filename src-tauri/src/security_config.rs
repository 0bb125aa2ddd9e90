//! X6 and K6, checked on the files the app is built from and on the capabilities tauri-build
//! resolved: the portal webview has no capability, the kiosk UI's CSP has no unsafe-eval,
//! devtools are off in release, no shell/opener/http/fs plugin, and the kiosk window is full
//! screen without decorations.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::kiosk_window::MAIN;
use crate::portal_view::PORTAL;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn config() -> Value {
    json(&root().join("tauri.conf.json"))
}

/// The capabilities as tauri-build resolved them for this build (what the app embeds).
fn built_capabilities() -> Vec<Value> {
    let built = json(&Path::new(env!("OUT_DIR")).join("capabilities.json"));
    built.as_object().unwrap().values().cloned().collect()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn permission_names(capability: &Value) -> Vec<String> {
    let permissions = capability["permissions"].as_array().unwrap();
    permissions
        .iter()
        .map(|p| match p {
            Value::String(name) => name.clone(),
            other => other["identifier"].as_str().unwrap().to_owned(),
        })
        .collect()
}

#[test]
fn capabilities_are_built_and_name_only_the_kiosk_window() {
    let capabilities = built_capabilities();
    assert!(!capabilities.is_empty(), "no capability was built");
    for capability in &capabilities {
        let targets: Vec<String> = strings(&capability["windows"])
            .into_iter()
            .chain(strings(&capability["webviews"]))
            .collect();
        assert!(
            !targets.is_empty(),
            "a capability for no window: {capability}"
        );
        for target in targets {
            assert_eq!(
                target, MAIN,
                "capability {} reaches {target}",
                capability["identifier"]
            );
            assert_ne!(target, PORTAL);
        }
        // Remote pages (the portal, any app) get no IPC at all.
        assert!(
            capability.get("remote").is_none_or(Value::is_null),
            "capability {} opens IPC to remote URLs",
            capability["identifier"]
        );
    }
}

#[test]
fn no_dangerous_plugin_is_permitted_or_linked() {
    for capability in built_capabilities() {
        for name in permission_names(&capability) {
            for plugin in ["shell:", "opener:", "http:", "fs:", "process:", "updater:"] {
                assert!(!name.starts_with(plugin), "permission {name} granted");
            }
            assert!(
                !name.starts_with("core:webview") && !name.starts_with("core:window"),
                "the UI may not create or move windows: {name}"
            );
        }
    }
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    for plugin in [
        "tauri-plugin-shell",
        "tauri-plugin-opener",
        "tauri-plugin-http",
        "tauri-plugin-fs",
    ] {
        assert!(!manifest.contains(plugin), "{plugin} is a dependency");
    }
    // The one plugin configured is the updater (docs/updates.md), driven from Rust alone:
    // https endpoints, real certificates, no downgrades, the signed version required.
    let plugins = config()["plugins"].as_object().cloned().unwrap_or_default();
    assert!(
        plugins.keys().all(|name| name == "updater"),
        "plugins configured: {plugins:?}"
    );
    if let Some(updater) = plugins.get("updater") {
        for flag in [
            "dangerousInsecureTransportProtocol",
            "dangerousAcceptInvalidCerts",
            "dangerousAcceptInvalidHostnames",
            "allowDowngrades",
        ] {
            assert_ne!(updater[flag], true, "updater {flag} is set");
        }
        assert_eq!(updater["requireSignedVersion"], true);
        for endpoint in strings(&updater["endpoints"]) {
            assert!(
                endpoint.starts_with("https://"),
                "updater endpoint {endpoint}"
            );
        }
    }
}

#[test]
fn csp_forbids_eval_and_inline_script() {
    let csp = &config()["app"]["security"]["csp"];
    let directives = csp.as_object().expect("a CSP is set, as directives");
    for (name, sources) in directives {
        let sources = sources.as_str().unwrap();
        assert!(!sources.contains("unsafe-eval"), "{name} allows eval");
        assert!(!sources.contains("wasm-unsafe-eval") || name != "script-src");
    }
    for name in ["default-src", "script-src"] {
        let sources = directives[name].as_str().unwrap();
        assert!(
            !sources.contains("unsafe-inline"),
            "{name} allows inline script"
        );
        assert!(
            !sources.contains('*') && !sources.contains("http"),
            "{name} loads remote script"
        );
    }
    assert_eq!(directives["object-src"], "'none'");
    let security = &config()["app"]["security"];
    assert_ne!(security["dangerousDisableAssetCspModification"], true);
    assert!(security.get("dangerousRemoteDomainIpcAccess").is_none());
}

#[test]
fn devtools_are_off_in_release() {
    // Tauri opens the inspector in debug builds only, unless its "devtools" feature is on.
    let manifest: String = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let tauri_line = manifest
        .lines()
        .find(|line| line.starts_with("tauri ="))
        .expect("tauri is a dependency");
    assert!(!tauri_line.contains("devtools"), "{tauri_line}");
    assert!(
        config()["build"].get("devUrl").is_none(),
        "the UI is always the embedded ui/"
    );
}

#[test]
fn the_kiosk_window_is_full_screen_and_undecorated() {
    let config = config();
    let windows = config["app"]["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 1, "only the kiosk window is declared");
    let main = &windows[0];
    assert_eq!(main["label"], MAIN);
    assert_eq!(main["fullscreen"], true);
    assert_eq!(main["decorations"], false);
    assert_eq!(main["closable"], false);
    assert_eq!(config["app"]["withGlobalTauri"], true);
}

#[test]
fn the_ui_is_granted_exactly_the_commands_of_the_ipc_contract() {
    let contract = std::fs::read_to_string(root().join("docs/kiosk-ipc.md")).unwrap();
    let declared = crate::command_names::COMMAND_NAMES;
    let main = built_capabilities()
        .into_iter()
        .find(|c| c["identifier"] == "kiosk-main")
        .unwrap();
    let mut granted: Vec<String> = permission_names(&main)
        .into_iter()
        .filter(|p| !p.starts_with("core:"))
        .collect();
    let mut expected: Vec<String> = declared
        .iter()
        .map(|command| format!("allow-{}", command.replace('_', "-")))
        .collect();
    granted.sort();
    expected.sort();
    assert_eq!(granted, expected);
    for command in declared {
        assert!(
            contract.contains(&format!("`{command}`")),
            "{command} is not in docs/kiosk-ipc.md"
        );
    }
}

/// Every command the invoke handler registers is in the list `build.rs` gives tauri-build (so
/// it has an `allow-<name>` permission) and granted to the kiosk window by the capability, and
/// nothing else is: a command added in one place only fails here, not as a refused call in the
/// running app.
#[test]
fn every_command_is_registered_permitted_and_granted() {
    let cfg = ts_rs::Config::new();
    let registered: Vec<&str> = crate::commands::declared(&cfg)
        .into_iter()
        .map(|(name, _, _)| name)
        .collect();
    assert_eq!(
        registered,
        crate::command_names::COMMAND_NAMES,
        "the invoke handler's commands and build.rs's list"
    );
    let main = json(&root().join("src-tauri/capabilities/main.json"));
    let granted: Vec<String> = permission_names(&main)
        .into_iter()
        .filter_map(|p| p.strip_prefix("allow-").map(str::to_owned))
        .collect();
    let permitted: Vec<String> = crate::command_names::COMMAND_NAMES
        .iter()
        .map(|name| name.replace('_', "-"))
        .collect();
    assert_eq!(
        granted, permitted,
        "the capability's grants and the commands"
    );
}
