//! The running kiosk as the shell holds it: the core's driver and handle, the config file, the
//! secret store and the preview. Commands (commands.rs) call these methods; the decisions are
//! the core's (`badgein-kiosk-core`).

use std::path::PathBuf;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Context as _;
use badgein_frame::frame::Frame;
use badgein_kiosk_core::config::{self, KioskConfig};
use badgein_kiosk_core::driver::{self, Driver, KioskHandle};
use badgein_kiosk_core::machine::{self, Code, Event, Language, SetupEvent};
use badgein_kiosk_core::portal_client::PortalClient;
use badgein_kiosk_core::secrets::{KeyringStore, SecretStore};
use badgein_kiosk_core::{enroll, pin, portal_url};
use badgein_proto::{KioskSettings, ProblemCode};
use badgein_scanner::{ScanOptions, scan};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::camera::Choice;
use crate::preview::Preview;
use crate::webview_port::{Scope, SharedScope, TauriWebview};

/// How long `test_scan` waits for the camera's next frame.
const TEST_SCAN_WAIT: Duration = Duration::from_secs(3);

pub struct Kiosk {
    pub preview: Arc<Preview>,
    handle: KioskHandle,
    config_path: PathBuf,
    config: Mutex<KioskConfig>,
    store: Arc<dyn SecretStore>,
    scope: SharedScope,
    /// A `test_scan` waiting for the next camera frame.
    frame_wanted: Arc<Mutex<Option<SyncSender<Frame>>>>,
    /// Stops the core when the app ends.
    _driver: Driver,
}

impl std::fmt::Debug for Kiosk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kiosk")
            .field("config_path", &self.config_path)
            .finish_non_exhaustive()
    }
}

/// `get_setup`'s answer: the config minus anything secret (the PIN is only `pin_set`).
#[derive(Debug, Serialize)]
pub struct SetupInfo {
    portal_url: String,
    kiosk_name: String,
    camera_index: Option<u32>,
    idle_timeout_secs: u32,
    language: Language,
    sounds: bool,
    pin_set: bool,
}

/// `save_setup`'s arguments.
#[derive(Debug, Deserialize)]
pub struct SetupChange {
    pub portal_url: String,
    pub kiosk_name: String,
    pub camera_index: Option<u32>,
    pub idle_timeout_secs: u32,
    pub language: Language,
    pub sounds: bool,
    pub new_pin: Option<String>,
}

impl Kiosk {
    /// Loads the config and the credential, starts the core, the `view` event and the camera.
    pub fn start<R: Runtime>(app: &AppHandle<R>, camera: Choice) -> anyhow::Result<Arc<Self>> {
        let config_dir = app.path().config_dir().context("no config directory")?;
        let config_path = config::path_in(&config_dir);
        let config = match config::load(&config_path) {
            Ok(found) => found.unwrap_or_default(),
            Err(error) => {
                tracing::warn!(%error, "config unusable; starting in setup");
                KioskConfig::default()
            }
        };
        let store: Arc<dyn SecretStore> = Arc::new(KeyringStore::default());
        let credential = store.load().unwrap_or_else(|error| {
            tracing::warn!(%error, "the secret store could not be read");
            None
        });
        let client = match (&config.portal_url, credential) {
            (Some(url), Some(credential)) => PortalClient::new(url, Some(credential))
                .inspect_err(|error| tracing::warn!(%error, "the saved portal address is unusable"))
                .ok(),
            _ => None,
        };
        let enrolled = client.is_some();
        let scope = Arc::new(Mutex::new(scope_of(&config)));
        let machine = machine::Kiosk::new(config.settings(), config.language, client.is_some());
        let webview = TauriWebview {
            app: app.clone(),
            scope: scope.clone(),
        };
        // The driver spawns onto the current tokio runtime: Tauri's.
        let driver = {
            let _runtime = tauri::async_runtime::handle().inner().enter();
            Driver::spawn(machine, client, webview, driver::TICK)
        };
        let kiosk = Arc::new(Self {
            preview: Arc::new(Preview::start().context("starting the preview encoder")?),
            handle: driver.handle(),
            config_path,
            config: Mutex::new(config),
            store,
            scope,
            frame_wanted: Arc::default(),
            _driver: driver,
        });
        kiosk.emit_views(app.clone());
        kiosk.poll_settings();
        kiosk.start_camera(camera)?;
        if !enrolled {
            kiosk.enroll_unattended();
        }
        Ok(kiosk)
    }

