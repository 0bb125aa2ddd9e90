//! The running kiosk as the shell holds it: the core's driver and handle, the config file, the
//! secret store and the preview. Commands (commands.rs) call these methods; the decisions are
//! the core's (`badgein-kiosk-core`).

use std::path::PathBuf;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use badgein_frame::frame::Frame;
use badgein_kiosk_core::config::{self, KioskConfig};
use badgein_kiosk_core::driver::{self, Driver, KioskHandle};
use badgein_kiosk_core::enroll::{EnrollError, Enrollment};
use badgein_kiosk_core::machine::{self, Code, Event, Language, PinAnswer, Settings, SetupEvent};
use badgein_kiosk_core::managed::{self, Locked, Managed};
use badgein_kiosk_core::pin_attempts::{self, PinAttempts};
use badgein_kiosk_core::portal_client::PortalClient;
use badgein_kiosk_core::qr_enroll::{self, QrEnrollment};
use badgein_kiosk_core::scene_change::SceneSample;
use badgein_kiosk_core::secrets::{KeyringStore, SecretStore};
use badgein_kiosk_core::setup::{self, SetupChange};
use badgein_kiosk_core::{enroll, pin, portal_url, unattended};
use badgein_proto::{KioskSettings, ProblemCode};
use badgein_scanner::{ScanOptions, scan};
use serde::Serialize;
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
    /// IT's machine-wide settings, read once at start: laid over `config` after every change.
    managed: Managed,
    store: Arc<dyn SecretStore>,
    /// Wrong teacher PINs and the wait they started, kept in the state file.
    attempts: Arc<Mutex<PinAttempts>>,
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

/// The event that carries every new `View` to the window (`Events` in ui/types/ipc.d.ts).
pub const VIEW_EVENT: &str = "view";

/// `get_setup`'s answer: the config minus anything secret (the PIN is only `pin_set`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SetupInfo {
    portal_url: String,
    kiosk_name: String,
    camera_index: Option<u32>,
    idle_timeout_secs: u32,
    language: Language,
    sounds: bool,
    pin_set: bool,
    /// The settings IT has set (the managed configuration): shown, not changeable.
    locked: Vec<Locked>,
}

