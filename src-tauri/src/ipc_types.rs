//! `ui/types/ipc.d.ts`, the TypeScript declarations the window's JavaScript is checked against
//! (`tsc` in scripts/test-ui), generated from the Rust types that cross the IPC boundary: the
//! `View` and `Code` of the kiosk core and the commands' arguments and answers
//! (`commands::declared`). ts-rs reads their serde attributes, so the declarations say what the
//! JSON is. The test fails when the committed file differs from what these types give, so a
//! change on the Rust side without regenerating fails the build; `BADGEIN_WRITE_IPC_TYPES=1`
//! rewrites it:
//!
//! ```text
//! BADGEIN_WRITE_IPC_TYPES=1 cargo nextest run -p badgein-kiosk ipc_types
//! ```

use std::path::Path;

use badgein_kiosk_core::machine::{
    CameraReason, ClockTime, Code, Idle, Language, Screen, UserView, View,
};
use badgein_kiosk_core::managed::Locked;
use badgein_proto::ProblemCode;
use badgein_scanner::hints::Hint;
use ts_rs::{Config, TS};

use crate::commands::{
    self, CameraEntry, ChoosePin, CommandError, Enroll, Pin, PreviewArgs, PreviewReady, SaveSetup,
    SetLanguage, SignInPassword,
};
use crate::kiosk::{SetupInfo, VIEW_EVENT};

fn declaration<T: TS>(cfg: &Config) -> String {
    let docs = T::docs().unwrap_or_default();
    format!("{docs}export {}\n", T::decl(cfg))
}

/// The whole file, as the Rust types declare it today.
fn generated() -> String {
    // Numbers cross as JSON numbers (seconds, indexes: far below 2^53), not as BigInt.
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/src/ipc_types.rs: do not edit. Regenerate with\n\
         // `BADGEIN_WRITE_IPC_TYPES=1 cargo nextest run -p badgein-kiosk ipc_types`.\n\
         // docs/kiosk-ipc.md says what each means.\n\n",
    );
    for decl in [
        declaration::<View>(&cfg),
        declaration::<Screen>(&cfg),
        declaration::<Language>(&cfg),
        declaration::<UserView>(&cfg),
        declaration::<Idle>(&cfg),
        declaration::<ClockTime>(&cfg),
        declaration::<Hint>(&cfg),
        declaration::<CameraReason>(&cfg),
        declaration::<Code>(&cfg),
        declaration::<ProblemCode>(&cfg),
        declaration::<CommandError>(&cfg),
        declaration::<SetupInfo>(&cfg),
        declaration::<Locked>(&cfg),
        declaration::<CameraEntry>(&cfg),
        declaration::<PreviewArgs>(&cfg),
        declaration::<PreviewReady>(&cfg),
        declaration::<SetLanguage>(&cfg),
        declaration::<SignInPassword>(&cfg),
        declaration::<Pin>(&cfg),
        declaration::<ChoosePin>(&cfg),
        declaration::<SaveSetup>(&cfg),
        declaration::<Enroll>(&cfg),
    ] {
        out.push_str(&decl);
        out.push('\n');
    }
    out.push_str(
        "/** Every command: the object `invoke` takes (`null`: none) and what it answers. */\n\
         export type Commands = {\n",
    );
    for (name, args, answer) in commands::declared(&cfg) {
        out.push_str(&format!(
            "  {name}: {{ args: {args}, answer: {answer} }},\n"
        ));
    }
    out.push_str("};\n\n/** Every event Rust emits to the window, with its payload. */\nexport type Events = {\n");
    out.push_str(&format!("  {VIEW_EVENT}: {},\n", View::name(&cfg)));
    out.push_str("};\n");
    out
}

#[test]
fn ipc_types_d_ts_is_what_the_rust_types_generate() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/types/ipc.d.ts");
    let want = generated();
    if std::env::var_os("BADGEIN_WRITE_IPC_TYPES").is_some() {
        std::fs::write(&path, &want).expect("writing ui/types/ipc.d.ts");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have == want {
        return;
    }
    let (line, (had, wanted)) = have
        .lines()
        .chain(std::iter::repeat(""))
        .zip(want.lines().chain(std::iter::repeat("")))
        .take(have.lines().count().max(want.lines().count()))
        .enumerate()
        .find(|(_, (h, w))| h != w)
        .unwrap_or((0, ("", "")));
    panic!(
        "ui/types/ipc.d.ts is not what the Rust IPC types generate: regenerate it with \
         `BADGEIN_WRITE_IPC_TYPES=1 cargo nextest run -p badgein-kiosk ipc_types`, then fix what \
         `tsc -p ui` (scripts/test-ui) finds in ui/js.\nfirst difference, line {}:\n  \
         committed: {had}\n  generated: {wanted}",
        line + 1
    );
}
