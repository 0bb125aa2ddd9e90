//! Self-updates (docs/updates.md), the shell's side: tauri-plugin-updater checks the endpoint
//! and downloads in the background (it checks the minisign signature against the public key
//! built in from `tauri.conf.json`); the kiosk core decides when to install
//! (`update_gate`, through `KioskHandle::hold_when_quiet`) and remembers what happened across
//! restarts (`update_record`). This module only translates between them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use badgein_kiosk_core::config::{KioskConfig, Updates};
use badgein_kiosk_core::driver::update_poll::{self, Next};
use badgein_kiosk_core::driver::{Hold, KioskHandle};
use badgein_kiosk_core::machine::Screen;
use badgein_kiosk_core::update_gate;
use badgein_kiosk_core::update_record::{self, AtStart, UpdateRecord};
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::{Updater, UpdaterBuilder, UpdaterExt};

/// The plugin, registered with the app; it reads `plugins.updater` of `tauri.conf.json`.
pub fn plugin<R: Runtime>() -> TauriPlugin<R, tauri_plugin_updater::Config> {
    tauri_plugin_updater::Builder::new().build()
}

/// The update record file and what is in it, shared by the start-up check, the scan-screen
/// watch and the update loop.
#[derive(Debug, Clone)]
pub struct Record {
    path: PathBuf,
    record: Arc<Mutex<UpdateRecord>>,
}

impl Record {
    /// Reads the record at start and reports a failed update (to the log: the portal has no
    /// kiosk-status channel yet). Call first in setup, so a start that crashes later still
    /// leaves its mark.
    pub fn at_start<R: Runtime>(app: &AppHandle<R>) -> anyhow::Result<Self> {
        let config_dir = app.path().config_dir().context("no config directory")?;
        let running = app.package_info().version.to_string();
        Ok(Self::open(update_record::path_in(&config_dir), &running))
    }

    fn open(path: PathBuf, running: &str) -> Self {
        let mut record = update_record::load(&path).unwrap_or_else(|error| {
            tracing::warn!(%error, "update record unusable; starting a new one");
            UpdateRecord::default()
        });
        let before = record.clone();
        match record.at_start(running) {
            AtStart::Normal => {}
            AtStart::FirstStartOf { version } => {
                tracing::info!(%version, "first start after an update");
            }
            AtStart::Failed { version, from, why } => {
                tracing::error!(
                    event = "update_failed",
                    %version,
                    %from,
                    why = why.as_str(),
                    "update_failed: this version will not be installed again"
                );
            }
        }
        let changed = record != before;
        let this = Self {
            path,
            record: Arc::new(Mutex::new(record)),
        };
        if changed {
            this.save();
        }
        this
    }

    fn with<T>(&self, f: impl FnOnce(&mut UpdateRecord) -> T) -> T {
        let mut record = self
            .record
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut record)
    }

    fn save(&self) -> bool {
        let record = self.with(|r| r.clone());
        match update_record::save(&self.path, &record) {
            Ok(()) => true,
            Err(error) => {
                tracing::error!(%error, "update record not saved");
                false
            }
        }
    }

    /// Clears the marker once the kiosk shows the scan screen (or camera trouble: the app is
    /// up, the camera is another matter).
    pub fn watch_for_scan_screen(&self, core: &KioskHandle) {
        let record = self.clone();
        let mut views = core.views();
        tauri::async_runtime::spawn(async move {
            loop {
                let up = matches!(
                    views.borrow_and_update().screen,
                    Screen::Scanning { .. } | Screen::CameraTrouble { .. }
                );
                if up {
                    if record.with(UpdateRecord::reached_scan_screen) {
                        tracing::info!("the update reached the scan screen");
                        record.save();
                    }
                    return;
                }
                if views.changed().await.is_err() {
                    return;
                }
            }
        });
    }
}

/// What one round of checking came to.
#[derive(Debug)]
pub enum Outcome {
    /// Nothing newer (or only versions that failed here before).
    NoUpdate,
    /// The endpoint could not be asked, or its answer was not a release.
    CheckFailed { error: tauri_plugin_updater::Error },
    /// The download failed or its signature did not verify: nothing installed.
    Refused {
        version: String,
        error: tauri_plugin_updater::Error,
    },
    /// The install marker could not be saved: not installed (a failure would go unnoticed).
    Unmarked { version: String },
    /// Installed: the app must restart now, the kiosk still held.
    Installed { version: String, hold: Hold },
    /// The install failed; that version is refused from now on.
    InstallFailed {
        version: String,
        error: tauri_plugin_updater::Error,
    },
    /// The kiosk stopped while waiting for a quiet moment.
    Stopped,
}

