//! The service in production (docs/deploy.md): `/healthz` and `/readyz` for a load balancer,
//! Prometheus metrics on their own listener only, JSON logs from the real binary, and a
//! database upgraded by a newer version refused at start.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use badgein_portal::config::Rate;
use badgein_portal::{Config, ManualClock, Portal, PortalError, spawn_metrics};

use crate::harness::{Env, TempDir, problem_code, run, run_with};

/// Bound of every wait on the real binary; never a synchronisation sleep.
const PATIENCE: Duration = Duration::from_secs(60);

async fn get(env: &Env, path: &str) -> reqwest::Response {
    env.http.get(env.url(path)).send().await.unwrap()
}

async fn assert_ok_text(r: reqwest::Response) {
    assert_eq!(r.status(), 200);
    assert!(
        r.headers().get("set-cookie").is_none(),
        "a probe gets no cookie"
    );
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.text().await.unwrap(), "ok\n");
}

async fn probes_answer_until_the_database_is_gone_body(env: Env) {
    assert_ok_text(get(&env, "/healthz").await).await;
    assert_ok_text(get(&env, "/readyz").await).await;
    // A load balancer probing often is never throttled (the limits count sign-ins only).
    for _ in 0..200 {
        assert_eq!(get(&env, "/readyz").await.status(), 200);
    }
    // Hostile or odd requests get ordinary answers.
    let posted = env.http.post(env.url("/healthz")).send().await.unwrap();
    assert_eq!(posted.status(), 405);
    assert_eq!(get(&env, "/healthz/x").await.status(), 404);
    assert_eq!(get(&env, "/readyz?verbose=1").await.status(), 200);

    if env.backend == "postgres" {
        // The database itself is gone (its connections ended with it): nothing to reconnect to.
        let admin = std::env::var("BADGEIN_TEST_POSTGRES").unwrap();
        let name = env
            .db_url
            .split('?')
            .next()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap();
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
            .await
            .unwrap();
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await
            .unwrap();
    } else {
        // SQLite: the pool closed under the server (what a stopping service does).
        env.portal().close().await;
    }
    let r = get(&env, "/readyz").await;
    assert_eq!(r.headers()["retry-after"], "3");
    assert_eq!(problem_code(r).await, (503, "unavailable".to_owned()));
    // Alive all the same: a liveness probe must not restart a process for its database.
    assert_ok_text(get(&env, "/healthz").await).await;
}

#[tokio::test]
async fn probes_answer_until_the_database_is_gone() {
    run(probes_answer_until_the_database_is_gone_body).await;
}

/// The exposition's value of the series `name{labels}` (exactly as written), or 0.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.parse().unwrap())
}

async fn scrape(url: &str) -> String {
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    r.text().await.unwrap()
}

fn tight_kiosks() -> Config {
    Config {
        kiosk_rate: Rate {
            burst: 4,
            per_second: 1,
        },
        ..Config::for_tests()
    }
}

