//! Public clients (no secret, `none` at the token endpoint, PKCE S256 required), ES256 ID
//! tokens and `at_hash`, against the real portal on loopback: the independent relying party
//! (`openidconnect`) signs in as each kind of client and checks the token's signature and its
//! `at_hash`; then every hostile request, each refused with nothing issued.

use badgein_portal::AppRequest;
use badgein_portal::idp::SigningAlg;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};

use crate::authorize::{
    App, CHALLENGE, REDIRECT, VERIFIER, authorize_url, badge_cookie, discover, id_claims, param,
    redeem_form, register, visit,
};
use crate::harness::{Env, TempDir, get, portal_cli, run};

/// Registers an OpenID Connect client of school s1: public or not, with `alg` for its ID
/// tokens (`None`: the default).
async fn register_client(env: &Env, public_client: bool, alg: Option<SigningAlg>) -> App {
    let r = env
        .portal()
        .add_app(&AppRequest {
            name: "Reading".into(),
            url: "https://reading.example/".into(),
            schools: vec!["s1".into()],
            oidc_redirects: vec![REDIRECT.into()],
            public_client,
            id_token_alg: alg,
            ..AppRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(r.client_secret.is_none(), public_client);
    App {
        id: r.app_id,
        client_id: r.client_id.unwrap(),
        secret: r.client_secret.unwrap_or_default(),
    }
}

/// `POST /oauth/token` with `form` as it is (no client authentication added) and, when given,
/// Basic credentials.
async fn token_request(
    env: &Env,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let mut req = env.http.post(env.url("/oauth/token")).form(form);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    (r.status().as_u16(), r.json().await.unwrap())
}

/// `form` with `client_id` first (the `none` method: the client id in the body alone).
fn with_client<'a>(client_id: &'a str, form: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![("client_id", client_id)];
    all.extend_from_slice(form);
    all
}

fn their_alg(alg: SigningAlg) -> CoreJwsSigningAlgorithm {
    match alg {
        SigningAlg::Rs256 => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        SigningAlg::Es256 => CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    }
}

/// Signs Maya in to `app` with the relying party (PKCE, a nonce, the profile scope) and
/// checks what it got: the signature with `alg` (and with no other algorithm), the nonce, the
/// `at_hash` against the access token, no `azp`.
async fn relying_party_signs_in(env: &Env, app: &App, alg: SigningAlg) {
    let meta = discover(env).await;
    let secret = (!app.secret.is_empty()).then(|| ClientSecret::new(app.secret.clone()));
    let client =
        CoreClient::from_provider_metadata(meta, ClientId::new(app.client_id.clone()), secret)
            .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    let cookie = badge_cookie(env).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let (status, location) = visit(env, url.as_str(), Some(&cookie)).await;
    assert_eq!(status, 303, "{}", env.backend);
    let code = param(&location.unwrap(), "code").unwrap();
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&env.http)
        .await
        .unwrap();
    let id_token: &CoreIdToken = tokens.id_token().unwrap();

    // Only the registered algorithm verifies: the relying party allows it alone.
    let verifier = client
        .id_token_verifier()
        .set_allowed_algs([their_alg(alg)]);
    let claims = id_token.claims(&verifier, &nonce).unwrap();
    assert_eq!(claims.subject().as_str(), "u1");
    assert_eq!(id_token.signing_alg().unwrap(), &their_alg(alg));
    let other = SigningAlg::ALL.into_iter().find(|a| *a != alg).unwrap();
    let strict = client
        .id_token_verifier()
        .set_allowed_algs([their_alg(other)]);
    assert!(
        id_token.claims(&strict, &nonce).is_err(),
        "{alg} as {other}"
    );
    let raw = id_claims(&id_token.to_string());
    let header = id_claims_header(&id_token.to_string());
    assert_eq!(header["alg"], alg.as_str());
    assert_eq!(
        header["kid"].as_str(),
        env.portal().signer().unwrap().kid(alg)
    );

    // at_hash, as the relying party computes it with the key that signed the token.
    let expected = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected), "{alg}");
    // A single audience: no azp.
    assert!(raw.get("azp").is_none(), "{raw}");
    assert_eq!(raw["aud"], app.client_id.as_str());
    // The access token works at the userinfo endpoint.
    let r = env
        .http
        .get(env.url("/oauth/userinfo"))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// The decoded JOSE header of a compact JWS.
