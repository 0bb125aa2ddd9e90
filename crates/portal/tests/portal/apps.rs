//! Registered apps on both databases: who sees which tile, what the kiosks may open, OpenID
//! Connect client secrets (once, hashed, rotated), hostile registrations that write nothing,
//! old tiles through migration 0004, the `app` commands and the administrators' page.

use badgein_portal::apps::ClientAuth;
use badgein_portal::store::Pool;
use badgein_portal::{AppRequest, PortalError, Role};

use crate::harness::{self, Env, TempDir, dump, get, portal_cli, post, run};

const PASSWORD: &str = "correct horse battery";

fn link(name: &str, url: &str, schools: &[&str], roles: &[Role]) -> AppRequest {
    AppRequest {
        name: name.into(),
        url: url.into(),
        schools: schools.iter().map(|s| (*s).into()).collect(),
        roles: roles.to_vec(),
        ..AppRequest::default()
    }
}

fn client(name: &str, redirect: &str) -> AppRequest {
    AppRequest {
        oidc_redirects: vec![redirect.into()],
        ..link(name, "https://reading.example/", &["s1"], &[])
    }
}

async fn tile_names(env: &Env, user: &str) -> Vec<String> {
    let user = env.portal().user(user).await.unwrap().unwrap();
    env.portal()
        .tiles_for(&user)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect()
}

/// The app whose client id and secret these are, as the token endpoint authenticates them.
async fn secret_opens(
    p: &badgein_portal::Portal,
    client_id: &str,
    secret: &str,
) -> Result<Option<badgein_portal::ids::AppId>, PortalError> {
    let auth = ClientAuth::Secret { client_id, secret };
    Ok(p.authenticate_client(auth).await?.map(|c| c.app_id))
}

