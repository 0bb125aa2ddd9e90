//! The commands of docs/kiosk-ipc.md. Each is a few lines: translate, call the kiosk, answer.
//! Outcomes arrive as the `view` event; nothing secret is returned.

use std::sync::Arc;

use badgein_kiosk_core::machine::{Event, Language, Screen, SetupEvent, UserAction, View};
use badgein_proto::PasswordSignIn;
use serde::Serialize;
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::{AppHandle, State};

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
pub struct CommandError {
    pub code: &'static str,
    pub message: String,
}

/// A camera the teacher can choose.
#[derive(Debug, Serialize)]
pub struct CameraEntry {
    index: u32,
    name: String,
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
pub fn preview_ready(kiosk: Shell<'_>, channel_id: u32) {
    kiosk.preview.ready(channel_id);
}

#[tauri::command(rename_all = "snake_case")]
pub fn set_language(kiosk: Shell<'_>, language: Language) {
    kiosk.send(Event::User(UserAction::SetLanguage(language)));
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
pub fn sign_in_password(kiosk: Shell<'_>, username: String, password: String) {
    let typed = PasswordSignIn { username, password };
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
pub async fn teacher_unlock(kiosk: Shell<'_>, pin: String) -> Result<(), ()> {
    // Checked only while the pad shows, as the window would: no stray call probes PINs.
    on_screen(&kiosk, "teacher_unlock", |s| {
        matches!(s, Screen::TeacherPin { .. })
    })?;
    let answer = kiosk.check_pin(pin).await;
    kiosk.send(Event::Setup(SetupEvent::PinChecked(answer)));
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn choose_pin(kiosk: Shell<'_>, pin: String, again: String) -> Result<(), ()> {
    on_screen(&kiosk, "choose_pin", |s| {
        matches!(s, Screen::ChoosePin { .. })
    })?;
    // The outcome arrives as the view: `setup` once chosen, else `choose_pin.message`.
    kiosk.choose_pin(pin, again).await;
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_setup(kiosk: Shell<'_>) -> SetupInfo {
    kiosk.setup_info()
}

#[tauri::command(rename_all = "snake_case")]
#[expect(
    clippy::too_many_arguments,
    reason = "the contract passes save_setup's fields as top-level keys"
)]
pub async fn save_setup(
    kiosk: Shell<'_>,
    portal_url: String,
    kiosk_name: String,
    camera_index: Option<u32>,
    idle_timeout_secs: u32,
    language: Language,
    sounds: bool,
    new_pin: Option<String>,
) -> Result<(), ()> {
    in_setup(&kiosk, "save_setup")?;
    let change = SetupChange {
        portal_url,
        kiosk_name,
        camera_index,
        idle_timeout_secs,
        language,
        sounds,
        new_pin,
    };
    kiosk.save_setup(change).await;
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn enroll(
    kiosk: Shell<'_>,
    portal_url: String,
    code: String,
    kiosk_name: String,
) -> Result<(), ()> {
    in_setup(&kiosk, "enroll")?;
    // The outcome arrives as `setup.message`.
    kiosk.enroll(&portal_url, &code, &kiosk_name).await;
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
pub async fn quit(app: AppHandle, kiosk: Shell<'_>, pin: String) -> Result<(), CommandError> {
    if kiosk.quit_allowed(pin).await {
        tracing::info!("quit with the teacher PIN");
        app.exit(0);
        return Ok(());
    }
    Err(CommandError {
        code: "pin_wrong",
        message: "the teacher PIN is needed to quit".into(),
    })
}
