//! Access ends everywhere at once, and a session knows how it was made: voiding a badge,
//! revoking a kiosk, an administrator's password reset and a leaver disabled by the roster end
//! the sessions they gave (cookie, avatar, unredeemed ticket) on the next request; a revoked
//! kiosk can still end its own sessions; a staff member's badge session gets the student
//! dashboard only; staff badges need `--staff`.

use std::path::Path;
use std::process::{Command, Output};

use badgein_portal::store::Pool;
use badgein_portal::{NewUser, PortalError, Role, StaffBadges, VoidScope};
use badgein_proto::SignIn;
use badgein_roster::Roster;

use crate::harness::{
    Env, SESSION_COOKIE, TempDir, backends, fresh_database, get, login, open, problem_code, run,
};
use crate::roster::good_roster_dir;

const PASSWORD: &str = "correct horse battery";

async fn badge_session(env: &Env, credential: &str, badge: &str) -> SignIn {
    let r = env.badge_sign_in(credential, badge).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

async fn password_session(env: &Env, credential: &str, username: &str) -> SignIn {
    let r = env.password_sign_in(credential, username, PASSWORD).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

/// Whether the cookie still opens the dashboard (a dead one is sent to the login page).
async fn signed_in(env: &Env, cookie: &str) -> bool {
    let r = get(env, cookie, "/").await;
    match r.status().as_u16() {
        200 => true,
        303 => {
            assert_eq!(r.headers()["location"], "/login");
            false
        }
        other => panic!("dashboard answered {other}"),
    }
}

/// The status of the avatar of a session, by its public handle.
async fn avatar(env: &Env, session_id: &str) -> u16 {
    env.http
        .get(env.url(&format!("/avatars/{session_id}.svg")))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn end(env: &Env, credential: &str, session_id: &str) -> reqwest::Response {
    env.http
        .post(env.url(&format!("/api/v1/sessions/{session_id}/end")))
        .bearer_auth(credential)
        .send()
        .await
        .unwrap()
}

/// The details of the audit entries of `action`, oldest first.
async fn audited(env: &Env, action: &str) -> Vec<String> {
    env.portal()
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| e.detail.unwrap_or_default())
        .collect()
}

/// Runs `sql` with `$1` bound to the portal's now and `$2` to `id`, straight on the database.
async fn exec(env: &Env, sql: &str, id: &str) {
    let now = env.portal().now();
    match env.portal().db() {
        Pool::Sqlite(s) => {
            let q = sqlx::query(sql).bind(now).bind(id);
            q.execute(&s.write).await.unwrap();
        }
        Pool::Postgres(p) => {
            sqlx::query(sql)
                .bind(now)
                .bind(id)
                .execute(p)
                .await
                .unwrap();
        }
    }
}

/// The portal's command line on the test's database (SQLite file or PostgreSQL URL) with
/// `stdin` as its input, off the runtime's thread so the server keeps answering.
async fn portal_cli(env: &Env, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let db = env.db_url.clone();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_badgein-portal"))
            .arg("--db")
            .arg(&db)
            .args(&args)
            .env_remove("BADGEIN_DB")
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).unwrap();
        drop(input);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

async fn voiding_a_badge_ends_the_sessions_it_started_body(env: Env) {
    let kiosk = env.enroll("s1", "Room 12").await.device_credential;
    let maya = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let leo = env.portal().issue_badge("u2", None).await.unwrap().encode();
    let opened = badge_session(&env, &kiosk, &maya).await;
    let cookie = open(&env, &opened.launch_url).await.unwrap();
    // A second sign-in whose ticket the kiosk has not opened yet.
    let pending = badge_session(&env, &kiosk, &maya).await;
    let other = badge_session(&env, &kiosk, &leo).await;
    let leo_cookie = open(&env, &other.launch_url).await.unwrap();
    assert!(signed_in(&env, &cookie).await, "{}", env.backend);
    assert_eq!(avatar(&env, &opened.session_id).await, 200);

    let voided = env
        .portal()
        .void_badges(&VoidScope::User("u1".into()))
        .await
        .unwrap();
    assert_eq!(voided, 1);

    assert!(!signed_in(&env, &cookie).await, "{}: cookie", env.backend);
    assert_eq!(avatar(&env, &opened.session_id).await, 404, "avatar");
    assert_eq!(avatar(&env, &pending.session_id).await, 404);
    assert_eq!(open(&env, &pending.launch_url).await, None, "ticket");
    assert!(
        signed_in(&env, &leo_cookie).await,
        "Leo's badge is not voided"
    );
    assert_eq!(avatar(&env, &other.session_id).await, 200);
    assert_eq!(
        audited(&env, "badge.void").await,
        ["user u1: 1; ended 2 sessions"]
    );

    // A reprint voids the old badge too, and with it the session the old badge started.
    let reprinted = env.portal().issue_badge("u2", None).await.unwrap().encode();
    assert!(
        !signed_in(&env, &leo_cookie).await,
        "{}: reprint",
        env.backend
    );
    let again = badge_session(&env, &kiosk, &reprinted).await;
    assert!(open(&env, &again.launch_url).await.is_some());
}

#[tokio::test]
async fn voiding_a_badge_ends_the_sessions_it_started() {
    run(voiding_a_badge_ends_the_sessions_it_started_body).await;
}

async fn revoking_a_kiosk_ends_its_sessions_which_it_may_still_end_body(env: Env) {
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    let revoked = env.enroll("s1", "Room 12").await.device_credential;
    let hall = env.enroll("s1", "Hall").await.device_credential;
    let maya = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let leo = env.portal().issue_badge("u2", None).await.unwrap().encode();
    let opened = badge_session(&env, &revoked, &maya).await;
    let cookie = open(&env, &opened.launch_url).await.unwrap();
    let pending = password_session(&env, &revoked, "mrsk").await;
    let elsewhere = badge_session(&env, &hall, &leo).await;
    let hall_cookie = open(&env, &elsewhere.launch_url).await.unwrap();
    assert!(signed_in(&env, &cookie).await);

    let kiosk_id = env.portal().kiosk_by_credential(&revoked).await.unwrap().id;
    assert_eq!(env.portal().revoke_kiosk(&kiosk_id).await.unwrap(), 2);

    assert!(!signed_in(&env, &cookie).await, "{}: cookie", env.backend);
    assert_eq!(avatar(&env, &opened.session_id).await, 404);
    assert_eq!(avatar(&env, &pending.session_id).await, 404);
    assert_eq!(open(&env, &pending.launch_url).await, None);
    assert!(
        signed_in(&env, &hall_cookie).await,
        "the other kiosk's session lives"
    );
    assert_eq!(audited(&env, "kiosk.revoke").await, ["ended 2 sessions"]);

    // The revoked kiosk still ends its own sessions (idempotently)...
    for id in [&opened.session_id, &pending.session_id, &opened.session_id] {
        let r = end(&env, &revoked, id).await;
        assert_eq!(r.status(), 204, "{}: end {id}", env.backend);
    }
    // ...but nobody else's, and nothing else.
    let r = end(&env, &revoked, &elsewhere.session_id).await;
    assert_eq!(problem_code(r).await, (404, "not_found".into()));
    assert!(signed_in(&env, &hall_cookie).await);
    let r = env.badge_sign_in(&revoked, &leo).await;
    assert_eq!(problem_code(r).await, (403, "kiosk_revoked".into()));
    let r = env.password_sign_in(&revoked, "mrsk", PASSWORD).await;
    assert_eq!(problem_code(r).await, (403, "kiosk_revoked".into()));
    // A credential nobody holds is still not a kiosk.
    let r = end(&env, "not-a-credential", &opened.session_id).await;
    assert_eq!(problem_code(r).await, (401, "kiosk_not_enrolled".into()));
}

#[tokio::test]
async fn revoking_a_kiosk_ends_its_sessions_which_it_may_still_end() {
    run(revoking_a_kiosk_ends_its_sessions_which_it_may_still_end_body).await;
}

async fn a_password_reset_ends_every_session_of_the_user_body(env: Env) {
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    env.portal().set_password("u2", PASSWORD).await.unwrap();
    let kiosk = env.enroll("s1", "Room 12").await.device_credential;
    let browser = login(&env, "mrsk", PASSWORD).await;
    let at_kiosk = password_session(&env, &kiosk, "mrsk").await;
    let kiosk_cookie = open(&env, &at_kiosk.launch_url).await.unwrap();
    let pending = password_session(&env, &kiosk, "mrsk").await;
    let leo = login(&env, "leo", PASSWORD).await;
    assert!(signed_in(&env, &browser).await);

    // What `badgein-portal user password` calls.
    let new_password = "a brand new passphrase";
    env.portal().set_password("t1", new_password).await.unwrap();

    assert!(
        !signed_in(&env, &browser).await,
        "{}: login page",
        env.backend
    );
    assert!(
        !signed_in(&env, &kiosk_cookie).await,
        "{}: kiosk",
        env.backend
    );
    assert_eq!(avatar(&env, &at_kiosk.session_id).await, 404);
    assert_eq!(open(&env, &pending.launch_url).await, None, "ticket");
    assert!(signed_in(&env, &leo).await, "another user's session lives");
    assert_eq!(
        audited(&env, "user.password_set").await.last().unwrap(),
        "ended 3 sessions"
    );
    let fresh = login(&env, "mrsk", new_password).await;
    assert!(signed_in(&env, &fresh).await);

    // The command line does the same.
    let out = portal_cli(
        &env,
        &["user", "password", "--user", "u2"],
        &format!("{new_password}\n"),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!signed_in(&env, &leo).await, "{}: CLI reset", env.backend);
    assert!(
        signed_in(&env, &fresh).await,
        "another user's session lives"
    );
    assert_eq!(
        audited(&env, "user.password_set").await.last().unwrap(),
        "ended 1 sessions"
    );
    login(&env, "leo", new_password).await;
}

#[tokio::test]
async fn a_password_reset_ends_every_session_of_the_user() {
    run(a_password_reset_ends_every_session_of_the_user_body).await;
}

/// The good roster (school `sch1`, student `s1` María among others), without the users whose
/// lines `drop` matches.
fn roster_without(dir: &Path, drop: Option<&str>) -> Roster {
    for file in ["orgs.csv", "users.csv", "classes.csv", "enrollments.csv"] {
        let text = std::fs::read_to_string(good_roster_dir().join(file)).unwrap();
        let kept: String = match (file, drop) {
            ("users.csv" | "enrollments.csv", Some(id)) => text
                .lines()
                .filter(|l| !l.starts_with(&format!("{id},")) && !l.contains(&format!(",{id},")))
                .map(|l| format!("{l}\n"))
                .collect(),
            _ => text,
        };
        std::fs::write(dir.join(file), kept).unwrap();
    }
    Roster::load(dir).unwrap()
}

async fn a_leaver_disabled_by_the_roster_is_signed_out_everywhere_body(env: Env) {
    let dir = TempDir::new();
    env.portal()
        .import_roster(&roster_without(&dir.0, None))
        .await
        .unwrap();
    let kiosk = env.enroll("sch1", "Library").await.device_credential;
    let maria = env.portal().issue_badge("s1", None).await.unwrap().encode();
    let opened = badge_session(&env, &kiosk, &maria).await;
    let cookie = open(&env, &opened.launch_url).await.unwrap();
    let pending = badge_session(&env, &kiosk, &maria).await;
    assert!(signed_in(&env, &cookie).await);

    let changes = env
        .portal()
        .import_roster(&roster_without(&dir.0, Some("s1")))
        .await
        .unwrap()
        .changes;
    assert_eq!(
        (
            changes.disabled,
            changes.badges_voided,
            changes.sessions_ended
        ),
        // María, and her parent, whose line names her and goes with hers.
        (2, 1, 2),
        "{}",
        env.backend
    );
    assert!(!signed_in(&env, &cookie).await);
    assert_eq!(avatar(&env, &opened.session_id).await, 404, "avatar");
    assert_eq!(open(&env, &pending.launch_url).await, None, "ticket");
    assert!(
        audited(&env, "roster.import")
            .await
            .last()
            .unwrap()
            .ends_with("2 disabled, 1 badges voided, 2 sessions ended")
    );
}

#[tokio::test]
async fn a_leaver_disabled_by_the_roster_is_signed_out_everywhere() {
    run(a_leaver_disabled_by_the_roster_is_signed_out_everywhere_body).await;
}

/// The operations above end the sessions themselves; every request also checks the badge,
/// kiosk and user behind its session, so one that was withdrawn without its sessions being
/// ended (a session started while the withdrawal committed) is refused all the same.
async fn withdrawals_are_checked_on_every_request_body(env: Env) {
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    let room = env.enroll("s1", "Room 12").await.device_credential;
    let hall = env.enroll("s1", "Hall").await.device_credential;
    let maya = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let leo = env.portal().issue_badge("u2", None).await.unwrap().encode();
    let by_badge = badge_session(&env, &room, &maya).await;
    let badge_cookie = open(&env, &by_badge.launch_url).await.unwrap();
    let at_hall = badge_session(&env, &hall, &leo).await;
    let hall_cookie = open(&env, &at_hall.launch_url).await.unwrap();
    let teacher = password_session(&env, &room, "mrsk").await;
    let teacher_pending = password_session(&env, &room, "mrsk").await;
    let teacher_cookie = open(&env, &teacher.launch_url).await.unwrap();

    exec(
        &env,
        "UPDATE badges SET voided_at = $1 WHERE user_id = $2",
        "u1",
    )
    .await;
    assert!(!signed_in(&env, &badge_cookie).await, "{}", env.backend);
    assert_eq!(avatar(&env, &by_badge.session_id).await, 404);
    assert!(
        signed_in(&env, &teacher_cookie).await,
        "a password session has no badge"
    );

    let hall_id = env.portal().kiosk_by_credential(&hall).await.unwrap().id;
    exec(
        &env,
        "UPDATE kiosks SET revoked_at = $1 WHERE id = $2",
        &hall_id,
    )
    .await;
    assert!(!signed_in(&env, &hall_cookie).await, "{}", env.backend);
    assert_eq!(avatar(&env, &at_hall.session_id).await, 404);

    exec(
        &env,
        "UPDATE users SET disabled_at = $1 WHERE id = $2",
        "t1",
    )
    .await;
    assert!(!signed_in(&env, &teacher_cookie).await, "{}", env.backend);
    assert_eq!(avatar(&env, &teacher.session_id).await, 404);
    assert_eq!(open(&env, &teacher_pending.launch_url).await, None);
}

#[tokio::test]
async fn withdrawals_are_checked_on_every_request() {
    run(withdrawals_are_checked_on_every_request_body).await;
}

async fn a_staff_badge_opens_only_the_student_dashboard_body(env: Env) {
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    let kiosk = env.enroll("s1", "Room 12").await.device_credential;
    let badge = env
        .portal()
        .issue_badge_to("t1", None, StaffBadges::Allowed)
        .await
        .unwrap()
        .encode();
    let signed = badge_session(&env, &kiosk, &badge).await;
    let cookie = open(&env, &signed.launch_url).await.unwrap();
    let dashboard = get(&env, &cookie, "/").await;
    assert_eq!(dashboard.status(), 200);
    let html = dashboard.text().await.unwrap();
    assert!(html.contains("Kim"), "her own dashboard");
    assert!(
        !html.contains("href=\"/teach\""),
        "{}: no my-classes link",
        env.backend
    );
    for path in ["/teach", "/teach/kiosks", "/teach/classes/c1"] {
        let r = get(&env, &cookie, path).await;
        assert_eq!(r.status(), 403, "{}: {path}", env.backend);
    }
    let r = env
        .http
        .post(env.url("/teach/kiosks/code"))
        .header("cookie", &cookie)
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let refusals: Vec<_> = env
        .portal()
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "teacher.refused")
        .map(|e| {
            (
                e.result,
                e.user_id.map(|u| u.to_string()).unwrap_or_default(),
                e.detail.unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(refusals.len(), 4, "{}: {refusals:?}", env.backend);
    assert_eq!(
        refusals[0],
        ("badge_session".into(), "t1".into(), "/teach".into())
    );

    // The same teacher with her password, at the kiosk or on the login page, teaches.
    for cookie in [
        open(
            &env,
            &password_session(&env, &kiosk, "mrsk").await.launch_url,
        )
        .await
        .unwrap(),
        login(&env, "mrsk", PASSWORD).await,
    ] {
        let html = get(&env, &cookie, "/").await.text().await.unwrap();
        assert!(html.contains("href=\"/teach\""), "{}", env.backend);
        assert_eq!(get(&env, &cookie, "/teach").await.status(), 200);
    }
}

#[tokio::test]
async fn a_staff_badge_opens_only_the_student_dashboard() {
    run(a_staff_badge_opens_only_the_student_dashboard_body).await;
}

async fn staff_badges_need_staff_body(env: Env) {
    for (id, role, username) in [
        ("a1", Role::Administrator, "boss"),
        ("o1", Role::Other, "aide"),
    ] {
        env.portal()
            .add_user(&NewUser {
                id: id.into(),
                school_id: "s1".into(),
                role,
                username: username.into(),
                given_name: "Sam".into(),
                family_name: "Staff".into(),
                locale: "en".into(),
                email: None,
                grade: None,
            })
            .await
            .unwrap();
    }
    for id in ["t1", "a1", "o1"] {
        let err = env.portal().issue_badge(id, None).await.unwrap_err();
        assert!(matches!(err, PortalError::StaffBadge { .. }), "{id}: {err}");
        assert!(err.to_string().contains("--staff"), "{err}");
    }
    let kiosk = env.enroll("s1", "Room 12").await.device_credential;

    let refused = portal_cli(&env, &["badge", "issue", "--user", "o1"], "").await;
    assert!(!refused.status.success());
    assert_eq!(text(&refused.stdout), "", "no payload");
    let message = text(&refused.stderr);
    assert!(
        message.contains("staff") && message.contains("--staff"),
        "{message}"
    );

    let issued = portal_cli(&env, &["badge", "issue", "--user", "o1", "--staff"], "").await;
    assert!(issued.status.success(), "{}", text(&issued.stderr));
    let badge = text(&issued.stdout).trim().to_owned();
    let signed = badge_session(&env, &kiosk, &badge).await;
    assert!(
        open(&env, &signed.launch_url).await.is_some(),
        "{}",
        env.backend
    );

    // Students need no flag.
    let student = portal_cli(&env, &["badge", "issue", "--user", "u1"], "").await;
    assert!(student.status.success(), "{}", text(&student.stderr));
    let badge = text(&student.stdout).trim().to_owned();
    badge_session(&env, &kiosk, &badge).await;
}

#[tokio::test]
async fn staff_badges_need_staff() {
    run(staff_badges_need_staff_body).await;
}

/// Sessions made before migration 0002 did not record their method. The ones made at a kiosk
/// may have been badge sessions, so they keep only the lesser power until they end; the ones
/// made on the login page took a password.
#[tokio::test]
async fn sessions_from_before_the_migration_count_as_badge_sessions_at_kiosks() {
    use std::sync::Arc;

    use badgein_portal::{Config, ManualClock, Portal, spawn, tokens};

    for backend in backends() {
        let (url, _dir) = fresh_database(backend).await;
        let only_first = TempDir::new();
        let schema = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend)
            .join("0001_schema.sql");
        std::fs::copy(&schema, only_first.0.join("0001_schema.sql")).unwrap();
        let migrator = sqlx::migrate::Migrator::new(only_first.0.as_path())
            .await
            .unwrap();
        let clock = ManualClock::starting_now();
        let now = badgein_portal::Clock::now_ms(&clock);
        let rows = [
            "INSERT INTO schools (id, name) VALUES ('s1', 'Maple')",
            "INSERT INTO users (id, school_id, role, username, given_name, family_name) \
             VALUES ('t1', 's1', 'teacher', 'mrsk', 'Kim', 'Kowalski')",
            "INSERT INTO kiosks (id, school_id, name, credential_hash, enrolled_at) \
             VALUES ('k1', 's1', 'Room 12', $2, $1)",
            "INSERT INTO sessions (id, user_id, kiosk_id, created_at, last_seen_at, expires_at, \
             cookie_hash) VALUES ('at-kiosk', 't1', 'k1', $1, $1, $1 + 3600000, $3)",
            "INSERT INTO sessions (id, user_id, kiosk_id, created_at, last_seen_at, expires_at, \
             cookie_hash) VALUES ('in-browser', 't1', NULL, $1, $1, $1 + 3600000, $4)",
        ];
        // A macro, not a closure: it serves both drivers.
        macro_rules! bound {
            ($sql:expr) => {
                sqlx::query($sql)
                    .bind(now)
                    .bind(tokens::digest(b"credential"))
                    .bind(tokens::digest(b"kiosk-cookie"))
                    .bind(tokens::digest(b"browser-cookie"))
            };
        }
        if backend == "sqlite" {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&url)
                .create_if_missing(true);
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            migrator.run(&pool).await.unwrap();
            for sql in rows {
                bound!(sql).execute(&pool).await.unwrap();
            }
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            migrator.run(&pool).await.unwrap();
            for sql in rows {
                bound!(sql).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }

        let config = crate::harness::with_key_file(&url, Some(&only_first), Config::for_tests());
        let portal = Portal::open(&url, Arc::new(clock.clone()), config)
            .await
            .unwrap();
        let running = spawn(portal, "127.0.0.1:0").await.unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let teach = |cookie: &'static str| {
            http.get(format!("{}/teach", running.base_url()))
                .header("cookie", format!("{SESSION_COOKIE}={cookie}"))
                .send()
        };
        assert_eq!(
            teach("kiosk-cookie").await.unwrap().status(),
            403,
            "{backend}"
        );
        assert_eq!(
            teach("browser-cookie").await.unwrap().status(),
            200,
            "{backend}"
        );
        running.stop().await.unwrap();
    }
}
