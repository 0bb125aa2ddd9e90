//! The real updater plugin against a release served from 127.0.0.1: `latest.json` and an
//! artifact signed with a minisign key made for the test (the format `tauri signer` writes),
//! the real kiosk core deciding when it goes in, and a stand-in AppImage file that the plugin
//! really replaces.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use badgein_kiosk_core::config::{KioskConfig, Updates};
use badgein_kiosk_core::driver::{Driver, WebviewPort};
use badgein_kiosk_core::machine::{Kiosk, Language, Screen, Settings, UserAction};
use badgein_kiosk_core::redacted::Redacted;
use badgein_kiosk_core::update_record::{self, AtStart};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::json;
use tauri::test::{MockRuntime, mock_builder, mock_context, noop_assets};
use tokio::sync::Notify;

use super::*;

const PATIENCE: Duration = Duration::from_secs(15);
const QUIET: Duration = Duration::from_millis(300);
const NEW: &str = "9.1.0";

/// A key pair as `tauri signer generate` makes one: the public key as the config holds it.
struct Key {
    public_b64: String,
    pk: minisign::PublicKey,
    sk: minisign::SecretKey,
}

impl Key {
    fn new() -> Self {
        let minisign::KeyPair { pk, sk } =
            minisign::KeyPair::generate_unencrypted_keypair().expect("a minisign key pair");
        let public_b64 = BASE64.encode(pk.to_box().unwrap().to_string());
        Self { public_b64, pk, sk }
    }

    /// The `.sig` file's content, base64 as in `latest.json`; the trusted comment names the
    /// version as the Tauri CLI writes it (`requireSignedVersion` checks it).
    fn sign(&self, data: &[u8], version: &str) -> String {
        let comment = format!("timestamp:1764936000\tfile:BadgeIn.AppImage\tversion:{version}");
        let signature = minisign::sign(
            Some(&self.pk),
            &self.sk,
            std::io::Cursor::new(data),
            Some(&comment),
            None,
        )
        .unwrap();
        BASE64.encode(signature.to_string())
    }

    /// As signed by a Tauri CLI that did not record the version.
    fn sign_without_version(&self, data: &[u8]) -> String {
        let signature = minisign::sign(
            Some(&self.pk),
            &self.sk,
            std::io::Cursor::new(data),
            Some("timestamp:1764936000\tfile:BadgeIn.AppImage"),
            None,
        )
        .unwrap();
        BASE64.encode(signature.to_string())
    }
}

/// A release server on 127.0.0.1; `downloaded` wakes when the artifact was fetched.
struct Server {
    addr: SocketAddr,
    downloaded: Arc<Notify>,
}

