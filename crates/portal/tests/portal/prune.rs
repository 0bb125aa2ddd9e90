//! Pruning: `audit prune --before DATE` and the service's pruning of finished sessions and
//! enrollment codes, on every backend; the CLI's refusals.

use std::time::Duration;

use badgein_portal::PortalError;
use badgein_portal::clock::rfc3339;
use badgein_portal::retention::FINISHED_RETENTION;
use badgein_portal::store::Pool;
use badgein_portal::store::audit::{self, Entry};

use crate::harness::{Env, TempDir, portal_cli, run};

const DAY_MS: i64 = 86_400_000;

async fn count(db: &Pool, sql: &str) -> i64 {
    match db {
        Pool::Sqlite(s) => sqlx::query_scalar(sql).fetch_one(&s.read).await.unwrap(),
        Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn prunes_audit_rows_before_a_date_in_batches_body(env: Env) {
    let portal = env.portal();
    let db = portal.db();
    let now = portal.now();
    let cutoff = now - 365 * DAY_MS;
    // 23 rows older than the cutoff (three batches of 10), 4 at or after it.
    for age_days in 366..389 {
        audit::record(db, &Entry::new(now - age_days * DAY_MS, "test.old", "ok"))
            .await
            .unwrap();
    }
    for at in [cutoff, cutoff + 1, now - DAY_MS, now] {
        audit::record(db, &Entry::new(at, "test.recent", "ok"))
            .await
            .unwrap();
    }
    let total = count(db, "SELECT COUNT(*) FROM audit").await;

    let future = portal.prune_audit(now + 60_000).await;
    assert!(
        matches!(&future, Err(PortalError::BadRequest(m)) if m.contains("in the future")),
        "{}: {future:?}",
        env.backend
    );
    assert_eq!(count(db, "SELECT COUNT(*) FROM audit").await, total);

    assert_eq!(
        portal.prune_audit_in_batches(cutoff, 10).await.unwrap(),
        23,
        "{}",
        env.backend
    );
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM audit WHERE action = 'test.old'").await,
        0
    );
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM audit WHERE action = 'test.recent'"
        )
        .await,
        4,
        "rows at or after the date stay"
    );
    let log = portal.audit_log().await.unwrap();
    let last = log.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.result.as_str()),
        ("audit.prune", "ok")
    );
    assert_eq!(
        last.detail.as_deref(),
        Some(format!("deleted 23 audit row(s) before {}", rfc3339(cutoff)).as_str())
    );

    // Again: nothing left to delete, and that is recorded too.
    assert_eq!(portal.prune_audit(cutoff).await.unwrap(), 0);
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM audit WHERE action = 'audit.prune'"
        )
        .await,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prunes_audit_rows_before_a_date_in_batches() {
    run(prunes_audit_rows_before_a_date_in_batches_body).await;
}

async fn prunes_finished_sessions_and_codes_after_retention_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await.device_credential;
    let maya = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let unused_code = env.portal().enrollment_code("s1").await.unwrap();
    assert!(!unused_code.is_empty());
    for _ in 0..3 {
        assert_eq!(env.badge_sign_in(&kiosk, &maya).await.status(), 200);
    }
    let db = env.portal().db();
    assert_eq!(count(db, "SELECT COUNT(*) FROM sessions").await, 3);
    assert_eq!(count(db, "SELECT COUNT(*) FROM enrollment_codes").await, 2);

    // Within the retention nothing goes.
    env.clock.advance(Duration::from_secs(86_400));
    let pruned = env.portal().prune_finished().await.unwrap();
    assert_eq!((pruned.sessions, pruned.enrollment_codes), (0, 0));
    assert_eq!(count(db, "SELECT COUNT(*) FROM sessions").await, 3);

    // Past it, the finished rows go; a session and a code from now stay.
    env.clock.advance(FINISHED_RETENTION);
    assert_eq!(env.badge_sign_in(&kiosk, &maya).await.status(), 200);
    env.portal().enrollment_code("s1").await.unwrap();
    let pruned = env.portal().prune_finished().await.unwrap();
    assert_eq!(
        (pruned.sessions, pruned.enrollment_codes),
        (3, 2),
        "{}",
        env.backend
    );
    assert_eq!(count(db, "SELECT COUNT(*) FROM sessions").await, 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM enrollment_codes").await, 1);
    let last = env.portal().audit_log().await.unwrap().pop().unwrap();
    assert_eq!(last.action, "retention.prune");
    assert!(
        last.detail
            .unwrap()
            .starts_with("deleted 3 session(s) and 2 enrollment code(s) finished before ")
    );
    // The kiosk enrolled with a pruned code keeps working.
    assert_eq!(env.badge_sign_in(&kiosk, &maya).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prunes_finished_sessions_and_codes_after_retention() {
    run(prunes_finished_sessions_and_codes_after_retention_body).await;
}

#[test]
fn audit_prune_from_the_command_line() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();

    for bad in ["yesterday", "2025-02-30", "2025-09-01T08:00", ""] {
        let out = portal_cli(&db, &["audit", "prune", "--before", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let message = text(&out.stderr);
        assert!(message.contains("--before <DATE>"), "{message}");
    }
    let future = portal_cli(&db, &["audit", "prune", "--before", "2999-01-01"]);
    assert_eq!(future.status.code(), Some(1));
    assert!(text(&future.stderr).contains("2999-01-01T00:00:00Z is in the future"));

    let ok = portal_cli(
        &db,
        &["audit", "prune", "--before", "2020-01-01T00:00:00+01:00"],
    );
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert_eq!(
        text(&ok.stderr).trim(),
        "deleted 0 audit row(s) before 2019-12-31T23:00:00Z"
    );
    let help = portal_cli(&db, &["audit", "prune", "--help"]);
    assert!(text(&help.stdout).contains("for a year"));
}