async fn audit_actions(env: &Env) -> Vec<String> {
    env.portal()
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// Adds administrator `a1` of `s1` (and gives `t1` and `u1` passwords).
async fn with_administrator(env: &Env) {
    harness::add_principal(env, PASSWORD).await;
    for user in ["t1", "u1"] {
        env.portal().set_password(user, PASSWORD).await.unwrap();
    }
}

async fn shown_by_school_and_role_body(env: Env) {
    let p = env.portal();
    p.add_app(&link(
        "Readers",
        "https://readers.example/k",
        &["s1"],
        &[Role::Student],
    ))
    .await
    .unwrap();
    p.add_app(&link("District mail", "https://mail.example/", &[], &[]))
        .await
        .unwrap();
    p.add_app(&link("Oak only", "https://oak.example/", &["s2"], &[]))
        .await
        .unwrap();
    p.add_app(&link(
        "Gradebook",
        "https://grades.example/",
        &["s1", "s2"],
        &[Role::Teacher, Role::Administrator],
    ))
    .await
    .unwrap();
    // For parents alone: never a child's tile, never a kiosk's destination.
    p.add_app(&link(
        "Family access",
        "https://family.example/",
        &["s1"],
        &[Role::Guardian],
    ))
    .await
    .unwrap();
    // The harness's two tiles (s1, every role) come first: registration order.
    assert_eq!(
        tile_names(&env, "u1").await,
        ["Clever", "Skyward", "Readers", "District mail"]
    );
    assert_eq!(
        tile_names(&env, "t1").await,
        ["Clever", "Skyward", "District mail", "Gradebook"]
    );
    assert_eq!(tile_names(&env, "x1").await, ["District mail", "Oak only"]);

    // The kiosk's allow-list is the origins of the school's apps, for any role that signs in
    // at a kiosk (a guardian does not).
    let s1 = env.enroll("s1", "Room 12").await.settings.allowed_origins;
    assert_eq!(
        s1,
        [
            "https://clever.com",
            "https://grades.example",
            "https://mail.example",
            "https://readers.example",
            "https://skyward.example.org",
        ]
    );
    let s2 = env.enroll("s2", "Oak 1").await.settings.allowed_origins;
    assert_eq!(
        s2,
        [
            "https://grades.example",
            "https://mail.example",
            "https://oak.example"
        ]
    );

    // A sign-in that returns to another host than the app's link: that host is allowed
    // too (an OpenID Connect redirect URI, a SAML ACS), or the kiosk would stop the child
    // half-way into the app.
    p.add_app(&AppRequest {
        oidc_redirects: vec!["https://login.oak.example/cb".into()],
        ..link("Oak reading", "https://oak.example/read", &["s2"], &[])
    })
    .await
    .unwrap();
    p.add_app(&AppRequest {
        saml_entity_id: Some("https://sp.oak.example".into()),
        saml_acs: Some("https://acs.oak.example/saml".into()),
        ..link("Oak mail", "https://mail.oak.example/", &["s2"], &[])
    })
    .await
    .unwrap();
    let s2 = env.enroll("s2", "Oak 1b").await.settings.allowed_origins;
    assert_eq!(
        s2,
        [
            "https://acs.oak.example",
            "https://grades.example",
            "https://login.oak.example",
            "https://mail.example",
            "https://mail.oak.example",
            "https://oak.example"
        ]
    );
    for name in ["Oak reading", "Oak mail"] {
        let app = p.apps().await.unwrap().into_iter().find(|a| a.name == name);
        p.remove_app(&app.unwrap().id).await.unwrap();
    }

    // The dashboard over HTTP shows the same.
    p.set_password("t1", PASSWORD).await.unwrap();
    let cookie = harness::login(&env, "mrsk", PASSWORD).await;
    let html = get(&env, &cookie, "/").await.text().await.unwrap();
    assert!(html.contains("Gradebook") && html.contains("District mail"));
    assert!(!html.contains("Readers") && !html.contains("Oak only"));
    assert!(!html.contains("/teach/apps"), "a teacher has no apps page");

    // Removed: gone from dashboards and kiosks; a second removal finds nothing.
    let gradebook = p
        .apps()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Gradebook")
        .unwrap();
    assert_eq!(gradebook.roles, [Role::Teacher, Role::Administrator]);
    assert_eq!(
        gradebook.schools,
        ["s1".into(), "s2".into()] as [badgein_portal::SchoolId; 2]
    );
    p.remove_app(&gradebook.id).await.unwrap();
    assert_eq!(
        tile_names(&env, "t1").await,
        ["Clever", "Skyward", "District mail"]
    );
    let s2 = env.enroll("s2", "Oak 2").await.settings.allowed_origins;
    assert_eq!(s2, ["https://mail.example", "https://oak.example"]);
    assert!(matches!(
        p.remove_app(&gradebook.id).await,
        Err(PortalError::NotFound(_))
    ));
    let actions = audit_actions(&env).await;
    assert_eq!(actions.iter().filter(|a| *a == "app.add").count(), 9);
    assert_eq!(actions.iter().filter(|a| *a == "app.remove").count(), 3);
}

#[tokio::test]
async fn apps_are_shown_by_school_and_role() {
    run(shown_by_school_and_role_body).await;
}

async fn client_secrets_body(env: Env) {
    let p = env.portal();
    let mut request = client("Reading", "https://reading.example/cb?x=1");
    request
        .oidc_redirects
        .push("http://127.0.0.1:9000/cb".into());
    request.backchannel_logout = Some("https://reading.example/logout".into());
    request.pairwise = true;
    let r = p.add_app(&request).await.unwrap();
    let client_id = r.client_id.clone().unwrap();
    let secret = r.client_secret.clone().unwrap();
    assert_eq!(secret.len(), 64, "256 bits as hex");
    assert!(!format!("{r:?}").contains(&secret), "redacted in Debug");
    assert_eq!(
        secret_opens(p, &client_id, &secret).await.unwrap(),
        Some(r.app_id.clone())
    );
    let mut wrong = secret.clone();
    wrong.replace_range(..1, if secret.starts_with('0') { "1" } else { "0" });
    assert_eq!(secret_opens(p, &client_id, &wrong).await.unwrap(), None);
    assert_eq!(secret_opens(p, "c-nobody", &secret).await.unwrap(), None);

    let listed = p.apps().await.unwrap();
    let app = listed.iter().find(|a| a.id == r.app_id).unwrap();
    assert_eq!(
        app.redirect_uris,
        ["http://127.0.0.1:9000/cb", "https://reading.example/cb?x=1"],
        "kept exactly"
    );
    assert!(app.pairwise);
    assert_eq!(
        app.backchannel_logout_uri.as_deref(),
        Some("https://reading.example/logout")
    );
    let json = serde_json::to_string(&listed).unwrap();
    assert!(
        !json.contains(&secret) && !json.contains("secret"),
        "{json}"
    );

    let rotated = p.rotate_app_secret(&r.app_id).await.unwrap();
    let new = rotated.client_secret.clone().unwrap();
    assert_ne!(new, secret);
    assert_eq!(rotated.client_id.as_deref(), Some(client_id.as_str()));
    assert_eq!(secret_opens(p, &client_id, &secret).await.unwrap(), None);
    assert_eq!(
        secret_opens(p, &client_id, &new).await.unwrap(),
        Some(r.app_id.clone())
    );
    let stored = dump(&env).await;
    assert!(
        !stored.contains(&secret) && !stored.contains(&new),
        "only digests stored"
    );

    // A plain link has no secret to rotate; an unknown app is not found.
    let plain = p
        .add_app(&link("Plain", "https://plain.example/", &[], &[]))
        .await
        .unwrap();
    assert_eq!((plain.client_id, plain.client_secret), (None, None));
    assert!(matches!(
        p.rotate_app_secret(&plain.app_id).await,
        Err(PortalError::BadRequest(_))
    ));
    assert!(matches!(
        p.rotate_app_secret("a-nothing").await,
        Err(PortalError::NotFound(_))
    ));
    let actions = audit_actions(&env).await;
    assert_eq!(actions.iter().filter(|a| *a == "app.secret").count(), 1);
    let audit = serde_json::to_string(&p.audit_log().await.unwrap()).unwrap();
    assert!(!audit.contains(&secret) && !audit.contains(&new));
}

#[tokio::test]
async fn a_client_secret_is_shown_once_stored_hashed_and_rotated() {
    run(client_secrets_body).await;
}

async fn hostile_registrations_body(env: Env) {
    let p = env.portal();
    let saml = |entity: &str, acs: &str| AppRequest {
        saml_entity_id: Some(entity.into()),
        saml_acs: Some(acs.into()),
        ..link("Sp", "https://sp.example/", &["s1"], &[])
    };
    p.add_app(&saml("urn:sp", "https://sp.example/acs"))
        .await
        .unwrap();
    let before = (
        p.apps().await.unwrap().len(),
        p.audit_log().await.unwrap().len(),
    );
    let with = |f: &dyn Fn(&mut AppRequest)| {
        let mut r = link("Ok", "https://ok.example/", &["s1"], &[]);
        f(&mut r);
        r
    };
    let cases: Vec<(&str, AppRequest, &str)> = vec![
        ("empty name", with(&|r| r.name = " ".into()), "bad_request"),
        (
            "long name",
            with(&|r| r.name = "x".repeat(81)),
            "bad_request",
        ),
        (
            "control in name",
            with(&|r| r.name = "a\u{1b}[2J".into()),
            "bad_request",
        ),
        (
            "http url",
            with(&|r| r.url = "http://ok.example/".into()),
            "bad_request",
        ),
        (
            "script url",
            with(&|r| r.url = "javascript:alert(1)".into()),
            "bad_request",
        ),
        ("no url", with(&|r| r.url = String::new()), "bad_request"),
        (
            "credentials",
            with(&|r| r.url = "https://u:p@ok.example/".into()),
            "bad_request",
        ),
        (
            "huge url",
            with(&|r| r.url = format!("https://ok.example/{}", "a".repeat(5000))),
            "bad_request",
        ),
        (
            "fragment",
            with(&|r| r.oidc_redirects = vec!["https://ok.example/cb#x".into()]),
            "bad_request",
        ),
        (
            "relative redirect",
            with(&|r| r.oidc_redirects = vec!["/cb".into()]),
            "bad_request",
        ),
        ("pairwise link", with(&|r| r.pairwise = true), "bad_request"),
        (
            "half saml",
            with(&|r| r.saml_entity_id = Some("urn:x".into())),
            "bad_request",
        ),
        (
            "http acs",
            saml("urn:y", "http://sp.example/acs"),
            "bad_request",
        ),
        (
            "taken entity id",
            saml("urn:sp", "https://sp2.example/acs"),
            "bad_request",
        ),
        (
            "unknown school",
            with(&|r| r.schools = vec!["s1".into(), "nowhere".into()]),
            "not_found",
        ),
        (
            "not a picture",
            with(&|r| r.icon = Some(b"<html><script>".to_vec())),
            "bad_request",
        ),
        (
            "huge picture",
            with(&|r| {
                let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
                png.resize(256 * 1024 + 1, 0);
                r.icon = Some(png);
            }),
            "bad_request",
        ),
    ];
    for (what, request, code) in cases {
        let e = p.add_app(&request).await.expect_err(what);
        assert_eq!(e.code().as_str(), code, "{what}: {e}");
    }
    let after = (
        p.apps().await.unwrap().len(),
        p.audit_log().await.unwrap().len(),
    );
    assert_eq!(before, after, "nothing written");
}

#[tokio::test]
async fn hostile_registrations_are_refused_and_write_nothing() {
    run(hostile_registrations_body).await;
}

/// The tiles of before migration 0004 (one school each) are kept: same name, link, school,
/// order, for every role.
#[tokio::test]
async fn old_tiles_survive_the_migration() {
    for backend in harness::backends() {
        let (url, _dir) = harness::fresh_database(backend).await;
        const SCHOOL: &str = "INSERT INTO schools (id, name) VALUES ('s9', 'Old School')";
        const APPS: &str = "INSERT INTO apps (school_id, name, url, color) VALUES \
            ('s9', 'Old B', 'https://b.example/x', '#000'), \
            ('s9', 'Old A', 'https://a.example/', '#fff')";
        if backend == "sqlite" {
            let mut m = sqlx::migrate!("./migrations/sqlite");
            m.migrations = m
                .migrations
                .iter()
                .filter(|x| x.version < 4)
                .cloned()
                .collect::<Vec<_>>()
                .into();
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&url)
                .create_if_missing(true);
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            m.run(&pool).await.unwrap();
            sqlx::query(SCHOOL).execute(&pool).await.unwrap();
            sqlx::query(APPS).execute(&pool).await.unwrap();
            pool.close().await;
        } else {
            let mut m = sqlx::migrate!("./migrations/postgres");
            m.migrations = m
                .migrations
                .iter()
                .filter(|x| x.version < 4)
                .cloned()
                .collect::<Vec<_>>()
                .into();
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            m.run(&pool).await.unwrap();
            sqlx::query(SCHOOL).execute(&pool).await.unwrap();
            sqlx::query(APPS).execute(&pool).await.unwrap();
            pool.close().await;
        }
        let portal = badgein_portal::Portal::open(
            &url,
            std::sync::Arc::new(badgein_portal::ManualClock::starting_now()),
            badgein_portal::Config::for_tests(),
        )
        .await
        .unwrap();
        let apps = portal.apps().await.unwrap();
        let kept: Vec<(&str, &str, &str)> = apps
            .iter()
            .map(|a| (a.id.as_str(), a.name.as_str(), a.url.as_str()))
            .collect();
        assert_eq!(
            kept,
            [
                ("app-1", "Old B", "https://b.example/x"),
                ("app-2", "Old A", "https://a.example/")
            ],
            "{backend}"
        );
        assert!(apps.iter().all(
            |a| a.schools == ["s9".into()] as [badgein_portal::SchoolId; 1]
                && a.roles.is_empty()
                && a.client_id.is_none()
        ));
        // A new app lists after them.
        portal
            .add_app(&link("New", "https://new.example/", &["s9"], &[]))
            .await
            .unwrap();
        assert_eq!(portal.apps().await.unwrap()[2].name, "New", "{backend}");
        // Nothing is left of the old table.
        const OLD: &str = "SELECT COUNT(*) FROM apps_0003";
        let old: Result<i64, _> = match portal.db() {
            Pool::Sqlite(s) => sqlx::query_scalar(OLD).fetch_one(&s.read).await,
            Pool::Postgres(p) => sqlx::query_scalar(OLD).fetch_one(p).await,
        };
        assert!(old.is_err(), "{backend}");
        portal.close().await;
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn the_app_commands_print_json_and_refuse_bad_input_clearly() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let demo = portal_cli(
        &db,
        &["demo", "--dir", dir.0.join("demo").to_str().unwrap()],
    );
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let list = |db| {
        let out = portal_cli(db, &["app", "list"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let demo_apps = list(&db);
    assert_eq!(
        demo_apps.lines().count(),
        4,
        "the demo's tiles: {demo_apps}"
    );

    let icon = dir.0.join("icon.svg.png");
    std::fs::write(&icon, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    let add = portal_cli(
        &db,
        &[
            "app",
            "add",
            "--name",
            "Reading",
            "--url",
            "https://reading.example/",
            "--school",
            "demo-school",
            "--roles",
            "student,teacher",
            "--oidc-redirect",
            "https://reading.example/cb",
            "--oidc-redirect",
            "https://reading.example/cb2",
            "--backchannel-logout",
            "https://reading.example/bcl",
            "--pairwise",
            "--saml-entity-id",
            "urn:reading",
            "--saml-acs",
            "https://reading.example/acs",
            "--icon",
            icon.to_str().unwrap(),
        ],
    );
    assert!(add.status.success(), "{}", text(&add.stderr));
    let out = text(&add.stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    let added: serde_json::Value = serde_json::from_str(&out).unwrap();
    let app_id = added["app_id"].as_str().unwrap().to_owned();
    let secret = added["client_secret"].as_str().unwrap().to_owned();
    assert!(added["client_id"].as_str().unwrap().starts_with("c-"));
    assert!(!text(&add.stderr).contains(&secret));

    let listed = list(&db);
    assert_eq!(listed.lines().count(), 5);
    assert!(
        !listed.contains(&secret) && !listed.contains("secret"),
        "{listed}"
    );
    let reading: serde_json::Value = listed
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["app_id"] == app_id.as_str())
        .unwrap();
    assert_eq!(reading["roles"], serde_json::json!(["student", "teacher"]));
    assert_eq!(reading["schools"], serde_json::json!(["demo-school"]));
    assert_eq!(reading["icon_type"], "image/svg+xml");
    assert_eq!(reading["saml_entity_id"], "urn:reading");

    let rotate = portal_cli(&db, &["app", "secret", "--app", &app_id]);
    assert!(rotate.status.success(), "{}", text(&rotate.stderr));
    let rotated: serde_json::Value = serde_json::from_str(&text(&rotate.stdout)).unwrap();
    assert_ne!(rotated["client_secret"].as_str().unwrap(), secret);

    // A plain link prints its id alone.
    let plain = portal_cli(
        &db,
        &[
            "app",
            "add",
            "--name",
            "Plain",
            "--url",
            "http://127.0.0.1:8080/",
        ],
    );
    assert!(plain.status.success(), "{}", text(&plain.stderr));
    let plain: serde_json::Value = serde_json::from_str(&text(&plain.stdout)).unwrap();
    assert_eq!(plain.as_object().unwrap().len(), 1, "{plain}");

    let png = dir.0.join("fake.png");
    std::fs::write(&png, "GIF89a not a png").unwrap();
    let big = dir.0.join("big.png");
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(300 * 1024, 0);
    std::fs::write(&big, bytes).unwrap();
    let base = [
        "app",
        "add",
        "--name",
        "Bad",
        "--url",
        "https://bad.example/",
    ];
    // Exit 2: bad input; 1: what was named is not there.
    for (extra, says, code) in [
        (
            vec!["--roles", "student,admin"],
            "the roles are student, teacher, administrator, other",
            2,
        ),
        (vec!["--school", "nowhere"], "school nowhere", 1),
        (vec!["--saml-entity-id", "urn:x"], "give both or neither", 2),
        (
            vec!["--oidc-redirect", "https://bad.example/cb#frag"],
            "fragment",
            2,
        ),
        (
            vec!["--icon", png.to_str().unwrap()],
            "not a PNG, JPEG or SVG",
            2,
        ),
        (
            vec!["--icon", big.to_str().unwrap()],
            "larger than 256 KiB",
            2,
        ),
        (
            vec!["--icon", "/nonexistent/icon.png"],
            "reading /nonexistent/icon.png",
            1,
        ),
        (vec!["--pairwise"], "OpenID Connect clients", 2),
    ] {
        let args: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        let out = portal_cli(&db, &args);
        assert_eq!(out.status.code(), Some(code), "{extra:?}");
        assert!(out.stdout.is_empty(), "{extra:?}");
        assert!(
            text(&out.stderr).contains(says),
            "{extra:?}: {}",
            text(&out.stderr)
        );
    }
    let url = portal_cli(
        &db,
        &[
            "app",
            "add",
            "--name",
            "Bad",
            "--url",
            "http://bad.example/",
        ],
    );
    assert_eq!(
        url.status.code(),
        Some(2),
        "a refused registration is bad input"
    );
    assert!(
        text(&url.stderr).contains("must be https://"),
        "{}",
        text(&url.stderr)
    );
    assert_eq!(
        list(&db).lines().count(),
        6,
        "nothing written by the refusals"
    );

    let remove = portal_cli(&db, &["app", "remove", "--app", &app_id]);
    assert!(remove.status.success(), "{}", text(&remove.stderr));
    assert!(!list(&db).contains(&app_id));
    let again = portal_cli(&db, &["app", "remove", "--app", &app_id]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("not found"),
        "{}",
        text(&again.stderr)
    );
}

/// The form the apps page posts.
fn app_form<'a>(token: &'a str, fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("csrf", token)];
    form.extend_from_slice(fields);
    form
}

async fn token(env: &Env, cookie: &str) -> String {
    let r = get(env, cookie, "/teach/apps").await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned()
}

fn secret_on(html: &str) -> String {
    html.split("<code class=\"code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned()
}

async fn administrators_page_body(env: Env) {
    with_administrator(&env).await;
    let p = env.portal();
    let district = p
        .add_app(&link("District mail", "https://mail.example/", &[], &[]))
        .await
        .unwrap();

    // Only an administrator signed in with a password.
    let teacher = harness::login(&env, "mrsk", PASSWORD).await;
    assert_eq!(get(&env, &teacher, "/teach/apps").await.status(), 403);
    let student = harness::login(&env, "maya", PASSWORD).await;
    assert_eq!(get(&env, &student, "/teach/apps").await.status(), 403);
    let admin = harness::login(&env, "principal", PASSWORD).await;
    let dashboard = get(&env, &admin, "/").await.text().await.unwrap();
    assert!(dashboard.contains("href=\"/teach/apps\""));
    let csrf = token(&env, &admin).await;
    let teacher_csrf = {
        let r = get(&env, &teacher, "/teach/kiosks").await;
        let html = r.text().await.unwrap();
        html.split("name=\"csrf\" value=\"")
            .nth(1)
            .map(|r| r.split('"').next().unwrap().to_owned())
    };
    let count = || async { p.apps().await.unwrap().len() };
    let before = count().await;
    if let Some(t) = teacher_csrf {
        let r = post(
            &env,
            &teacher,
            "/teach/apps",
            &app_form(&t, &[("name", "X"), ("url", "https://x.example/")]),
        )
        .await;
        assert_eq!(r.status(), 403, "a teacher cannot add apps");
        let audit = p.audit_log().await.unwrap();
        assert!(audit.iter().any(|e| e.action == "teacher.refused"
            && e.user_id.as_deref() == Some("t1")
            && e.detail.as_deref() == Some("/teach/apps")));
    } else {
        panic!("the teacher pages carry a token");
    }
    let r = post(
        &env,
        &admin,
        "/teach/apps",
        &[("name", "X"), ("url", "https://x.example/")],
    )
    .await;
    assert_eq!(r.status(), 403, "no token");
    let r = env
        .http
        .post(env.url("/teach/apps"))
        .header("cookie", &admin)
        .header("origin", "https://evil.example")
        .form(&app_form(
            &csrf,
            &[("name", "X"), ("url", "https://x.example/")],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "another origin");
    assert_eq!(count().await, before);

    // Hostile input comes back on the page with the reason; nothing written.
    for (fields, says) in [
        (
            vec![("name", "X"), ("url", "http://x.example/")],
            "must be https://",
        ),
        (
            vec![("name", ""), ("url", "https://x.example/")],
            "name must be",
        ),
        (
            vec![
                ("name", "X"),
                ("url", "https://x.example/"),
                ("roles", "pupil"),
            ],
            "unknown role",
        ),
        (
            vec![
                ("name", "X"),
                ("url", "https://x.example/"),
                ("redirect_uris", "https://x.example/cb#f"),
            ],
            "fragment",
        ),
        (
            vec![
                ("name", "X"),
                ("url", "https://x.example/"),
                ("saml_acs", "https://x.example/acs"),
            ],
            "give both or neither",
        ),
        // The boxes and the list, sent with values the page never offers.
        (
            vec![
                ("name", "X"),
                ("url", "https://x.example/"),
                ("redirect_uris", "https://x.example/cb"),
                ("scopes", "profile"),
                ("scopes", "phone"),
            ],
            "unknown scope",
        ),
        (
            vec![
                ("name", "X"),
                ("url", "https://x.example/"),
                ("redirect_uris", "https://x.example/cb"),
                ("id_token_alg", "HS256"),
            ],
            "must be RS256 or ES256",
        ),
        (
            vec![
                ("name", "X"),
                ("url", "https://x.example/"),
                ("roles", "student"),
                ("roles", "superuser"),
            ],
            "unknown role",
        ),
    ] {
        let r = post(&env, &admin, "/teach/apps", &app_form(&csrf, &fields)).await;
        assert_eq!(r.status(), 400, "{fields:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains(says), "{fields:?}: {html}");
    }
    assert_eq!(count().await, before);

    // A plain link: back to the list, shown on the students' dashboards, escaped.
    let r = post(
        &env,
        &admin,
        "/teach/apps",
        &app_form(
            &csrf,
            &[
                ("name", "<script>alert(1)</script>"),
                ("url", "https://x.example/?a=1&b=\"2\""),
                ("roles", "student"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status(), 303);
    let html = get(&env, &admin, "/teach/apps").await.text().await.unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>"));
    let maya = get(&env, &student, "/").await.text().await.unwrap();
    assert!(maya.contains("&lt;script&gt;"), "shown to students");
    let teacher_dash = get(&env, &teacher, "/").await.text().await.unwrap();
    assert!(!teacher_dash.contains("&lt;script&gt;"), "only to students");

    // The page offers a box per role and per scope (the names ticked on a new form) and the
    // two algorithms; what is ticked is what is registered. A plain link ignores the OpenID
    // Connect settings the form always sends.
    let html = get(&env, &admin, "/teach/apps").await.text().await.unwrap();
    for role in ["student", "teacher", "administrator", "other", "guardian"] {
        assert!(
            html.contains(&format!(
                "name=\"roles\" type=\"checkbox\" value=\"{role}\""
            )),
            "{role}"
        );
    }
    assert!(html.contains("name=\"scopes\" type=\"checkbox\" value=\"profile\" checked"));
    assert!(html.contains("name=\"scopes\" type=\"checkbox\" value=\"email\">"));
    assert!(html.contains("<option value=\"ES256\">"));
    let r = post(
        &env,
        &admin,
        "/teach/apps",
        &app_form(
            &csrf,
            &[
                ("name", "Library"),
                ("url", "https://library.example/"),
                ("roles", "teacher"),
                ("roles", "other"),
                ("scopes", "profile"),
                ("id_token_alg", "RS256"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = post(
        &env,
        &admin,
        "/teach/apps",
        &app_form(
            &csrf,
            &[
                ("name", "Math"),
                ("url", "https://math.example/"),
                ("redirect_uris", "https://math.example/cb"),
                ("roles", "student"),
                ("scopes", "email"),
                ("scopes", "school"),
                ("id_token_alg", "ES256"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status(), 200);
    let apps = p.apps().await.unwrap();
    let library = apps.iter().find(|a| a.name == "Library").unwrap();
    assert_eq!(library.roles, [Role::Teacher, Role::Other]);
    assert!(library.client_id.is_none() && library.oidc_scopes.is_none());
    let math = apps.iter().find(|a| a.name == "Math").unwrap();
    assert_eq!(math.roles, [Role::Student]);
    assert_eq!(
        math.id_token_alg,
        Some(badgein_portal::idp::SigningAlg::Es256)
    );
    assert_eq!(math.oidc_scopes.as_deref(), Some("email school"));
    let list = get(&env, &admin, "/teach/apps").await.text().await.unwrap();
    assert!(list.contains("Teachers, Other staff"), "{list}");

    // A client: its secret shown once, and it works.
    let r = post(
        &env,
        &admin,
        "/teach/apps",
        &app_form(
            &csrf,
            &[
                ("name", "Reading"),
                ("url", "https://reading.example/"),
                (
                    "redirect_uris",
                    "https://reading.example/cb\r\nhttps://reading.example/cb2\r\n",
                ),
            ],
        ),
    )
    .await;
    assert_eq!(r.status(), 200);
    let first = secret_on(&r.text().await.unwrap());
    let reading = p
        .apps()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Reading")
        .unwrap();
    assert_eq!(
        reading.schools,
        ["s1".into()] as [badgein_portal::SchoolId; 1],
        "this school only"
    );
    assert_eq!(reading.redirect_uris.len(), 2);
    let client_id = reading.client_id.clone().unwrap();
    assert!(secret_opens(p, &client_id, &first).await.unwrap().is_some());
    let list = get(&env, &admin, "/teach/apps").await.text().await.unwrap();
    assert!(
        list.contains(&client_id) && !list.contains(&first),
        "the secret only once"
    );

    let path = format!("/teach/apps/{}/secret", reading.id);
    let r = post(&env, &admin, &path, &app_form(&csrf, &[])).await;
    assert_eq!(r.status(), 200);
    let second = secret_on(&r.text().await.unwrap());
    assert_ne!(first, second);
    assert!(secret_opens(p, &client_id, &first).await.unwrap().is_none());
    assert!(
        secret_opens(p, &client_id, &second)
            .await
            .unwrap()
            .is_some()
    );

    // The district's app is not the school's to change; nor is a made-up one.
    for path in [
        format!("/teach/apps/{}/remove", district.app_id),
        format!("/teach/apps/{}/secret", district.app_id),
        "/teach/apps/a-nothing/remove".to_owned(),
    ] {
        let r = post(&env, &admin, &path, &app_form(&csrf, &[])).await;
        assert_eq!(r.status(), 403, "{path}");
    }
    let r = post(
        &env,
        &admin,
        &format!("/teach/apps/{}/remove", reading.id),
        &app_form(&csrf, &[]),
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(p.apps().await.unwrap().iter().all(|a| a.id != reading.id));

    let audit = p.audit_log().await.unwrap();
    for action in [
        "teacher.app_add",
        "teacher.app_secret",
        "teacher.app_remove",
    ] {
        assert!(
            audit
                .iter()
                .any(|e| e.action == action && e.user_id.as_deref() == Some("a1")),
            "{action}"
        );
    }
    let text = serde_json::to_string(&audit).unwrap();
    assert!(!text.contains(&first) && !text.contains(&second));
}

#[tokio::test]
async fn administrators_manage_their_schools_apps_on_a_page() {
    run(administrators_page_body).await;
}

async fn icons_body(env: Env) {
    let p = env.portal();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    let mut request = link("Pictured", "https://pic.example/", &["s1"], &[]);
    request.icon = Some(svg.clone());
    let app = p.add_app(&request).await.unwrap();
    let r = env
        .http
        .get(env.url(&format!("/apps/{}/icon", app.app_id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), svg.as_slice());
    p.set_password("u2", PASSWORD).await.unwrap();
    let cookie = harness::login(&env, "leo", PASSWORD).await;
    let html = get(&env, &cookie, "/").await.text().await.unwrap();
    assert!(html.contains(&format!("src=\"/apps/{}/icon\"", app.app_id)));
    for missing in [
        "/apps/a-nothing/icon".to_owned(),
        format!("/apps/{}/icon", "x".repeat(500)),
    ] {
        let r = env.http.get(env.url(&missing)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{missing}");
    }
}

#[tokio::test]
async fn icons_are_served_as_sniffed_and_sandboxed() {
    run(icons_body).await;
}