/// Serves `artifact` and the `latest.json` that `make` writes for the server's address.
async fn serve_with(artifact: &[u8], make: impl FnOnce(SocketAddr) -> serde_json::Value) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let latest = make(addr).to_string();
    let artifact = artifact.to_vec();
    let downloaded = Arc::new(Notify::new());
    let fetched = downloaded.clone();
    let app = Router::new()
        .route(
            "/latest.json",
            get(move || {
                let latest = latest.clone();
                async move { ([("content-type", "application/json")], latest) }
            }),
        )
        .route(
            "/BadgeIn.AppImage",
            get(move || {
                let (artifact, fetched) = (artifact.clone(), fetched.clone());
                async move {
                    fetched.notify_one();
                    artifact
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server { addr, downloaded }
}

async fn serve_signed(key: &Key, artifact: &[u8]) -> Server {
    let signature = key.sign(artifact, NEW);
    serve_with(artifact, |addr| latest(addr, &signature)).await
}

fn latest(addr: SocketAddr, signature: &str) -> serde_json::Value {
    // The platform key the plugin looks for here (`linux-x86_64` on CI).
    let target = tauri_plugin_updater::target().expect("a platform the updater knows");
    let mut platforms = serde_json::Map::new();
    platforms.insert(
        target,
        json!({
            "signature": signature,
            "url": format!("http://{addr}/BadgeIn.AppImage"),
        }),
    );
    json!({
        "version": NEW,
        "notes": "test release",
        "pub_date": "2026-12-05T12:00:00Z",
        "platforms": platforms,
    })
}

/// The app with the plugin as the kiosk registers it, the test key in place of the release
/// key. Plain http to 127.0.0.1 passes the core's check (loopback only) and the plugin's (a
/// debug build only warns; a release build refuses it, and the shipped config never sets
/// `dangerousInsecureTransportProtocol`).
fn app(key: &Key) -> tauri::App<MockRuntime> {
    let mut context = mock_context(noop_assets());
    context.config_mut().plugins.0.insert(
        "updater".into(),
        json!({ "pubkey": key.public_b64, "endpoints": [], "requireSignedVersion": true }),
    );
    mock_builder().plugin(plugin()).build(context).unwrap()
}

struct NoPortal;

impl WebviewPort for NoPortal {
    async fn open_portal(&self, _launch_url: &Redacted) {}
    async fn wipe_portal(&self) {}
}

struct Rig {
    _app: tauri::App<MockRuntime>,
    driver: Driver,
    updater: Arc<Updater>,
    record: Record,
    record_path: PathBuf,
    /// Stands in for the running AppImage the plugin replaces.
    appimage: PathBuf,
    _dir: tempfile::TempDir,
}

const OLD_APPIMAGE: &[u8] = b"\x7fELF the running version";

/// An "AppImage" the plugin accepts: ELF magic, and long enough for its format check.
fn appimage_bytes(what: &str) -> Vec<u8> {
    let mut bytes = b"\x7fELF\x02\x01\x01".to_vec();
    bytes.extend(what.as_bytes());
    bytes.resize(256, 0);
    bytes
}

impl Rig {
    fn new(key: &Key, server: &Server, refused: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let appimage = dir.path().join("BadgeIn.AppImage");
        std::fs::write(&appimage, OLD_APPIMAGE).unwrap();
        let record_path = update_record::path_in(dir.path());
        let mut stored = UpdateRecord::default();
        for v in refused {
            stored.installing(v, "0.1.0");
            stored.install_failed();
        }
        update_record::save(&record_path, &stored).unwrap();
        let record = Record::open(record_path.clone(), "0.1.0");
        let app = app(key);
        let config = KioskConfig {
            update_endpoint: Some(format!("http://{}/latest.json", server.addr)),
            ..KioskConfig::default()
        };
        let updater = updater_builder(app.handle(), &config, record.clone())
            .unwrap()
            .expect("updates on")
            .executable_path(&appimage)
            .build()
            .map(Arc::new)
            .unwrap();
        let kiosk = Kiosk::new(Settings::default(), Language::En, true, true);
        let driver = Driver::spawn(kiosk, None, NoPortal, Duration::from_millis(50));
        Self {
            _app: app,
            driver,
            updater,
            record,
            record_path,
            appimage,
            _dir: dir,
        }
    }

    fn appimage(&self) -> Vec<u8> {
        std::fs::read(&self.appimage).unwrap()
    }

    fn stored(&self) -> UpdateRecord {
        update_record::load(&self.record_path).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_update_waits_for_the_typed_sign_in_to_end_then_goes_in() {
    let key = Key::new();
    let artifact = appimage_bytes("BadgeIn 9.1.0");
    let server = serve_signed(&key, &artifact).await;
    let rig = Rig::new(&key, &server, &[]);
    let core = rig.driver.handle();
    core.user(UserAction::ShowTyped);
    let typed = async {
        let mut views = core.views();
        while !matches!(views.borrow_and_update().screen, Screen::Typed { .. }) {
            views.changed().await.unwrap();
        }
    };
    tokio::time::timeout(PATIENCE, typed).await.unwrap();

    let (updater, core2, record) = (rig.updater.clone(), core.clone(), rig.record.clone());
    let mut round =
        tokio::spawn(async move { check_and_install(&updater, &core2, &record, QUIET).await });
    tokio::time::timeout(PATIENCE, server.downloaded.notified())
        .await
        .expect("downloaded in the background while the child types");
    // A bound on a negative: the gate is asked after every 50 ms tick.
    assert!(
        tokio::time::timeout(QUIET * 4, &mut round).await.is_err(),
        "not installed while the typed sign-in form is open"
    );
    assert_eq!(rig.appimage(), OLD_APPIMAGE);
    assert_eq!(rig.stored().pending, None, "no marker yet");

    core.user(UserAction::CancelTyped);
    let outcome = tokio::time::timeout(PATIENCE, round)
        .await
        .unwrap()
        .unwrap();
    let Outcome::Installed { version, hold } = outcome else {
        panic!("expected the update installed, got {outcome:?}");
    };
    assert_eq!(version, NEW);
    assert_eq!(rig.appimage(), artifact, "the plugin replaced the AppImage");
    let mut stored = rig.stored();
    assert_eq!(
        stored.pending.as_ref().map(|p| p.version.as_str()),
        Some(NEW),
        "the marker was written before the install"
    );
    assert_eq!(
        stored.at_start(NEW),
        AtStart::FirstStartOf {
            version: NEW.into()
        }
    );
    assert!(matches!(core.view().screen, Screen::Scanning { .. }));
    drop(hold);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_signature_is_refused_and_nothing_is_installed() {
    use tauri_plugin_updater::Error;
    let key = Key::new();
    let artifact = appimage_bytes("BadgeIn 9.1.0");
    let bad_signature = |e: &Error| matches!(e, Error::Minisign(_));
    type Expected = fn(&Error) -> bool;
    let cases: [(&str, String, Expected); 6] = [
        (
            "another key's signature",
            Key::new().sign(&artifact, NEW),
            bad_signature,
        ),
        (
            "the signature of other bytes",
            key.sign(&appimage_bytes("BadgeIn 9.1.0, tampered"), NEW),
            bad_signature,
        ),
        (
            "a good signature of an older release announced as new",
            key.sign(&artifact, "0.1.0"),
            |e| matches!(e, Error::SignedVersionMismatch { .. }),
        ),
        (
            "a good signature that names no version",
            key.sign_without_version(&artifact),
            |e| matches!(e, Error::MissingSignedVersion),
        ),
        ("no signature at all", String::new(), bad_signature),
        ("not base64", "not base64 at all !".into(), |e| {
            matches!(e, Error::Base64(_))
        }),
    ];
    for (what, signature, expected) in cases {
        let server = serve_with(&artifact, |addr| latest(addr, &signature)).await;
        let rig = Rig::new(&key, &server, &[]);
        let outcome =
            check_and_install(&rig.updater, &rig.driver.handle(), &rig.record, QUIET).await;
        assert!(
            matches!(&outcome, Outcome::Refused { version, error } if version == NEW && expected(error)),
            "{what}: {outcome:?}"
        );
        assert_eq!(rig.appimage(), OLD_APPIMAGE, "{what}");
        assert_eq!(rig.stored().pending, None, "{what}");
        assert!(
            !rig.stored().is_refused(NEW),
            "{what}: a later check may try again"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_artifact_that_cannot_be_installed_is_refused_from_then_on() {
    let key = Key::new();
    // Signed, but not an AppImage: the plugin refuses to write it over the running one.
    let artifact = b"#!/bin/sh\necho not an AppImage\n".to_vec();
    let server = serve_signed(&key, &artifact).await;
    let rig = Rig::new(&key, &server, &[]);
    let core = rig.driver.handle();
    let outcome = check_and_install(&rig.updater, &core, &rig.record, QUIET).await;
    assert!(
        matches!(
            &outcome,
            Outcome::InstallFailed {
                error: tauri_plugin_updater::Error::InvalidUpdaterFormat,
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(rig.appimage(), OLD_APPIMAGE);
    let stored = rig.stored();
    assert_eq!(stored.pending, None);
    assert!(stored.is_refused(NEW), "not tried again");
    // The hold was dropped: the kiosk takes presses again.
    core.user(UserAction::ShowTyped);
    let typed = async {
        let mut views = core.views();
        while !matches!(views.borrow_and_update().screen, Screen::Typed { .. }) {
            views.changed().await.unwrap();
        }
    };
    tokio::time::timeout(PATIENCE, typed)
        .await
        .expect("the kiosk is no longer held");
    let again = check_and_install(&rig.updater, &core, &rig.record, QUIET).await;
    assert!(matches!(again, Outcome::NoUpdate), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_that_failed_before_is_not_offered_again() {
    let key = Key::new();
    let artifact = appimage_bytes("BadgeIn 9.1.0");
    let server = serve_signed(&key, &artifact).await;
    let rig = Rig::new(&key, &server, &[NEW]);
    let outcome = check_and_install(&rig.updater, &rig.driver.handle(), &rig.record, QUIET).await;
    assert!(matches!(outcome, Outcome::NoUpdate), "{outcome:?}");
    assert_eq!(rig.appimage(), OLD_APPIMAGE);
}

#[test]
fn updates_off_in_the_config_build_no_updater() {
    let key = Key::new();
    let app = app(&key);
    let dir = tempfile::tempdir().unwrap();
    let record = Record::open(update_record::path_in(dir.path()), "0.1.0");
    let config = KioskConfig {
        updates: Updates::Off,
        ..KioskConfig::default()
    };
    assert!(
        updater_builder(app.handle(), &config, record)
            .unwrap()
            .is_none()
    );
}

#[test]
fn the_shipped_config_starts_the_plugin_with_updates_off_until_a_key_is_set() {
    let shipped: serde_json::Value =
        serde_json::from_str(include_str!("../../../tauri.conf.json")).unwrap();
    let mut context = mock_context(noop_assets());
    context
        .config_mut()
        .plugins
        .0
        .insert("updater".into(), shipped["plugins"]["updater"].clone());
    let app = mock_builder()
        .plugin(plugin())
        .build(context)
        .expect("the plugin takes the shipped config");
    let dir = tempfile::tempdir().unwrap();
    let record = Record::open(update_record::path_in(dir.path()), "0.1.0");
    assert!(
        updater_builder(app.handle(), &KioskConfig::default(), record)
            .unwrap()
            .is_none(),
        "no release key yet: no updater"
    );
}
