//! The commands of docs/kiosk-ipc.md. Each is a few lines: translate, call the kiosk, answer.
//! Outcomes arrive as the `view` event; nothing secret is returned.
//!
//! A command's arguments are one struct (`Args<T>`: the keys of the object the window passes
//! to `invoke`), and the list at the end names each command with its arguments and answer: the
//! invoke handler and the `Commands` type of ui/types/ipc.d.ts both come from that list, so the
//! window's type check follows these types (src-tauri/src/ipc_types.rs).

use std::sync::Arc;

use badgein_kiosk_core::machine::{Code, Event, Language, Screen, SetupEvent, UserAction, View};
use badgein_proto::PasswordSignIn;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tauri::ipc::{Channel, CommandArg, CommandItem, InvokeBody, InvokeError, InvokeResponseBody};
use tauri::{AppHandle, Runtime, State};

use badgein_kiosk_core::setup::SetupChange;

use crate::kiosk::{Kiosk, SetupInfo};

type Shell<'a> = State<'a, Arc<Kiosk>>;

/// Setup's commands act only while the setup screen shows and a teacher PIN is set. Only the
/// kiosk's own window can call them, but what opens that screen is the teacher PIN, and the
/// shell holds to that as well as the window.
fn in_setup(kiosk: &Kiosk, command: &str) -> Result<(), ()> {
    on_screen(kiosk, command, |s| {
        matches!(s, Screen::Setup { .. }) && kiosk.pin_set()
    })
}

fn on_screen(kiosk: &Kiosk, command: &str, ok: impl Fn(&Screen) -> bool) -> Result<(), ()> {
    if ok(&kiosk.view().screen) {
        Ok(())
    } else {
        tracing::warn!(command, "a command for another screen: refused");
        Err(())
    }
}

/// A command's failure as the UI sees it: a `Code` it has a picture and a sentence for.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CommandError {
    pub code: Code,
    pub message: String,
}

/// A camera the teacher can choose.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CameraEntry {
    index: u32,
    name: String,
}

/// A command's arguments as one struct: the whole object passed to `invoke` (its keys are the
/// struct's fields), instead of one Rust parameter per key. The same struct is what
/// ui/types/ipc.d.ts declares, so the two cannot drift.
pub struct Args<T>(T);

impl<'de, R: Runtime, T: DeserializeOwned> CommandArg<'de, R> for Args<T> {
    fn from_command(command: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        match command.message.payload() {
            InvokeBody::Json(value) => T::deserialize(value)
                .map(Args)
                .map_err(|e| tauri::Error::InvalidArgs(command.name, command.key, e).into()),
            InvokeBody::Raw(_) => Err(InvokeError::from(format!(
                "command {} takes a JSON object",
                command.name
            ))),
        }
    }
}

// The arguments of each command that takes some. No `Debug`: PINs and passwords pass here.
// An optional field may be `null` or left out (`?` in the declaration).

#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SetLanguage {
    language: Language,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PreviewReady {
    /// The `id` of the preview `Channel` whose frame was drawn.
    channel_id: u32,
}

