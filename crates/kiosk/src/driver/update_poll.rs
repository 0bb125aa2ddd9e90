//! Asks for updates now and then (the shell does the asking, with Tauri's updater): a while
//! after start, then every few hours, give or take, and only while the kiosk is scanning, so a
//! download never starts in front of a child. Installing waits for a quiet moment on its own
//! ([`super::KioskHandle::hold_when_quiet`]).

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::KioskHandle;
use super::settings_poll::jittered;
use crate::machine::Screen;

/// The first round, after the kiosk has settled.
pub const FIRST: Duration = Duration::from_secs(120);
/// Then this often, give or take a tenth.
pub const EVERY: Duration = Duration::from_secs(6 * 3600);

/// Whether the poll goes on after a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Continue,
    Stop,
}

/// Starts the poll on the current tokio runtime: `round` runs `first` after start, then about
/// every `every`, each time the kiosk is scanning (otherwise it is tried again after `first`).
/// It ends when the kiosk stops or a round says [`Next::Stop`].
pub fn spawn<F, Fut>(
    handle: KioskHandle,
    first: Duration,
    every: Duration,
    mut round: F,
) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = Next> + Send,
{
    tokio::spawn(async move {
        let mut wait = first;
        loop {
            tokio::time::sleep(wait).await;
            if handle.is_stopped() {
                return;
            }
            if !matches!(handle.view().screen, Screen::Scanning { .. }) {
                wait = first;
                continue;
            }
            if round().await == Next::Stop {
                return;
            }
            wait = jittered(every);
        }
    })
}
