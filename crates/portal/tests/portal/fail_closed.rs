//! Requirement P5 (`docs/requirements.md`). The database goes away: sign-ins are answered
//! `unavailable` while it is still away (the test ends the outage only after the answer came,
//! so an answer that waited for the outage to end cannot pass), nothing is recorded half-way,
//! and sign-ins work again once it is back. How quickly the answer comes is
//! `Config::db_deadline`'s business; tests do not time it (a request that hung would end as
//! the server's `408` after `request_timeout`, and fail).

use sqlx::Connection;

use crate::harness::{problem_code, start};

/// Another process holds SQLite's write lock: sign-ins answer `unavailable` while it holds it,
/// record nothing half-way, and work again as soon as the lock is released.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locked_sqlite_fails_closed_and_recovers() {
    let env = start("sqlite", badgein_portal::Config::for_tests()).await;
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let before = env.portal().audit_log().await.unwrap().len();

    let mut blocker = sqlx::SqliteConnection::connect(&format!("sqlite://{}", env.db_url))
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut blocker)
        .await
        .unwrap();
    let r = env.badge_sign_in(&kiosk.device_credential, &badge).await;
    assert_eq!(r.headers()["retry-after"], "3");
    assert_eq!(problem_code(r).await, (503, "unavailable".into()));
    sqlx::query("ROLLBACK").execute(&mut blocker).await.unwrap();

    let audit = env.portal().audit_log().await.unwrap();
    assert_eq!(audit.len(), before, "no half-recorded sign-in");
    assert_eq!(
        env.badge_sign_in(&kiosk.device_credential, &badge)
            .await
            .status(),
        200
    );
}

/// A PostgreSQL cluster of this test's own (`scripts/postgres-for-tests`), so that stopping it
/// does not disturb the other tests; stopped for good when dropped.
struct OwnCluster(String);

impl OwnCluster {
    fn script(mode: &[&str]) -> String {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../scripts/postgres-for-tests");
        let out = std::process::Command::new(script)
            .args(mode)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        Self::script(&["stop", &self.0]);
    }
}

/// The database server goes away mid-morning: sign-ins answer `unavailable` while it is away
/// and nothing is recorded half-way; when it is back, sign-ins work again without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_postgres_fails_closed_and_recovers() {
    // Runs where PostgreSQL is available for tests, like the other PostgreSQL runs.
    if crate::harness::backends() != ["sqlite", "postgres"] {
        return;
    }
    let cluster = OwnCluster(OwnCluster::script(&[]));
    let env = crate::harness::start_on(&cluster.0, badgein_portal::Config::for_tests()).await;
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let before = env.portal().audit_log().await.unwrap().len();

    OwnCluster::script(&["pause", &cluster.0]);
    let r = env.badge_sign_in(&kiosk.device_credential, &badge).await;
    assert_eq!(problem_code(r).await, (503, "unavailable".into()));

    OwnCluster::script(&["resume", &cluster.0]);
    assert_eq!(
        env.portal().audit_log().await.unwrap().len(),
        before,
        "no half-recorded sign-in"
    );
    assert_eq!(
        env.badge_sign_in(&kiosk.device_credential, &badge)
            .await
            .status(),
        200
    );
}
