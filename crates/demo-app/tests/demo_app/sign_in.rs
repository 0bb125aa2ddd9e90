//! A sign-in through the stand-in provider, then a back-channel logout that ends it.

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::Digest as _;
use url::Url;

use crate::provider::{CLIENT_ID, CLIENT_SECRET, Env, keys, now};

/// `name=value` of the cookie `name` an answer set.
pub fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")))
}

fn first_part(cookie: &str) -> String {
    cookie.split(';').next().unwrap().to_owned()
}

pub fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `GET /` without a session: the redirect to the provider and the login cookie.
pub async fn start(env: &Env, cookie: Option<&str>) -> (Url, String) {
    let mut req = env.http.get(env.url("/"));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), 303);
    let location = Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let login = set_cookie(&r, "storytime_login").unwrap();
    assert!(
        login.contains("; HttpOnly") && login.contains("; SameSite=Lax"),
        "{login}"
    );
    (location, first_part(&login))
}

/// The ID token claims the provider will give for Maya, with `nonce`.
pub fn maya(env: &Env, nonce: &str) -> Value {
    json!({
        "iss": env.provider.issuer,
        "sub": "u1",
        "aud": CLIENT_ID,
        "iat": now(),
        "exp": now() + 300,
        "nonce": nonce,
        "name": "Maya Garcia",
        "given_name": "Maya",
        "sid": "sid-1",
    })
}

/// A whole sign-in; the session cookie.
pub async fn sign_in(env: &Env, claims: impl Fn(&str) -> Value) -> String {
    let (authorize, login) = start(env, None).await;
    env.provider
        .plan_id_token(claims(&param(&authorize, "nonce").unwrap()));
    let state = param(&authorize, "state").unwrap();
    let r = env
        .http
        .get(env.url(&format!("/callback?code=c-1&state={state}")))
        .header("cookie", &login)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"], "/");
    let session = set_cookie(&r, "storytime_session").unwrap();
    assert!(session.contains("; HttpOnly") && session.contains("; SameSite=Lax"));
    // The login cookie is spent.
    assert!(
        set_cookie(&r, "storytime_login")
            .unwrap()
            .contains("Max-Age=0")
    );
    first_part(&session)
}

