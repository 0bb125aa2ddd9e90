//! Changing the portal address in setup: the credential portal A issued is deleted from the
//! secret store before anything else, the kiosk asks for an enrollment code, and portal B
//! never sees A's credential, not even from the settings poll that keeps running. B sits
//! behind a proxy that records every byte sent to it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use badgein_kiosk_core::config::KioskConfig;
use badgein_kiosk_core::driver::settings_poll;
use badgein_kiosk_core::enroll::{enroll, unenroll};
use badgein_kiosk_core::machine::{Event, Language, Screen, SetupEvent, UserAction};
use badgein_kiosk_core::pin;
use badgein_kiosk_core::portal_client::{ClientError, PortalClient};
use badgein_kiosk_core::secrets::SecretStore;
use badgein_kiosk_core::setup::{self, SetupChange};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{Env, PATIENCE, RunningKiosk, settings, stored_credential};

/// A TCP proxy on 127.0.0.1 in front of `target` (`http://host:port`) that keeps a copy of
/// every request byte.
pub struct Recorder {
    pub base_url: String,
    requests: Arc<Mutex<Vec<u8>>>,
}

impl Recorder {
    pub async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let target = target.trim_start_matches("http://").to_owned();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let upstream = TcpStream::connect(&target).await.unwrap();
                let (mut from_kiosk, mut to_kiosk) = inbound.into_split();
                let (mut from_portal, mut to_portal) = upstream.into_split();
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    while let Ok(n @ 1..) = from_kiosk.read(&mut buf).await {
                        seen.lock().unwrap().extend_from_slice(&buf[..n]);
                        if to_portal.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = to_portal.shutdown().await;
                });
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut from_portal, &mut to_kiosk).await;
                    let _ = to_kiosk.shutdown().await;
                });
            }
        });
        Self { base_url, requests }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.requests.lock().unwrap()).into_owned()
    }

    /// Waits until a request carrying `needle` has gone through.
    pub async fn wait_for(&self, needle: &str) {
        let found = tokio::time::timeout(PATIENCE, async {
            // Polling a recording, not waiting for time to pass: it ends as soon as it is there.
            while !self.text().contains(needle) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(found.is_ok(), "portal B never saw {needle:?}");
    }
}

fn change_to(portal_url: &str) -> SetupChange {
    SetupChange {
        portal_url: portal_url.into(),
        kiosk_name: "Room 12".into(),
        camera_index: None,
        idle_timeout_secs: 600,
        language: Language::En,
        sounds: true,
        new_pin: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_portal_address_unenrolls_and_portal_b_never_sees_as_credential() {
    let a = Env::start().await;
    let b = Env::start().await;
    let b_proxy = Recorder::start(&b.base_url).await;
    let store: Arc<dyn SecretStore> = a.store.clone();

    // Enrolled with portal A, scanning, the settings poll running fast.
    let (client_a, enrolled_a) = a.enroll("s1").await;
    let credential_a = stored_credential(store.as_ref()).expect("A's credential stored");
    let kiosk = RunningKiosk::start(&a, Some(client_a), settings());
    kiosk.wait_scanning().await;
    settings_poll::spawn(kiosk.handle.clone(), Duration::from_millis(30), |_| {});
    let config_a = KioskConfig {
        portal_url: Some(a.base_url.clone()),
        kiosk_id: Some(enrolled_a.kiosk_id),
        pin_hash: Some(pin::hash("246813").unwrap()),
        ..KioskConfig::default()
    };

    // The teacher types portal B's address and saves.
    kiosk.handle.user(UserAction::OpenTeacher);
    kiosk.handle.send(Event::Setup(SetupEvent::PinChecked(
        badgein_kiosk_core::machine::PinAnswer::Right,
    )));
    let applied = setup::apply(&config_a, change_to(&b_proxy.base_url)).unwrap();
    assert!(applied.portal_changed);
    assert_eq!(applied.config.kiosk_id, None);
    unenroll(store.clone(), &kiosk.handle).await.unwrap();
    assert!(
        stored_credential(store.as_ref()).is_none(),
        "A's credential is gone from the secret store"
    );
    kiosk
        .wait_screen("setup asking to enroll", |s| {
            matches!(
                s,
                Screen::Setup {
                    enrolled: false,
                    ..
                }
            )
        })
        .await;
    // Nothing can make a client that would carry A's credential to B.
    let refused = PortalClient::new(&b_proxy.base_url, Some(credential_a.clone())).unwrap_err();
    assert!(matches!(refused, ClientError::CredentialElsewhere { .. }));

    // Enrolling with B: its own credential, used by the poll once the kiosk scans again.
    let code_b = b.portal.enrollment_code("s1").await.unwrap();
    let (client_b, _) = enroll(store.clone(), &b_proxy.base_url, &code_b, "Room 12")
        .await
        .unwrap();
    let credential_b = stored_credential(store.as_ref()).expect("B's credential stored");
    assert_eq!(credential_b.origin(), b_proxy.base_url);
    kiosk.handle.use_client(Some(client_b));
    kiosk.handle.send(Event::Setup(SetupEvent::Enrolled));
    kiosk.handle.user(UserAction::LeaveSetup);
    kiosk.wait_scanning().await;
    b_proxy
        .wait_for(&format!("Bearer {}", credential_b.secret().expose()))
        .await;

    let sent_to_b = b_proxy.text();
    assert!(sent_to_b.contains(badgein_proto::paths::KIOSK_ME));
    assert!(
        !sent_to_b.contains(credential_a.secret().expose()),
        "portal B received portal A's credential"
    );
}