impl Kiosk {
    /// Loads the config and the credential, starts the core, the `view` event and the camera.
    pub fn start<R: Runtime>(app: &AppHandle<R>, camera: Choice) -> anyhow::Result<Arc<Self>> {
        let config_dir = app.path().config_dir().context("no config directory")?;
        let config_path = config::path_in(&config_dir);
        let mut config = match config::load(&config_path) {
            Ok(found) => found.unwrap_or_default(),
            Err(error) => {
                tracing::warn!(%error, "config unusable; starting in setup");
                KioskConfig::default()
            }
        };
        let managed = managed::load_logged();
        managed.overlay(&mut config);
        crate::logging::kiosk_identified(config.kiosk_id.as_deref());
        let attempts = PinAttempts::load(pin_attempts::path_in(&config_dir), SystemTime::now());
        let store: Arc<dyn SecretStore> = Arc::new(KeyringStore::default());
        let credential = store.load().unwrap_or_else(|error| {
            tracing::warn!(%error, "the secret store could not be read");
            None
        });
        // A credential issued by another portal than the config names is refused here.
        let client = match (&config.portal_url, credential) {
            (Some(url), Some(credential)) => PortalClient::new(url, Some(credential))
                .inspect_err(|error| tracing::warn!(%error, "not enrolled with the saved portal"))
                .ok(),
            _ => None,
        };
        let enrolled = client.is_some();
        let scope = Arc::new(Mutex::new(scope_of(&config)));
        let machine = machine::Kiosk::new(
            config.settings(),
            config.language,
            enrolled,
            config.pin_set(),
        );
        let webview = TauriWebview {
            app: app.clone(),
            scope: scope.clone(),
        };
        // The driver spawns onto the current tokio runtime: Tauri's.
        let mut driver = {
            let _runtime = tauri::async_runtime::handle().inner().enter();
            Driver::spawn(machine, client, webview, driver::TICK)
        };
        let qr_enrollments = driver.take_qr_enrollments();
        let kiosk = Arc::new(Self {
            preview: Arc::new(Preview::start().context("starting the preview encoder")?),
            handle: driver.handle(),
            config_path,
            config: Mutex::new(config),
            managed,
            store,
            attempts: Arc::new(Mutex::new(attempts)),
            scope,
            frame_wanted: Arc::default(),
            _driver: driver,
        });
        kiosk.emit_views(app.clone());
        kiosk.serve_qr_enrollments(qr_enrollments);
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
                if let Err(error) = app.emit(VIEW_EVENT, view) {
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

    /// The school's settings as the portal gives them now (the core decides what changes).
    fn apply_polled_settings(&self, settings: &KioskSettings) {
        let before = self.config().clone();
        let mut config = before.clone();
        config.apply_polled_settings(settings);
        self.managed.overlay(&mut config);
        if config == before {
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
        let tap = move |frame: &Frame, scene: &SceneSample| {
            preview.offer(frame, scene);
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

    /// The core's handle, for the parts of the shell that wait on it (updates.rs).
    pub fn core(&self) -> KioskHandle {
        self.handle.clone()
    }

    /// The config as it is now.
    pub fn config_now(&self) -> KioskConfig {
        self.config().clone()
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
        crate::logging::kiosk_identified(config.kiosk_id.as_deref());
        true
    }

    /// Checks `pin` as the teacher PIN, counting wrong ones (see `pin_attempts`).
    pub async fn check_pin(&self, pin: String) -> PinAnswer {
        let stored = self.config().pin_hash.clone();
        let attempts = self.attempts.clone();
        tauri::async_runtime::spawn_blocking(move || {
            let mut attempts = attempts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            attempts.check(stored.as_deref(), &pin, SystemTime::now())
        })
        .await
        .unwrap_or(PinAnswer::Wrong { wait: None })
    }

    /// The chord was pressed: the PIN pad shows a wait that is still running.
    pub fn open_teacher(&self) {
        self.send(Event::User(machine::UserAction::OpenTeacher));
        let wait = self
            .attempts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .wait(SystemTime::now());
        if let Some(wait) = wait {
            self.send(Event::Setup(SetupEvent::PinChecked(PinAnswer::Wait(wait))));
        }
    }

    /// Quitting needs the teacher PIN (counted like the pad's).
    pub async fn quit_allowed(&self, pin: String) -> bool {
        self.check_pin(pin).await == PinAnswer::Right
    }

    /// The first teacher PIN, typed twice; only while none is set.
    pub async fn choose_pin(&self, pin: String, again: String) {
        if self.config().pin_set() {
            tracing::warn!("choose_pin with a PIN already set: refused");
            return;
        }
        let hashed = tauri::async_runtime::spawn_blocking(move || pin::choose(&pin, &again))
            .await
            .unwrap_or_else(|e| Err(pin::PinError::Hash(e.to_string())));
        let hash = match hashed {
            Ok(hash) => hash,
            Err(error) => {
                self.send(Event::Setup(SetupEvent::Message(error.code())));
                return;
            }
        };
        let mut config = self.config().clone();
        config.pin_hash = Some(hash);
        if !self.save(&config) {
            self.send(Event::Setup(SetupEvent::Message(Code::Problem(
                ProblemCode::Unknown,
            ))));
            return;
        }
        *self.config() = config;
        self.send(Event::Setup(SetupEvent::PinChosen));
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
            pin_set: c.pin_set(),
            locked: self.managed.locked(),
        }
    }

    pub async fn save_setup(&self, change: SetupChange) {
        let code = self.apply_setup(change).await;
        self.send(Event::Setup(SetupEvent::Message(code)));
    }

    async fn apply_setup(&self, mut change: SetupChange) -> Code {
        self.managed.lock(&mut change);
        let current = self.config().clone();
        let applied = match tauri::async_runtime::spawn_blocking(move || {
            setup::apply(&current, change)
        })
        .await
        {
            Ok(Ok(applied)) => applied,
            Ok(Err(error)) => return error.code(),
            Err(_) => return Code::Problem(ProblemCode::Unknown),
        };
        let mut config = applied.config;
        self.managed.overlay(&mut config);
        if applied.portal_changed {
            // The credential belongs to the old portal: deleted before the new address is even
            // saved. (One left behind by a failing store is still refused for the new portal.)
            let _ = enroll::unenroll(self.store.clone(), &self.handle).await;
        }
        if !self.save(&config) {
            return Code::Problem(ProblemCode::Unknown);
        }
        self.send(Event::Setup(SetupEvent::Settings(config.settings())));
        self.send(Event::User(machine::UserAction::SetLanguage(
            config.language,
        )));
        *self.config() = config;
        if applied.portal_changed {
            Code::PortalChanged
        } else {
            Code::Saved
        }
    }

    /// The setup screen's enroll (a locked portal or name is IT's, whatever the window sent).
    pub async fn enroll(&self, portal: &str, code: &str, kiosk_name: &str) {
        let portal = self.managed.portal_url.as_deref().unwrap_or(portal);
        let kiosk_name = self.managed.kiosk_name.as_deref().unwrap_or(kiosk_name);
        let result = enroll::enroll(self.store.clone(), portal, code, kiosk_name).await;
        self.finish_enrollment(portal, kiosk_name, result);
    }

    /// Enrollments from setup QRs read on the setup screen (`Effect::EnrollWithQr`), one at a
    /// time, for as long as the kiosk runs.
    fn serve_qr_enrollments(self: &Arc<Self>, requests: Option<qr_enroll::QrEnrollments>) {
        let Some(mut requests) = requests else {
            return;
        };
        let kiosk = Arc::downgrade(self);
        tauri::async_runtime::spawn(async move {
            while let Some(request) = requests.recv().await {
                let Some(kiosk) = kiosk.upgrade() else {
                    return;
                };
                kiosk.enroll_from_qr(&request).await;
            }
        });
    }

    /// A setup QR's enrollment, kept like a typed enrollment under the configured kiosk name;
    /// when switching portals the old one is kept until the new one succeeds (`qr_enroll`).
    /// A portal IT locked is not switched by a QR: the QR is refused before anything is sent.
    async fn enroll_from_qr(&self, request: &QrEnrollment) {
        if !self.managed.allows_portal(request.qr.origin()) {
            tracing::warn!("a setup QR for another portal refused: the portal is set by IT");
            self.send(Event::Setup(SetupEvent::Message(Code::SetupQrRefused)));
            return;
        }
        let name = self.config().kiosk_name.clone();
        let result = qr_enroll::enroll(self.store.clone(), request, &name).await;
        self.finish_enrollment(request.qr.origin(), &name, result);
    }

    /// After an enrollment: the config saved, the client in use, the machine told.
    fn finish_enrollment(
        &self,
        portal: &str,
        kiosk_name: &str,
        result: Result<(PortalClient, Enrollment), EnrollError>,
    ) {
        match result {
            Ok((client, enrolled)) => {
                let (settings, language) = self.record_enrollment(portal, kiosk_name, &enrolled);
                self.handle.use_client(Some(client));
                self.send(Event::Setup(SetupEvent::Settings(settings)));
                self.send(Event::User(machine::UserAction::SetLanguage(language)));
                self.send(Event::Setup(SetupEvent::Enrolled));
            }
            Err(error) => {
                tracing::warn!(%error, "enrollment failed");
                self.send(Event::Setup(SetupEvent::Message(error.code())));
            }
        }
    }

    /// Saves what enrolling taught the kiosk; the settings and language to follow now.
    fn record_enrollment(
        &self,
        portal: &str,
        kiosk_name: &str,
        enrolled: &Enrollment,
    ) -> (Settings, Language) {
        let mut config = self.config().clone();
        config.enrolled(portal, enroll::kiosk_name(kiosk_name), enrolled);
        self.managed.overlay(&mut config);
        self.save(&config);
        let follow = (config.settings(), config.language);
        *self.config() = config;
        follow
    }

    /// Whether the teacher has chosen a PIN (setup's commands act only then).
    pub fn pin_set(&self) -> bool {
        self.config().pin_set()
    }

    /// A fleet kiosk (the managed `portal_url` + `enrollment_token`), a demo or a test
    /// (`BADGEIN_PORTAL_URL` + `BADGEIN_ENROLL_CODE`, optionally `BADGEIN_KIOSK_NAME`) enrolls
    /// without a teacher, the one way `unattended` says.
    fn enroll_unattended(self: &Arc<Self>) {
        let Some(plan) = unattended::plan_here(&self.managed) else {
            return;
        };
        let kiosk = self.clone();
        tauri::async_runtime::spawn(async move {
            let record = |enrolled: &Enrollment| {
                kiosk.record_enrollment(&plan.portal_url, &plan.kiosk_name, enrolled)
            };
            // A refusal is on the setup screen already, and in the log.
            let _ = unattended::run(
                kiosk.store.clone(),
                &kiosk.handle,
                &plan,
                unattended::Backoff::default(),
                record,
            )
            .await;
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
