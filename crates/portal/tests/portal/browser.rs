use std::time::Duration;

use badgein_proto::SignIn;

use crate::harness::{Env, open, run};

/// A kiosk signs Maya in and returns the launch URL.
async fn launch_url(env: &Env) -> (String, String) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let r = env.badge_sign_in(&kiosk.device_credential, &badge).await;
    let sign_in: SignIn = r.json().await.unwrap();
    (sign_in.launch_url, kiosk.device_credential)
}

async fn dashboard(env: &Env, cookie: &str) -> reqwest::Response {
    env.http
        .get(env.url("/"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

async fn launch_leads_to_the_dashboard_body(env: Env) {
    let (url, _) = launch_url(&env).await;
    let r = env.http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(flag), "{set}");
    }
    let cookie = set.split(';').next().unwrap().to_owned();
    let value = cookie.split('=').nth(1).unwrap();
    assert!(value.len() >= 32, "at least 128 bits");
    let page = dashboard(&env, &cookie).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"es\">"), "Maya's locale");
    assert!(html.contains("Hola, Maya!"));
    assert!(html.contains("Tus aplicaciones"));
    assert!(html.contains("https://clever.com/in/maple"));
    assert!(html.contains("alt=\"\""));
    // Single use.
    assert_eq!(open(&env, &url).await, None);
}

#[tokio::test]
async fn launch_leads_to_the_dashboard() {
    run(launch_leads_to_the_dashboard_body).await;
}