fn id_claims_header(jws: &str) -> serde_json::Value {
    use base64::Engine;
    let header = jws.split('.').next().unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap()
}

async fn every_kind_of_client_signs_in_with_the_right_token_body(env: Env) {
    for (public_client, alg) in [
        (false, None),
        (false, Some(SigningAlg::Es256)),
        (true, Some(SigningAlg::Rs256)),
        (true, Some(SigningAlg::Es256)),
    ] {
        let app = register_client(&env, public_client, alg).await;
        relying_party_signs_in(&env, &app, alg.unwrap_or(SigningAlg::Rs256)).await;
    }
    // The JWKS publishes both keys, and discovery lists both algorithms and `none`.
    let doc: serde_json::Value =
        crate::harness::get_json(&env, "/.well-known/openid-configuration").await;
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256", "ES256"])
    );
    assert!(
        doc["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&"none".into())
    );
    let jwks: serde_json::Value = crate::harness::get_json(&env, "/oauth/jwks").await;
    let ec = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kty"] == "EC")
        .unwrap();
    assert_eq!(ec["crv"], "P-256");
    assert_eq!(ec["alg"], "ES256");
    assert_eq!(
        ec["kid"].as_str(),
        env.portal().signer().unwrap().kid(SigningAlg::Es256)
    );
}

#[tokio::test]
async fn every_kind_of_client_signs_in_with_the_right_token() {
    run(every_kind_of_client_signs_in_with_the_right_token_body).await;
}

async fn a_public_client_must_use_pkce_s256_body(env: Env) {
    let app = register_client(&env, true, None).await;
    let cookie = badge_cookie(&env).await;
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "no challenge",
            vec![("code_challenge", ""), ("code_challenge_method", "")],
        ),
        ("plain", vec![("code_challenge_method", "plain")]),
        (
            "plain with a verifier as challenge",
            vec![
                ("code_challenge", VERIFIER),
                ("code_challenge_method", "plain"),
            ],
        ),
        (
            "challenge without method",
            vec![("code_challenge_method", "")],
        ),
        ("method without challenge", vec![("code_challenge", "")]),
    ];
    for (what, extra) in cases {
        let (status, location) =
            visit(&env, &authorize_url(&env, &app, &extra), Some(&cookie)).await;
        assert_eq!(status, 303, "{what} {}", env.backend);
        let location = location.unwrap();
        assert!(
            location.starts_with(&format!("{REDIRECT}?")),
            "{what}: {location}"
        );
        assert_eq!(
            param(&location, "error").as_deref(),
            Some("invalid_request"),
            "{what}"
        );
        assert_eq!(
            param(&location, "state").as_deref(),
            Some("st4te"),
            "{what}"
        );
        assert!(param(&location, "code").is_none(), "{what}");
    }
    // A confidential client may still go without PKCE (accepted for all, required for public).
    let confidential = register(&env, &["s1"]).await;
    let url = authorize_url(
        &env,
        &confidential,
        &[("code_challenge", ""), ("code_challenge_method", "")],
    );
    let (_, location) = visit(&env, &url, Some(&cookie)).await;
    assert!(param(&location.unwrap(), "code").is_some());
    assert_eq!(env.portal().access_tokens_of(&app.id).await.unwrap(), 0);
}

#[tokio::test]
async fn a_public_client_must_use_pkce_s256() {
    run(a_public_client_must_use_pkce_s256_body).await;
}

