//! Spawns a real portal on 127.0.0.1:0 over a fresh database: SQLite always, PostgreSQL too
//! when `BADGEIN_TEST_POSTGRES` holds a server URL (each test gets its own database).
//!
//! Two instances: [`two_instances`] (and, for the whole suite, `BADGEIN_TEST_TWO_INSTANCES=1`
//! on PostgreSQL) starts a second portal on the same database, with the first's address as its
//! public URL (as instances behind a load balancer share one), and [`Env::url`] then
//! alternates between them, as a load balancer without sticky sessions would. Run so, the
//! suite passes but for the tests that count what each instance keeps for itself (the junk
//! counts, the claim limits, the hashing work: docs/deploy.md, "Running more than one
//! instance") or compare one request's address with another's (six, when last run).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use badgein_portal::{
    AppRequest, Config, ManualClock, NewUser, Portal, Role, RunningPortal, spawn,
};
use badgein_proto::Enrolled;

pub struct Env {
    pub running: RunningPortal,
    /// A second instance on the same database, if two run (see the module doc).
    pub second: Option<RunningPortal>,
    /// Requests sent through [`Env::url`], for the alternation.
    turn: AtomicUsize,
    pub clock: ManualClock,
    pub http: reqwest::Client,
    pub db_url: String,
    pub backend: &'static str,
    _dir: Option<TempDir>,
}

impl Env {
    pub fn portal(&self) -> &Portal {
        self.running.portal()
    }

    /// `path` at the next instance: the first always when one runs, the first and the second
    /// in turn when two do.
    pub fn url(&self, path: &str) -> String {
        let turn = self.turn.fetch_add(1, Ordering::Relaxed);
        match &self.second {
            Some(second) if turn % 2 == 1 => format!("{}{path}", address(second)),
            _ => format!("{}{path}", self.running.base_url()),
        }
    }

    /// `path` at instance `which` (0: the first, 1: the second; the first when one runs).
    pub fn url_at(&self, which: usize, path: &str) -> String {
        match (&self.second, which) {
            (Some(second), 1) => format!("{}{path}", address(second)),
            _ => format!("{}{path}", self.running.base_url()),
        }
    }

    /// `url` (an address one instance gave out, such as a launch URL) at instance `which`.
    pub fn moved_to(&self, which: usize, url: &str) -> String {
        let path = [
            Some(self.running.base_url().to_owned()),
            self.second.as_ref().map(address),
        ]
        .into_iter()
        .flatten()
        .find_map(|base| {
            url.strip_prefix(&base)
                .filter(|rest| rest.starts_with('/'))
                .map(str::to_owned)
        })
        .expect("an address of one of the instances");
        self.url_at(which, &path)
    }

    /// The second instance's portal (the first's when only one runs).
    pub fn second_portal(&self) -> &Portal {
        self.second.as_ref().unwrap_or(&self.running).portal()
    }

