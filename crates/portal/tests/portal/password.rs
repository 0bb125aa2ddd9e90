use std::time::{Duration, Instant};

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

/// Unknown usernames cost the same Argon2 work as wrong passwords. Measured with the
/// production cost, alternating, median of many.
async fn unknown_users_take_as_long_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    env.portal()
        .set_password("t1", "correct horse battery")
        .await
        .unwrap();
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..20 {
        // Fresh names keep both clear of the lockout; the order alternates so that neither
        // side always runs right after the other (a loaded machine slows them unevenly).
        env.portal().unlock("t1").await.unwrap();
        let ghost = format!("ghost{i}");
        let mut timed = [("mrsk", &mut known), (ghost.as_str(), &mut unknown)];
        if i % 2 == 1 {
            timed.reverse();
        }
        for (username, times) in timed {
            let t = Instant::now();
            env.password_sign_in(&kiosk.device_credential, username, "wrong")
                .await;
            times.push(t.elapsed());
        }
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[10].as_secs_f64(), unknown[10].as_secs_f64());
    assert!(k > 0.002, "the production cost was used ({k})");
    let ratio = k.max(u) / k.min(u);
    assert!(ratio < 1.5, "known {k:.4}s unknown {u:.4}s");
}

#[tokio::test]
async fn unknown_users_take_as_long() {
    let config = badgein_portal::Config {
        argon2: badgein_portal::Argon2Cost::PRODUCTION,
        ..badgein_portal::Config::for_tests()
    };
    crate::harness::run_with(config, unknown_users_take_as_long_body).await;
}
