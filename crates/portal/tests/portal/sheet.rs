//! A badge sheet is all or nothing: when the database refuses one badge part-way, no new badge
//! is stored, every old badge still works, and nothing is in the audit log.

use badgein_portal::sheet::Layout;
use badgein_portal::store::Pool;

use crate::harness::{Env, problem_code, run};

/// Makes the database refuse any new badge of `user` (a trigger), as a full disk or a
/// constraint would part-way through a sheet.
async fn refuse_badges_of(env: &Env, user: &str) {
    match env.portal().db() {
        Pool::Sqlite(s) => {
            sqlx::query(&format!(
                "CREATE TRIGGER refuse BEFORE INSERT ON badges WHEN NEW.user_id = '{user}' \
                 BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
            ))
            .execute(&s.write)
            .await
            .unwrap();
        }
        Pool::Postgres(p) => {
            sqlx::query(&format!(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN \
                 IF NEW.user_id = '{user}' THEN RAISE EXCEPTION 'refused for the test'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql"
            ))
            .execute(p)
            .await
            .unwrap();
            sqlx::query(
                "CREATE TRIGGER refuse BEFORE INSERT ON badges FOR EACH ROW \
                 EXECUTE FUNCTION refuse()",
            )
            .execute(p)
            .await
            .unwrap();
        }
    }
}

async fn allow_badges_again(env: &Env) {
    let sql = match env.portal().db() {
        Pool::Sqlite(_) => "DROP TRIGGER refuse",
        Pool::Postgres(_) => "DROP TRIGGER refuse ON badges",
    };
    match env.portal().db() {
        Pool::Sqlite(s) => {
            sqlx::query(sql).execute(&s.write).await.unwrap();
        }
        Pool::Postgres(p) => {
            sqlx::query(sql).execute(p).await.unwrap();
        }
    }
}

async fn badge_rows(env: &Env) -> i64 {
    let sql = "SELECT COUNT(*) FROM badges";
    match env.portal().db() {
        Pool::Sqlite(s) => sqlx::query_scalar(sql).fetch_one(&s.read).await.unwrap(),
        Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn a_sheet_is_all_or_nothing_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    let maya = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let leo = env.portal().issue_badge("u2", None).await.unwrap().encode();
    let audited = env.portal().audit_log().await.unwrap().len();

    // The class sheet goes Chen (Leo) then Garcia (Maya): Leo's new badge is written, then
    // Maya's is refused.
    refuse_badges_of(&env, "u1").await;
    let failed = env.portal().badge_sheet("c1", Layout::Labels).await;
    assert!(failed.is_err(), "{}", env.backend);
    assert_eq!(badge_rows(&env).await, 2, "no new badge stayed");
    assert_eq!(env.badge_sign_in(cred, &leo).await.status(), 200);
    assert_eq!(env.badge_sign_in(cred, &maya).await.status(), 200);
    let log = env.portal().audit_log().await.unwrap();
    assert!(
        log[audited..]
            .iter()
            .all(|e| e.action.starts_with("sign_in") || e.action.starts_with("session")),
        "no badge.issue or badge.sheet for a sheet that failed: {:?}",
        &log[audited..]
    );

    allow_badges_again(&env).await;
    let (pdf, count) = env
        .portal()
        .badge_sheet("c1", Layout::Labels)
        .await
        .unwrap();
    assert_eq!(count, 2);
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(badge_rows(&env).await, 4);
    for old in [&leo, &maya] {
        assert_eq!(
            problem_code(env.badge_sign_in(cred, old).await).await,
            (401, "badge_voided".into())
        );
    }
    let log = env.portal().audit_log().await.unwrap();
    let issued = log.iter().filter(|e| e.action == "badge.issue").count();
    assert_eq!(issued, 4, "two single badges, then the sheet's two");
    assert_eq!(log.iter().filter(|e| e.action == "badge.sheet").count(), 1);
}

#[tokio::test]
async fn a_sheet_is_all_or_nothing() {
    run(a_sheet_is_all_or_nothing_body).await;
}
