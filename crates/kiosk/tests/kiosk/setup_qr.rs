//! The setup QR read by the kiosk's camera (docs/kiosk-ipc.md, `setup_switch`): on the setup
//! screen it enrolls with a real portal on loopback; on the scan screen it is a code that is
//! not a badge; and an enrolled kiosk asks, keeps A's credential until B has enrolled it (a
//! spent code leaves it with A), and B never sees A's credential.

use std::sync::Arc;
use std::time::Duration;

use badgein_kiosk_core::driver::settings_poll;
use badgein_kiosk_core::machine::{Code, Event, PinAnswer, Screen, SetupEvent, UserAction};
use badgein_kiosk_core::portal_client::PortalClient;
use badgein_kiosk_core::qr_enroll::{self, QrEnrollments};
use badgein_kiosk_core::secrets::SecretStore;
use badgein_proto::ProblemCode;

use crate::camera::qr_image;
use crate::portal_move::Recorder;
use crate::support::{Env, PATIENCE, RunningKiosk, settings, stored_credential};

fn setup_text(origin: &str, code: &str) -> String {
    format!("BADGEIN-SETUP/1 {origin} {code}")
}

async fn next(requests: &mut QrEnrollments) -> qr_enroll::QrEnrollment {
    tokio::time::timeout(PATIENCE, requests.recv())
        .await
        .expect("the machine asked for an enrollment")
        .expect("the driver runs")
}

