//! What the shell drives. Until the kiosk core (`badgein-kiosk-core`) is wired in, this holds
//! the scanning view and follows the camera's hints; sign-in is not reachable yet.

use std::sync::{Arc, Mutex};

use badgein_scanner::live::LiveEvent;
use serde_json::{Value, json};
use tauri::{AppHandle, Emitter, Runtime};

use crate::preview::Preview;
use crate::scan_loop::LoopEvent;

#[derive(Debug)]
pub struct Kiosk {
    pub preview: Arc<Preview>,
    view: Mutex<Value>,
}

impl Kiosk {
    pub fn new() -> Self {
        Self {
            preview: Arc::default(),
            view: Mutex::new(json!({
                "screen": "scanning", "language": "en", "hint": "show_badge", "typed_allowed": false
            })),
        }
    }

    pub fn view(&self) -> Value {
        self.view.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// No teacher PIN exists before the core's configuration does: quitting is refused.
    pub fn quit(&self, _pin: &str) -> Result<(), ()> {
        Err(())
    }

    /// Applies what the camera loop saw and emits the `view` event when it changed.
    pub fn on_camera<R: Runtime>(&self, app: &AppHandle<R>, event: LoopEvent) {
        let next = match event {
            LoopEvent::Live(LiveEvent::Nothing(hint)) => {
                json!({"screen": "scanning", "language": "en", "hint": hint, "typed_allowed": false})
            }
            LoopEvent::Live(LiveEvent::Badge(badge)) => {
                tracing::info!(badge = %badge.id(), "badge presented");
                return;
            }
            LoopEvent::Live(LiveEvent::NotABadge(_) | LiveEvent::Unchanged) => return,
            LoopEvent::CameraOk => {
                json!({"screen": "scanning", "language": "en", "hint": "show_badge", "typed_allowed": false})
            }
            LoopEvent::CameraTrouble(_) => {
                json!({"screen": "camera_trouble", "language": "en", "reason": "no_camera", "typed_allowed": false})
            }
        };
        let Ok(mut view) = self.view.lock() else {
            return;
        };
        if *view != next {
            view.clone_from(&next);
            drop(view);
            if let Err(error) = app.emit("view", next) {
                tracing::warn!(%error, "view not emitted");
            }
        }
    }
}