async fn tickets_are_single_use_under_concurrency_body(env: Env) {
    for _ in 0..3 {
        let (url, _) = launch_url(&env).await;
        let tries = (0..8).map(|_| open(&env, &url));
        let cookies: Vec<_> = futures::future::join_all(tries)
            .await
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(cookies.len(), 1, "exactly one redemption wins");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tickets_are_single_use_under_concurrency() {
    run(tickets_are_single_use_under_concurrency_body).await;
}

async fn tickets_expire_and_die_with_the_kiosk_body(env: Env) {
    let (url, _) = launch_url(&env).await;
    env.clock.advance(Duration::from_secs(60));
    assert_eq!(open(&env, &url).await, None, "60 s at most");

    let (url, _) = launch_url(&env).await;
    env.clock.advance(Duration::from_secs(59));
    assert!(open(&env, &url).await.is_some());

    let kiosk = env.enroll("s1", "Hall").await;
    let badge = env.portal().issue_badge("u2", None).await.unwrap().encode();
    let sign_in: SignIn = env
        .badge_sign_in(&kiosk.device_credential, &badge)
        .await
        .json()
        .await
        .unwrap();
    env.portal().revoke_kiosk(&kiosk.kiosk_id).await.unwrap();
    assert_eq!(
        open(&env, &sign_in.launch_url).await,
        None,
        "bound to a live kiosk"
    );
}

#[tokio::test]
async fn tickets_expire_and_die_with_the_kiosk() {
    run(tickets_expire_and_die_with_the_kiosk_body).await;
}

async fn sessions_time_out_server_side_body(env: Env) {
    let (url, _) = launch_url(&env).await;
    let cookie = open(&env, &url).await.unwrap();
    env.clock.advance(Duration::from_secs(4 * 3600 - 60));
    assert_eq!(
        dashboard(&env, &cookie).await.status(),
        200,
        "activity refreshes"
    );
    env.clock.advance(Duration::from_secs(4 * 3600 - 60));
    assert_eq!(dashboard(&env, &cookie).await.status(), 200);
    env.clock.advance(Duration::from_secs(4 * 3600));
    let r = dashboard(&env, &cookie).await;
    assert_eq!(r.status(), 303, "4 h idle");
    assert_eq!(r.headers()["location"], "/login");

    // Absolute lifetime: active every 3 h, still ends at 12 h.
    let (url, _) = launch_url(&env).await;
    let cookie = open(&env, &url).await.unwrap();
    for _ in 0..3 {
        env.clock.advance(Duration::from_secs(3 * 3600));
        assert_eq!(dashboard(&env, &cookie).await.status(), 200);
    }
    env.clock.advance(Duration::from_secs(3 * 3600));
    assert_eq!(
        dashboard(&env, &cookie).await.status(),
        303,
        "absolute lifetime"
    );
}

#[tokio::test]
async fn sessions_time_out_server_side() {
    run(sessions_time_out_server_side_body).await;
}

async fn logout_and_kiosk_end_close_the_session_body(env: Env) {
    let (url, _) = launch_url(&env).await;
    let cookie = open(&env, &url).await.unwrap();
    let r = env
        .http
        .post(env.url("/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["clear-site-data"], "\"cache\", \"storage\"");
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(dashboard(&env, &cookie).await.status(), 303);

    let kiosk = env.enroll("s1", "Hall").await;
    let badge = env.portal().issue_badge("u2", None).await.unwrap().encode();
    let sign_in: SignIn = env
        .badge_sign_in(&kiosk.device_credential, &badge)
        .await
        .json()
        .await
        .unwrap();
    let cookie = open(&env, &sign_in.launch_url).await.unwrap();
    let end = |cred: String| {
        env.http
            .post(env.url(&format!("/api/v1/sessions/{}/end", sign_in.session_id)))
            .bearer_auth(cred)
            .send()
    };
    let other = env.enroll("s1", "Other").await;
    assert_eq!(
        end(other.device_credential).await.unwrap().status(),
        404,
        "not its session"
    );
    assert_eq!(dashboard(&env, &cookie).await.status(), 200);
    assert_eq!(
        end(kiosk.device_credential.clone()).await.unwrap().status(),
        204
    );
    assert_eq!(
        end(kiosk.device_credential).await.unwrap().status(),
        204,
        "idempotent"
    );
    assert_eq!(dashboard(&env, &cookie).await.status(), 303);
}

#[tokio::test]
async fn logout_and_kiosk_end_close_the_session() {
    run(logout_and_kiosk_end_close_the_session_body).await;
}

async fn typed_login_and_password_change_body(env: Env) {
    env.portal()
        .set_password("t1", "correct horse battery")
        .await
        .unwrap();
    let login = |password: &'static str| {
        env.http
            .post(env.url("/login"))
            .form(&[("username", "mrsk"), ("password", password)])
            .send()
    };
    let page = env
        .http
        .get(env.url("/login"))
        .header("accept-language", "es-MX,es;q=0.9")
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Iniciar sesión") && html.contains("<label for=\"password\">"));
    let wrong = login("nope nope").await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Wrong username or password.")
    );

    let cookie_of = |r: &reqwest::Response| {
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    };
    let first = login("correct horse battery").await.unwrap();
    assert_eq!(first.status(), 303);
    let first = cookie_of(&first);
    let second = cookie_of(&login("correct horse battery").await.unwrap());
    assert_ne!(first, second, "a new id at every sign-in");
    let changed = env
        .http
        .post(env.url("/account/password"))
        .header("cookie", &second)
        .form(&[
            ("current", "correct horse battery"),
            ("new", "new battery staple"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert!(changed.text().await.unwrap().contains("Password changed"));
    assert_eq!(
        dashboard(&env, &first).await.status(),
        303,
        "other sessions end"
    );
    assert_eq!(
        dashboard(&env, &second).await.status(),
        200,
        "this one lives on"
    );
    assert_eq!(login("correct horse battery").await.unwrap().status(), 401);

    let cross = env
        .http
        .post(env.url("/logout"))
        .header("cookie", &second)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert_eq!(dashboard(&env, &second).await.status(), 200);
}

#[tokio::test]
async fn typed_login_and_password_change() {
    run(typed_login_and_password_change_body).await;
}

/// The sign-in page's language comes from the browser's weights, not from its first entry.
async fn login_page_language_follows_the_weights_body(env: Env) {
    let lang_of = |accept_language: &'static str| {
        let request = env
            .http
            .get(env.url("/login"))
            .header("accept-language", accept_language);
        async move {
            let page = request.send().await.unwrap();
            assert_eq!(page.status(), 200);
            page.text().await.unwrap()
        }
    };
    // French first, which we lack: the Spanish it also accepts beats the English fallback.
    let html = lang_of("fr,es;q=0.9").await;
    assert!(html.contains("<html lang=\"es\">"), "fr,es;q=0.9");
    assert!(html.contains("Iniciar sesión"));
    // Spanish refused outright, English barely wanted: still English.
    let html = lang_of("es;q=0, en;q=0.1").await;
    assert!(html.contains("<html lang=\"en\">"), "es;q=0, en;q=0.1");
    assert!(html.contains("Sign in"));
}

#[tokio::test]
async fn login_page_language_follows_the_weights() {
    run(login_page_language_follows_the_weights_body).await;
}