async fn metrics_count_sign_ins_on_their_own_listener_body(env: Env) {
    let metrics = spawn_metrics(env.portal(), "127.0.0.1:0").await.unwrap();
    let metrics_url = format!("http://{}/metrics", metrics.addr());
    // Never on the public listener.
    assert_eq!(get(&env, "/metrics").await.status(), 404);
    assert_ne!(metrics.addr(), env.running.addr());
    // And nothing else on the metrics listener.
    let other = reqwest::get(format!("http://{}/", metrics.addr()))
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
    let posted = env.http.post(&metrics_url).send().await.unwrap();
    assert_eq!(posted.status(), 405);

    let before = scrape(&metrics_url).await;
    let ok_badge = "badgein_sign_ins_total{method=\"badge\",result=\"ok\"}";
    let wrong_password =
        "badgein_sign_ins_total{method=\"password\",result=\"invalid_credentials\"}";
    assert_eq!(value(&before, ok_badge), 0.0, "{before}");
    assert_eq!(value(&before, wrong_password), 0.0);
    assert_eq!(value(&before, "badgein_active_sessions"), 0.0);

    let kiosk = env.enroll("s1", "Room 12").await;
    let cred = &kiosk.device_credential;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let signed_in = env.badge_sign_in(cred, &badge).await;
    assert_eq!(signed_in.status(), 200);
    let session: badgein_proto::SignIn = signed_in.json().await.unwrap();
    env.portal()
        .set_password("u2", "correct horse 42")
        .await
        .unwrap();
    let refused = env.password_sign_in(cred, "leo", "not his password").await;
    assert_eq!(problem_code(refused).await.1, "invalid_credentials");
    // The kiosk's burst is spent: turned away before any work.
    let mut limited = false;
    for _ in 0..10 {
        let r = env.badge_sign_in(cred, &badge).await;
        if r.status() == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "the kiosk was never rate limited");
    // The login page and the claim page count too.
    let browser = env
        .http
        .post(env.url("/login"))
        .form(&[("username", "leo"), ("password", "correct horse 42")])
        .send()
        .await
        .unwrap();
    assert_eq!(browser.status(), 303);
    let fields = [
        "first_name",
        "last_name",
        "birth_date",
        "number",
        "password",
    ];
    let empty: Vec<(&str, &str)> = fields
        .iter()
        .chain(&["password_again"])
        .map(|f| (*f, ""))
        .collect();
    let claim = env
        .http
        .post(env.url("/claim"))
        .form(&empty)
        .send()
        .await
        .unwrap();
    assert_eq!(claim.status(), 400);
    env.portal().minute_chores().await;

    let after = scrape(&metrics_url).await;
    assert!(value(&after, ok_badge) >= 1.0, "{after}");
    assert_eq!(value(&after, wrong_password), 1.0, "{after}");
    assert_eq!(
        value(
            &after,
            "badgein_sign_ins_total{method=\"badge\",result=\"rate_limited\"}"
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "badgein_throttled_total{method=\"badge\",reason=\"rate_limited\"}"
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "badgein_sign_ins_total{method=\"password\",result=\"ok\"}"
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "badgein_sign_ins_total{method=\"claim\",result=\"bad_request\"}"
        ),
        1.0
    );
    // Every badge sign-in that was let through started a session, and so did the login page.
    let live = value(&after, "badgein_active_sessions");
    assert_eq!(live, value(&after, ok_badge) + 1.0, "{after}");
    let answered = |status: &str| {
        value(
            &after,
            &format!(
                "badgein_http_request_duration_seconds_count{{route=\"api_sign_in\",status=\"{status}\"}}"
            ),
        )
    };
    assert!(answered("2xx") >= 1.0);
    assert!(answered("4xx") >= 2.0, "the refusal and the 429");
    assert!(
        value(
            &after,
            "badgein_http_request_duration_seconds_count{route=\"pages\",status=\"4xx\"}"
        ) >= 1.0,
        "the public /metrics 404 is a page"
    );
    for query in ["badge_lookup", "login_lookup", "session_write"] {
        let series = format!("badgein_db_query_duration_seconds_count{{query=\"{query}\"}}");
        assert!(value(&after, &series) >= 1.0, "{series}");
    }
    let group_commits = value(&after, "badgein_db_group_commit_duration_seconds_count");
    if env.backend == "sqlite" {
        assert!(group_commits >= 1.0, "{after}");
    } else {
        assert!(
            !after.contains("group_commit"),
            "PostgreSQL has no group commit"
        );
    }

    // Bounded labels only: nothing of the people, the kiosk, the badge or the session.
    let badge_id = badge.split('-').nth(1).unwrap();
    for forbidden in [
        "maya",
        "Maya",
        "leo",
        "Leo",
        "u1",
        "u2",
        "Room 12",
        "Maple",
        kiosk.kiosk_id.as_str(),
        session.session_id.as_str(),
        badge_id,
        "not his password",
    ] {
        assert!(!after.contains(forbidden), "{forbidden:?} in the metrics");
    }
    for line in after.lines().filter(|l| !l.starts_with('#')) {
        let labels = line.split_once('{').map_or("", |(_, rest)| rest);
        for pair in labels.split(['}', ',']).filter(|p| p.contains('=')) {
            let key = pair.split('=').next().unwrap();
            assert!(
                [
                    "method", "result", "reason", "route", "status", "query", "le", "version"
                ]
                .contains(&key),
                "unexpected label {key} in {line}"
            );
        }
    }

    // One ends: the next minute's count says so.
    let ended = env
        .http
        .post(env.url(&badgein_proto::paths::end_session(&session.session_id)))
        .bearer_auth(cred)
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    env.portal().minute_chores().await;
    let later = scrape(&metrics_url).await;
    assert_eq!(value(&later, "badgein_active_sessions"), live - 1.0);
    metrics.stop().await.unwrap();
}