    fn emit_views<R: Runtime>(&self, app: AppHandle<R>) {
        let mut views = self.handle.views();
        tauri::async_runtime::spawn(async move {
            loop {
                let view = views.borrow_and_update().clone();
                if let Err(error) = app.emit("view", view) {
                    tracing::warn!(%error, "view not emitted");
                }
                if views.changed().await.is_err() {
                    return;
                }
            }
        });
    }

    /// Asks the portal for the school's settings while scanning (and learns of a revocation).
    fn poll_settings(self: &Arc<Self>) {
        let kiosk = Arc::downgrade(self);
        let _runtime = tauri::async_runtime::handle().inner().enter();
        driver::settings_poll::spawn(
            self.handle.clone(),
            driver::settings_poll::EVERY,
            move |settings| {
                if let Some(kiosk) = kiosk.upgrade() {
                    kiosk.apply_polled_settings(&settings);
                }
            },
        );
    }

    /// The school's settings as the portal gives them now. The language stays the teacher's
    /// choice; the school's first language is only the default at enrollment.
    fn apply_polled_settings(&self, settings: &KioskSettings) {
        let mut config = self.config().clone();
        let language = config.language;
        config.apply_school_settings(settings);
        config.language = language;
        if config == *self.config() {
            return;
        }
        tracing::info!("the school's kiosk settings changed");
        self.save(&config);
        self.send(Event::Setup(SetupEvent::Settings(config.settings())));
        *self.config() = config;
    }

    fn start_camera(&self, camera: Choice) -> std::io::Result<()> {
        let preview = self.preview.clone();
        let wanted = self.frame_wanted.clone();
        let tap = move |frame: &Frame| {
            preview.offer(frame);
            if let Some(waiting) = wanted.lock().ok().and_then(|mut w| w.take()) {
                let _ = waiting.try_send(frame.clone());
            }
        };
        driver::camera::spawn(
            self.handle.clone(),
            Box::new(move || camera.open_paced()),
            Some(Box::new(tap)),
        )?;
        Ok(())
    }

    pub fn view(&self) -> machine::View {
        self.handle.view()
    }

    pub fn send(&self, event: Event) {
        if !self.handle.send(event) {
            tracing::warn!("the kiosk core has stopped");
        }
    }

    fn config(&self) -> MutexGuard<'_, KioskConfig> {
        // A poisoned lock only means a panic elsewhere mid-update; the config is plain data.
        self.config
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn save(&self, config: &KioskConfig) -> bool {
        if let Err(error) = config::save(&self.config_path, config) {
            tracing::error!(%error, "config not saved");
            return false;
        }
        if let Ok(mut scope) = self.scope.lock() {
            *scope = scope_of(config);
        }
        true
    }

    /// Whether `pin` is the teacher PIN; with none set yet, anything is (setup sets one).
    pub async fn pin_ok(&self, pin: String) -> bool {
        let Some(stored) = self.config().pin_hash.clone() else {
            return true;
        };
        tauri::async_runtime::spawn_blocking(move || pin::verify(&stored, &pin))
            .await
            .unwrap_or(false)
    }

    /// Quitting needs a PIN that was set: a kiosk with none cannot be quit from the window.
    pub async fn quit_allowed(&self, pin: String) -> bool {
        self.config().pin_hash.is_some() && self.pin_ok(pin).await
    }

    pub fn setup_info(&self) -> SetupInfo {
        let c = self.config();
        SetupInfo {
            portal_url: c.portal_url.clone().unwrap_or_default(),
            kiosk_name: c.kiosk_name.clone(),
            camera_index: c.camera_index,
            idle_timeout_secs: c.idle_timeout_secs,
            language: c.language,
            sounds: c.sounds,
            pin_set: c.pin_hash.is_some(),
        }
    }

    pub async fn save_setup(&self, change: SetupChange) {
        let code = self.apply_setup(change).await;
        self.send(Event::Setup(SetupEvent::Message(code)));
    }

    async fn apply_setup(&self, change: SetupChange) -> Code {
        let bad_request = Code::Problem(ProblemCode::BadRequest);
        let portal = change.portal_url.trim();
        if !portal.is_empty() && portal_url::parse(portal).is_err() {
            return bad_request;
        }
        let pin_hash = match change.new_pin {
            Some(new_pin) => {
                match tauri::async_runtime::spawn_blocking(move || pin::hash(&new_pin)).await {
                    Ok(Ok(hash)) => Some(hash),
                    _ => return bad_request,
                }
            }
            None => None,
        };
        let mut config = self.config().clone();
        let moved = config.portal_url.as_deref() != Some(portal);
        config.portal_url = (!portal.is_empty()).then(|| portal.to_owned());
        config.kiosk_name = change.kiosk_name.trim().to_owned();
        config.camera_index = change.camera_index;
        config.idle_timeout_secs = change.idle_timeout_secs.clamp(
            *config::IDLE_TIMEOUT_RANGE.start(),
            *config::IDLE_TIMEOUT_RANGE.end(),
        );
        config.language = change.language;
        config.sounds = change.sounds;
        if pin_hash.is_some() {
            config.pin_hash = pin_hash;
        }
        if !self.save(&config) {
            return Code::Problem(ProblemCode::Unknown);
        }
        if moved {
            self.reconnect(config.portal_url.as_deref()).await;
        }
        self.send(Event::Setup(SetupEvent::Settings(config.settings())));
        self.send(Event::User(machine::UserAction::SetLanguage(
            config.language,
        )));
        *self.config() = config;
        Code::Saved
    }

