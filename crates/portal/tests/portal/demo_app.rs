//! Story Time (`badgein-demo-app`), an app that trusts BadgeIn, against the real portal: a
//! child signs in with her badge at the kiosk, opens the app's tile and is signed in there
//! without pressing anything; "I'm done" at the kiosk reaches the app's back-channel logout.

use badgein_demo_app::RunningApp;
use badgein_portal::AppRequest;
use badgein_portal::idp::{SigningAlg, TokenType};
use badgein_proto::SignIn;
use openidconnect::{ClientId, ClientSecret, IssuerUrl};
use url::Url;

use crate::harness::{Env, random_suffix, run};

/// Story Time registered at `s1` (redirect and back-channel URIs below its own address) and
/// serving on 127.0.0.1:0 against the portal; its address.
async fn start_story_time(env: &Env) -> (RunningApp, Url) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let registered = env
        .portal()
        .add_app(&AppRequest {
            name: "Story Time".into(),
            url: base.to_string(),
            schools: vec!["s1".into()],
            oidc_redirects: vec![base.join("callback").unwrap().to_string()],
            backchannel_logout: Some(base.join("backchannel-logout").unwrap().to_string()),
            ..AppRequest::default()
        })
        .await
        .unwrap();
    let client_id = registered.client_id.unwrap();
    let config = badgein_demo_app::Config {
        issuer: IssuerUrl::new(env.running.base_url().to_owned()).unwrap(),
        client_id: ClientId::new(client_id),
        client_secret: ClientSecret::new(registered.client_secret.unwrap()),
        public_url: base.clone(),
    };
    let app = badgein_demo_app::serve(listener, config).await.unwrap();
    (app, base)
}

/// The kiosk's portal window: one cookie jar for the portal and the app, redirects followed by
/// [`follow`] so each step can be seen. Maya's badge signed in at a kiosk of her school, and
/// the window opened the launch URL. Also the kiosk's credential and her session.
async fn maya_at_the_kiosk(env: &Env) -> (reqwest::Client, String, String) {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let r = env.badge_sign_in(&kiosk.device_credential, &badge).await;
    assert_eq!(r.status(), 200, "{}", env.backend);
    let sign_in: SignIn = r.json().await.unwrap();
    let r = browser.get(&sign_in.launch_url).send().await.unwrap();
    assert_eq!(r.status(), 303, "{}", env.backend);
    (browser, kiosk.device_credential, sign_in.session_id)
}

/// `GET url`, then every redirect after it; the URLs visited after `url` and the last answer.
async fn follow(browser: &reqwest::Client, url: &Url) -> (Vec<Url>, reqwest::Response) {
    let mut url = url.clone();
    let mut visited = Vec::new();
    for _ in 0..10 {
        let r = browser.get(url.clone()).send().await.unwrap();
        if !r.status().is_redirection() {
            return (visited, r);
        }
        let location = r.headers()["location"].to_str().unwrap();
        url = url.join(location).unwrap();
        visited.push(url.clone());
    }
    panic!("more than 10 redirects: {visited:?}");
}

async fn status(browser: &reqwest::Client, base: &Url) -> serde_json::Value {
    let r = browser
        .get(base.join("status").unwrap())
        .send()
        .await
        .unwrap();
    r.json().await.unwrap()
}

