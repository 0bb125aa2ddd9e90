//! The settings poll (`GET kiosks/me`) against the real portal: a school's change arrives, and
//! a revoked kiosk leaves scanning for the teacher's setup screen with `kiosk_revoked`.

use std::time::Duration;

use badgein_kiosk_core::driver::settings_poll;
use badgein_kiosk_core::machine::{Code, Screen};
use badgein_portal::AppRequest;
use badgein_proto::ProblemCode;

use crate::support::{Env, PATIENCE, RunningKiosk, settings};

const POLL: Duration = Duration::from_millis(50);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polled_settings_arrive_and_a_revoked_kiosk_sends_children_to_the_teacher() {
    let env = Env::start().await;
    let (client, enrolled) = env.enroll("s1").await;
    let kiosk = RunningKiosk::start(&env, Some(client), settings());
    kiosk.wait_scanning().await;
    let (tx, mut polled) = tokio::sync::mpsc::unbounded_channel();
    settings_poll::spawn(kiosk.handle.clone(), POLL, move |s| {
        let _ = tx.send(s);
    });

    // The school adds an app: its origin reaches the kiosk's allow-list.
    let app = AppRequest {
        name: "Reading".into(),
        url: "https://reading.example/start".into(),
        schools: vec!["s1".into()],
        ..AppRequest::default()
    };
    env.portal.add_app(&app).await.unwrap();
    tokio::time::timeout(PATIENCE, async {
        while let Some(s) = polled.recv().await {
            assert!(!s.revoked);
            if s.allowed_origins
                .iter()
                .any(|o| o == "https://reading.example")
            {
                return;
            }
        }
        panic!("the poll stopped");
    })
    .await
    .expect("the new app's origin was polled");

    env.portal.revoke_kiosk(&enrolled.kiosk_id).await.unwrap();
    kiosk
        .wait_screen("setup saying the kiosk is revoked", |s| {
            *s == Screen::Setup {
                enrolled: false,
                message: Some(Code::Problem(ProblemCode::KioskRevoked)),
            }
        })
        .await;
}
