//! The commands of docs/kiosk-ipc.md. Each is a few lines: translate, call the kiosk, answer.

use std::sync::Arc;

use serde::Serialize;
use tauri::State;
use tauri::ipc::{Channel, InvokeResponseBody};

use crate::kiosk::Kiosk;

/// A command's failure as the UI sees it: a `Code` it has a picture and a sentence for.
#[derive(Debug, Serialize)]
pub struct CommandError {
    pub code: &'static str,
    pub message: String,
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_view(kiosk: State<'_, Arc<Kiosk>>) -> serde_json::Value {
    kiosk.view()
}

#[tauri::command(rename_all = "snake_case")]
pub fn preview(kiosk: State<'_, Arc<Kiosk>>, channel: Channel<InvokeResponseBody>) {
    kiosk.preview.attach(channel);
}

#[tauri::command(rename_all = "snake_case")]
pub fn preview_ready(kiosk: State<'_, Arc<Kiosk>>) {
    kiosk.preview.ready();
}

#[tauri::command(rename_all = "snake_case")]
pub fn quit(kiosk: State<'_, Arc<Kiosk>>, pin: String) -> Result<(), CommandError> {
    kiosk.quit(&pin).map_err(|()| CommandError {
        code: "pin_wrong",
        message: "the teacher PIN is needed to quit".into(),
    })
}