/// `preview`'s argument is a Tauri `Channel`, which Tauri reads itself (not through `Args`);
/// declared here for the window: the `Channel` object, of which the shell sees the `id`.
#[cfg(test)]
#[derive(ts_rs::TS)]
#[expect(dead_code, reason = "a declaration only")]
pub(crate) struct PreviewArgs {
    #[ts(type = "{ id: number }")]
    channel: (),
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SignInPassword {
    username: String,
    password: String,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Pin {
    pin: String,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ChoosePin {
    pin: String,
    again: String,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SaveSetup {
    portal_url: String,
    kiosk_name: String,
    #[cfg_attr(test, ts(optional = nullable))]
    camera_index: Option<u32>,
    idle_timeout_secs: u32,
    language: Language,
    sounds: bool,
    #[cfg_attr(test, ts(optional = nullable))]
    new_pin: Option<String>,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Enroll {
    portal_url: String,
    code: String,
    kiosk_name: String,
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_view(kiosk: Shell<'_>) -> View {
    kiosk.view()
}

#[tauri::command(rename_all = "snake_case")]
pub fn preview(kiosk: Shell<'_>, channel: Channel<InvokeResponseBody>) {
    kiosk.preview.attach(channel);
}

#[tauri::command(rename_all = "snake_case")]
pub fn preview_ready(kiosk: Shell<'_>, Args(a): Args<PreviewReady>) {
    kiosk.preview.ready(a.channel_id);
}

#[tauri::command(rename_all = "snake_case")]
pub fn set_language(kiosk: Shell<'_>, Args(a): Args<SetLanguage>) {
    kiosk.send(Event::User(UserAction::SetLanguage(a.language)));
}

#[tauri::command(rename_all = "snake_case")]
pub fn show_typed(kiosk: Shell<'_>) {
    kiosk.send(Event::User(UserAction::ShowTyped));
}

#[tauri::command(rename_all = "snake_case")]
pub fn cancel_typed(kiosk: Shell<'_>) {
    kiosk.send(Event::User(UserAction::CancelTyped));
}

#[tauri::command(rename_all = "snake_case")]
pub fn sign_in_password(kiosk: Shell<'_>, Args(a): Args<SignInPassword>) {
    let typed = PasswordSignIn {
        username: a.username,
        password: a.password,
    };
    kiosk.send(Event::User(UserAction::SubmitTyped(typed)));
}

#[tauri::command(rename_all = "snake_case")]
pub fn sign_out(kiosk: Shell<'_>) {
    kiosk.send(Event::User(UserAction::SignOut));
}

#[tauri::command(rename_all = "snake_case")]
pub fn still_here(kiosk: Shell<'_>) {
    kiosk.send(Event::User(UserAction::StillHere));
}

#[tauri::command(rename_all = "snake_case")]
pub fn dismiss(kiosk: Shell<'_>) {
    kiosk.send(Event::User(UserAction::Dismiss));
}

#[tauri::command(rename_all = "snake_case")]
pub async fn open_teacher(kiosk: Shell<'_>) -> Result<(), ()> {
    // Async: reading the PIN wait may wait for a PIN check, never on the main thread.
    kiosk.open_teacher();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub fn leave_setup(kiosk: Shell<'_>) {
    kiosk.send(Event::User(UserAction::LeaveSetup));
}

#[tauri::command(rename_all = "snake_case")]
pub async fn teacher_unlock(kiosk: Shell<'_>, Args(a): Args<Pin>) -> Result<(), ()> {
    // Checked only while the pad shows, as the window would: no stray call probes PINs.
    on_screen(&kiosk, "teacher_unlock", |s| {
        matches!(s, Screen::TeacherPin { .. })
    })?;
    let answer = kiosk.check_pin(a.pin).await;
    kiosk.send(Event::Setup(SetupEvent::PinChecked(answer)));
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn choose_pin(kiosk: Shell<'_>, Args(a): Args<ChoosePin>) -> Result<(), ()> {
    on_screen(&kiosk, "choose_pin", |s| {
        matches!(s, Screen::ChoosePin { .. })
    })?;
    // The outcome arrives as the view: `setup` once chosen, else `choose_pin.message`.
    kiosk.choose_pin(a.pin, a.again).await;
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_setup(kiosk: Shell<'_>) -> SetupInfo {
    kiosk.setup_info()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn save_setup(kiosk: Shell<'_>, Args(a): Args<SaveSetup>) -> Result<(), ()> {
    in_setup(&kiosk, "save_setup")?;
    let change = SetupChange {
        portal_url: a.portal_url,
        kiosk_name: a.kiosk_name,
        camera_index: a.camera_index,
        idle_timeout_secs: a.idle_timeout_secs,
        language: a.language,
        sounds: a.sounds,
        new_pin: a.new_pin,
    };
    kiosk.save_setup(change).await;
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn enroll(kiosk: Shell<'_>, Args(a): Args<Enroll>) -> Result<(), ()> {
    in_setup(&kiosk, "enroll")?;
    // The outcome arrives as `setup.message`.
    kiosk.enroll(&a.portal_url, &a.code, &a.kiosk_name).await;
    Ok(())
}

/// `setup_switch`'s answers act only while it shows, behind the teacher PIN.
fn on_setup_switch(kiosk: &Kiosk, command: &str) -> Result<(), ()> {
    on_screen(kiosk, command, |s| {
        matches!(s, Screen::SetupSwitch { .. }) && kiosk.pin_set()
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn confirm_setup_switch(kiosk: Shell<'_>) -> Result<(), ()> {
    on_setup_switch(&kiosk, "confirm_setup_switch")?;
    // The outcome arrives as `setup.message` (setup_qr_found, then enrolled or a failure).
    kiosk.send(Event::User(UserAction::ConfirmSetupSwitch));
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub fn cancel_setup_switch(kiosk: Shell<'_>) -> Result<(), ()> {
    on_setup_switch(&kiosk, "cancel_setup_switch")?;
    kiosk.send(Event::User(UserAction::CancelSetupSwitch));
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_cameras() -> Vec<CameraEntry> {
    let listed = tauri::async_runtime::spawn_blocking(badgein_camera::list).await;
    match listed {
        Ok(Ok(cameras)) => cameras
            .into_iter()
            .map(|c| CameraEntry {
                index: c.index,
                name: c.name,
            })
            .collect(),
        _ => vec![],
    }
}

#[tauri::command(rename_all = "snake_case")]
pub async fn test_scan(kiosk: Shell<'_>) -> Result<(), ()> {
    in_setup(&kiosk, "test_scan")?;
    kiosk.test_scan().await;
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn quit(
    app: AppHandle,
    kiosk: Shell<'_>,
    Args(a): Args<Pin>,
) -> Result<(), CommandError> {
    if kiosk.quit_allowed(a.pin).await {
        tracing::info!("quit with the teacher PIN");
        app.exit(0);
        return Ok(());
    }
    Err(CommandError {
        code: Code::PinWrong,
        message: "the teacher PIN is needed to quit".into(),
    })
}

/// Every command of docs/kiosk-ipc.md: `name: arguments => answer`. `()` arguments: none;
/// a `Result`'s error is the rejection (`CommandError` for `quit`, `null` for the rest, which
/// the window does not read). Each line must match its function's signature: the arguments are
/// the `Args<T>` it takes, the answer what it returns (or the `Ok` of its `Result`).
macro_rules! ipc_commands {
    ($($name:ident: $args:ty => $answer:ty,)*) => {
        /// Tauri's invoke handler for every command of the list.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// Each command with the TypeScript of its arguments and its answer.
        #[cfg(test)]
        pub fn declared(cfg: &ts_rs::Config) -> Vec<(&'static str, String, String)> {
            vec![$((
                stringify!($name),
                <$args as ts_rs::TS>::name(cfg),
                <$answer as ts_rs::TS>::name(cfg),
            )),*]
        }
    };
}

ipc_commands! {
    get_view: () => View,
    preview: PreviewArgs => (),
    preview_ready: PreviewReady => (),
    set_language: SetLanguage => (),
    show_typed: () => (),
    cancel_typed: () => (),
    sign_in_password: SignInPassword => (),
    sign_out: () => (),
    still_here: () => (),
    open_teacher: () => (),
    teacher_unlock: Pin => (),
    choose_pin: ChoosePin => (),
    leave_setup: () => (),
    get_setup: () => SetupInfo,
    save_setup: SaveSetup => (),
    enroll: Enroll => (),
    confirm_setup_switch: () => (),
    cancel_setup_switch: () => (),
    list_cameras: () => Vec<CameraEntry>,
    test_scan: () => (),
    quit: Pin => (),
    dismiss: () => (),
}
