//! Two instances of the service on one PostgreSQL database, requests alternating between them
//! as a load balancer without sticky sessions sends them (docs/deploy.md, "Running more than
//! one instance"): what one instance gives out, the other honours; what one ends, the other
//! refuses at once; the lockout counts attempts at both; the rate limits stay within their
//! documented bound. Without PostgreSQL these fail under CI and say they did not run elsewhere
//! (`harness::two_instances`).

use std::time::Duration;

use badgein_portal::Config;
use badgein_portal::config::Rate;
use badgein_proto::SignIn;

use crate::authorize::{badge_cookie, param, redeem_form, register, visit};
use crate::harness::{Env, get, open, problem_code, session_cookie, two_instances};
use crate::staff_totp::{code, enroll_kim};

const A: usize = 0;
const B: usize = 1;
const PASSWORD: &str = "correct horse battery";

async fn badge_sign_in_at(
    env: &Env,
    which: usize,
    credential: &str,
    badge: &str,
) -> reqwest::Response {
    env.http
        .post(env.url_at(which, "/api/v1/sign-ins/badge"))
        .bearer_auth(credential)
        .json(&serde_json::json!({ "badge": badge }))
        .send()
        .await
        .unwrap()
}

async fn password_sign_in_at(
    env: &Env,
    which: usize,
    credential: &str,
    password: &str,
) -> reqwest::Response {
    env.http
        .post(env.url_at(which, "/api/v1/sign-ins/password"))
        .bearer_auth(credential)
        .json(&serde_json::json!({ "username": "mrsk", "password": password }))
        .send()
        .await
        .unwrap()
}

