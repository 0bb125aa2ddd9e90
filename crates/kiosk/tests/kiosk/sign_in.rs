//! Badges at the camera: sign in, sign out, switch, and every refusal.

use badgein_badge::Badge;
use badgein_kiosk_core::machine::{Code, Language, Screen, UserAction};
use badgein_portal::VoidScope;
use badgein_proto::ProblemCode;

use crate::support::{Env, RunningKiosk, WebviewCall, dashboard_status, settings};

fn result_code(screen: &Screen) -> Option<Code> {
    match screen {
        Screen::Result { code, .. } => Some(*code),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn badge_signs_in_opens_the_portal_and_sign_out_ends_the_session() {
    let env = Env::start().await;
    let (client, _) = env.enroll("s1").await;
    let maya = env.portal.issue_badge("u1", None).await.unwrap();
    let kiosk = RunningKiosk::start(&env, Some(client), settings());
    kiosk.wait_scanning().await;

    kiosk.camera.show(&env.badge_png("maya", &maya));
    let view = kiosk.wait_signed_in("Maya").await;
    assert_eq!(view.language, Language::Es, "Maya is greeted in Spanish");
    assert!(
        kiosk
            .views()
            .iter()
            .any(|v| matches!(&v.screen, Screen::Greeting { user } if user.first_name == "Maya")),
        "the greeting came first"
    );
    let calls = kiosk.webview.calls();
    assert!(
        matches!(
            calls.as_slice(),
            [WebviewCall::Opened {
                status: 303,
                cookie: Some(_)
            }]
        ),
        "the launch ticket was redeemed: {calls:?}"
    );
    let cookie = kiosk.webview.cookie(0);
    assert_eq!(dashboard_status(&env.base_url, &cookie).await, 200);

    kiosk
        .camera
        .show_and_settle(&env.png("empty-desk", &[]))
        .await;
    kiosk.handle.user(UserAction::SignOut);
    kiosk.wait_scanning().await;
    assert_eq!(kiosk.webview.calls().last(), Some(&WebviewCall::Wiped));
    assert_ne!(
        dashboard_status(&env.base_url, &cookie).await,
        200,
        "the session was ended on the portal too"
    );
    let opened = kiosk
        .webview
        .calls()
        .iter()
        .filter(|c| matches!(c, WebviewCall::Opened { .. }))
        .count();
    assert_eq!(opened, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_different_badge_signs_the_first_child_out_then_the_second_in() {
    let env = Env::start().await;
    let (client, _) = env.enroll("s1").await;
    let maya = env.portal.issue_badge("u1", None).await.unwrap();
    let leo = env.portal.issue_badge("u2", None).await.unwrap();
    let kiosk = RunningKiosk::start(&env, Some(client), settings());

    kiosk.camera.show(&env.badge_png("maya", &maya));
    kiosk.wait_signed_in("Maya").await;
    let maya_cookie = kiosk.webview.cookie(0);

    kiosk.camera.show(&env.badge_png("leo", &leo));
    let view = kiosk.wait_signed_in("Leo").await;
    assert_eq!(view.language, Language::En);
    let calls = kiosk.webview.calls();
    assert!(
        matches!(
            calls.as_slice(),
            [
                WebviewCall::Opened { .. },
                WebviewCall::Wiped,
                WebviewCall::Opened { .. }
            ]
        ),
        "wiped between the two children: {calls:?}"
    );
    assert_ne!(dashboard_status(&env.base_url, &maya_cookie).await, 200);
    assert_eq!(
        dashboard_status(&env.base_url, &kiosk.webview.cookie(1)).await,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voided_unknown_and_foreign_badges_are_refused() {
    let env = Env::start().await;
    let (client, _) = env.enroll("s1").await;
    let old = env.portal.issue_badge("u1", None).await.unwrap();
    let voided = env.portal.issue_badge("u2", None).await.unwrap();
    env.portal
        .void_badges(&VoidScope::User("u2".into()))
        .await
        .unwrap();
    // Reprinting Maya's badge voids the old card.
    env.portal.issue_badge("u1", None).await.unwrap();
    let oskar = env.portal.issue_badge("x1", None).await.unwrap();
    let kiosk = RunningKiosk::start(&env, Some(client), settings());

    for (name, badge, code) in [
        ("voided", voided, ProblemCode::BadgeVoided),
        ("reprinted", old, ProblemCode::BadgeVoided),
        (
            "unknown",
            Badge::generate().unwrap(),
            ProblemCode::BadgeUnknown,
        ),
        ("other-school", oskar, ProblemCode::WrongSchool),
    ] {
        kiosk.wait_scanning().await;
        kiosk.camera.show(&env.badge_png(name, &badge));
        let view = kiosk.wait_screen(name, |s| result_code(s).is_some()).await;
        assert_eq!(result_code(&view.screen), Some(code.into()), "{name}");
        kiosk.camera.show(&env.png("empty-desk", &[]));
    }
    assert!(kiosk.webview.calls().is_empty(), "no portal was opened");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_that_are_not_one_badge_never_reach_the_network() {
    let env = Env::start().await;
    let (client, _) = env.enroll("s1").await;
    let maya = env.portal.issue_badge("u1", None).await.unwrap();
    let leo = env.portal.issue_badge("u2", None).await.unwrap();
    let before = env.portal.audit_log().await.unwrap().len();
    let kiosk = RunningKiosk::start(&env, Some(client), settings());

    let url_qr = crate::camera::qr_image("javascript:alert(document.cookie)");
    kiosk.camera.show(&env.png("not-a-badge", &[&url_qr]));
    let view = kiosk
        .wait_screen("not a badge", |s| result_code(s).is_some())
        .await;
    assert_eq!(
        result_code(&view.screen),
        Some(ProblemCode::NotABadge.into())
    );

    kiosk.camera.show(&env.png("empty-desk", &[]));
    kiosk.wait_scanning().await;
    let both = [&maya.render(5).unwrap(), &leo.render(5).unwrap()];
    kiosk.camera.show(&env.png("two-badges", &both));
    let view = kiosk
        .wait_screen("several", |s| result_code(s).is_some())
        .await;
    assert_eq!(result_code(&view.screen), Some(Code::SeveralBadges));

    // Junk the portal heard of would be in its counts: written now, it would show.
    env.portal.flush_junk().await.unwrap();
    assert_eq!(
        env.portal.audit_log().await.unwrap().len(),
        before,
        "the portal heard of none of it"
    );
    assert!(kiosk.webview.calls().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_or_unknown_kiosk_goes_back_to_setup() {
    let env = Env::start().await;
    let (client, enrollment) = env.enroll("s1").await;
    let maya = env.portal.issue_badge("u1", None).await.unwrap();
    env.portal.revoke_kiosk(&enrollment.kiosk_id).await.unwrap();
    let kiosk = RunningKiosk::start(&env, Some(client), settings());
    kiosk.camera.show(&env.badge_png("maya", &maya));
    let view = kiosk
        .wait_screen("setup", |s| matches!(s, Screen::Setup { .. }))
        .await;
    assert_eq!(
        view.screen,
        Screen::Setup {
            enrolled: false,
            message: Some(ProblemCode::KioskRevoked.into())
        }
    );

    // A credential the portal never issued (a copied config, a wiped database).
    let stranger = badgein_kiosk_core::portal_client::PortalClient::new(
        &env.base_url,
        Some(crate::support::credential_for(
            &env.base_url,
            "not-a-real-credential",
        )),
    )
    .unwrap();
    let kiosk = RunningKiosk::start(&env, Some(stranger), settings());
    kiosk.camera.show(&env.badge_png("maya", &maya));
    let view = kiosk
        .wait_screen("setup", |s| matches!(s, Screen::Setup { .. }))
        .await;
    assert_eq!(
        view.screen,
        Screen::Setup {
            enrolled: false,
            message: Some(ProblemCode::KioskNotEnrolled.into())
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_down_says_offline_and_wipes_anyway() {
    let mut env = Env::start().await;
    let (client, _) = env.enroll("s1").await;
    let maya = env.portal.issue_badge("u1", None).await.unwrap();
    let leo = env.portal.issue_badge("u2", None).await.unwrap();
    let kiosk = RunningKiosk::start(&env, Some(client), settings());
    kiosk.camera.show(&env.badge_png("maya", &maya));
    kiosk.wait_signed_in("Maya").await;

    env.running.take().unwrap().stop().await.unwrap();
    kiosk
        .camera
        .show_and_settle(&env.png("empty-desk", &[]))
        .await;
    kiosk.handle.user(UserAction::SignOut);
    kiosk.wait_scanning().await;
    assert_eq!(
        kiosk.webview.calls().last(),
        Some(&WebviewCall::Wiped),
        "the local wipe does not wait for the portal"
    );

    kiosk.camera.show(&env.badge_png("leo", &leo));
    let view = kiosk
        .wait_screen("offline", |s| result_code(s).is_some())
        .await;
    assert_eq!(result_code(&view.screen), Some(Code::Offline));
}
