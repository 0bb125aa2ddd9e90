use std::time::Duration;

use crate::harness::{Env, problem_code, run};

async fn lockout_after_five_failures_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    env.portal()
        .set_password("t1", "correct horse battery")
        .await
        .unwrap();
    for _ in 0..5 {
        let r = env.password_sign_in(cred, "mrsk", "wrong password").await;
        assert_eq!(problem_code(r).await, (401, "invalid_credentials".into()));
    }
    // Locked: even the right password is refused, with a retry time.
    let r = env
        .password_sign_in(cred, "MrsK", "correct horse battery")
        .await;
    assert_eq!(r.headers()["retry-after"], "900");
    assert_eq!(problem_code(r).await, (429, "account_locked".into()));
    // A password lockout never blocks badge sign-in of that user.
    env.clock.advance(Duration::from_secs(15 * 60 - 1));
    let r = env
        .password_sign_in(cred, "mrsk", "correct horse battery")
        .await;
    assert_eq!(problem_code(r).await, (429, "account_locked".into()));
    env.clock.advance(Duration::from_secs(1));
    let r = env
        .password_sign_in(cred, "mrsk", "correct horse battery")
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn lockout_after_five_failures() {
    run(lockout_after_five_failures_body).await;
}

async fn success_resets_and_teacher_unlocks_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    env.portal()
        .set_password("t1", "correct horse battery")
        .await
        .unwrap();
    for _ in 0..4 {
        env.password_sign_in(cred, "mrsk", "nope nope").await;
    }
    assert_eq!(
        env.password_sign_in(cred, "mrsk", "correct horse battery")
            .await
            .status(),
        200
    );
    for _ in 0..4 {
        let r = env.password_sign_in(cred, "mrsk", "nope nope").await;
        assert_eq!(
            problem_code(r).await.1,
            "invalid_credentials",
            "counter was reset"
        );
    }
    env.password_sign_in(cred, "mrsk", "nope nope").await;
    let r = env
        .password_sign_in(cred, "mrsk", "correct horse battery")
        .await;
    assert_eq!(problem_code(r).await.1, "account_locked");
    env.portal().unlock("t1").await.unwrap();
    assert_eq!(
        env.password_sign_in(cred, "mrsk", "correct horse battery")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn success_resets_and_teacher_unlocks() {
    run(success_resets_and_teacher_unlocks_body).await;
}

async fn unknown_users_get_the_same_answers_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    env.portal()
        .set_password("t1", "correct horse battery")
        .await
        .unwrap();
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..6 {
        known.push(problem_code(env.password_sign_in(cred, "mrsk", "wrong one").await).await);
        unknown.push(problem_code(env.password_sign_in(cred, "nobody", "wrong one").await).await);
    }
    assert_eq!(known, unknown);
    assert_eq!(known[5], (429, "account_locked".into()));
}

#[tokio::test]
async fn unknown_users_get_the_same_answers() {
    run(unknown_users_get_the_same_answers_body).await;
}

async fn concurrent_attempts_are_counted_atomically_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    env.portal()
        .set_password("t1", "correct horse battery")
        .await
        .unwrap();
    let attempts = (0..20).map(|_| env.password_sign_in(&kiosk.device_credential, "mrsk", "guess"));
    let mut codes = Vec::new();
    for r in futures::future::join_all(attempts).await {
        codes.push(problem_code(r).await.1);
    }
    let checked = codes.iter().filter(|c| *c == "invalid_credentials").count();
    let locked = codes.iter().filter(|c| *c == "account_locked").count();
    assert_eq!((checked, locked), (5, 15), "{codes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_attempts_are_counted_atomically() {
    // Throttles out of the way: this is about the lockout counter alone.
    let roomy = badgein_portal::config::Rate {
        burst: 100,
        per_second: 100,
    };
    let config = badgein_portal::Config {
        login_username_rate: roomy,
        login_device_rate: roomy,
        ..badgein_portal::Config::for_tests()
    };
    crate::harness::run_with(config, concurrent_attempts_are_counted_atomically_body).await;
}

/// Unknown usernames cost the same Argon2 work as wrong passwords: each attempt, whoever it
/// names, runs exactly one Argon2 check at the configured cost. The work is counted rather
/// than timed, so a loaded machine cannot make this pass or fail; skipping the hash for an
/// unknown name, or checking it against a cheaper dummy, would.
async fn unknown_users_cost_as_much_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    env.portal()
        .set_password("t1", "correct horse battery")
        .await
        .unwrap();
    for i in 0..4 {
        env.portal().unlock("t1").await.unwrap();
        for username in ["mrsk", &format!("ghost{i}")] {
            let before = env.portal().password_work();
            let r = env
                .password_sign_in(&kiosk.device_credential, username, "wrong")
                .await;
            assert_eq!(problem_code(r).await, (401, "invalid_credentials".into()));
            let after = env.portal().password_work();
            assert_eq!(
                (
                    after.runs - before.runs,
                    after.at_full_cost - before.at_full_cost
                ),
                (1, 1),
                "{username}: one Argon2 run at the configured cost"
            );
        }
    }
}

#[tokio::test]
async fn unknown_users_cost_as_much() {
    run(unknown_users_cost_as_much_body).await;
}