#[tokio::test]
async fn metrics_count_sign_ins_on_their_own_listener() {
    run_with(
        tight_kiosks(),
        metrics_count_sign_ins_on_their_own_listener_body,
    )
    .await;
}

/// The newest migration this binary knows, and a row for one it does not.
const FUTURE_MIGRATION: i64 = 20_991_231;

async fn a_newer_database_is_refused_at_start_body(env: Env) {
    let db_url = env.db_url.clone();
    let portal = env.portal().clone();
    let running = env.running;
    running.stop().await.unwrap();
    portal.close().await;
    // What a newer badgein-portal leaves behind: a migration applied that this one lacks.
    let insert = "INSERT INTO _sqlx_migrations \
        (version, description, success, checksum, execution_time) \
        VALUES ($1, 'from a newer version', TRUE, $2, 1)";
    let applied = |url: String| async move {
        let count: i64 = if url.starts_with("postgres") {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
                .await
                .unwrap();
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
                .fetch_one(&mut c)
                .await
                .unwrap()
        } else {
            let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
                .await
                .unwrap();
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
                .fetch_one(&mut c)
                .await
                .unwrap()
        };
        count
    };
    if db_url.starts_with("postgres") {
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&db_url)
            .await
            .unwrap();
        sqlx::query(insert)
            .bind(FUTURE_MIGRATION)
            .bind(vec![0u8; 48])
            .execute(&mut c)
            .await
            .unwrap();
    } else {
        let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&db_url)
            .await
            .unwrap();
        sqlx::query(insert)
            .bind(FUTURE_MIGRATION)
            .bind(vec![0u8; 48])
            .execute(&mut c)
            .await
            .unwrap();
    }
    let migrations = applied(db_url.clone()).await;

    let refused = Portal::open(
        &db_url,
        Arc::new(ManualClock::starting_now()),
        Config::for_tests(),
    )
    .await
    .unwrap_err();
    let PortalError::NewerDatabase { found, known } = refused else {
        panic!("not refused as newer: {refused}");
    };
    assert_eq!(found, FUTURE_MIGRATION);
    assert!(known < found && known >= 14, "{known}");
    let message = refused.to_string();
    assert!(
        message.contains("upgraded by a newer badgein-portal"),
        "{message}"
    );
    assert!(message.contains(&FUTURE_MIGRATION.to_string()), "{message}");
    assert!(message.contains("Nothing was changed"), "{message}");
    assert_eq!(applied(db_url.clone()).await, migrations, "nothing applied");

    // The real `serve` stops at once with the same words and never listens.
    let mut serve = Command::new(env!("CARGO_BIN_EXE_badgein-portal"));
    serve
        .arg("--db")
        .arg(&db_url)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("BADGEIN_DB")
        .env_remove("RUST_LOG");
    if db_url.starts_with("postgres") {
        serve
            .arg("--key-file")
            .arg(std::env::temp_dir().join("never-made.kek"));
    }
    let out = serve.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("upgraded by a newer badgein-portal"),
        "{stderr}"
    );
    assert!(!stderr.contains("serving on"), "{stderr}");
    assert_eq!(applied(db_url).await, migrations, "nothing applied");
}

