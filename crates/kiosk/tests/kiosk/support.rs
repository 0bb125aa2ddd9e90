//! A portal, an enrolled kiosk, a camera that plays image files, and a webview that really
//! opens launch URLs.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use badgein_badge::Badge;
use badgein_frame::frame::Frame;
use badgein_frame::source::{FrameSource, SourceError};
use badgein_kiosk_core::driver::camera::{self, Opener};
use badgein_kiosk_core::driver::{Driver, KioskHandle, WebviewPort};
use badgein_kiosk_core::enroll::{Enrollment, enroll};
use badgein_kiosk_core::machine::{Kiosk, Language, Screen, Settings, Timing, View};
use badgein_kiosk_core::portal_client::PortalClient;
use badgein_kiosk_core::redacted::Redacted;
use badgein_kiosk_core::secrets::{Credential, MemoryStore, SecretStore};
use badgein_portal::{Config, ManualClock, NewUser, Portal, Role, RunningPortal, spawn};
use image::{GrayImage, Luma, imageops};
use tempfile::TempDir;

/// How long any expected view may take to appear.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub struct Env {
    pub running: Option<RunningPortal>,
    pub portal: Portal,
    pub base_url: String,
    pub dir: TempDir,
    pub store: Arc<MemoryStore>,
}

impl Env {
    /// A portal with school `s1`: students `maya` (Spanish) and `leo`, and `oskar` at `s2`.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("portal.db").display().to_string();
        let portal = Portal::open(
            &db,
            Arc::new(ManualClock::starting_now()),
            Config::for_tests(),
        )
        .await
        .unwrap();
        portal.add_school("s1", "Maple Elementary").await.unwrap();
        portal.add_school("s2", "Oak Elementary").await.unwrap();
        for (id, school, username, given, locale) in [
            ("u1", "s1", "maya", "Maya", "es"),
            ("u2", "s1", "leo", "Leo", "en"),
            ("x1", "s2", "oskar", "Oskar", "en"),
        ] {
            portal
                .add_user(&NewUser {
                    id: id.into(),
                    school_id: school.into(),
                    role: Role::Student,
                    username: username.into(),
                    given_name: given.into(),
                    family_name: "Example".into(),
                    locale: locale.into(),
                    email: None,
                    grade: None,
                })
                .await
                .unwrap();
        }
        let running = spawn(portal.clone(), "127.0.0.1:0").await.unwrap();
        let base_url = running.base_url().trim_end_matches('/').to_owned();
        Self {
            running: Some(running),
            portal,
            base_url,
            dir,
            store: Arc::new(MemoryStore::new()),
        }
    }

    /// Enrolls a kiosk at `school` the way setup does.
    pub async fn enroll(&self, school: &str) -> (PortalClient, Enrollment) {
        let code = self.portal.enrollment_code(school).await.unwrap();
        enroll(
            self.store.clone(),
            &self.base_url,
            &code,
            "Room 12 reading corner",
        )
        .await
        .unwrap()
    }

    /// A PNG of `badge` as a 640x480 camera would see it, in the temp dir.
    pub fn badge_png(&self, name: &str, badge: &Badge) -> PathBuf {
        self.png(name, &[&badge.render(6).unwrap()])
    }

    /// A PNG of some codes side by side (or of an empty desk).
    pub fn png(&self, name: &str, codes: &[&GrayImage]) -> PathBuf {
        let mut canvas = GrayImage::from_pixel(640, 480, Luma([170]));
        for (i, code) in codes.iter().enumerate() {
            imageops::overlay(&mut canvas, *code, 20 + 320 * i as i64, 80);
        }
        let path = self.dir.path().join(format!("{name}.png"));
        canvas.save(&path).unwrap();
        path
    }
}

/// A kiosk running against the portal, with its camera and webview.
pub struct RunningKiosk {
    /// Dropping the driver stops the kiosk.
    pub driver: Driver,
    pub handle: KioskHandle,
    pub camera: Camera,
    pub webview: Webview,
    views: Arc<Mutex<Vec<View>>>,
}

pub fn fast_timing() -> Timing {
    Timing {
        greeting: Duration::from_millis(300),
        result: Duration::from_millis(1500),
        ..Timing::default()
    }
}

impl RunningKiosk {
    /// Starts the driver and the camera loop; the camera shows an empty desk.
    pub fn start(env: &Env, client: Option<PortalClient>, settings: Settings) -> Self {
        let enrolled = client.is_some();
        // A teacher PIN is set: these kiosks are past first setup.
        let kiosk = Kiosk::with_timing(settings, Language::En, enrolled, true, fast_timing());
        let webview = Webview::default();
        let driver = Driver::spawn(kiosk, client, webview.clone(), Duration::from_millis(50));
        let handle = driver.handle();
        let camera = Camera::new(env.png("empty-desk", &[]));
        camera::spawn(handle.clone(), camera.opener(), None).unwrap();
        let views = Arc::new(Mutex::new(vec![handle.view()]));
        let mut rx = handle.views();
        let seen = Arc::clone(&views);
        tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let v = rx.borrow_and_update().clone();
                seen.lock().unwrap().push(v);
            }
        });
        Self {
            driver,
            handle,
            camera,
            webview,
            views,
        }
    }

    /// Waits until the view satisfies `pred`; panics with the views seen when it never does.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&View) -> bool) -> View {
        let mut rx = self.handle.views();
        let found = tokio::time::timeout(PATIENCE, async {
            loop {
                let v = rx.borrow_and_update().clone();
                if pred(&v) {
                    return v;
                }
                if rx.changed().await.is_err() {
                    panic!("the kiosk stopped");
                }
            }
        })
        .await;
        match found {
            Ok(v) => v,
            Err(_) => panic!("never saw {what}; views: {:#?}", self.views.lock().unwrap()),
        }
    }

    pub async fn wait_screen(&self, what: &str, pred: impl Fn(&Screen) -> bool) -> View {
        self.wait_for(what, |v| pred(&v.screen)).await
    }

    pub async fn wait_scanning(&self) {
        self.wait_screen("scanning", |s| matches!(s, Screen::Scanning { .. }))
            .await;
    }

    pub async fn wait_signed_in(&self, first_name: &str) -> View {
        self.wait_screen(
            first_name,
            |s| matches!(s, Screen::SignedIn { user, .. } if user.first_name == first_name),
        )
        .await
    }

    /// Every view seen so far.
    pub fn views(&self) -> Vec<View> {
        self.views.lock().unwrap().clone()
    }
}