/// A client authentication case: what it is, Basic credentials if any, the form.
type AuthCase<'a> = (&'a str, Option<(&'a str, &'a str)>, Vec<(&'a str, &'a str)>);

/// A fresh code for `app` (with the test's PKCE challenge).
async fn fresh_code(env: &Env, app: &App, cookie: &str) -> String {
    let (status, location) = visit(env, &authorize_url(env, app, &[]), Some(cookie)).await;
    assert_eq!(status, 303);
    param(&location.unwrap(), "code").unwrap()
}

async fn hostile_token_requests_of_public_and_confidential_clients_body(env: Env) {
    let public = register_client(&env, true, None).await;
    let confidential = register(&env, &["s1"]).await;
    let cookie = badge_cookie(&env).await;

    // Client authentication, each on a fresh code that stays unspent (401 before the grant).
    let code = fresh_code(&env, &public, &cookie).await;
    let grant = redeem_form(&code);
    let with_secret = |secret: &'static str| {
        let mut form = with_client(&public.client_id, &grant);
        form.push(("client_secret", secret));
        form
    };
    let cases: Vec<AuthCase> = vec![
        ("public with a secret", None, with_secret("anything")),
        (
            "public with an empty-looking secret",
            None,
            with_secret("%00"),
        ),
        (
            "public with another client's secret",
            None,
            with_client(&public.client_id, &grant)
                .into_iter()
                .chain([("client_secret", confidential.secret.as_str())])
                .collect(),
        ),
        (
            "public with Basic",
            Some((public.client_id.as_str(), "anything")),
            grant.clone(),
        ),
        (
            "public with Basic and no secret",
            Some((public.client_id.as_str(), "")),
            grant.clone(),
        ),
        ("no client id at all", None, grant.clone()),
        (
            "confidential with none",
            None,
            with_client(&confidential.client_id, &grant),
        ),
        (
            "unknown client with none",
            None,
            with_client("c-nobody", &grant),
        ),
    ];
    for (what, basic, form) in cases {
        let (status, body) = token_request(&env, basic, &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client")),
            "{what} {}",
            env.backend
        );
    }
    assert_eq!(env.portal().access_tokens_of(&public.id).await.unwrap(), 0);
    // ...and the code was not spent by them.
    let (status, body) = token_request(&env, None, &with_client(&public.client_id, &grant)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["id_token"].is_string());

    // The verifier: missing, wrong, too short, the challenge itself; each spends its code.
    let wrong = "x".repeat(43);
    let checks: Vec<(&str, Option<&str>)> = vec![
        ("no verifier", None),
        ("wrong verifier", Some(&wrong)),
        ("short verifier", Some("abc")),
        ("the challenge as verifier", Some(CHALLENGE)),
    ];
    for (what, verifier) in checks {
        let code = fresh_code(&env, &public, &cookie).await;
        let mut form = with_client(
            &public.client_id,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
        );
        if let Some(v) = verifier {
            form.push(("code_verifier", v));
        }
        let (status, body) = token_request(&env, None, &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{what}"
        );
        let (status, _) = token_request(
            &env,
            None,
            &with_client(&public.client_id, &redeem_form(&code)),
        )
        .await;
        assert_eq!(status, 400, "{what}: spent");
    }
    // A confidential client's code is not a public client's.
    let theirs = fresh_code(&env, &confidential, &cookie).await;
    let (status, _) = token_request(
        &env,
        None,
        &with_client(&public.client_id, &redeem_form(&theirs)),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(env.portal().access_tokens_of(&public.id).await.unwrap(), 1);
    assert_eq!(
        env.portal()
            .access_tokens_of(&confidential.id)
            .await
            .unwrap(),
        0
    );

    // A public client has no secret to rotate.
    let e = env
        .portal()
        .rotate_app_secret(public.id.clone())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("public client"), "{e}");
    let audit = env.portal().audit_log().await.unwrap();
    assert!(!audit.iter().any(|e| e.action == "app.secret"));
}

