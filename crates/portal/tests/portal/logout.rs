//! Sign-out reaches the apps: a session that signed in to an app over OpenID Connect ends
//! ("I'm done" at the kiosk, the idle limit, a revoked kiosk) and the app's back-channel
//! logout URI gets a logout token from the portal's server, retried briefly when the app
//! fails; and RP-initiated logout (`/oauth/logout`), with every hostile request refused on an
//! error page. The apps here are real HTTP servers on loopback that record what they get.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use badgein_portal::AppRequest;
use badgein_portal::ids::AppId;
use badgein_proto::{Enrolled, SignIn};
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header, jwk::JwkSet};
use serde_json::Value;
use tokio::sync::mpsc;
use url::Url;

use crate::harness::{Env, run};

const REDIRECT: &str = "https://reading.example/callback";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// How long a test waits at most for a logout the worker sends (a wake is at once; its poll
/// every 2 s is the fallback). Generous: only a failure waits this long.
const ARRIVES_WITHIN: Duration = Duration::from_secs(60);

/// Apps' back-channel logout endpoints: `POST /{name}` records the logout token and answers
/// the next status scripted for `name` (200 when none is).
struct Apps {
    base: String,
    received: mpsc::UnboundedReceiver<(String, String)>,
    script: Arc<Mutex<HashMap<String, VecDeque<u16>>>>,
}

#[derive(Clone)]
struct Shared {
    sent: mpsc::UnboundedSender<(String, String)>,
    script: Arc<Mutex<HashMap<String, VecDeque<u16>>>>,
}