/// Starts checking for updates in the background, unless the config or the build says not to.
pub fn start<R: Runtime>(
    app: &AppHandle<R>,
    core: KioskHandle,
    config: &KioskConfig,
    record: Record,
) {
    record.watch_for_scan_screen(&core);
    if !self_updatable(app) {
        tracing::info!(
            "updates are off: not running as an AppImage (a .deb follows IT's package management)"
        );
        return;
    }
    let built = updater_builder(app, config, record.clone())
        .and_then(|b| b.map(|b| b.build().context("the updater")).transpose());
    let updater = match built {
        Ok(Some(updater)) => Arc::new(updater),
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(error = %format!("{error:#}"), "updates are off");
            return;
        }
    };
    let app = app.clone();
    let _runtime = tauri::async_runtime::handle().inner().enter();
    update_poll::spawn(
        core.clone(),
        update_poll::FIRST,
        update_poll::EVERY,
        move || {
            let (app, updater, core, record) =
                (app.clone(), updater.clone(), core.clone(), record.clone());
            async move {
                let outcome = check_and_install(&updater, &core, &record, update_gate::QUIET).await;
                report(&outcome);
                match outcome {
                    Outcome::Installed { .. } => app.restart(),
                    Outcome::Stopped => Next::Stop,
                    _ => Next::Continue,
                }
            }
        },
    );
}

fn report(outcome: &Outcome) {
    match outcome {
        Outcome::NoUpdate => tracing::debug!("no update"),
        Outcome::CheckFailed { error } => tracing::info!(%error, "no update check this time"),
        Outcome::Refused { version, error } => {
            tracing::warn!(%version, %error, "update refused");
        }
        Outcome::Unmarked { version } => {
            tracing::error!(%version, "update not installed: its marker could not be saved");
        }
        Outcome::Installed { version, .. } => {
            tracing::info!(%version, "update installed; restarting");
        }
        Outcome::InstallFailed { version, error } => tracing::error!(
            event = "update_failed",
            %version,
            %error,
            "update_failed: the install did not work; this version will not be tried again"
        ),
        Outcome::Stopped => {}
    }
}

/// The updater for this kiosk: `None` (logged) when updates are off.
fn updater_builder<R: Runtime>(
    app: &AppHandle<R>,
    config: &KioskConfig,
    record: Record,
) -> anyhow::Result<Option<UpdaterBuilder>> {
    if config.updates == Updates::Off {
        tracing::info!("updates are off (\"updates\": \"off\" in the config)");
        return Ok(None);
    }
    if !release_key_built_in(app) {
        tracing::info!("updates are off: no release key in this build (docs/updates.md)");
        return Ok(None);
    }
    let mut builder = app
        .updater_builder()
        .version_comparator(move |current, release| {
            release.version > current
                && !record.with(|r| r.is_refused(&release.version.to_string()))
        });
    if let Some(endpoint) = config.update_endpoint().context("update_endpoint")? {
        builder = builder
            .endpoints(vec![endpoint])
            .context("update_endpoint")?;
    }
    Ok(Some(builder))
}

/// Whether this install can replace itself. On Linux only an AppImage can: the plugin would
/// install a `.deb` through the package manager (which the kiosk's user may not run) and would
/// overwrite a bare binary with an AppImage.
fn self_updatable<R: Runtime>(app: &AppHandle<R>) -> bool {
    #[cfg(target_os = "linux")]
    {
        app.env().appimage.is_some()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = app;
        true
    }
}

/// Whether `tauri.conf.json` holds a public key (empty until the project has its release key).
fn release_key_built_in<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.config()
        .plugins
        .0
        .get("updater")
        .and_then(|updater| updater.get("pubkey"))
        .and_then(|key| key.as_str())
        .is_some_and(|key| !key.trim().is_empty())
}

/// One round: check, download (the plugin verifies the signature), wait for a quiet moment
/// with the kiosk held still, mark, install. The caller restarts after `Installed`.
pub async fn check_and_install(
    updater: &Updater,
    core: &KioskHandle,
    record: &Record,
    quiet: Duration,
) -> Outcome {
    let update = match updater.check().await {
        Ok(Some(update)) => update,
        Ok(None) => return Outcome::NoUpdate,
        Err(error) => return Outcome::CheckFailed { error },
    };
    let version = update.version.clone();
    let bytes = match update.download(|_, _| {}, || {}).await {
        Ok(bytes) => bytes,
        Err(error) => {
            return Outcome::Refused { version, error };
        }
    };
    let Some(hold) = core.hold_when_quiet(quiet).await else {
        return Outcome::Stopped;
    };
    record.with(|r| r.installing(&version, &update.current_version));
    if !record.save() {
        drop(hold);
        record.with(|r| r.pending = None);
        return Outcome::Unmarked { version };
    }
    match update.install(bytes) {
        Ok(()) => Outcome::Installed { version, hold },
        Err(error) => {
            record.with(UpdateRecord::install_failed);
            record.save();
            drop(hold);
            Outcome::InstallFailed { version, error }
        }
    }
}

#[cfg(test)]
mod tests;