#[tokio::test]
async fn hostile_token_requests_of_public_and_confidential_clients() {
    run(hostile_token_requests_of_public_and_confidential_clients_body).await;
}

async fn the_database_keeps_the_client_rules_body(env: Env) {
    use badgein_portal::store::Pool;
    let public = register_client(&env, true, Some(SigningAlg::Es256)).await;
    let listed = env.portal().apps().await.unwrap();
    let row = listed.iter().find(|a| a.id == public.id).unwrap();
    assert!(row.public_client);
    assert_eq!(row.id_token_alg, Some(SigningAlg::Es256));
    // Whatever writes the database directly, an algorithm outside the two, or a public client
    // with a secret, is refused by the schema.
    let id = public.id.as_str();
    let refused = [
        "UPDATE apps SET id_token_alg = 'HS256' WHERE id = $1",
        "UPDATE apps SET id_token_alg = 'none' WHERE id = $1",
        "UPDATE apps SET secret_hash = CAST('0123456789abcdef0123456789abcdef' AS BLOB) \
         WHERE id = $1",
    ];
    for sql in refused {
        let sql = match env.portal().db() {
            Pool::Sqlite(_) => sql.to_owned(),
            Pool::Postgres(_) => sql.replace("AS BLOB", "AS BYTEA"),
        };
        let result = match env.portal().db() {
            Pool::Sqlite(s) => sqlx::query(&sql)
                .bind(id)
                .execute(&s.write)
                .await
                .map(|_| ()),
            Pool::Postgres(p) => sqlx::query(&sql).bind(id).execute(p).await.map(|_| ()),
        };
        assert!(result.is_err(), "{sql} {}", env.backend);
    }
    let row = env.portal().apps().await.unwrap();
    let row = row.iter().find(|a| a.id == public.id).unwrap();
    assert_eq!(row.id_token_alg, Some(SigningAlg::Es256));
}