fn open_setup(kiosk: &RunningKiosk) {
    kiosk.handle.user(UserAction::OpenTeacher);
    kiosk
        .handle
        .send(Event::Setup(SetupEvent::PinChecked(PinAnswer::Right)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setup_qr_shown_on_the_setup_screen_enrolls() {
    let env = Env::start().await;
    let mut kiosk = RunningKiosk::start(&env, None, settings());
    let mut requests = kiosk.driver.take_qr_enrollments().unwrap();
    kiosk
        .wait_screen("setup", |s| {
            matches!(
                s,
                Screen::Setup {
                    enrolled: false,
                    ..
                }
            )
        })
        .await;

    // Something that is not a setup QR is refused, with a message.
    let wrong = setup_text("http://portal.example.org", "ABCDE-FGHIJ");
    kiosk
        .camera
        .show(&env.png("wrong-setup-qr", &[&qr_image(&wrong)]));
    kiosk
        .wait_screen("refused", |s| {
            matches!(
                s,
                Screen::Setup {
                    message: Some(Code::SetupQrRefused),
                    ..
                }
            )
        })
        .await;

    let code = env.portal.enrollment_code("s1").await.unwrap();
    let text = setup_text(&env.base_url, &code.to_lowercase());
    kiosk.camera.show(&env.png("setup-qr", &[&qr_image(&text)]));
    let request = next(&mut requests).await;
    assert!(!request.switching);
    assert_eq!(request.qr.origin(), env.base_url);
    kiosk
        .wait_screen("found", |s| {
            matches!(
                s,
                Screen::Setup {
                    message: Some(Code::SetupQrFound),
                    ..
                }
            )
        })
        .await;
    let (client, enrolled) = qr_enroll::enroll(env.store.clone(), &request, "Hall")
        .await
        .unwrap();
    assert_eq!(enrolled.school.id, "s1");
    let credential = stored_credential(&*env.store).expect("credential stored");
    assert_eq!(credential.origin(), env.base_url);
    kiosk.handle.use_client(Some(client));
    kiosk.handle.send(Event::Setup(SetupEvent::Enrolled));
    kiosk.handle.user(UserAction::LeaveSetup);
    kiosk.wait_scanning().await;

    // The kiosk works: a badge signs in.
    let maya = env.portal.issue_badge("u1", None).await.unwrap();
    kiosk.camera.show(&env.badge_png("maya", &maya));
    kiosk.wait_signed_in("Maya").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setup_qr_on_the_scan_screen_is_just_not_a_badge() {
    let env = Env::start().await;
    let other = Env::start().await;
    let (client, _) = env.enroll("s1").await;
    let before = stored_credential(&*env.store).unwrap();
    let mut kiosk = RunningKiosk::start(&env, Some(client), settings());
    let mut requests = kiosk.driver.take_qr_enrollments().unwrap();
    kiosk.wait_scanning().await;

    let code = other.portal.enrollment_code("s1").await.unwrap();
    let text = setup_text(&other.base_url, &code);
    kiosk.camera.show(&env.png("setup-qr", &[&qr_image(&text)]));
    kiosk
        .wait_screen("not a badge", |s| {
            matches!(
                s,
                Screen::Result {
                    code: Code::Problem(ProblemCode::NotABadge),
                    ..
                }
            )
        })
        .await;
    assert!(
        requests.try_recv().is_err(),
        "no enrollment from the scan screen"
    );
    assert_eq!(stored_credential(&*env.store), Some(before));
    assert!(
        !kiosk
            .views()
            .iter()
            .any(|v| matches!(v.screen, Screen::Setup { .. } | Screen::SetupSwitch { .. })),
        "the scan screen never went to setup"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_portals_by_setup_qr_asks_and_never_sends_as_credential_to_b() {
    let a = Env::start().await;
    let b = Env::start().await;
    let b_proxy = Recorder::start(&b.base_url).await;
    let store: Arc<dyn SecretStore> = a.store.clone();

    let (client_a, _) = a.enroll("s1").await;
    let credential_a = stored_credential(store.as_ref()).unwrap();
    let mut kiosk = RunningKiosk::start(&a, Some(client_a), settings());
    let mut requests = kiosk.driver.take_qr_enrollments().unwrap();
    kiosk.wait_scanning().await;
    settings_poll::spawn(kiosk.handle.clone(), Duration::from_millis(30), |_| {});

    open_setup(&kiosk);
    kiosk
        .wait_screen("setup", |s| {
            matches!(s, Screen::Setup { enrolled: true, .. })
        })
        .await;

    // A code B has already used: the switch fails and the kiosk stays A's, still signing in.
    let spent = b.portal.enrollment_code("s1").await.unwrap();
    PortalClient::new(&b.base_url, None)
        .unwrap()
        .enroll(&spent, "another kiosk")
        .await
        .unwrap();
    let text = setup_text(&b_proxy.base_url, &spent);
    kiosk
        .camera
        .show(&a.png("setup-qr-spent", &[&qr_image(&text)]));
    kiosk
        .wait_screen("the question", |s| matches!(s, Screen::SetupSwitch { .. }))
        .await;
    kiosk.handle.user(UserAction::ConfirmSetupSwitch);
    let request = next(&mut requests).await;
    assert!(request.switching);
    let error = qr_enroll::enroll(store.clone(), &request, "Room 12")
        .await
        .expect_err("a spent code enrolls nothing");
    assert_eq!(
        stored_credential(store.as_ref()),
        Some(credential_a.clone()),
        "A's credential kept"
    );
    kiosk
        .handle
        .send(Event::Setup(SetupEvent::Message(error.code())));
    kiosk
        .wait_screen("the failure, still enrolled", |s| {
            matches!(
                s,
                Screen::Setup {
                    enrolled: true,
                    message: Some(m),
                    ..
                } if *m == error.code()
            )
        })
        .await;
    assert!(
        !b_proxy.text().contains(credential_a.secret().expose()),
        "portal B received portal A's credential"
    );
    kiosk.camera.show_and_settle(&a.png("empty-1", &[])).await;
    kiosk.handle.user(UserAction::LeaveSetup);
    kiosk.wait_scanning().await;
    let maya = a.portal.issue_badge("u1", None).await.unwrap();
    kiosk.camera.show(&a.badge_png("maya", &maya));
    kiosk.wait_signed_in("Maya").await;
    kiosk.camera.show_and_settle(&a.png("empty-2", &[])).await;
    kiosk.handle.user(UserAction::SignOut);
    kiosk.wait_scanning().await;
    open_setup(&kiosk);
    kiosk
        .wait_screen("setup again", |s| {
            matches!(s, Screen::Setup { enrolled: true, .. })
        })
        .await;

    let heard = b_proxy.text();
    let code_b = b.portal.enrollment_code("s1").await.unwrap();
    let text = setup_text(&b_proxy.base_url, &code_b);
    kiosk.camera.show(&a.png("setup-qr-b", &[&qr_image(&text)]));
    let asked = kiosk
        .wait_screen("the question", |s| matches!(s, Screen::SetupSwitch { .. }))
        .await;
    assert_eq!(
        asked.screen,
        Screen::SetupSwitch {
            origin: b_proxy.base_url.clone()
        }
    );
    // Nothing happens before the teacher says yes.
    assert!(requests.try_recv().is_err());
    assert_eq!(
        stored_credential(store.as_ref()),
        Some(credential_a.clone())
    );
    assert_eq!(b_proxy.text(), heard, "B heard nothing more yet");

    kiosk.handle.user(UserAction::ConfirmSetupSwitch);
    let request = next(&mut requests).await;
    assert!(request.switching);
    let (client_b, _) = qr_enroll::enroll(store.clone(), &request, "Room 12")
        .await
        .unwrap();
    let credential_b = stored_credential(store.as_ref()).expect("B's credential stored");
    assert_eq!(credential_b.origin(), b_proxy.base_url);
    assert_ne!(credential_b, credential_a);
    kiosk.handle.use_client(Some(client_b));
    kiosk.handle.send(Event::Setup(SetupEvent::Enrolled));
    kiosk.camera.show_and_settle(&a.png("empty", &[])).await;
    kiosk.handle.user(UserAction::LeaveSetup);
    kiosk.wait_scanning().await;
    b_proxy
        .wait_for(&format!("Bearer {}", credential_b.secret().expose()))
        .await;
    assert!(
        !b_proxy.text().contains(credential_a.secret().expose()),
        "portal B received portal A's credential"
    );
}