async fn page(env: &Env, cookie: &str) -> reqwest::Response {
    env.http
        .get(env.url("/"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_child_signs_in_and_a_back_channel_logout_ends_her_session() {
    let env = Env::start().await;
    let (authorize, login) = start(&env, None).await;
    // Straight to the provider's authorization endpoint: code flow, PKCE S256, state, nonce.
    assert_eq!(
        authorize.as_str().split('?').next().unwrap(),
        format!("{}/oauth/authorize", env.provider.issuer)
    );
    assert_eq!(param(&authorize, "response_type").unwrap(), "code");
    assert_eq!(param(&authorize, "client_id").unwrap(), CLIENT_ID);
    assert_eq!(
        param(&authorize, "redirect_uri").unwrap(),
        env.url("/callback")
    );
    let scopes = param(&authorize, "scope").unwrap();
    assert!(scopes.split(' ').any(|s| s == "openid") && scopes.contains("profile"));
    assert_eq!(param(&authorize, "code_challenge_method").unwrap(), "S256");
    let challenge = param(&authorize, "code_challenge").unwrap();
    assert_eq!(challenge.len(), 43);
    let state = param(&authorize, "state").unwrap();
    assert!(state.len() >= 16);
    let nonce = param(&authorize, "nonce").unwrap();
    assert!(nonce.len() >= 16);
    // Every visit starts a sign-in of its own.
    let (again, _) = start(&env, None).await;
    assert_ne!(param(&again, "state").unwrap(), state);
    assert_ne!(param(&again, "nonce").unwrap(), nonce);

    env.provider.plan_id_token(maya(&env, &nonce));
    let r = env
        .http
        .get(env.url(&format!("/callback?code=c-1&state={state}")))
        .header("cookie", &login)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let session = first_part(&set_cookie(&r, "storytime_session").unwrap());

    // The exchange: client_secret_basic, the code, the redirect URI, the PKCE verifier.
    let requests = env.provider.token_requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    assert_eq!(
        requests[0].authorization.as_deref(),
        Some(format!("Basic {basic}").as_str())
    );
    assert_eq!(requests[0].param("client_secret"), None);
    assert_eq!(requests[0].param("grant_type"), Some("authorization_code"));
    assert_eq!(requests[0].param("code"), Some("c-1"));
    assert_eq!(
        requests[0].param("redirect_uri"),
        Some(env.url("/callback").as_str())
    );
    let verifier = requests[0].param("code_verifier").unwrap();
    let hashed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    assert_eq!(hashed, challenge);

    let r = page(&env, &session).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    assert!(html.contains("<h1>Signed in as Maya Garcia</h1>"), "{html}");
    assert_eq!(
        env.status().await,
        json!({"signed_in": ["Maya Garcia"], "backchannel_logouts": 0})
    );

    // The same answer again finds no sign-in to finish.
    let r = env
        .http
        .get(env.url(&format!("/callback?code=c-1&state={state}")))
        .header("cookie", &login)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // The portal signs her out: her session here ends.
    let token = keys()[0].sign(
        &env.provider.logout_claims(Some("sid-1"), Some("u1")),
        "logout+jwt",
    );
    let r = env.logout(&[("logout_token", &token)]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(
        env.status().await,
        json!({"signed_in": [], "backchannel_logouts": 1})
    );
    // The same token again (its jti seen) is refused and counts for nothing.
    let r = env.logout(&[("logout_token", &token)]).await;
    assert_eq!(r.status(), 400);
    assert_eq!(env.status().await["backchannel_logouts"], 1);
    // The next visit starts a fresh sign-in.
    let r = page(&env, &session).await;
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with(&format!("{}/oauth/authorize?", env.provider.issuer))
    );
    // A valid token for nobody here still counts, and answers 200.
    let token = keys()[0].sign(&env.provider.logout_claims(None, Some("u9")), "logout+jwt");
    assert_eq!(env.logout(&[("logout_token", &token)]).await.status(), 200);
    assert_eq!(env.status().await["backchannel_logouts"], 2);
    env.app.stop().await.unwrap();
}

#[tokio::test]
async fn a_logout_by_subject_ends_every_session_of_hers_and_nobody_elses() {
    let env = Env::start().await;
    let first = sign_in(&env, |n| maya(&env, n)).await;
    let second = sign_in(&env, |n| {
        let mut c = maya(&env, n);
        c["sid"] = "sid-2".into();
        c
    })
    .await;
    let leo = sign_in(&env, |n| {
        json!({
            "iss": env.provider.issuer, "sub": "u2", "aud": CLIENT_ID, "iat": now(),
            "exp": now() + 300, "nonce": n, "given_name": "Leo",
        })
    })
    .await;
    assert_eq!(
        env.status().await["signed_in"],
        json!(["Leo", "Maya Garcia", "Maya Garcia"])
    );
    let token = keys()[0].sign(&env.provider.logout_claims(None, Some("u1")), "logout+jwt");
    assert_eq!(env.logout(&[("logout_token", &token)]).await.status(), 200);
    assert_eq!(page(&env, &first).await.status(), 303);
    assert_eq!(page(&env, &second).await.status(), 303);
    let r = page(&env, &leo).await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<h1>Signed in as Leo</h1>")
    );
}

#[tokio::test]
async fn a_rotated_key_is_fetched_again_once() {
    let env = Env::start().await;
    // Discovery and the app's own read of the JWKS.
    let fetches = env.provider.jwks_fetches();
    env.provider
        .publish(vec![keys()[0].jwk.clone(), keys()[1].jwk.clone()]);
    let token = keys()[1].sign(&env.provider.logout_claims(Some("s"), None), "logout+jwt");
    let r = env.logout(&[("logout_token", &token)]).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(env.provider.jwks_fetches(), fetches + 1);
    // Known now: no fetch. A made-up kid right after: refused, and no fetch either.
    let token = keys()[1].sign(&env.provider.logout_claims(Some("s"), None), "logout+jwt");
    assert_eq!(env.logout(&[("logout_token", &token)]).await.status(), 200);
    let claims = env.provider.logout_claims(Some("s"), None);
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("made-up".into());
    let forged = jsonwebtoken::encode(&header, &claims, &keys()[1].encoding).unwrap();
    assert_eq!(env.logout(&[("logout_token", &forged)]).await.status(), 400);
    assert_eq!(env.provider.jwks_fetches(), fetches + 1);
}

#[tokio::test]
async fn an_id_token_that_does_not_verify_signs_nobody_in() {
    let env = Env::start().await;
    // Maya's claims with one changed.
    let cases: [(&str, Value); 4] = [
        ("nonce", "not-the-nonce".into()),
        ("aud", "c-other".into()),
        ("iss", "http://127.0.0.1:1".into()),
        ("exp", (now() - 3600).into()),
    ];
    for (what, value) in cases {
        let (authorize, login) = start(&env, None).await;
        let mut claims = maya(&env, &param(&authorize, "nonce").unwrap());
        claims[what] = value;
        env.provider.plan_id_token(claims);
        let state = param(&authorize, "state").unwrap();
        let r = env
            .http
            .get(env.url(&format!("/callback?code=c-1&state={state}")))
            .header("cookie", &login)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 502, "{what}");
        assert!(set_cookie(&r, "storytime_session").is_none(), "{what}");
        let html = r.text().await.unwrap();
        assert!(html.contains("could not be checked"), "{what}: {html}");
    }
    assert_eq!(env.status().await["signed_in"], json!([]));
}