/// Whether `cookie` opens the dashboard at instance `which` (a dead one is sent to log in).
async fn signed_in_at(env: &Env, which: usize, cookie: &str) -> bool {
    let r = env
        .http
        .get(env.url_at(which, "/"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    match r.status().as_u16() {
        200 => true,
        303 => false,
        other => panic!("dashboard answered {other}"),
    }
}

async fn a_ticket_from_one_instance_opens_at_the_other_once_body(env: Env) {
    // Enrolled at A, honoured at B from its first sign-in.
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let r = badge_sign_in_at(&env, B, &kiosk.device_credential, &badge).await;
    assert_eq!(r.status(), 200);
    let sign_in: SignIn = r.json().await.unwrap();
    // Both instances give out the one public URL.
    assert!(sign_in.launch_url.starts_with(&env.url_at(A, "/launch")));
    // B's ticket opens at A, once.
    let cookie = open(&env, &env.moved_to(A, &sign_in.launch_url))
        .await
        .expect("the ticket opens at the other instance");
    assert_eq!(
        open(&env, &env.moved_to(B, &sign_in.launch_url)).await,
        None
    );
    assert_eq!(
        open(&env, &env.moved_to(A, &sign_in.launch_url)).await,
        None
    );
    assert!(signed_in_at(&env, A, &cookie).await);
    assert!(signed_in_at(&env, B, &cookie).await);
}

#[tokio::test]
async fn a_ticket_from_one_instance_opens_at_the_other_once() {
    two_instances(
        Config::for_tests(),
        a_ticket_from_one_instance_opens_at_the_other_once_body,
    )
    .await;
}

async fn a_session_ended_at_one_instance_is_over_at_both_body(env: Env) {
    let cookie = badge_cookie(&env).await;
    assert!(signed_in_at(&env, A, &cookie).await && signed_in_at(&env, B, &cookie).await);
    let r = env
        .http
        .post(env.url_at(A, "/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(!signed_in_at(&env, B, &cookie).await, "over at B at once");
    assert!(!signed_in_at(&env, A, &cookie).await);

    // The kiosk ends a session at B: over at A.
    let kiosk = env.enroll("s1", "Hall").await;
    let badge = env.portal().issue_badge("u2", None).await.unwrap().encode();
    let r = badge_sign_in_at(&env, A, &kiosk.device_credential, &badge).await;
    let sign_in: SignIn = r.json().await.unwrap();
    let cookie = open(&env, &sign_in.launch_url).await.unwrap();
    let r = env
        .http
        .post(env.url_at(B, &format!("/api/v1/sessions/{}/end", sign_in.session_id)))
        .bearer_auth(&kiosk.device_credential)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(!signed_in_at(&env, A, &cookie).await, "over at A at once");
}

#[tokio::test]
async fn a_session_ended_at_one_instance_is_over_at_both() {
    two_instances(
        Config::for_tests(),
        a_session_ended_at_one_instance_is_over_at_both_body,
    )
    .await;
}

async fn a_kiosk_revoked_at_one_instance_is_refused_at_the_other_at_once_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    for which in [A, B] {
        let r = badge_sign_in_at(&env, which, &kiosk.device_credential, &badge).await;
        assert_eq!(r.status(), 200);
    }
    env.portal().revoke_kiosk(&kiosk.kiosk_id).await.unwrap();
    for which in [B, A] {
        let r = badge_sign_in_at(&env, which, &kiosk.device_credential, &badge).await;
        assert_eq!(problem_code(r).await, (403, "kiosk_revoked".into()));
    }
}

#[tokio::test]
async fn a_kiosk_revoked_at_one_instance_is_refused_at_the_other_at_once() {
    two_instances(
        Config::for_tests(),
        a_kiosk_revoked_at_one_instance_is_refused_at_the_other_at_once_body,
    )
    .await;
}

async fn the_lockout_counts_attempts_at_both_instances_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    // Five wrong passwords, three at A and two at B: the fifth locks the account at this
    // kiosk, at both instances.
    for i in 0..5 {
        let r = password_sign_in_at(&env, i % 2, cred, "wrong password").await;
        assert_eq!(problem_code(r).await, (401, "invalid_credentials".into()));
    }
    for which in [A, B] {
        let r = password_sign_in_at(&env, which, cred, PASSWORD).await;
        assert_eq!(problem_code(r).await, (429, "account_locked".into()));
    }
    // An unlock at B (its teacher pages, or the command line) holds at A.
    env.second_portal().unlock("t1").await.unwrap();
    let r = password_sign_in_at(&env, A, cred, PASSWORD).await;
    assert_eq!(r.status(), 200);
    // A right password at A starts the count over at B too: four wrong ones lock nothing.
    for i in 0..4 {
        let r = password_sign_in_at(&env, 1 - i % 2, cred, "wrong password").await;
        assert_eq!(problem_code(r).await, (401, "invalid_credentials".into()));
    }
    let r = password_sign_in_at(&env, B, cred, PASSWORD).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn the_lockout_counts_attempts_at_both_instances() {
    two_instances(
        Config::for_tests(),
        the_lockout_counts_attempts_at_both_instances_body,
    )
    .await;
}

async fn the_password_and_the_code_step_may_reach_different_instances_body(env: Env) {
    let kim = enroll_kim(&env).await;
    env.clock.advance(Duration::from_secs(30));
    for (first, then) in [(A, B), (B, A)] {
        let r = env
            .http
            .post(env.url_at(first, "/login"))
            .form(&[("username", "mrsk"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "the code step comes next");
        let pending = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("badgein_pending"))
            .unwrap();
        let pending = pending.split(';').next().unwrap().to_owned();
        // A wrong code at the other instance: the sign-in keeps waiting there.
        let r = env
            .http
            .post(env.url_at(then, "/login/code"))
            .header("cookie", &pending)
            .form(&[("code", "000000")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "a wrong code");
        assert!(session_cookie(&r).is_none());
        let right = code(&kim.secret, env.portal().now(), 0);
        let r = env
            .http
            .post(env.url_at(then, "/login/code"))
            .header("cookie", &pending)
            .form(&[("code", right.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let cookie = session_cookie(&r).unwrap();
        // The session passed the second factor: the teacher pages open, at the first too.
        let teach = env
            .http
            .get(env.url_at(first, "/teach"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(teach.status(), 200);
        // Taken once: the same pending cookie at the first instance completes nothing.
        let r = env
            .http
            .post(env.url_at(first, "/login/code"))
            .header("cookie", &pending)
            .form(&[("code", right.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "no sign-in waits behind it any more");
        assert!(session_cookie(&r).is_none());
        // The next round's code is a later step (a spent step never counts twice).
        env.clock.advance(Duration::from_secs(30));
    }
}

#[tokio::test]
async fn the_password_and_the_code_step_may_reach_different_instances() {
    two_instances(
        Config::for_tests(),
        the_password_and_the_code_step_may_reach_different_instances_body,
    )
    .await;
}

async fn an_authorization_code_is_redeemed_once_at_either_instance_body(env: Env) {
    let app = register(&env, &["s1"]).await;
    let cookie = badge_cookie(&env).await;
    let url = crate::authorize::authorize_url(&env, &app, &[]);
    let (status, location) = visit(&env, &env.moved_to(A, &url), Some(&cookie)).await;
    assert_eq!(status, 303);
    let code = param(&location.unwrap(), "code").unwrap();
    let exchange = |which: usize| {
        let mut form = vec![
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.secret.as_str()),
        ];
        form.extend(redeem_form(&code));
        env.http
            .post(env.url_at(which, "/oauth/token"))
            .form(&form)
            .send()
    };
    let first = exchange(A).await.unwrap();
    assert_eq!(first.status(), 200);
    let token: serde_json::Value = first.json().await.unwrap();
    let second = exchange(B).await.unwrap();
    assert_eq!(second.status(), 400);
    let body: serde_json::Value = second.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    // The second redemption revokes what the first issued, at both instances.
    let access = token["access_token"].as_str().unwrap();
    for which in [A, B] {
        let r = env
            .http
            .get(env.url_at(which, "/oauth/userinfo"))
            .bearer_auth(access)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
}

#[tokio::test]
async fn an_authorization_code_is_redeemed_once_at_either_instance() {
    two_instances(
        Config::for_tests(),
        an_authorization_code_is_redeemed_once_at_either_instance_body,
    )
    .await;
}

/// A kiosk's limit: a burst of 3, one more a second.
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

/// Sign-ins of `credential` alternating between the instances until both have refused one:
/// how many were admitted.
async fn admitted_alternating(env: &Env, credential: &str, badge: &str) -> usize {
    let mut admitted = 0;
    let mut refused = [false, false];
    for i in 0..100 {
        let which = i % 2;
        let r = badge_sign_in_at(env, which, credential, badge).await;
        match r.status().as_u16() {
            200 => admitted += 1,
            429 => refused[which] = true,
            other => panic!("answered {other}"),
        }
        if refused == [true, true] {
            return admitted;
        }
    }
    panic!("never refused at both");
}

async fn a_kiosks_burst_spent_at_both_stays_within_the_bound_body(env: Env) {
    let burst = 3;
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    // docs/deploy.md: each instance keeps its own buckets, so N instances admit at most N
    // bursts at once, and N times the rate after.
    let at_once = admitted_alternating(&env, &kiosk.device_credential, &badge).await;
    assert!(
        (burst..=2 * burst).contains(&at_once),
        "{at_once} admitted at once"
    );
    env.clock.advance(Duration::from_secs(1));
    let a_second_later = admitted_alternating(&env, &kiosk.device_credential, &badge).await;
    assert!(
        (1..=2).contains(&a_second_later),
        "{a_second_later} admitted a second later"
    );
}

#[tokio::test]
async fn a_kiosks_burst_spent_at_both_stays_within_the_bound() {
    two_instances(
        tight(),
        a_kiosks_burst_spent_at_both_stays_within_the_bound_body,
    )
    .await;
}

/// The dashboard through the harness's own alternation (the whole suite can run so, with
/// `BADGEIN_TEST_TWO_INSTANCES=1`): every other request goes to B.
async fn the_harness_alternates_body(env: Env) {
    assert!(env.second.is_some());
    assert_ne!(
        env.url("/"),
        env.url("/"),
        "one request here, the next there"
    );
    let cookie = badge_cookie(&env).await;
    for _ in 0..4 {
        assert_eq!(get(&env, &cookie, "/").await.status(), 200);
    }
}

#[tokio::test]
async fn the_harness_alternates() {
    two_instances(Config::for_tests(), the_harness_alternates_body).await;
}
