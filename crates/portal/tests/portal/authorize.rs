//! The authorization code flow against the real portal on loopback: an independent relying
//! party (the `openidconnect` crate) signs a child in and verifies the ID token with the
//! JWKS; then every hostile request, each answered with the right error and nothing issued.

use std::time::Duration;

use badgein_portal::AppRequest;
use badgein_portal::ids::AppId;
use badgein_proto::SignIn;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};
use url::Url;

use crate::harness::{Env, login, run};

/// What a hostile request is, its parameters, and the error it must get.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

const PASSWORD: &str = "correct horse battery";
pub(crate) const REDIRECT: &str = "https://reading.example/callback";

pub(crate) struct App {
    pub(crate) id: AppId,
    pub(crate) client_id: String,
    pub(crate) secret: String,
}

/// An app allowed every scope (what these tests release is what the request asks).
pub(crate) async fn register(env: &Env, schools: &[&str]) -> App {
    register_with(env, schools, &["profile", "email", "school"]).await
}

/// An app allowed `scopes` (none: the default, `profile`).
async fn register_with(env: &Env, schools: &[&str], scopes: &[&str]) -> App {
    let r = env
        .portal()
        .add_app(&AppRequest {
            name: "Reading".into(),
            url: "https://reading.example/".into(),
            schools: schools.iter().map(|s| (*s).into()).collect(),
            oidc_redirects: vec![REDIRECT.into()],
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
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

/// Maya signs in with her badge at a kiosk; the portal window's cookie.
pub(crate) async fn badge_cookie(env: &Env) -> String {
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let r = env.badge_sign_in(&kiosk.device_credential, &badge).await;
    let sign_in: SignIn = r.json().await.unwrap();
    crate::harness::open(env, &sign_in.launch_url)
        .await
        .unwrap()
}

pub(crate) async fn discover(env: &Env) -> CoreProviderMetadata {
    let issuer = IssuerUrl::new(env.running.base_url().to_owned()).unwrap();
    CoreProviderMetadata::discover_async(issuer, &env.http)
        .await
        .unwrap()
}

/// `GET url` with `cookie` (no redirects followed); the status and `Location`.
pub(crate) async fn visit(env: &Env, url: &str, cookie: Option<&str>) -> (u16, Option<String>) {
    let mut req = env.http.get(url);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let r = req.send().await.unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    (r.status().as_u16(), location)
}

fn query_of(location: &str) -> Vec<(String, String)> {
    Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

pub(crate) fn param(location: &str, name: &str) -> Option<String> {
    query_of(location)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// An authorization URL by hand, with a valid PKCE pair; `extra` replaces or adds.
pub(crate) fn authorize_url(env: &Env, app: &App, extra: &[(&str, &str)]) -> String {
    let mut params: Vec<(String, String)> = [
        ("response_type", "code"),
        ("client_id", app.client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", "openid profile"),
        ("state", "st4te"),
        ("nonce", "n0nce"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    params.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let mut url = Url::parse(&env.url("/oauth/authorize")).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

pub(crate) const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// A code for Maya (badge session) by hand.
async fn code(env: &Env, app: &App, cookie: &str) -> String {
    let (status, location) = visit(env, &authorize_url(env, app, &[]), Some(cookie)).await;
    assert_eq!(status, 303);
    param(&location.unwrap(), "code").unwrap()
}

/// `POST /oauth/token` with `client_secret_post` and `form`.
async fn exchange(env: &Env, app: &App, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let mut all = vec![
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.secret.as_str()),
    ];
    all.extend_from_slice(form);
    let r = env
        .http
        .post(env.url("/oauth/token"))
        .form(&all)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    (r.status().as_u16(), r.json().await.unwrap())
}

pub(crate) fn redeem_form(code: &str) -> Vec<(&str, &str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ]
}

async fn an_independent_relying_party_signs_a_child_in_body(env: Env) {
    let app = register(&env, &["s1"]).await;
    let meta = discover(&env).await;
    let client = CoreClient::from_provider_metadata(
        meta,
        ClientId::new(app.client_id.clone()),
        Some(ClientSecret::new(app.secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    env.portal().set_password("u1", PASSWORD).await.unwrap();
    // One at a time: a new sign-in of Maya's ends her session before it.
    for (how, amr) in [("badge", "badge"), ("password", "pwd")] {
        let cookie = if how == "badge" {
            badge_cookie(&env).await
        } else {
            login(&env, "maya", PASSWORD).await
        };
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, csrf, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let (status, location) = visit(&env, url.as_str(), Some(&cookie)).await;
        assert_eq!(status, 303, "{how} {}", env.backend);
        let location = location.unwrap();
        assert!(location.starts_with(REDIRECT), "{location}");
        assert_eq!(
            param(&location, "state").as_deref(),
            Some(csrf.secret().as_str())
        );
        let code = param(&location, "code").unwrap();
        assert!(code.len() >= 32);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request_async(&env.http)
            .await
            .unwrap();
        let id_token = tokens.id_token().unwrap();
        let claims = id_token
            .claims(&client.id_token_verifier(), &nonce)
            .unwrap();
        assert_eq!(claims.subject().as_str(), "u1");
        let amrs: Vec<String> = claims
            .auth_method_refs()
            .unwrap()
            .iter()
            .map(|a| a.as_str().to_owned())
            .collect();
        assert_eq!(amrs, [amr], "{how}");
        let auth_time = claims.auth_time().unwrap().timestamp();
        let now = badgein_portal::Clock::now_ms(&env.clock) / 1000;
        assert!(auth_time <= now && now - auth_time < 5, "{auth_time} {now}");
        assert_eq!(
            claims.name().unwrap().get(None).unwrap().as_str(),
            "Maya Garcia"
        );
        assert_eq!(
            claims.given_name().unwrap().get(None).unwrap().as_str(),
            "Maya"
        );
        assert_eq!(claims.preferred_username().unwrap().as_str(), "maya");
        assert!(claims.email().is_none());
        let access = tokens.access_token().secret();
        assert!(env.portal().access_token_live(access).await.unwrap());
        // The userinfo endpoint, read by the relying party (which checks `sub`).
        let info: CoreUserInfoClaims = client
            .user_info(
                tokens.access_token().clone(),
                Some(claims.subject().clone()),
            )
            .unwrap()
            .request_async(&env.http)
            .await
            .unwrap();
        assert_eq!(
            info.preferred_username().unwrap().as_str(),
            "maya",
            "{}",
            env.backend
        );
        // The expiry the answer states, and the same code again is refused.
        assert_eq!(tokens.expires_in(), Some(Duration::from_secs(300)));
        let again = client
            .exchange_code(AuthorizationCode::new(code))
            .unwrap()
            .request_async(&env.http)
            .await;
        assert!(again.is_err());
        // ...and revokes what the first exchange gave.
        assert!(!env.portal().access_token_live(access).await.unwrap());
        let r = userinfo(&env, Some(access)).await;
        assert_eq!(r.status(), 401);
    }
    let audit = env.portal().audit_log().await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "oauth.code_reused")
            .count(),
        2
    );
    let issued: Vec<_> = audit.iter().filter(|e| e.action == "oauth.token").collect();
    assert_eq!(issued.len(), 2);
    assert!(issued.iter().all(|e| e.user_id.as_deref() == Some("u1")
        && e.detail.as_deref() == Some(format!("app {}", app.id).as_str())));
}

#[tokio::test]
async fn an_independent_relying_party_signs_a_child_in() {
    run(an_independent_relying_party_signs_a_child_in_body).await;
}

/// `app` signs the cookie's user in asking for `scope`: the ID token's claims, the userinfo
/// answer, and the token endpoint's body.
async fn claims_for(
    env: &Env,
    app: &App,
    cookie: &str,
    scope: &str,
) -> (serde_json::Value, serde_json::Value, serde_json::Value) {
    let url = authorize_url(env, app, &[("scope", scope)]);
    let (_, location) = visit(env, &url, Some(cookie)).await;
    let code = param(&location.unwrap(), "code").unwrap();
    let (status, body) = exchange(env, app, &redeem_form(&code)).await;
    assert_eq!(status, 200, "{body}");
    let info: serde_json::Value = userinfo(env, body["access_token"].as_str())
        .await
        .json()
        .await
        .unwrap();
    (id_claims(body["id_token"].as_str().unwrap()), info, body)
}

async fn each_scope_releases_only_its_claims_body(env: Env) {
    let app = register(&env, &["s1"]).await;
    let cookie = badge_cookie(&env).await;
    let (claims, _, body) = claims_for(&env, &app, &cookie, "openid email junk").await;
    assert_eq!(body["token_type"], "Bearer");
    for absent in [
        "name",
        "given_name",
        "family_name",
        "preferred_username",
        "locale",
        "email",
        "roles",
        "school",
        "grade",
    ] {
        assert!(claims.get(absent).is_none(), "{absent} in {claims}");
    }
    assert_eq!(claims["nonce"], "n0nce");
    assert_eq!(claims["aud"], app.client_id.as_str());
    assert_eq!(claims["iss"], env.running.base_url());

    // The `school` scope releases her roles and school, in the ID token and at userinfo, and
    // nothing of `profile`.
    let (claims, info, _) = claims_for(&env, &app, &cookie, "openid school").await;
    assert_eq!(claims["roles"], serde_json::json!(["student"]), "{claims}");
    assert_eq!(claims["school"], "s1");
    assert_eq!(claims["grade"], "1");
    assert!(claims.get("name").is_none());
    assert_eq!(info["roles"], serde_json::json!(["student"]), "{info}");
    assert_eq!(info["school"], "s1");
    assert_eq!(info["grade"], "1");
    assert!(info.get("given_name").is_none());

    // An app registered with the default scopes (`profile`) asks for everything: it gets the
    // names and nothing of `school` (nor `email`), in the token and at userinfo.
    let modest = register_with(&env, &["s1"], &[]).await;
    let (claims, info, _) = claims_for(&env, &modest, &cookie, "openid profile email school").await;
    assert_eq!(claims["given_name"], "Maya", "{claims}");
    for absent in ["roles", "school", "grade", "email"] {
        assert!(claims.get(absent).is_none(), "{absent} in {claims}");
    }
    assert!(
        info.get("school").is_none() && info["given_name"] == "Maya",
        "{info}"
    );
}

#[tokio::test]
async fn each_scope_releases_only_its_claims() {
    run(each_scope_releases_only_its_claims_body).await;
}

async fn bad_clients_and_redirect_uris_get_a_page_never_a_redirect_body(env: Env) {
    let app = register(&env, &["s1"]).await;
    let cookie = badge_cookie(&env).await;
    let unknown = App {
        id: app.id.clone(),
        client_id: "c-unknown".into(),
        secret: String::new(),
    };
    let off_by_one = format!("{REDIRECT}x");
    let cases: Vec<(&str, String)> = vec![
        ("unknown client", authorize_url(&env, &unknown, &[])),
        (
            "redirect one character off",
            authorize_url(&env, &app, &[("redirect_uri", &off_by_one)]),
        ),
        (
            "redirect one character short",
            authorize_url(
                &env,
                &app,
                &[("redirect_uri", &REDIRECT[..REDIRECT.len() - 1])],
            ),
        ),
        (
            "redirect with a different case",
            authorize_url(
                &env,
                &app,
                &[("redirect_uri", "https://Reading.example/callback")],
            ),
        ),
        (
            "no redirect",
            env.url(&format!(
                "/oauth/authorize?response_type=code&scope=openid&client_id={}",
                app.client_id
            )),
        ),
        (
            "no client",
            env.url("/oauth/authorize?response_type=code&scope=openid"),
        ),
        (
            "huge",
            authorize_url(&env, &app, &[("x", &"a".repeat(9000))]),
        ),
    ];
    let count = cases.len();
    for (what, url) in cases {
        let (status, location) = visit(&env, &url, Some(&cookie)).await;
        assert_eq!(status, 400, "{what} {}", env.backend);
        assert_eq!(location, None, "{what}");
    }
    assert_eq!(env.portal().access_tokens_of(&app.id).await.unwrap(), 0);
    // Audited as junk: nobody is identified, so one row per address and minute, counting all.
    env.portal().flush_junk().await.unwrap();
    let rows = audit_rows(&env, "oauth.authorize", "bad_link").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let detail = rows[0].detail.as_deref().unwrap();
    assert!(
        detail.starts_with(&format!("{count} attempt(s) from 127.0.0.1")),
        "{detail}"
    );
}

/// The audit rows of `action` with this result.
async fn audit_rows(
    env: &Env,
    action: &str,
    result: &str,
) -> Vec<badgein_portal::store::audit::Entry> {
    env.portal()
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action && e.result == result)
        .collect()
}

#[tokio::test]
async fn bad_clients_and_redirect_uris_get_a_page_never_a_redirect() {
    run(bad_clients_and_redirect_uris_get_a_page_never_a_redirect_body).await;
}

async fn bad_requests_go_back_with_their_error_body(env: Env) {
    let app = register(&env, &["s1"]).await;
    let cookie = badge_cookie(&env).await;
    let long = "s".repeat(513);
    let cases: Vec<Case> = vec![
        (
            "token flow",
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (
            "hybrid",
            vec![("response_type", "code id_token")],
            "unsupported_response_type",
        ),
        ("no openid", vec![("scope", "profile")], "invalid_scope"),
        (
            "plain pkce",
            vec![("code_challenge_method", "plain")],
            "invalid_request",
        ),
        (
            "short challenge",
            vec![("code_challenge", "abc")],
            "invalid_request",
        ),
        ("oversized nonce", vec![("nonce", &long)], "invalid_request"),
        ("oversized state", vec![("state", &long)], "invalid_request"),
        (
            "repeated scope",
            vec![("scope", "openid"), ("scope", "openid")],
            "invalid_request",
        ),
        (
            "odd prompt",
            vec![("prompt", "none login")],
            "invalid_request",
        ),
        ("bad max_age", vec![("max_age", "soon")], "invalid_request"),
        (
            "request object",
            vec![("request", "eyJ")],
            "invalid_request",
        ),
    ];
    for (what, extra, error) in cases {
        let url = authorize_url(&env, &app, &extra);
        let (status, location) = visit(&env, &url, Some(&cookie)).await;
        assert_eq!(status, 303, "{what}");
        let location = location.unwrap();
        assert!(
            location.starts_with(&format!("{REDIRECT}?")),
            "{what}: {location}"
        );
        assert_eq!(param(&location, "error").as_deref(), Some(error), "{what}");
        assert!(param(&location, "code").is_none(), "{what}");
        if what != "oversized state" {
            assert_eq!(
                param(&location, "state").as_deref(),
                Some("st4te"),
                "{what}"
            );
        }
    }
    // An app of another school: Maya may not use it.
    let other = register(&env, &["s2"]).await;
    let (_, location) = visit(&env, &authorize_url(&env, &other, &[]), Some(&cookie)).await;
    assert_eq!(
        param(&location.unwrap(), "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(env.portal().access_tokens_of(&app.id).await.unwrap(), 0);
    // Every refusal audited: Maya's by name and app, the malformed requests as junk.
    let denied = audit_rows(&env, "oauth.authorize", "access_denied").await;
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].user_id.as_ref().map(|u| u.as_str()), Some("u1"));
    assert_eq!(denied[0].detail, Some(format!("app {}", other.id)));
    env.portal().flush_junk().await.unwrap();
    for error in [
        "unsupported_response_type",
        "invalid_scope",
        "invalid_request",
    ] {
        assert_eq!(
            audit_rows(&env, "oauth.authorize", error).await.len(),
            1,
            "{error}"
        );
    }
}

#[tokio::test]
async fn bad_requests_go_back_with_their_error() {
    run(bad_requests_go_back_with_their_error_body).await;
}

async fn without_a_fresh_session_the_user_signs_in_first_body(env: Env) {
    let app = register(&env, &["s1"]).await;
    // prompt=none without a session: login_required, with the state.
    let (status, location) = visit(
        &env,
        &authorize_url(&env, &app, &[("prompt", "none")]),
        None,
    )
    .await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert_eq!(param(&location, "error").as_deref(), Some("login_required"));
    assert_eq!(param(&location, "state").as_deref(), Some("st4te"));

    // No session: to the login page, which comes back here after the password.
    let url = authorize_url(&env, &app, &[]);
    let (status, location) = visit(&env, &url, None).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(location.starts_with("/login?next="), "{location}");
    let next = Url::parse(&env.url(&location))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "next")
        .unwrap()
        .1
        .into_owned();
    assert!(next.starts_with("/oauth/authorize?"));
    let page = env.http.get(env.url(&location)).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"next\""), "{html}");
    env.portal().set_password("u1", PASSWORD).await.unwrap();
    let cookie = crate::harness::login_back_to(&env, "maya", PASSWORD, &next).await;
    let (status, location) = visit(&env, &env.url(&next), Some(&cookie)).await;
    assert_eq!(status, 303);
    assert!(param(&location.unwrap(), "code").is_some());

    // max_age: a session older than it is sent to sign in again; prompt=login too, and the
    // `next` it gets no longer asks for it (no loop).
    env.clock.advance(Duration::from_secs(120));
    let (_, location) = visit(
        &env,
        &authorize_url(&env, &app, &[("max_age", "60")]),
        Some(&cookie),
    )
    .await;
    assert!(location.unwrap().starts_with("/login?next="));
    let (_, location) = visit(
        &env,
        &authorize_url(&env, &app, &[("max_age", "600")]),
        Some(&cookie),
    )
    .await;
    assert!(param(&location.unwrap(), "code").is_some());
    let (_, location) = visit(
        &env,
        &authorize_url(&env, &app, &[("max_age", "60"), ("prompt", "none")]),
        Some(&cookie),
    )
    .await;
    assert_eq!(
        param(&location.unwrap(), "error").as_deref(),
        Some("login_required")
    );
    let (_, location) = visit(
        &env,
        &authorize_url(&env, &app, &[("prompt", "login")]),
        Some(&cookie),
    )
    .await;
    let location = location.unwrap();
    assert!(location.starts_with("/login?next="));
    assert!(!location.contains("prompt"), "{location}");
}

#[tokio::test]
async fn without_a_fresh_session_the_user_signs_in_first() {
    run(without_a_fresh_session_the_user_signs_in_first_body).await;
}

async fn login_next_is_never_an_open_redirect_body(env: Env) {
    env.portal().set_password("u1", PASSWORD).await.unwrap();
    for next in [
        "https://evil.example/oauth/authorize?x",
        "//evil.example/oauth/authorize?x",
        "/\\evil.example",
        "/%2F%2Fevil.example/oauth/authorize?x",
        "/%5Cevil.example",
        "/login?next=%2Foauth%2Fauthorize",
        "/oauth/authorize?a=b\r\nSet-Cookie: x=y",
        "/oauth/authorize?a=b c",
        "javascript:alert(1)",
        " /oauth/authorize?x",
    ] {
        let page = env
            .http
            .get(env.url("/login"))
            .query(&[("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(
            !page.text().await.unwrap().contains("name=\"next\""),
            "{next:?}"
        );
        let r = env
            .http
            .post(env.url("/login"))
            .form(&[("username", "maya"), ("password", PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next:?}");
        assert_eq!(r.headers()["location"], "/", "{next:?}");
    }
}

#[tokio::test]
async fn login_next_is_never_an_open_redirect() {
    run(login_next_is_never_an_open_redirect_body).await;
}

async fn hostile_token_requests_issue_nothing_body(env: Env) {
    let app = register(&env, &["s1"]).await;
    let cookie = badge_cookie(&env).await;
    let code = code(&env, &app, &cookie).await;

    // Client authentication.
    let wrong = App {
        id: app.id.clone(),
        client_id: app.client_id.clone(),
        secret: "0".repeat(64),
    };
    let (status, body) = exchange(&env, &wrong, &redeem_form(&code)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let unknown = App {
        id: app.id.clone(),
        client_id: "c-nobody".into(),
        secret: app.secret.clone(),
    };
    let (status, _) = exchange(&env, &unknown, &redeem_form(&code)).await;
    assert_eq!(status, 401);
    let r = env
        .http
        .post(env.url("/oauth/token"))
        .form(&redeem_form(&code))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("www-authenticate").is_some());
    let r = env
        .http
        .post(env.url("/oauth/token"))
        .basic_auth(&app.client_id, Some("wrong"))
        .form(&redeem_form(&code))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Basic realm=\"badgein\"");
    for header in ["Basic !!!", "Basic", "Bearer x", "Basic Og=="] {
        let r = env
            .http
            .post(env.url("/oauth/token"))
            .header("authorization", header)
            .form(&redeem_form(&code))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{header}");
    }
    // The grant.
    let cases: Vec<Case> = vec![
        (
            "password grant",
            vec![("grant_type", "password"), ("code", &code)],
            "unsupported_grant_type",
        ),
        ("no grant type", vec![("code", &code)], "invalid_request"),
        (
            "no code",
            vec![("grant_type", "authorization_code")],
            "invalid_request",
        ),
        ("unknown code", redeem_form("00"), "invalid_grant"),
    ];
    for (what, form, error) in cases {
        let (status, body) = exchange(&env, &app, &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(error)),
            "{what}"
        );
    }
    assert_eq!(env.portal().access_tokens_of(&app.id).await.unwrap(), 0);

    // A code that fails a check is spent; each check on a fresh code.
    let bad_verifier = "x".repeat(43);
    let other_redirect = format!("{REDIRECT}x");
    let checks: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("no verifier", vec![("redirect_uri", REDIRECT)]),
        (
            "wrong verifier",
            vec![("redirect_uri", REDIRECT), ("code_verifier", &bad_verifier)],
        ),
        ("no redirect", vec![("code_verifier", VERIFIER)]),
        (
            "other redirect",
            vec![
                ("redirect_uri", &other_redirect),
                ("code_verifier", VERIFIER),
            ],
        ),
    ];
    for (what, rest) in checks {
        let code = self::code(&env, &app, &cookie).await;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
        ];
        form.extend(rest);
        let (status, body) = exchange(&env, &app, &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{what}"
        );
        let (status, _) = exchange(&env, &app, &redeem_form(&code)).await;
        assert_eq!(status, 400, "{what}: spent");
    }
    // Another client's code.
    let other = register(&env, &["s1"]).await;
    let theirs = self::code(&env, &other, &cookie).await;
    let (status, _) = exchange(&env, &app, &redeem_form(&theirs)).await;
    assert_eq!(status, 400);
    // Expired: 60 s.
    let late = self::code(&env, &app, &cookie).await;
    env.clock.advance(Duration::from_secs(61));
    let (status, body) = exchange(&env, &app, &redeem_form(&late)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(env.portal().access_tokens_of(&app.id).await.unwrap(), 0);

    // Both ways at once; a body too large.
    let (status, _) = {
        let r = env
            .http
            .post(env.url("/oauth/token"))
            .basic_auth(&app.client_id, Some(&app.secret))
            .form(&[
                ("client_secret", app.secret.as_str()),
                ("grant_type", "authorization_code"),
            ])
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), ())
    };
    assert_eq!(status, 400);
    let (status, _) = exchange(&env, &app, &[("x", &"a".repeat(9000))]).await;
    assert_eq!(status, 400);

    // The good code still works with Basic (form-encoded id and secret), and only once.
    let good = self::code(&env, &app, &cookie).await;
    let r = env
        .http
        .post(env.url("/oauth/token"))
        .basic_auth(&app.client_id, Some(&app.secret))
        .form(&redeem_form(&good))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(env.portal().access_tokens_of(&app.id).await.unwrap(), 1);
    // Audited: the refused codes by app, the rest as junk per address (one row each kind).
    let grants = audit_rows(&env, "oauth.token", "invalid_grant").await;
    assert!(!grants.is_empty());
    let expected = format!("app {}: ", app.id);
    assert!(
        grants
            .iter()
            .all(|e| e.detail.as_deref().unwrap().starts_with(&expected)),
        "{grants:?}"
    );
    assert!(
        audit_rows(&env, "oauth.token", "invalid_client")
            .await
            .is_empty(),
        "junk waits for its minute"
    );
    env.portal().flush_junk().await.unwrap();
    for result in [
        "invalid_client",
        "invalid_request",
        "unsupported_grant_type",
    ] {
        assert_eq!(
            audit_rows(&env, "oauth.token", result).await.len(),
            1,
            "{result}"
        );
    }
}

#[tokio::test]
async fn hostile_token_requests_issue_nothing() {
    run(hostile_token_requests_issue_nothing_body).await;
}

async fn oauth_rows(env: &Env) -> i64 {
    use badgein_portal::store::Pool;
    let sql =
        "SELECT (SELECT COUNT(*) FROM oauth_codes) + (SELECT COUNT(*) FROM oauth_access_tokens)";
    match env.portal().db() {
        Pool::Sqlite(s) => sqlx::query_scalar(sql).fetch_one(&s.read).await.unwrap(),
        Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn codes_and_tokens_go_with_their_app_and_their_time_body(env: Env) {
    let app = register(&env, &["s1"]).await;
    let other = register(&env, &["s1"]).await;
    let cookie = badge_cookie(&env).await;
    let c = code(&env, &app, &cookie).await;
    let (status, _) = exchange(&env, &app, &redeem_form(&c)).await;
    assert_eq!(status, 200);
    code(&env, &other, &cookie).await;
    assert_eq!(oauth_rows(&env).await, 3, "{}", env.backend);

    // Removing an app removes its codes and tokens (and nothing of another app's).
    env.portal().remove_app(other.id.clone()).await.unwrap();
    assert_eq!(oauth_rows(&env).await, 2);

    // Housekeeping deletes them once expired past the retention; not before.
    env.clock.advance(Duration::from_secs(3600));
    assert_eq!(env.portal().prune_finished().await.unwrap().oauth, 0);
    env.clock
        .advance(badgein_portal::retention::FINISHED_RETENTION);
    assert_eq!(env.portal().prune_finished().await.unwrap().oauth, 2);
    assert_eq!(oauth_rows(&env).await, 0);
}

#[tokio::test]
async fn codes_and_tokens_go_with_their_app_and_their_time() {
    run(codes_and_tokens_go_with_their_app_and_their_time_body).await;
}

async fn userinfo(env: &Env, token: Option<&str>) -> reqwest::Response {
    let mut req = env.http.get(env.url("/oauth/userinfo"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap()
}

async fn userinfo_wants_a_live_token_body(env: Env) {
    let app = register(&env, &["s1"]).await;
    let cookie = badge_cookie(&env).await;
    let url = authorize_url(&env, &app, &[("scope", "openid")]);
    let (_, location) = visit(&env, &url, Some(&cookie)).await;
    let code = param(&location.unwrap(), "code").unwrap();
    let (_, body) = exchange(&env, &app, &redeem_form(&code)).await;
    let token = body["access_token"].as_str().unwrap().to_owned();
    // openid alone: `sub` and nothing else.
    let r = userinfo(&env, Some(&token)).await;
    assert_eq!(r.status(), 200, "{}", env.backend);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let info: serde_json::Value = r.json().await.unwrap();
    assert_eq!(info, serde_json::json!({ "sub": "u1" }));
    // Missing, malformed, unknown tokens.
    for header in [None, Some("Basic abc"), Some("Bearer"), Some("Bearer nope")] {
        let mut req = env.http.post(env.url("/oauth/userinfo"));
        if let Some(h) = header {
            req = req.header("authorization", h);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401, "{header:?}");
        assert!(
            r.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
    }
    let r = userinfo(&env, Some(&"a".repeat(5000))).await;
    assert!(r.status() == 401 || r.status() == 431, "{}", r.status());
    // Expired after 5 minutes.
    env.clock.advance(Duration::from_secs(301));
    assert_eq!(userinfo(&env, Some(&token)).await.status(), 401);
}

#[tokio::test]
async fn userinfo_wants_a_live_token() {
    run(userinfo_wants_a_live_token_body).await;
}

pub(crate) fn id_claims(id_token: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = id_token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

async fn pairwise_apps_see_their_own_sub_body(env: Env) {
    let mut apps = Vec::new();
    for _ in 0..2 {
        let r = env
            .portal()
            .add_app(&AppRequest {
                name: "Pairwise".into(),
                url: "https://reading.example/".into(),
                schools: vec!["s1".into()],
                oidc_redirects: vec![REDIRECT.into()],
                pairwise: true,
                ..AppRequest::default()
            })
            .await
            .unwrap();
        apps.push(App {
            id: r.app_id,
            client_id: r.client_id.unwrap(),
            secret: r.client_secret.unwrap(),
        });
    }
    let cookie = badge_cookie(&env).await;
    let mut subs = Vec::new();
    for app in apps.iter().chain(apps.iter()) {
        let c = code(&env, app, &cookie).await;
        let (status, body) = exchange(&env, app, &redeem_form(&c)).await;
        assert_eq!(status, 200, "{body} {}", env.backend);
        let sub = id_claims(body["id_token"].as_str().unwrap())["sub"]
            .as_str()
            .unwrap()
            .to_owned();
        let info: serde_json::Value = userinfo(&env, body["access_token"].as_str())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(info["sub"], sub.as_str());
        subs.push(sub);
    }
    // Not the user id, the same at every sign-in of one app, different between apps.
    assert_ne!(subs[0], "u1");
    assert_eq!(subs[0].len(), 64);
    assert_eq!(subs[0], subs[2]);
    assert_eq!(subs[1], subs[3]);
    assert_ne!(subs[0], subs[1]);
}

#[tokio::test]
async fn pairwise_apps_see_their_own_sub() {
    run(pairwise_apps_see_their_own_sub_body).await;
}

/// The `email` scope releases the roster's address (Kim has one; Maya, a child, none), in the
/// ID token and at userinfo, and nothing without the scope.
async fn the_email_scope_releases_the_rosters_address_body(env: Env) {
    let app = register(&env, &["s1"]).await;
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    let kim = login(&env, "mrsk", PASSWORD).await;
    let (claims, info, _) = claims_for(&env, &app, &kim, "openid email").await;
    assert_eq!(claims["email"], "kim.kowalski@maple.example", "lowercased");
    assert_eq!(claims["email_verified"], true);
    assert!(claims.get("name").is_none(), "{claims}");
    assert_eq!(
        info,
        serde_json::json!({
            "sub": "t1",
            "email": "kim.kowalski@maple.example",
            "email_verified": true,
        })
    );
    let (claims, info, _) = claims_for(&env, &app, &kim, "openid profile").await;
    assert!(claims.get("email").is_none() && claims.get("email_verified").is_none());
    assert!(info.get("email").is_none(), "{info}");
    // No address in the roster: no claim at all, not an empty one.
    let maya = badge_cookie(&env).await;
    let (claims, info, _) = claims_for(&env, &app, &maya, "openid email").await;
    assert!(claims.get("email").is_none() && claims.get("email_verified").is_none());
    assert_eq!(info, serde_json::json!({ "sub": "u1" }));
}

#[tokio::test]
async fn the_email_scope_releases_the_rosters_address() {
    run(the_email_scope_releases_the_rosters_address_body).await;
}