    /// Enrolls a kiosk at `school` and returns what it was given.
    pub async fn enroll(&self, school: &str, name: &str) -> Enrolled {
        let code = self.portal().enrollment_code(school).await.unwrap();
        let r = self
            .http
            .post(self.url("/api/v1/kiosks/enroll"))
            .json(&serde_json::json!({"code": code, "name": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        r.json().await.unwrap()
    }

    /// Stops the service and starts it again on the same database with `config`, as after
    /// a restart: everything in memory (rate limits, counters) is new.
    pub async fn restart(self, config: Config) -> Env {
        let Env {
            running,
            second,
            turn,
            clock,
            http,
            db_url,
            backend,
            _dir,
        } = self;
        let two = second.is_some();
        for running in [Some(running), second].into_iter().flatten() {
            let portal = running.portal().clone();
            running.stop().await.unwrap();
            portal.close().await;
        }
        let config = with_key_file(&db_url, _dir.as_ref(), config);
        let running = serve(&db_url, &clock, config.clone()).await;
        let second = if two {
            Some(serve(&db_url, &clock, beside(&running, config)).await)
        } else {
            None
        };
        Env {
            running,
            second,
            turn,
            clock,
            http,
            db_url,
            backend,
            _dir,
        }
    }

    pub async fn badge_sign_in(&self, credential: &str, badge: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/sign-ins/badge"))
            .bearer_auth(credential)
            .json(&serde_json::json!({ "badge": badge }))
            .send()
            .await
            .unwrap()
    }

    pub async fn password_sign_in(
        &self,
        credential: &str,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/sign-ins/password"))
            .bearer_auth(credential)
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap()
    }
}

/// A school `s1` with class `c1` (students `u1` Maya Garcia (es) and `u2` Leo Chen), a teacher
/// `t1`, two app tiles; and a second school `s2` with student `x1`.
pub async fn seed(portal: &Portal) {
    portal.add_school("s1", "Maple Elementary").await.unwrap();
    portal.add_school("s2", "Oak Elementary").await.unwrap();
    portal.add_class("c1", "s1", "Room 12").await.unwrap();
    for (id, school, role, username, given, family, locale) in [
        ("u1", "s1", Role::Student, "maya", "Maya", "Garcia", "es"),
        ("u2", "s1", Role::Student, "leo", "Leo", "Chen", "en"),
        ("t1", "s1", Role::Teacher, "mrsk", "Kim", "Kowalski", "en"),
        ("x1", "s2", Role::Student, "oskar", "Oskar", "Berg", "en"),
    ] {
        portal
            .add_user(&NewUser {
                id: id.into(),
                school_id: school.into(),
                role,
                username: username.into(),
                given_name: given.into(),
                family_name: family.into(),
                locale: locale.into(),
                // Only Kim has an address in the roster (what the `email` scope and SAML's
                // emailAddress NameID release); the children have none.
                email: (id == "t1")
                    .then(|| badgein_roster::Email::parse("Kim.Kowalski@Maple.example").unwrap()),
                // Maya is in first grade (the `school` scope's `grade`); the others have none.
                grade: (id == "u1").then_some(badgein_roster::Grade::Numbered(1)),
            })
            .await
            .unwrap();
    }
    portal
        .add_to_class("c1", "u1", Role::Student)
        .await
        .unwrap();
    portal
        .add_to_class("c1", "u2", Role::Student)
        .await
        .unwrap();
    portal
        .add_to_class("c1", "t1", Role::Teacher)
        .await
        .unwrap();
    for (name, url) in [
        ("Clever", "https://clever.com/in/maple"),
        ("Skyward", "https://skyward.example.org/"),
    ] {
        portal
            .add_app(&AppRequest {
                name: name.into(),
                url: url.into(),
                schools: vec!["s1".into()],
                ..AppRequest::default()
            })
            .await
            .unwrap();
    }
}

/// Runs `test` once per configured backend.
pub async fn run<F, Fut>(test: F)
where
    F: Fn(Env) -> Fut,
    Fut: Future<Output = ()>,
{
    run_with(Config::for_tests(), test).await;
}

pub async fn run_with<F, Fut>(config: Config, test: F)
where
    F: Fn(Env) -> Fut,
    Fut: Future<Output = ()>,
{
    let two = two_instances_everywhere();
    for backend in backends() {
        let env = if two && backend == "postgres" {
            start_two(backend, config.clone()).await
        } else {
            start(backend, config.clone()).await
        };
        let db_url = env.db_url.clone();
        test(env).await;
        if backend == "postgres" {
            drop_postgres(&db_url).await;
        }
    }
}

/// Drops a test's PostgreSQL database once the test has passed (a failed test keeps its own, to
/// look at). Without this a test cluster grew by a database a test, gigabytes over a few runs.
/// `FORCE` ends the connections the stopped portal's pool may still hold; `IF EXISTS`: a test
/// may have dropped it itself (the database gone under a running portal).
pub async fn drop_postgres(db_url: &str) {
    let admin = std::env::var("BADGEIN_TEST_POSTGRES").unwrap();
    let path = db_url.split('?').next().unwrap_or(db_url);
    let name = path.rsplit('/').next().unwrap_or_default();
    assert!(
        name.starts_with("badgein_test_"),
        "not a test database: {name}"
    );
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .unwrap();
}

pub fn backends() -> Vec<&'static str> {
    let mut b = vec!["sqlite"];
    if std::env::var("BADGEIN_TEST_POSTGRES").is_ok_and(|u| !u.is_empty()) {
        b.push("postgres");
    }
    b
}

pub async fn start(backend: &'static str, config: Config) -> Env {
    let (db_url, dir) = fresh_database(backend).await;
    start_at(backend, db_url, dir, config, false).await
}

/// Two instances on one fresh database of `backend` (see the module doc).
pub async fn start_two(backend: &'static str, config: Config) -> Env {
    let (db_url, dir) = fresh_database(backend).await;
    start_at(backend, db_url, dir, config, true).await
}

/// Whether the whole suite runs with two instances on PostgreSQL
/// (`BADGEIN_TEST_TWO_INSTANCES=1`).
fn two_instances_everywhere() -> bool {
    std::env::var("BADGEIN_TEST_TWO_INSTANCES").is_ok_and(|v| v == "1")
}

/// Runs `test` with two instances on one PostgreSQL database: two instances on one SQLite file
/// are not how the service is deployed (docs/deploy.md). Without `BADGEIN_TEST_POSTGRES` the
/// test cannot run: under CI (`CI` set, as CI services do) that fails it, saying so; elsewhere
/// it says on stderr that it did not run.
pub async fn two_instances<F, Fut>(config: Config, test: F)
where
    F: Fn(Env) -> Fut,
    Fut: Future<Output = ()>,
{
    if !backends().contains(&"postgres") {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        assert!(
            !ci,
            "the two-instance tests need PostgreSQL: set BADGEIN_TEST_POSTGRES              (scripts/test starts a throwaway cluster)"
        );
        eprintln!("NOT RUN: the two-instance tests need BADGEIN_TEST_POSTGRES (PostgreSQL)");
        return;
    }
    let env = start_two("postgres", config).await;
    let db_url = env.db_url.clone();
    test(env).await;
    drop_postgres(&db_url).await;
}

/// A portal on a fresh database of the PostgreSQL server `admin` (a URL as in
/// `BADGEIN_TEST_POSTGRES`).
pub async fn start_on(admin: &str, config: Config) -> Env {
    let db_url = fresh_postgres(admin).await;
    start_at("postgres", db_url, None, config, false).await
}

/// `config` with a key-encryption key file for `db_url`: SQLite keeps the default (beside the
/// database file, as in production); PostgreSQL gets one in `dir`.
pub fn with_key_file(db_url: &str, dir: Option<&TempDir>, config: Config) -> Config {
    match (dir, &config.key_file) {
        (Some(dir), None) if db_url.starts_with("postgres") => Config {
            key_file: Some(dir.0.join("postgres.kek")),
            ..config
        },
        _ => config,
    }
}

async fn start_at(
    backend: &'static str,
    db_url: String,
    dir: Option<TempDir>,
    config: Config,
    two: bool,
) -> Env {
    // PostgreSQL has no database file to keep the key file beside: a directory of its own.
    // Both instances share it, as they share the database.
    let dir = dir.or_else(|| Some(TempDir::new()));
    let config = with_key_file(&db_url, dir.as_ref(), config);
    let clock = ManualClock::starting_now();
    let portal = Portal::open(&db_url, Arc::new(clock.clone()), config.clone())
        .await
        .unwrap();
    seed(&portal).await;
    let running = spawn(portal, "127.0.0.1:0").await.unwrap();
    // The second starts after the seed, as a second instance joins a running service.
    let second = if two {
        Some(serve(&db_url, &clock, beside(&running, config)).await)
    } else {
        None
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Env {
        running,
        second,
        turn: AtomicUsize::new(0),
        clock,
        http,
        db_url,
        backend,
        _dir: dir,
    }
}

/// `config` for a second instance beside `first`: the first's address is the public URL of both
/// (unless the test gave one), so that tickets, issuers and origins are the same at either.
fn beside(first: &RunningPortal, config: Config) -> Config {
    Config {
        public_url: config
            .public_url
            .clone()
            .or_else(|| Some(first.base_url().to_owned())),
        ..config
    }
}

/// Where an instance listens (its base URL may be the public URL of both).
fn address(r: &RunningPortal) -> String {
    format!("http://{}", r.addr())
}

/// A portal serving on 127.0.0.1:0 over the existing database `db_url`.
async fn serve(db_url: &str, clock: &ManualClock, config: Config) -> RunningPortal {
    let portal = Portal::open(db_url, Arc::new(clock.clone()), config)
        .await
        .unwrap();
    spawn(portal, "127.0.0.1:0").await.unwrap()
}

pub async fn fresh_database(backend: &str) -> (String, Option<TempDir>) {
    if backend == "sqlite" {
        let dir = TempDir::new();
        let url = dir.0.join("portal.db").display().to_string();
        return (url, Some(dir));
    }
    let admin = std::env::var("BADGEIN_TEST_POSTGRES").unwrap();
    (fresh_postgres(&admin).await, None)
}

async fn fresh_postgres(admin: &str) -> String {
    let name = format!("badgein_test_{}", random_suffix());
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    with_database(admin, &name)
}

/// `postgres://u@h:p/postgres?x` -> `postgres://u@h:p/<name>?x`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

pub fn random_suffix() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("badgein-portal-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub async fn problem_code(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert_eq!(ct, "application/problem+json", "status {status}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], status);
    (status, body["code"].as_str().unwrap().to_owned())
}

/// Everything the database holds, as text: the raw SQLite files (database and WAL), or every
/// PostgreSQL table row cast to text.
pub async fn dump(env: &Env) -> String {
    use badgein_portal::store::Pool;
    match env.portal().db() {
        Pool::Sqlite(_) => {
            let mut out = String::new();
            for suffix in ["", "-wal"] {
                if let Ok(bytes) = std::fs::read(format!("{}{suffix}", env.db_url)) {
                    out.push_str(&String::from_utf8_lossy(&bytes));
                }
            }
            out
        }
        Pool::Postgres(p) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
            )
            .fetch_all(p)
            .await
            .unwrap();
            let mut out = String::new();
            for t in tables {
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT CAST(t AS TEXT) FROM {t} t"))
                        .fetch_all(p)
                        .await
                        .unwrap();
                out.push_str(&rows.join("\n"));
            }
            out
        }
    }
}