async fn receive(
    State(shared): State<Shared>,
    Path(name): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> StatusCode {
    let token = form.get("logout_token").cloned().unwrap_or_default();
    let _ = shared.sent.send((name.clone(), token));
    let status = shared
        .script
        .lock()
        .unwrap()
        .get_mut(&name)
        .and_then(VecDeque::pop_front)
        .unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

impl Apps {
    async fn start() -> Self {
        let (sent, received) = mpsc::unbounded_channel();
        let script = Arc::new(Mutex::new(HashMap::new()));
        let router = axum::Router::new()
            .route("/{name}", axum::routing::post(receive))
            .with_state(Shared {
                sent,
                script: script.clone(),
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        // Stops with the test's runtime.
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self {
            base,
            received,
            script,
        }
    }

    fn uri(&self, name: &str) -> String {
        format!("{}/{name}", self.base)
    }

    fn answer(&self, name: &str, statuses: &[u16]) {
        self.script
            .lock()
            .unwrap()
            .insert(name.into(), statuses.iter().copied().collect());
    }

    /// The next logout token to arrive: (app name, token).
    async fn next(&mut self) -> (String, String) {
        tokio::time::timeout(ARRIVES_WITHIN, self.received.recv())
            .await
            .expect("no back-channel logout arrived in time")
            .unwrap()
    }
}

struct App {
    id: AppId,
    client_id: String,
    secret: String,
}

async fn register(env: &Env, name: &str, backchannel: Option<String>) -> App {
    let r = env
        .portal()
        .add_app(&AppRequest {
            name: name.into(),
            url: "https://reading.example/".into(),
            oidc_redirects: vec![REDIRECT.into()],
            backchannel_logout: backchannel,
            ..AppRequest::default()
        })
        .await
        .unwrap();
    App {
        id: r.app_id,
        client_id: r.client_id.unwrap(),
        secret: r.client_secret.unwrap(),
    }
}

/// Maya at a kiosk with her badge: the kiosk, the session, the window's cookie.
async fn at_kiosk(env: &Env) -> (Enrolled, SignIn, String) {
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let r = env.badge_sign_in(&kiosk.device_credential, &badge).await;
    let sign_in: SignIn = r.json().await.unwrap();
    let cookie = crate::harness::open(env, &sign_in.launch_url)
        .await
        .unwrap();
    (kiosk, sign_in, cookie)
}

fn param(location: &str, name: &str) -> Option<String> {
    Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The app signs the cookie's user in: authorize, then the token endpoint; the ID token's
/// claims and the token itself.
async fn sign_in_to(env: &Env, app: &App, cookie: &str) -> (Value, String) {
    let mut url = Url::parse(&env.url("/oauth/authorize")).unwrap();
    url.query_pairs_mut().extend_pairs([
        ("response_type", "code"),
        ("client_id", app.client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", "openid profile"),
        ("state", "s"),
        ("nonce", "n"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]);
    let r = env
        .http
        .get(url.as_str())
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", env.backend);
    let code = param(r.headers()["location"].to_str().unwrap(), "code").unwrap();
    let r = env
        .http
        .post(env.url("/oauth/token"))
        .basic_auth(&app.client_id, Some(&app.secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let id_token = body["id_token"].as_str().unwrap().to_owned();
    (
        verify(env, &id_token, "JWT", &app.client_id).await,
        id_token,
    )
}

/// The claims of a JWT the portal signed, checked against its published JWKS: signature,
/// `typ`, `iss`, `aud`.
async fn verify(env: &Env, token: &str, typ: &str, aud: &str) -> Value {
    let jwks: JwkSet = crate::harness::get_json(env, "/oauth/jwks").await;
    let header = decode_header(token).unwrap();
    assert_eq!(header.typ.as_deref(), Some(typ));
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[env.running.base_url()]);
    validation.set_audience(&[aud]);
    validation.required_spec_claims.clear();
    decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .unwrap()
        .claims
}

/// A logout token as Back-Channel Logout 1.0 section 2.4 has it, for this ID token's session.
async fn check_logout_token(env: &Env, token: &str, app: &App, id_claims: &Value) {
    let claims = verify(env, token, "logout+jwt", &app.client_id).await;
    assert_eq!(claims["sub"], id_claims["sub"]);
    assert_eq!(claims["sid"], id_claims["sid"]);
    assert_eq!(
        claims["events"],
        serde_json::json!({ "http://schemas.openid.net/event/backchannel-logout": {} })
    );
    assert!(claims.get("nonce").is_none());
    assert!(claims["jti"].as_str().unwrap().len() >= 32);
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert!(exp > iat && exp - iat <= 120, "{claims}");
}

/// The results of the back-channel logouts audited, sorted, once there are `n` of them (the
/// worker audits right after the app answers, so the test waits for it, at most
/// [`ARRIVES_WITHIN`]).
async fn audited(env: &Env, n: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + ARRIVES_WITHIN;
    loop {
        let mut results: Vec<String> = env
            .portal()
            .audit_log()
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "oidc.backchannel_logout")
            .map(|e| e.result)
            .collect();
        if results.len() >= n || tokio::time::Instant::now() > deadline {
            results.sort();
            return results;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn im_done_reaches_the_apps_that_session_signed_in_to_body(env: Env) {
    let mut apps = Apps::start().await;
    let reading = register(&env, "Reading", Some(apps.uri("reading"))).await;
    let math = register(&env, "Math", Some(apps.uri("math"))).await;
    let (kiosk, sign_in, cookie) = at_kiosk(&env).await;
    let (id_claims, _) = sign_in_to(&env, &reading, &cookie).await;
    // The ID token names the session as the logout token will: per app, not the handle.
    let sid = id_claims["sid"].as_str().unwrap();
    assert_eq!(sid.len(), 32);
    assert!(!sid.contains(&sign_in.session_id));
    // "I'm done".
    let r = env
        .http
        .post(env.url(&format!("/api/v1/sessions/{}/end", sign_in.session_id)))
        .bearer_auth(&kiosk.device_credential)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let (to, token) = apps.next().await;
    assert_eq!(to, "reading", "only the app the session signed in to");
    check_logout_token(&env, &token, &reading, &id_claims).await;
    // Nothing else is owed: Math was never signed in to from this session.
    let client = badgein_portal::idp::backchannel::http_client().unwrap();
    let pass = env
        .portal()
        .deliver_logouts(env.running.base_url(), &client)
        .await
        .unwrap();
    assert_eq!(pass.sent + pass.retrying, 0);
    assert!(apps.received.try_recv().is_err());
    assert_eq!(audited(&env, 1).await, ["ok"]);
    assert_eq!(env.portal().access_tokens_of(&math.id).await.unwrap(), 0);
}

#[tokio::test]
async fn im_done_reaches_the_apps_that_session_signed_in_to() {
    run(im_done_reaches_the_apps_that_session_signed_in_to_body).await;
}

async fn sessions_that_end_by_time_or_revocation_log_out_too_body(env: Env) {
    let mut apps = Apps::start().await;
    let reading = register(&env, "Reading", Some(apps.uri("reading"))).await;
    // Idle past the limit: nobody ends it, time does.
    let (_, _, cookie) = at_kiosk(&env).await;
    let (id_claims, _) = sign_in_to(&env, &reading, &cookie).await;
    env.clock
        .advance(env.portal().config().session_idle + Duration::from_secs(1));
    env.portal().wake_logouts();
    let (_, token) = apps.next().await;
    check_logout_token(&env, &token, &reading, &id_claims).await;
    // A revoked kiosk ends its sessions, and their apps hear of it.
    let (kiosk, _, cookie) = at_kiosk(&env).await;
    let (id_claims, _) = sign_in_to(&env, &reading, &cookie).await;
    env.portal()
        .revoke_kiosk(kiosk.kiosk_id.as_str())
        .await
        .unwrap();
    let (_, token) = apps.next().await;
    check_logout_token(&env, &token, &reading, &id_claims).await;
}

#[tokio::test]
async fn sessions_that_end_by_time_or_revocation_log_out_too() {
    run(sessions_that_end_by_time_or_revocation_log_out_too_body).await;
}

async fn a_failing_app_is_retried_briefly_then_given_up_body(env: Env) {
    let mut apps = Apps::start().await;
    let flaky = register(&env, "Flaky", Some(apps.uri("flaky"))).await;
    let refusing = register(&env, "Refusing", Some(apps.uri("refusing"))).await;
    apps.answer("flaky", &[503, 502]);
    apps.answer("refusing", &[400]);
    let (kiosk, sign_in, cookie) = at_kiosk(&env).await;
    let (flaky_claims, _) = sign_in_to(&env, &flaky, &cookie).await;
    let _ = sign_in_to(&env, &refusing, &cookie).await;
    env.portal()
        .end_session_as_kiosk(&kiosk.device_credential, &sign_in.session_id)
        .await
        .unwrap();
    let mut got = [apps.next().await.0, apps.next().await.0];
    got.sort();
    assert_eq!(got, ["flaky", "refusing"]);
    // A 400 is the app's answer to this token: not sent again. A 503 is tried again after
    // the backoff (by the portal's clock, moved on here), until it is taken.
    for _ in 0..2 {
        let (to, token) = next_in_time(&env, &mut apps).await;
        assert_eq!(to, "flaky");
        check_logout_token(&env, &token, &flaky, &flaky_claims).await;
    }
    assert_eq!(audited(&env, 2).await, ["ok", "refused"]);
    // An app that never answers is given up after the last try, once.
    let gone = register(&env, "Gone", Some("http://127.0.0.1:9/gone".into())).await;
    let (kiosk, sign_in, cookie) = at_kiosk(&env).await;
    let _ = sign_in_to(&env, &gone, &cookie).await;
    env.portal()
        .end_session_as_kiosk(&kiosk.device_credential, &sign_in.session_id)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + ARRIVES_WITHIN;
    let failed = loop {
        let results = audited(&env, 0).await;
        if results.iter().any(|r| r == "failed") || tokio::time::Instant::now() > deadline {
            break results;
        }
        env.clock.advance(Duration::from_secs(60));
        env.portal().wake_logouts();
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(failed, ["failed", "ok", "refused"]);
    assert!(apps.received.try_recv().is_err());
}

/// The next logout to arrive while the portal's clock moves on: retries wait for their time
/// by that clock. Moves it a second at a time, so a retry comes in the order it was due.
async fn next_in_time(env: &Env, apps: &mut Apps) -> (String, String) {
    let deadline = tokio::time::Instant::now() + ARRIVES_WITHIN;
    loop {
        let wait = tokio::time::timeout(Duration::from_millis(100), apps.received.recv()).await;
        if let Ok(Some(got)) = wait {
            return got;
        }
        assert!(tokio::time::Instant::now() < deadline, "no retry arrived");
        env.clock.advance(Duration::from_secs(1));
        env.portal().wake_logouts();
    }
}

#[tokio::test]
async fn a_failing_app_is_retried_briefly_then_given_up() {
    run(a_failing_app_is_retried_briefly_then_given_up_body).await;
}

/// `GET /oauth/logout?...`: status, `Location`, whether the session cookie was cleared.
async fn end_session(
    env: &Env,
    cookie: Option<&str>,
    query: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    let mut url = Url::parse(&env.url("/oauth/logout")).unwrap();
    url.query_pairs_mut().extend_pairs(query);
    let mut req = env.http.get(url.as_str());
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let r = req.send().await.unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    (r.status().as_u16(), location, r.text().await.unwrap())
}

async fn signed_in(env: &Env, cookie: &str) -> bool {
    let value = cookie.split_once('=').unwrap().1;
    env.portal()
        .session_by_cookie(value)
        .await
        .unwrap()
        .is_some()
}

async fn an_app_signs_the_user_out_with_her_id_token_body(env: Env) {
    let mut apps = Apps::start().await;
    let reading = register(&env, "Reading", Some(apps.uri("reading"))).await;
    let math = register(&env, "Math", Some(apps.uri("math"))).await;
    let (_, _, cookie) = at_kiosk(&env).await;
    let (reading_claims, hint) = sign_in_to(&env, &reading, &cookie).await;
    let (math_claims, _) = sign_in_to(&env, &math, &cookie).await;
    // Hostile requests first: each an error page, no redirect, the session untouched.
    let forged = {
        let (head, rest) = hint.split_once('.').unwrap();
        let (body, _) = rest.split_once('.').unwrap();
        format!("{head}.{body}.AAAA")
    };
    let big = "a".repeat(20_000);
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("garbage hint", vec![("id_token_hint", "not.a.jwt")]),
        ("forged signature", vec![("id_token_hint", &forged)]),
        ("oversized", vec![("id_token_hint", &big)]),
        (
            "unregistered return",
            vec![
                ("id_token_hint", &hint),
                ("post_logout_redirect_uri", "https://evil.example/"),
            ],
        ),
        (
            "return one character off",
            vec![
                ("id_token_hint", &hint),
                (
                    "post_logout_redirect_uri",
                    "https://reading.example/callbacK",
                ),
            ],
        ),
        (
            "return without an app",
            vec![("post_logout_redirect_uri", REDIRECT)],
        ),
        (
            "client id not the hint's",
            vec![("id_token_hint", &hint), ("client_id", &math.client_id)],
        ),
        ("unknown client", vec![("client_id", "nobody")]),
    ];
    for (what, query) in &cases {
        let (status, location, _) = end_session(&env, Some(&cookie), query).await;
        assert_eq!((status, location), (400, None), "{what} {}", env.backend);
        assert!(signed_in(&env, &cookie).await, "{what}");
    }
    // Without proof of the session, the user is asked; a post from another site is not an
    // answer.
    let (status, _, page) =
        end_session(&env, Some(&cookie), &[("client_id", &reading.client_id)]).await;
    assert_eq!(status, 200);
    assert!(page.contains("name=\"confirm\""), "{page}");
    let r = env
        .http
        .post(env.url("/oauth/logout"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .form(&[("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(signed_in(&env, &cookie).await);
    // The ID token of this session: out at once, back to the app with its state; every app
    // the session signed in to hears of it over the back channel.
    let (status, location, _) = end_session(
        &env,
        Some(&cookie),
        &[
            ("id_token_hint", &hint),
            ("post_logout_redirect_uri", REDIRECT),
            ("state", "back<&>"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    assert_eq!(param(&location, "state").as_deref(), Some("back<&>"));
    assert!(!signed_in(&env, &cookie).await);
    let mut got = [apps.next().await, apps.next().await];
    got.sort();
    check_logout_token(&env, &got[0].1, &math, &math_claims).await;
    check_logout_token(&env, &got[1].1, &reading, &reading_claims).await;
    // Signed out already: the app is sent back all the same.
    let (status, location, _) = end_session(
        &env,
        None,
        &[
            ("id_token_hint", &hint),
            ("post_logout_redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!((status, location.as_deref()), (303, Some(REDIRECT)));
    // A new session is not ended by the old session's ID token: the user is asked, then a
    // same-site post signs her out.
    let (_, _, cookie) = at_kiosk(&env).await;
    let (status, _, page) = end_session(&env, Some(&cookie), &[("id_token_hint", &hint)]).await;
    assert_eq!(status, 200);
    assert!(page.contains("name=\"confirm\""));
    assert!(signed_in(&env, &cookie).await);
    let r = env
        .http
        .post(env.url("/oauth/logout"))
        .header("cookie", &cookie)
        .form(&[("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert!(!signed_in(&env, &cookie).await);
}

#[tokio::test]
async fn an_app_signs_the_user_out_with_her_id_token() {
    run(an_app_signs_the_user_out_with_her_id_token_body).await;
}