    /// The portal moved: the same credential, a client for the new address.
    async fn reconnect(&self, portal: Option<&str>) {
        let store = self.store.clone();
        let credential = tauri::async_runtime::spawn_blocking(move || store.load())
            .await
            .ok()
            .and_then(Result::ok)
            .flatten();
        let client = match (portal, credential) {
            (Some(url), Some(credential)) => PortalClient::new(url, Some(credential)).ok(),
            _ => None,
        };
        let enrolled = client.is_some();
        self.handle.use_client(client);
        if !enrolled {
            self.send(Event::Setup(SetupEvent::Unenrolled));
        }
    }

    /// The setup screen's enroll, and the unattended one at start: the same path.
    /// `true` when enrolled.
    pub async fn enroll(&self, portal: &str, code: &str, kiosk_name: &str) -> bool {
        let portal = portal.trim();
        let kiosk_name = match kiosk_name.trim() {
            "" => "BadgeIn kiosk",
            name => name,
        };
        match enroll::enroll(self.store.clone(), portal, code.trim(), kiosk_name).await {
            Ok((client, enrolled)) => {
                let mut config = self.config().clone();
                config.portal_url = Some(portal.to_owned());
                config.kiosk_name = kiosk_name.to_owned();
                config.kiosk_id = Some(enrolled.kiosk_id);
                config.apply_school_settings(&enrolled.settings);
                self.save(&config);
                self.handle.use_client(Some(client));
                self.send(Event::Setup(SetupEvent::Settings(config.settings())));
                self.send(Event::User(machine::UserAction::SetLanguage(
                    config.language,
                )));
                *self.config() = config;
                self.send(Event::Setup(SetupEvent::Enrolled));
                true
            }
            Err(error) => {
                tracing::warn!(%error, "enrollment failed");
                self.send(Event::Setup(SetupEvent::Message(error.code())));
                false
            }
        }
    }

    /// Demos and tests enroll without a teacher: `BADGEIN_PORTAL_URL` and `BADGEIN_ENROLL_CODE`
    /// (and optionally `BADGEIN_KIOSK_NAME`) do what the setup screen's enroll would.
    fn enroll_unattended(self: &Arc<Self>) {
        let (Ok(portal), Ok(code)) = (
            std::env::var("BADGEIN_PORTAL_URL"),
            std::env::var("BADGEIN_ENROLL_CODE"),
        ) else {
            return;
        };
        let name = std::env::var("BADGEIN_KIOSK_NAME").unwrap_or_default();
        tracing::info!("enrolling unattended (BADGEIN_ENROLL_CODE is set)");
        let kiosk = self.clone();
        tauri::async_runtime::spawn(async move {
            // No teacher is at the setup screen to leave it: go scanning.
            if kiosk.enroll(&portal, &code, &name).await {
                kiosk.send(Event::User(machine::UserAction::LeaveSetup));
            }
        });
    }

    /// Reads the camera's next frame thoroughly: is a code in view?
    pub async fn test_scan(&self) {
        let (tx, rx) = sync_channel(1);
        if let Ok(mut wanted) = self.frame_wanted.lock() {
            *wanted = Some(tx);
        }
        let seen = tauri::async_runtime::spawn_blocking(move || {
            rx.recv_timeout(TEST_SCAN_WAIT)
                .map(|frame| !scan(&frame, &ScanOptions::THOROUGH).codes.is_empty())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        let code = if seen {
            Code::TestScanOk
        } else {
            Code::TestScanNothing
        };
        self.send(Event::Setup(SetupEvent::Message(code)));
    }
}

fn scope_of(config: &KioskConfig) -> Scope {
    Scope {
        portal: config
            .portal_url
            .as_deref()
            .and_then(|u| portal_url::parse(u).ok()),
        apps: config.allowed_origins.clone(),
    }
}