#[tokio::test]
async fn the_database_keeps_the_client_rules() {
    run(the_database_keeps_the_client_rules_body).await;
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn the_app_command_registers_public_and_es256_clients() {
    let dir = TempDir::new();
    let db = dir.0.join("portal.db");
    let add = |extra: &[&str]| {
        let mut args = vec![
            "app",
            "add",
            "--name",
            "Spa",
            "--url",
            "https://spa.example/",
        ];
        args.extend_from_slice(extra);
        portal_cli(&db, &args)
    };
    let out = add(&[
        "--oidc-redirect",
        "https://spa.example/cb",
        "--public",
        "--id-token-alg",
        "ES256",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let added: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    // The app id and client id; no secret field at all.
    assert_eq!(added.as_object().unwrap().len(), 2, "{added}");
    assert!(added["client_id"].as_str().unwrap().starts_with("c-"));
    let app_id = added["app_id"].as_str().unwrap().to_owned();

    let list = portal_cli(&db, &["app", "list"]);
    let listed: serde_json::Value = serde_json::from_str(text(&list.stdout).trim()).unwrap();
    assert_eq!(listed["public_client"], true);
    assert_eq!(listed["id_token_alg"], "ES256");
    // Registered without --scopes: the names only.
    assert_eq!(listed["scopes"], "profile");

    let secret = portal_cli(&db, &["app", "secret", "--app", &app_id]);
    assert_eq!(secret.status.code(), Some(1), "{}", text(&secret.stderr));
    assert!(secret.stdout.is_empty());
    assert!(
        text(&secret.stderr).contains("is a public client"),
        "{}",
        text(&secret.stderr)
    );

    for (extra, says) in [
        (
            vec![
                "--oidc-redirect",
                "https://spa.example/cb",
                "--id-token-alg",
                "HS256",
            ],
            "RS256 or ES256",
        ),
        (
            vec![
                "--oidc-redirect",
                "https://spa.example/cb",
                "--id-token-alg",
                "none",
            ],
            "RS256 or ES256",
        ),
        (
            vec![
                "--oidc-redirect",
                "https://spa.example/cb",
                "--id-token-alg",
                "es256",
            ],
            "RS256 or ES256",
        ),
        (
            vec![
                "--oidc-redirect",
                "https://spa.example/cb",
                "--id-token-alg",
                "\u{7f}x",
            ],
            "RS256 or ES256",
        ),
        (
            vec![
                "--oidc-redirect",
                "https://spa.example/cb",
                "--id-token-alg",
                "",
            ],
            "RS256 or ES256",
        ),
        (vec!["--public"], "OpenID Connect clients"),
        (vec!["--id-token-alg", "ES256"], "OpenID Connect clients"),
        (
            vec![
                "--oidc-redirect",
                "https://spa.example/cb",
                "--scopes",
                "profile,offline_access",
            ],
            "unknown scope",
        ),
        (
            vec![
                "--oidc-redirect",
                "https://spa.example/cb",
                "--scopes",
                "openid",
            ],
            "unknown scope",
        ),
        (vec!["--scopes", "email"], "OpenID Connect clients"),
    ] {
        let out = add(&extra);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{extra:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{extra:?}");
        assert!(
            text(&out.stderr).contains(says),
            "{extra:?}: {}",
            text(&out.stderr)
        );
    }
    let list = portal_cli(&db, &["app", "list"]);
    assert_eq!(text(&list.stdout).lines().count(), 1, "nothing written");
}

async fn administrators_register_a_public_client_on_the_page_body(env: Env) {
    const PASSWORD: &str = "correct horse battery";
    crate::harness::add_principal(&env, PASSWORD).await;
    let admin = crate::harness::login(&env, "principal", PASSWORD).await;
    let page = get(&env, &admin, "/teach/apps").await.text().await.unwrap();
    assert!(page.contains("name=\"public_client\""), "{page}");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let post = |form: Vec<(&'static str, String)>| {
        let mut all = vec![("csrf", csrf.clone())];
        all.extend(form);
        env.http
            .post(env.url("/teach/apps"))
            .header("cookie", &admin)
            .form(&all)
            .send()
    };
    let before = env.portal().apps().await.unwrap().len();
    // A public client without a redirect URI is refused on the page; nothing written.
    let r = post(vec![
        ("name", "Spa".into()),
        ("url", "https://spa.example/".into()),
        ("public_client", "on".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 400, "{}", env.backend);
    assert!(r.text().await.unwrap().contains("OpenID Connect clients"));
    assert_eq!(env.portal().apps().await.unwrap().len(), before);

    let r = post(vec![
        ("name", "Spa".into()),
        ("url", "https://spa.example/".into()),
        ("redirect_uris", "https://spa.example/cb".into()),
        ("public_client", "on".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let shown = r.text().await.unwrap();
    let apps = env.portal().apps().await.unwrap();
    assert_eq!(apps.len(), before + 1);
    let app = apps.iter().find(|a| a.name == "Spa").unwrap();
    assert!(app.public_client);
    assert_eq!(app.id_token_alg, Some(SigningAlg::Rs256));
    // The client id, and no secret: there is none.
    assert!(shown.contains(app.client_id.as_deref().unwrap()), "{shown}");
    assert!(!shown.contains("class=\"code\""), "{shown}");
    assert!(shown.contains("public client"), "{shown}");
    // Listed as a public client, without a "New secret" button; the secret endpoint refuses.
    let list = get(&env, &admin, "/teach/apps").await.text().await.unwrap();
    assert!(list.contains("OpenID Connect (public client)"), "{list}");
    assert!(!list.contains("/secret\""), "{list}");
    let r = env
        .http
        .post(env.url(&format!("/teach/apps/{}/secret", app.id)))
        .header("cookie", &admin)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("public client"));
}

#[tokio::test]
async fn administrators_register_a_public_client_on_the_page() {
    run(administrators_register_a_public_client_on_the_page_body).await;
}
