//! Updates wait for a quiet moment: the real driver, camera loop and portal. A kiosk with a
//! child signed in never grants the hold an update needs; once the child signs out and the
//! scan screen stays quiet, it does, and while the hold lasts a badge starts nothing.

use std::time::Duration;

use badgein_kiosk_core::machine::{Event, Screen, SetupEvent, UserAction};

use crate::support::{Env, PATIENCE, RunningKiosk, WebviewCall, settings};

const QUIET: Duration = Duration::from_millis(300);

fn opened(kiosk: &RunningKiosk) -> usize {
    kiosk
        .webview
        .calls()
        .iter()
        .filter(|c| matches!(c, WebviewCall::Opened { .. }))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hold_waits_for_the_sign_out_and_then_badges_start_nothing_until_released() {
    let env = Env::start().await;
    let (client, _) = env.enroll("s1").await;
    let maya = env.portal.issue_badge("u1", None).await.unwrap();
    let leo = env.portal.issue_badge("u2", None).await.unwrap();
    let kiosk = RunningKiosk::start(&env, Some(client), settings());
    kiosk.wait_scanning().await;

    kiosk.camera.show(&env.badge_png("maya", &maya));
    kiosk.wait_signed_in("Maya").await;
    let handle = kiosk.handle.clone();
    let mut hold = tokio::spawn(async move { handle.hold_when_quiet(QUIET).await });
    // A bound on a negative, not a synchronisation: the gate is asked after every 50 ms tick,
    // so this is some twenty refusals, each far past the quiet time.
    let early = tokio::time::timeout(QUIET * 4, &mut hold).await;
    assert!(early.is_err(), "no hold while Maya is signed in");
    assert!(matches!(
        kiosk.handle.view().screen,
        Screen::SignedIn { .. }
    ));

    kiosk
        .camera
        .show_and_settle(&env.png("empty-desk", &[]))
        .await;
    kiosk.handle.user(UserAction::SignOut);
    kiosk.wait_scanning().await;
    let held = tokio::time::timeout(PATIENCE, &mut hold)
        .await
        .expect("the hold comes once the scan screen is quiet")
        .unwrap()
        .expect("the kiosk is running");
    assert!(matches!(
        kiosk.handle.view().screen,
        Screen::Scanning { .. }
    ));

    // Held: Leo's badge reaches the driver and is dropped. `Unenrolled` (which the hold lets
    // through) moves only a kiosk still on the scan screen to setup; had the badge started a
    // sign-in before it, the kiosk would be signing Leo in instead.
    kiosk
        .camera
        .show_and_settle(&env.badge_png("leo", &leo))
        .await;
    kiosk.handle.send(Event::Setup(SetupEvent::Unenrolled));
    kiosk
        .wait_screen("setup", |s| matches!(s, Screen::Setup { .. }))
        .await;
    assert!(
        !kiosk
            .views()
            .iter()
            .any(|v| matches!(&v.screen, Screen::Greeting { user } if user.first_name == "Leo")),
        "Leo was not signed in while held"
    );
    assert_eq!(opened(&kiosk), 1, "only Maya's portal ever opened");

    // The install failed: the hold is dropped and the kiosk works as before.
    kiosk.handle.send(Event::Setup(SetupEvent::Enrolled));
    drop(held);
    kiosk.handle.user(UserAction::LeaveSetup);
    kiosk.wait_scanning().await;
    // Maya, as Leo's dropped presentation is still the scanner's current one (a badge must be
    // away for a while to count as shown again).
    kiosk.camera.show(&env.badge_png("maya", &maya));
    kiosk.wait_signed_in("Maya").await;
    assert_eq!(opened(&kiosk), 2);
}