/// A camera that shows whichever image file the test holds up, at about 30 frames a second,
/// or fails the way a camera does.
#[derive(Clone)]
pub struct Camera {
    shown: Arc<Mutex<Shown>>,
    /// Frames served since the last [`Camera::show`].
    served: Arc<AtomicU64>,
}

enum Shown {
    File(PathBuf),
    Fault(fn() -> SourceError),
}

impl Camera {
    fn new(first: PathBuf) -> Self {
        Self {
            shown: Arc::new(Mutex::new(Shown::File(first))),
            served: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn show(&self, path: &Path) {
        let mut shown = self.shown.lock().unwrap();
        *shown = Shown::File(path.to_owned());
        self.served.store(0, Ordering::SeqCst);
    }

    /// Shows `path` and returns once the camera loop has been handed two frames of it, so
    /// nothing of the previous picture is still on its way.
    pub async fn show_and_settle(&self, path: &Path) {
        self.show(path);
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while self.served.load(Ordering::SeqCst) < 2 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the camera loop stalled"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub fn fail(&self, fault: fn() -> SourceError) {
        *self.shown.lock().unwrap() = Shown::Fault(fault);
    }

    fn opener(&self) -> Opener {
        let camera = self.clone();
        Box::new(move || {
            if let Shown::Fault(f) = &*camera.shown.lock().unwrap() {
                return Err(f());
            }
            Ok(Box::new(camera.clone()) as Box<dyn FrameSource>)
        })
    }
}

impl FrameSource for Camera {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        // A camera's frame rate, not a synchronisation: the kiosk never waits on it.
        std::thread::sleep(Duration::from_millis(33));
        let path = match &*self.shown.lock().unwrap() {
            Shown::File(p) => p.clone(),
            Shown::Fault(f) => return Err(f()),
        };
        // Counted as served: by the second frame of a picture, the loop has read every earlier one.
        self.served.fetch_add(1, Ordering::SeqCst);
        let bytes = std::fs::read(&path).map_err(|e| SourceError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(Some(Frame::from_encoded(&bytes, None)?))
    }

    fn describe(&self) -> String {
        "test camera playing image files".into()
    }
}

/// What the webview was asked to do. Opening really redeems the launch URL with HTTP and
/// keeps the session cookie the portal set, as a browser would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebviewCall {
    Opened { status: u16, cookie: Option<String> },
    Wiped,
}

#[derive(Clone, Default)]
pub struct Webview {
    calls: Arc<Mutex<Vec<WebviewCall>>>,
}

impl Webview {
    pub fn calls(&self) -> Vec<WebviewCall> {
        self.calls.lock().unwrap().clone()
    }

    /// The session cookie of the `n`th portal opened.
    pub fn cookie(&self, n: usize) -> String {
        self.calls()
            .into_iter()
            .filter_map(|c| match c {
                WebviewCall::Opened { cookie, .. } => Some(cookie),
                WebviewCall::Wiped => None,
            })
            .nth(n)
            .flatten()
            .expect("the portal set a session cookie")
    }
}

impl WebviewPort for Webview {
    async fn open_portal(&self, launch_url: &Redacted) {
        let http = plain_http();
        let response = http.get(launch_url.expose()).send().await.unwrap();
        let cookie = response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_owned);
        self.calls.lock().unwrap().push(WebviewCall::Opened {
            status: response.status().as_u16(),
            cookie,
        });
    }

    async fn wipe_portal(&self) {
        self.calls.lock().unwrap().push(WebviewCall::Wiped);
    }
}

pub fn plain_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The status of the portal's dashboard for a browser holding `cookie`.
pub async fn dashboard_status(base_url: &str, cookie: &str) -> u16 {
    plain_http()
        .get(format!("{base_url}/"))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Settings with typed sign-in allowed and a long idle timeout.
pub fn settings() -> Settings {
    Settings {
        idle_timeout_secs: 600,
        allow_typed_login: true,
    }
}

/// The credential the store now holds (tests only: the kiosk never shows it).
pub fn stored_credential(store: &dyn SecretStore) -> Option<Credential> {
    store.load().unwrap()
}

/// A device credential as if the portal at `url` had issued `secret`.
pub fn credential_for(url: &str, secret: &str) -> Credential {
    Credential::issued_by(&reqwest::Url::parse(url).unwrap(), Redacted::new(secret))
}
