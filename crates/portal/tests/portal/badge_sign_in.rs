use std::time::Duration;

use badgein_portal::VoidScope;
use badgein_proto::SignIn;

use crate::harness::{Env, problem_code, run};

async fn signs_in_with_a_badge_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    assert_eq!(kiosk.school.id, "s1");
    assert!(kiosk.device_credential.len() >= 64);
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let r = env.badge_sign_in(&kiosk.device_credential, &badge).await;
    assert_eq!(r.status(), 200, "{}", env.backend);
    let sign_in: SignIn = r.json().await.unwrap();
    assert_eq!(sign_in.user.first_name, "Maya");
    assert_eq!(sign_in.user.locale, "es");
    assert!(sign_in.session_id.len() >= 32, "128-bit session handle");
    assert!(sign_in.launch_url.starts_with(&env.url("/launch?ticket=")));
    let avatar = env
        .http
        .get(sign_in.user.avatar_url.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(avatar.headers()["content-type"], "image/svg+xml");
    assert!(avatar.text().await.unwrap().contains("MG"));
}

#[tokio::test]
async fn signs_in_with_a_badge() {
    run(signs_in_with_a_badge_body).await;
}

async fn only_enrolled_kiosks_of_the_school_body(env: Env) {
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let none = env
        .http
        .post(env.url("/api/v1/sign-ins/badge"))
        .json(&serde_json::json!({ "badge": badge }))
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(none).await, (401, "kiosk_not_enrolled".into()));
    let forged = env.badge_sign_in(&"0".repeat(64), &badge).await;
    assert_eq!(
        problem_code(forged).await,
        (401, "kiosk_not_enrolled".into())
    );

    let other_school = env.enroll("s2", "Oak hall").await;
    let r = env
        .badge_sign_in(&other_school.device_credential, &badge)
        .await;
    assert_eq!(problem_code(r).await, (403, "wrong_school".into()));

    let mine = env.enroll("s1", "Room 12").await;
    env.portal().revoke_kiosk(&mine.kiosk_id).await.unwrap();
    let r = env.badge_sign_in(&mine.device_credential, &badge).await;
    assert_eq!(problem_code(r).await, (403, "kiosk_revoked".into()));
    let me = env
        .http
        .get(env.url("/api/v1/kiosks/me"))
        .bearer_auth(&mine.device_credential)
        .send()
        .await
        .unwrap();
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["revoked"], true);
}

#[tokio::test]
async fn only_enrolled_kiosks_of_the_school() {
    run(only_enrolled_kiosks_of_the_school_body).await;
}

async fn void_and_expiry_apply_at_once_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    let old = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let new = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let r = env.badge_sign_in(cred, &old).await;
    assert_eq!(
        problem_code(r).await,
        (401, "badge_voided".into()),
        "reprint voids"
    );
    assert_eq!(env.badge_sign_in(cred, &new).await.status(), 200);
    assert_eq!(
        env.portal()
            .void_badges(&VoidScope::Class("c1".into()))
            .await
            .unwrap(),
        1
    );
    let r = env.badge_sign_in(cred, &new).await;
    assert_eq!(problem_code(r).await, (401, "badge_voided".into()));

    let temp = env
        .portal()
        .issue_badge("u2", Some(2))
        .await
        .unwrap()
        .encode();
    assert_eq!(env.badge_sign_in(cred, &temp).await.status(), 200);
    env.clock.advance(Duration::from_secs(2 * 3600));
    let r = env.badge_sign_in(cred, &temp).await;
    assert_eq!(problem_code(r).await, (401, "badge_expired".into()));
}

#[tokio::test]
async fn void_and_expiry_apply_at_once() {
    run(void_and_expiry_apply_at_once_body).await;
}

async fn forged_and_unknown_badges_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let real = env.portal().issue_badge("u1", None).await.unwrap();
    // Same id, other secret: a guessed secret.
    let mut id = [0u8; 5];
    let text = real.id().to_string();
    let parsed = badgein_badge::BadgeId::parse(&text).unwrap();
    id.copy_from_slice(parsed.as_bytes());
    let forged = badgein_badge::Badge::from_parts(id, [9; 16]).encode();
    let r = env.badge_sign_in(&kiosk.device_credential, &forged).await;
    assert_eq!(problem_code(r).await, (401, "badge_unknown".into()));
    let unknown = badgein_badge::Badge::generate().unwrap().encode();
    let r = env.badge_sign_in(&kiosk.device_credential, &unknown).await;
    assert_eq!(problem_code(r).await, (401, "badge_unknown".into()));
    let r = env
        .badge_sign_in(&kiosk.device_credential, "https://evil.example/")
        .await;
    assert_eq!(problem_code(r).await, (400, "not_a_badge".into()));
}

#[tokio::test]
async fn forged_and_unknown_badges() {
    run(forged_and_unknown_badges_body).await;
}

async fn enrollment_codes_are_single_use_body(env: Env) {
    let code = env.portal().enrollment_code("s1").await.unwrap();
    let enroll = |code: String| {
        let http = env.http.clone();
        let url = env.url("/api/v1/kiosks/enroll");
        async move {
            http.post(url)
                .json(&serde_json::json!({"code": code, "name": "Hall"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let results =
        futures::future::join_all([enroll(code.clone()), enroll(code.to_lowercase())]).await;
    let mut sorted = results.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, vec![201, 401], "{results:?}");

    let late = env.portal().enrollment_code("s1").await.unwrap();
    env.clock.advance(Duration::from_secs(15 * 60));
    assert_eq!(enroll(late).await, 401);
}

#[tokio::test]
async fn enrollment_codes_are_single_use() {
    run(enrollment_codes_are_single_use_body).await;
}

async fn database_holds_no_secret_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap();
    env.portal()
        .set_password("t1", "correct horse battery")
        .await
        .unwrap();
    let r = env
        .badge_sign_in(&kiosk.device_credential, &badge.encode())
        .await;
    let sign_in: SignIn = r.json().await.unwrap();
    let ticket = sign_in
        .launch_url
        .split("ticket=")
        .nth(1)
        .unwrap()
        .to_owned();
    let dump = crate::harness::dump(&env).await;
    let secret_b32 = &badge.encode()[13..39];
    for needle in [
        badge.encode().as_str(),
        secret_b32,
        kiosk.device_credential.as_str(),
        ticket.as_str(),
        "correct horse battery",
    ] {
        assert!(
            !dump.contains(needle),
            "the dump holds a secret ({})",
            env.backend
        );
    }
    assert!(dump.contains(&badge.id().to_string()), "the dump is real");
    let audit = env.portal().audit_log().await.unwrap();
    let sign_ins: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "sign_in.badge")
        .collect();
    assert_eq!(sign_ins.len(), 1);
    assert_eq!(
        sign_ins[0].kiosk_id.as_deref(),
        Some(kiosk.kiosk_id.as_str())
    );
    assert_eq!(
        sign_ins[0].badge_id.as_deref(),
        Some(badge.id().to_string().as_str())
    );
    assert_eq!(sign_ins[0].result, "ok");
    assert!(sign_ins[0].latency_ms.is_some());
}

#[tokio::test]
async fn database_holds_no_secret() {
    run(database_holds_no_secret_body).await;
}