async fn a_child_opens_story_time_and_is_signed_in_body(env: Env) {
    let (app, base) = start_story_time(&env).await;
    let (browser, _, _) = maya_at_the_kiosk(&env).await;

    // Her dashboard shows the app's tile, a link to the registered URL.
    let dashboard = browser
        .get(env.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let tile = format!(r#"<a class="tile" href="{base}" rel="noopener noreferrer">Story Time</a>"#);
    assert!(dashboard.contains(&tile), "{}: {dashboard}", env.backend);

    // She opens it: the app sends her to the portal, which knows her (her badge session) and
    // sends her back with a code; the app signs her in and shows her page.
    let (visited, r) = follow(&browser, &base).await;
    assert_eq!(r.status(), 200, "{} {visited:?}", env.backend);
    let html = r.text().await.unwrap();
    assert!(html.contains("<h1>Signed in as Maya Garcia</h1>"), "{html}");
    let steps: Vec<String> = visited
        .iter()
        .map(|u| format!("{}{}", u.origin().ascii_serialization(), u.path()))
        .collect();
    assert_eq!(
        steps,
        [
            env.url("/oauth/authorize"),
            base.join("callback").unwrap().to_string(),
            base.to_string()
        ],
        "{}",
        env.backend
    );
    assert_eq!(
        status(&browser, &base).await,
        serde_json::json!({"signed_in": ["Maya Garcia"], "backchannel_logouts": 0})
    );
    // The portal recorded the exchange for her and this app.
    let audit = env.portal().audit_log().await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "oauth.token" && e.user_id.as_deref() == Some("u1"))
    );
    // Opened again, the app knows her: no trip to the portal.
    let (visited, r) = follow(&browser, &base).await;
    assert!(visited.is_empty(), "{visited:?}");
    assert_eq!(r.status(), 200);
    app.stop().await.unwrap();
}

#[tokio::test]
async fn a_child_opens_story_time_and_is_signed_in() {
    run(a_child_opens_story_time_and_is_signed_in_body).await;
}

async fn im_done_at_the_kiosk_signs_her_out_of_story_time_body(env: Env) {
    let (app, base) = start_story_time(&env).await;
    let (browser, kiosk, session) = maya_at_the_kiosk(&env).await;
    let (_, r) = follow(&browser, &base).await;
    assert_eq!(r.status(), 200, "{}", env.backend);

    // "I'm done": the kiosk ends her session; the portal's server tells Story Time over the
    // back channel, and the app ends hers (the app checks the token against the real issuer
    // and JWKS).
    let r = env
        .http
        .post(env.url(&format!("/api/v1/sessions/{session}/end")))
        .bearer_auth(&kiosk)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while status(&browser, &base).await["backchannel_logouts"] != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no back-channel logout reached Story Time"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        status(&browser, &base).await,
        serde_json::json!({"signed_in": [], "backchannel_logouts": 1})
    );

    let registered = env.portal().apps().await.unwrap();
    let story_time = registered.iter().find(|a| a.name == "Story Time").unwrap();
    let backchannel = story_time.backchannel_logout_uri.clone().unwrap();
    // Her next visit starts a fresh sign-in at the portal.
    let r = browser.get(base.clone()).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(&env.url("/oauth/authorize?")),
        "{location}"
    );
    // A logout token for Maya signed by the portal, for the app `aud`.
    let now = badgein_portal::Clock::now_ms(&env.clock) / 1000;
    let logout_token = |aud: &str| {
        let claims = serde_json::json!({
            "iss": env.running.base_url(),
            "aud": aud,
            "iat": now,
            "exp": now + 120,
            "jti": random_suffix(),
            "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
            "sub": "u1",
        });
        env.portal()
            .signer()
            .unwrap()
            .sign(&claims, SigningAlg::Rs256, TokenType::LogoutToken)
            .unwrap()
    };
    // A token for another app, even one the portal signed, is refused and counted for nothing.
    let token = logout_token("c-another-app");
    let r = env
        .http
        .post(&backchannel)
        .form(&[("logout_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(status(&browser, &base).await["backchannel_logouts"], 1);

    // A valid token for Story Time is taken once; the same token again is refused.
    let token = logout_token(story_time.client_id.as_deref().unwrap());
    let post = || {
        env.http
            .post(&backchannel)
            .form(&[("logout_token", &token)])
            .send()
    };
    assert_eq!(post().await.unwrap().status(), 200);
    let again = post().await.unwrap();
    assert_eq!(again.status(), 400);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(status(&browser, &base).await["backchannel_logouts"], 2);
    app.stop().await.unwrap();
}

#[tokio::test]
async fn im_done_at_the_kiosk_signs_her_out_of_story_time() {
    run(im_done_at_the_kiosk_signs_her_out_of_story_time_body).await;
}