#[tokio::test]
async fn a_newer_database_is_refused_at_start() {
    run(a_newer_database_is_refused_at_start_body).await;
}

/// `serve --log-format json`: every line on stderr is a JSON object, from start to a SIGTERM
/// stop, and the probes and a scrape add none.
#[tokio::test(flavor = "multi_thread")]
async fn json_logs_from_the_real_binary() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_badgein-portal"))
        .arg("--db")
        .arg(&db)
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
        .args(["--metrics-listen", "127.0.0.1:0"])
        .env_remove("BADGEIN_DB")
        .env_remove("RUST_LOG")
        .env_remove("BADGEIN_LOG_FORMAT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let mut next_line = || -> serde_json::Value {
        let line = tokio::task::block_in_place(|| rx.recv_timeout(PATIENCE))
            .unwrap_or_else(|e| panic!("no log line ({e})"));
        let value: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        lines.push(value.clone());
        value
    };
    let (mut public, mut metrics) = (None, None);
    while public.is_none() || metrics.is_none() {
        let event = next_line();
        let addr = event["addr"].as_str().map(str::to_owned);
        match event["message"].as_str() {
            Some("portal listening") => public = addr,
            Some("metrics listening") => metrics = addr,
            _ => {}
        }
    }
    let (public, metrics) = (public.unwrap(), metrics.unwrap());
    let http = reqwest::Client::new();
    for path in ["/healthz", "/readyz"] {
        let r = http
            .get(format!("http://{public}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    let hidden = http
        .get(format!("http://{public}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), 404);
    let exposition = scrape(&format!("http://{metrics}/metrics")).await;
    assert!(exposition.contains("badgein_build_info{version=\""));

    // SIGTERM, as systemd and container runtimes stop a service: a clean stop.
    let pid = child.id().to_string();
    let signalled = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(signalled.success());
    let status = tokio::task::block_in_place(|| child.wait()).unwrap();
    assert!(status.success(), "{status}");
    reader.join().unwrap();
    while let Ok(line) = rx.try_recv() {
        let value: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        lines.push(value);
    }
    assert!(
        lines.iter().any(|l| l["message"] == "stopping"),
        "{lines:?}"
    );
    for line in &lines {
        for key in ["timestamp", "level", "target", "message"] {
            assert!(line.get(key).is_some(), "no {key} in {line}");
        }
        let text = line.to_string();
        assert!(
            !text.contains("healthz") && !text.contains("readyz"),
            "a probe logged: {text}"
        );
    }
}

/// Bad settings stop the start with a message naming them, before anything listens.
#[test]
fn bad_service_settings_are_refused_before_serving() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let run = |args: &[&str], envs: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_badgein-portal"));
        command
            .arg("--db")
            .arg(&db)
            .args(args)
            .env_remove("BADGEIN_DB")
            .env_remove("RUST_LOG")
            .env_remove("BADGEIN_LOG_FORMAT")
            .env_remove("BADGEIN_TRUSTED_PROXIES");
        for (k, v) in envs {
            command.env(k, v);
        }
        let out = command.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&["--log-format", "xml", "serve"], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--log-format") && stderr.contains("json"),
        "{stderr}"
    );
    let (code, stderr) = run(&["serve"], &[("BADGEIN_LOG_FORMAT", "yaml")]);
    assert_eq!(code, Some(2), "{stderr}");
    let (code, stderr) = run(
        &["serve", "--listen", "127.0.0.1:0"],
        &[("BADGEIN_TRUSTED_PROXIES", "10.0.0.5/32,not-a-network")],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not-a-network"), "{stderr}");
    for bad in ["not-an-address", "127.0.0.1:99999", ""] {
        let (code, stderr) = run(
            &["serve", "--listen", "127.0.0.1:0", "--metrics-listen", bad],
            &[],
        );
        assert_eq!(code, Some(1), "{bad}: {stderr}");
        assert!(stderr.contains("--metrics-listen"), "{bad}: {stderr}");
        assert!(!stderr.contains("listening"), "{bad}: {stderr}");
    }
}
