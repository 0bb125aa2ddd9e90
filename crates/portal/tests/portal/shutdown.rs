//! Every answered sign-in is recorded, also when the service closes its database in the middle
//! of a rush: SQLite's group commit writes what was queued before answering, and a sign-in
//! that could not be written is answered `unavailable`, never `ok`.

use std::collections::HashSet;
use std::sync::Arc;

use badgein_portal::config::Rate;
use badgein_portal::store::Pool;
use badgein_portal::{Config, ManualClock, Portal};
use badgein_proto::SignIn;

use crate::harness::{Env, run_with};

/// Attempts per kiosk at most, so that the rush ends even if closing cut nothing off (and the
/// test then fails on that, instead of hanging).
const ATTEMPTS: usize = 400;

/// What one kiosk saw: session ids answered 200, refusals answered 401, and whether a
/// sign-in was cut off (`unavailable`) by the close.
#[derive(Default)]
struct Seen {
    accepted: Vec<String>,
    refused: i64,
    cut_off: bool,
}

/// This test is about closing, not about limits: each kiosk here signs in as fast as it can.
fn unlimited() -> Config {
    Config {
        kiosk_rate: Rate {
            burst: 1_000_000,
            per_second: 1_000_000,
        },
        ..Config::for_tests()
    }
}

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

    // Every kiosk keeps signing children in until its first sign-in is cut off by the close:
    // the close comes while sign-ins are still arriving and being committed.
    let tasks: Vec<_> = kiosks
        .iter()
        .enumerate()
        .map(|(k, cred)| {
            let (env, cred) = (Arc::clone(&env), cred.clone());
            let (maya, leo) = (maya.clone(), leo.clone());
            tokio::spawn(async move {
                let mut seen = Seen::default();
                for n in 0..ATTEMPTS {
                    let badge = if (n + k) % 5 == 0 { &leo } else { &maya };
                    let r = env.badge_sign_in(&cred, badge).await;
                    match r.status().as_u16() {
                        200 => seen
                            .accepted
                            .push(r.json::<SignIn>().await.unwrap().session_id),
                        401 => seen.refused += 1,
                        503 => {
                            seen.cut_off = true;
                            break;
                        }
                        other => panic!("unexpected status {other}"),
                    }
                }
                seen
            })
        })
        .collect();
    // Close once some sign-ins were recorded (an event in the database, not a time); if the
    // kiosks are all done first, the assertion on cut-off sign-ins below says so.
    while !tasks.iter().all(|t| t.is_finished()) {
        let n = count(
            env.portal().db(),
            "SELECT COUNT(*) FROM audit WHERE action = 'sign_in.badge'",
        )
        .await;
        if n >= 5 {
            break;
        }
        tokio::task::yield_now().await;
    }
    env.portal().close().await;
    let mut accepted_ids = HashSet::new();
    let (mut refused, mut cut_off) = (0, 0);
    for task in tasks {
        let seen = task.await.unwrap();
        accepted_ids.extend(seen.accepted);
        refused += seen.refused;
        cut_off += usize::from(seen.cut_off);
    }
    let accepted = i64::try_from(accepted_ids.len()).unwrap();
    let answered = accepted + refused;
    assert!(
        cut_off > 0,
        "{}: the close cut no sign-in off: it did not come mid-rush",
        env.backend
    );

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
    let stored: HashSet<String> = match db {
        Pool::Sqlite(s) => sqlx::query_scalar("SELECT id FROM sessions")
            .fetch_all(&s.read)
            .await
            .unwrap(),
        Pool::Postgres(p) => sqlx::query_scalar("SELECT id FROM sessions")
            .fetch_all(p)
            .await
            .unwrap(),
    }
    .into_iter()
    .collect();
    assert_eq!(
        stored, accepted_ids,
        "{}: a session for every sign-in answered 200, and no other",
        env.backend
    );
    assert!(answered >= 5);
    reopened.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_mid_rush_loses_no_answered_sign_in() {
    run_with(unlimited(), closing_mid_rush_loses_no_answered_sign_in_body).await;
}
