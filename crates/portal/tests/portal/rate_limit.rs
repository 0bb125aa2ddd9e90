//! `rate_limited` on the sign-in endpoints: per kiosk, and per address for credentials that
//! are not a kiosk's; time moves only with the injected clock.

use std::time::Duration;

use badgein_portal::Config;
use badgein_portal::config::Rate;

use crate::harness::{Env, problem_code, run, run_with};

fn tight() -> Config {
    Config {
        kiosk_rate: Rate {
            burst: 3,
            per_second: 1,
        },
        address_rate: Rate {
            burst: 2,
            per_second: 1,
        },
        ..Config::for_tests()
    }
}

/// The answer is `429 rate_limited` with `retry_after` in the body and `Retry-After`.
async fn assert_limited(r: reqwest::Response, seconds: u64) {
    assert_eq!(r.headers()["retry-after"], seconds.to_string().as_str());
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], 429);
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(body["retry_after"], seconds);
}

async fn a_hammering_kiosk_is_slowed_down_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    // The first attempt counts against the address (the credential is not known yet), and
    // then the kiosk has its own three.
    for _ in 0..3 {
        assert_eq!(env.badge_sign_in(cred, &badge).await.status(), 200);
    }
    let audited = env.portal().audit_log().await.unwrap().len();
    assert_limited(env.badge_sign_in(cred, &badge).await, 1).await;
    // Typed sign-ins from the same kiosk share its bucket.
    assert_limited(env.password_sign_in(cred, "leo", "whatever1").await, 1).await;
    assert_eq!(
        env.portal().audit_log().await.unwrap().len(),
        audited,
        "a refused flood writes nothing"
    );
    env.clock.advance(Duration::from_millis(999));
    assert_limited(env.badge_sign_in(cred, &badge).await, 1).await;
    env.clock.advance(Duration::from_millis(1));
    assert_eq!(env.badge_sign_in(cred, &badge).await.status(), 200);
    assert_limited(env.badge_sign_in(cred, &badge).await, 1).await;
    // Another kiosk of the same school (same address) is not held up by this one.
    let other = env.enroll("s1", "Room 14").await;
    assert_eq!(
        env.badge_sign_in(&other.device_credential, &badge)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_hammering_kiosk_is_slowed_down() {
    run_with(tight(), a_hammering_kiosk_is_slowed_down_body).await;
}

async fn made_up_credentials_are_limited_per_address_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    assert_eq!(
        env.badge_sign_in(&kiosk.device_credential, &badge)
            .await
            .status(),
        200
    );
    // The kiosk never drew from the address's two attempts: both made-up credentials are
    // looked up...
    let guess = |n: u32| format!("{n:064x}");
    for n in 1..=2 {
        assert_eq!(
            problem_code(env.badge_sign_in(&guess(n), &badge).await).await,
            (401, "kiosk_not_enrolled".into())
        );
    }
    // ... and the next ones are refused before the database is asked.
    assert_limited(env.badge_sign_in(&guess(2), &badge).await, 1).await;
    assert_limited(env.password_sign_in(&guess(3), "leo", "whatever1").await, 1).await;
    // The kiosk the service knows still signs children in from the same address.
    assert_eq!(
        env.badge_sign_in(&kiosk.device_credential, &badge)
            .await
            .status(),
        200
    );
    env.clock.advance(Duration::from_secs(1));
    assert_eq!(
        problem_code(env.badge_sign_in(&guess(4), &badge).await).await,
        (401, "kiosk_not_enrolled".into())
    );
}

#[tokio::test]
async fn made_up_credentials_are_limited_per_address() {
    run_with(tight(), made_up_credentials_are_limited_per_address_body).await;
}

/// The production policy (`Config::for_tests` keeps every limit of the default): a kiosk gets
/// 20 sign-ins at once, then one every 200 ms, which is far more than a line of children.
async fn the_production_kiosk_limit_is_sized_for_children_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    for n in 0..20 {
        assert_eq!(env.badge_sign_in(cred, &badge).await.status(), 200, "{n}");
    }
    assert_limited(env.badge_sign_in(cred, &badge).await, 1).await;
    env.clock.advance(Duration::from_millis(199));
    assert_limited(env.badge_sign_in(cred, &badge).await, 1).await;
    env.clock.advance(Duration::from_millis(1));
    assert_eq!(env.badge_sign_in(cred, &badge).await.status(), 200);
    assert_limited(env.badge_sign_in(cred, &badge).await, 1).await;
    // A child every few seconds never meets the limit.
    for _ in 0..30 {
        env.clock.advance(Duration::from_secs(2));
        assert_eq!(env.badge_sign_in(cred, &badge).await.status(), 200);
    }
}

#[tokio::test]
async fn the_production_kiosk_limit_is_sized_for_children() {
    assert_eq!(
        Config::default().kiosk_rate,
        Config::for_tests().kiosk_rate,
        "tests run the production kiosk limit"
    );
    run(the_production_kiosk_limit_is_sized_for_children_body).await;
}