/// Runs the `badgein-portal` binary on the database `db`, with nothing from the environment
/// that would change its database or its log.
pub fn portal_cli(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_badgein-portal"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("BADGEIN_DB")
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// The session cookie's name on plain-HTTP loopback (docs/API.md).
pub const SESSION_COOKIE: &str = "badgein_session";

/// The `name=value` session cookie an answer set, if any.
pub fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(SESSION_COOKIE))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

/// Opens a launch URL; returns the `name=value` session cookie it set, if any.
pub async fn open(env: &Env, url: &str) -> Option<String> {
    session_cookie(&env.http.get(url).send().await.unwrap())
}

/// Signs `username` in through the login page; returns the `name=value` session cookie.
pub async fn login(env: &Env, username: &str, password: &str) -> String {
    let r = env
        .http
        .post(env.url("/login"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{username} signs in");
    session_cookie(&r).unwrap()
}

/// Signs `username` in through the login page sent from `next` (a page that needs a
/// session); checks the login sends the browser back there and returns the session cookie.
pub async fn login_back_to(env: &Env, username: &str, password: &str, next: &str) -> String {
    let r = env
        .http
        .post(env.url("/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("next", next),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{username} signs in");
    assert_eq!(r.headers()["location"], next, "{username} is sent back");
    session_cookie(&r).unwrap()
}

/// `GET path` (no cookie) read as JSON: the public documents (discovery, the JWKS).
pub async fn get_json<T: serde::de::DeserializeOwned>(env: &Env, path: &str) -> T {
    env.http
        .get(env.url(path))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// `GET path` with the session cookie.
/// A form posted with the session cookie `cookie`.
pub async fn post(env: &Env, cookie: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    env.http
        .post(env.url(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap()
}

/// The page at `path` (which must answer 200) and the CSRF token its forms carry.
pub async fn page(env: &Env, cookie: &str, path: &str) -> (String, String) {
    let r = get(env, cookie, path).await;
    assert_eq!(r.status(), 200, "{path}");
    let html = r.text().await.unwrap();
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    (html, token)
}

pub async fn get(env: &Env, cookie: &str, path: &str) -> reqwest::Response {
    env.http
        .get(env.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

/// Scan options for reading printed sheets back: the thorough steps with a budget no machine
/// runs out of. These tests ask whether every code can be read, not how fast; a page of codes
/// on a loaded CI machine once ran out of the 1.5 s budget of `ScanOptions::THOROUGH`.
pub const READ_EVERY_CODE: badgein_scanner::ScanOptions = badgein_scanner::ScanOptions {
    budget: std::time::Duration::from_secs(120),
    ..badgein_scanner::ScanOptions::THOROUGH
};

/// Adds administrator `a1` ("principal", Pat Lee) to school `s1`, with `password`.
pub async fn add_principal(env: &Env, password: &str) {
    env.portal()
        .add_user(&NewUser {
            id: "a1".into(),
            school_id: "s1".into(),
            role: Role::Administrator,
            username: "principal".into(),
            given_name: "Pat".into(),
            family_name: "Lee".into(),
            locale: "en".into(),
            email: None,
            grade: None,
        })
        .await
        .unwrap();
    env.portal().set_password("a1", password).await.unwrap();
}
