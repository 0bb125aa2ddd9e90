//! Every answered sign-in is recorded, also when the service closes its database in the middle
//! of a rush: SQLite's group commit writes what was queued before answering, and a sign-in
//! that could not be written is answered `unavailable`, never `ok`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use badgein_portal::store::Pool;
use badgein_portal::{Config, ManualClock, Portal};

use crate::harness::{Env, run};

const SIGN_INS: usize = 120;

async fn count(db: &Pool, sql: &str) -> i64 {
    match db {
        Pool::Sqlite(s) => sqlx::query_scalar(sql).fetch_one(&s.read).await.unwrap(),
        Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn closing_mid_rush_loses_no_answered_sign_in_body(env: Env) {
    let env = Arc::new(env);
    let mut kiosks = Vec::new();
    for room in ["Room 12", "Room 14", "Room 16", "Room 18"] {
        kiosks.push(env.enroll("s1", room).await.device_credential);
    }
    let maya = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let leo = env.portal().issue_badge("u2", None).await.unwrap().encode();
    env.portal()
        .void_badges(&badgein_portal::VoidScope::User("u2".into()))
        .await
        .unwrap();

    let tasks: Vec<_> = (0..SIGN_INS)
        .map(|i| {
            let env = Arc::clone(&env);
            let cred = kiosks[i % kiosks.len()].clone();
            let badge = if i % 5 == 0 {
                leo.clone()
            } else {
                maya.clone()
            };
            tokio::spawn(async move { env.badge_sign_in(&cred, &badge).await.status().as_u16() })
        })
        .collect();
    // Close once some sign-ins were recorded and (most likely) others are still coming.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = count(
            env.portal().db(),
            "SELECT COUNT(*) FROM audit WHERE action = 'sign_in.badge'",
        )
        .await;
        if n >= 5 {
            break;
        }
        assert!(Instant::now() < deadline, "no sign-in recorded in 20 s");
        tokio::task::yield_now().await;
    }
    env.portal().close().await;
    let mut answered = 0;
    let mut accepted = 0;
    for task in tasks {
        match task.await.unwrap() {
            200 => {
                answered += 1;
                accepted += 1;
            }
            401 => answered += 1,
            503 => {}
            other => panic!("unexpected status {other}"),
        }
    }

    let reopened = Portal::open(
        &env.db_url,
        Arc::new(ManualClock::starting_now()),
        Config::for_tests(),
    )
    .await
    .unwrap();
    let db = reopened.db();
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM audit WHERE action = 'sign_in.badge'"
        )
        .await,
        answered,
        "{}: every answered attempt, and only those, is in the audit log",
        env.backend
    );
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM sessions").await,
        accepted,
        "a session for every accepted sign-in"
    );
    assert!(answered >= 5);
    reopened.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_mid_rush_loses_no_answered_sign_in() {
    run(closing_mid_rush_loses_no_answered_sign_in_body).await;
}
