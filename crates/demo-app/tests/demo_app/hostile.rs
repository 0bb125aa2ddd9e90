//! Hostile requests to every endpoint: each gets a clear answer (400 with a reason), nothing is
//! signed in or out, and the app keeps serving.

use serde_json::{Value, json};

use crate::provider::{Env, config, keys};
use crate::sign_in::{maya, param, sign_in, start};

async fn refused(r: reqwest::Response, what: &str) {
    assert_eq!(r.status(), 400, "{what}");
    assert_eq!(r.headers()["cache-control"], "no-store", "{what}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request", "{what}");
    assert!(body["error_description"].as_str().is_some(), "{what}");
}

#[tokio::test]
async fn hostile_logout_requests_get_400_invalid_request() {
    let env = Env::start().await;
    let session = sign_in(&env, |n| maya(&env, n)).await;
    let valid = |claims: Value| keys()[0].sign(&claims, "logout+jwt");
    let p = &env.provider;

    // Not a form with one logout_token.
    let r = env
        .http
        .post(env.url("/backchannel-logout"))
        .send()
        .await
        .unwrap();
    refused(r, "no body").await;
    refused(env.logout(&[]).await, "empty form").await;
    refused(env.logout(&[("token", "x")]).await, "another field").await;
    let one = valid(p.logout_claims(Some("sid-1"), None));
    refused(
        env.logout(&[("logout_token", &one), ("logout_token", &one)])
            .await,
        "twice",
    )
    .await;
    let r = env
        .http
        .post(env.url("/backchannel-logout"))
        .json(&json!({ "logout_token": one }))
        .send()
        .await
        .unwrap();
    refused(r, "JSON").await;
    let r = env
        .http
        .post(env.url("/backchannel-logout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'=', 0x00])
        .send()
        .await
        .unwrap();
    refused(r, "bytes").await;
    // Oversized: a token over the limit, and a body over the body limit.
    let long = "a".repeat(9 * 1024);
    refused(env.logout(&[("logout_token", &long)]).await, "long token").await;
    let huge = "a".repeat(64 * 1024);
    refused(env.logout(&[("logout_token", &huge)]).await, "huge body").await;
    // Garbage.
    for junk in [
        "",
        "x",
        "a.b.c",
        "...",
        "\u{0}",
        "eyJhbGciOiJub25lIn0.e30.",
        "é",
    ] {
        refused(env.logout(&[("logout_token", junk)]).await, junk).await;
    }
    // Well-formed tokens that fail a check.
    let mut cases: Vec<(&str, String)> = Vec::new();
    let mut change = |what, edit: &dyn Fn(&mut Value)| {
        let mut c = p.logout_claims(Some("sid-1"), Some("u1"));
        edit(&mut c);
        cases.push((what, valid(c)));
    };
    change("aud", &|c| c["aud"] = "c-other".into());
    change("iss", &|c| c["iss"] = "http://127.0.0.1:1".into());
    change("exp", &|c| {
        c["exp"] = (crate::provider::now() - 3600).into()
    });
    change("nonce", &|c| c["nonce"] = "n".into());
    change("events", &|c| {
        c.as_object_mut().unwrap().remove("events");
    });
    change("no subject", &|c| {
        c.as_object_mut().unwrap().remove("sid");
        c.as_object_mut().unwrap().remove("sub");
    });
    cases.push((
        "another key",
        keys()[2].sign(&p.logout_claims(Some("sid-1"), None), "logout+jwt"),
    ));
    cases.push((
        "an ID token",
        keys()[0].sign(&p.logout_claims(Some("sid-1"), None), "JWT"),
    ));
    cases.push((
        "an unpublished key",
        keys()[1].sign(&p.logout_claims(Some("sid-1"), None), "logout+jwt"),
    ));
    for (what, token) in &cases {
        refused(env.logout(&[("logout_token", token)]).await, what).await;
    }
    // Other methods.
    let r = env
        .http
        .get(env.url("/backchannel-logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);

    // Nothing was signed out, nothing counted, and the app still serves.
    assert_eq!(
        env.status().await,
        json!({"signed_in": ["Maya Garcia"], "backchannel_logouts": 0})
    );
    let r = env
        .http
        .get(env.url("/"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn callback(env: &Env, query: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut req = env.http.get(env.url(&format!("/callback{query}")));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.unwrap()
}

async fn page_400(r: reqwest::Response, what: &str) -> String {
    assert_eq!(r.status(), 400, "{what}");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{what}"
    );
    assert!(
        r.headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap().starts_with("storytime_session"))
    );
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<h1>You are not signed in</h1>"),
        "{what}: {html}"
    );
    html
}

#[tokio::test]
async fn hostile_callbacks_get_a_clear_400_page() {
    let env = Env::start().await;
    // No sign-in started: with and without parameters, with a made-up or junk login cookie.
    for (query, cookie) in [
        ("", None),
        ("?code=c-1&state=s", None),
        (
            "?code=c-1&state=s",
            Some("storytime_login=00000000000000000000000000000000"),
        ),
        ("?code=c-1&state=s", Some("storytime_login=<script>")),
        ("?code=c-1&state=s", Some("storytime_login")),
    ] {
        let html = page_400(callback(&env, query, cookie).await, query).await;
        assert!(html.contains("did not start here"), "{html}");
    }

    // A sign-in started: each bad answer spends it (the next answer finds nothing).
    let cases = [
        (
            "wrong state",
            "?code=c-1&state=forged",
            "not for the sign-in",
        ),
        ("no state", "?code=c-1", "not for the sign-in"),
        ("no code", "?state={state}", "no code"),
        ("empty code", "?code=&state={state}", "no code"),
        ("long code", "?code={long}&state={state}", "no code"),
        (
            "access_denied",
            "?error=access_denied&error_description=nope&state={state}",
            "did not let you into Story Time (access_denied)",
        ),
        (
            "an unknown error",
            "?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state={state}",
            "could not sign you in (an unknown error)",
        ),
        (
            "a known error",
            "?error=login_required&state={state}",
            "could not sign you in (login_required)",
        ),
    ];
    let long = "c".repeat(3000);
    for (what, query, says) in cases {
        let (authorize, login) = start(&env, None).await;
        let state = param(&authorize, "state").unwrap();
        let query = query.replace("{state}", &state).replace("{long}", &long);
        let html = page_400(callback(&env, &query, Some(&login)).await, what).await;
        assert!(html.contains(says), "{what}: {html}");
        assert!(!html.contains("<script>"), "{what}");
        let again = format!("?code=c-1&state={state}");
        let html = page_400(callback(&env, &again, Some(&login)).await, what).await;
        assert!(html.contains("did not start here"), "{what}");
    }
    // A query that cannot be read (a parameter twice) leaves the sign-in to finish.
    let (authorize, login) = start(&env, None).await;
    let state = param(&authorize, "state").unwrap();
    let twice = format!("?code=a&code=b&state={state}");
    let html = page_400(callback(&env, &twice, Some(&login)).await, "twice").await;
    assert!(html.contains("could not be read"));
    env.provider
        .plan_id_token(maya(&env, &param(&authorize, "nonce").unwrap()));
    let r = callback(&env, &format!("?code=c-1&state={state}"), Some(&login)).await;
    assert_eq!(r.status(), 303);

    // No ID token was asked for by any of the bad answers.
    assert_eq!(env.provider.token_requests.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn junk_cookies_and_unknown_paths() {
    let env = Env::start().await;
    for cookie in [
        "storytime_session=",
        "storytime_session=00000000000000000000000000000000",
        "storytime_session=ZZZZ; storytime_session=%00",
        "=; ;;; storytime_session",
    ] {
        let r = env
            .http
            .get(env.url("/"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{cookie}");
    }
    for path in ["/nothing", "/callback/x", "/status/../x", "/%00"] {
        let r = env.http.get(env.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    let r = env.http.post(env.url("/status")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    let r = env.http.get(env.url("/status?x=%ff")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn start_refuses_a_bad_public_url_or_an_absent_provider() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = badgein_demo_app::serve(listener, config("http://127.0.0.1:1", "mailto:a@b.c"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, badgein_demo_app::StartError::PublicUrl),
        "{err}"
    );
    // Nothing listens on port 1: discovery fails with a message naming the issuer.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = badgein_demo_app::serve(listener, config("http://127.0.0.1:1", "http://127.0.0.1:2"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("http://127.0.0.1:1"), "{err}");
}
