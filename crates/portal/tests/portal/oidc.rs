//! The identity provider's public documents against the real portal on loopback: discovery
//! and the JWKS read by an independent relying party (the `openidconnect` crate), tokens from
//! our signer verified with the key they name, before and after rotations.

use std::str::FromStr;
use std::time::Duration;

use badgein_portal::Config;
use badgein_portal::idp::keys::RETIRED_KEY_PUBLISHED;
use badgein_portal::idp::{ID_TOKEN_LIFETIME, SigningAlg, TokenType};
use openidconnect::core::{
    CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreProviderMetadata,
};
use openidconnect::{ClientId, IssuerUrl, Nonce};
use serde::Serialize;

use crate::harness::{Env, backends, run};

/// The claims an ID token needs for `openidconnect` to accept it.
#[derive(Serialize)]
struct IdClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

fn id_token(env: &Env, alg: SigningAlg) -> String {
    // openidconnect checks `exp` against the wall clock, which the manual clock started at.
    let now = badgein_portal::Clock::now_ms(&env.clock) / 1000;
    let claims = IdClaims {
        iss: env.running.base_url(),
        sub: "u1",
        aud: "test-app",
        iat: now,
        exp: now + i64::try_from(ID_TOKEN_LIFETIME.as_secs()).unwrap(),
    };
    env.portal()
        .signer()
        .unwrap()
        .sign(&claims, alg, TokenType::IdToken)
        .unwrap()
}

fn their_alg(alg: SigningAlg) -> CoreJwsSigningAlgorithm {
    match alg {
        SigningAlg::Rs256 => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        SigningAlg::Es256 => CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    }
}

/// Whether `openidconnect` accepts `token` as an ID token for `test-app` from `issuer`, with the
/// keys of `jwks`.
fn verifies(issuer: &str, jwks: CoreJsonWebKeySet, token: &str, alg: SigningAlg) -> bool {
    let verifier = CoreIdTokenVerifier::new_public_client(
        ClientId::new("test-app".into()),
        IssuerUrl::new(issuer.into()).unwrap(),
        jwks,
    )
    .set_allowed_algs([their_alg(alg)]);
    let token = CoreIdToken::from_str(token).unwrap();
    token.claims(&verifier, |_: Option<&Nonce>| Ok(())).is_ok()
}

async fn discover(env: &Env) -> CoreProviderMetadata {
    let issuer = IssuerUrl::new(env.running.base_url().to_owned()).unwrap();
    // The harness's client follows no redirects, as a relying party's must not here.
    CoreProviderMetadata::discover_async(issuer, &env.http)
        .await
        .unwrap()
}

async fn discovery_and_jwks_satisfy_an_independent_relying_party_body(env: Env) {
    // discover_async fetches the document and then the JWKS it names, and checks the issuer.
    let meta = discover(&env).await;
    assert_eq!(meta.issuer().as_str(), env.running.base_url());
    assert_eq!(
        meta.jwks_uri().as_str(),
        env.url("/oauth/jwks"),
        "{}",
        env.backend
    );
    assert_eq!(
        meta.id_token_signing_alg_values_supported(),
        &vec![
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            CoreJwsSigningAlgorithm::EcdsaP256Sha256
        ]
    );
    assert_eq!(meta.jwks().keys().len(), 2);
    for alg in SigningAlg::ALL {
        let token = id_token(&env, alg);
        assert!(
            verifies(env.running.base_url(), meta.jwks().clone(), &token, alg),
            "{alg} {}",
            env.backend
        );
        // Another issuer is refused: the `iss` is compared as the document states it.
        let other = format!("{}/", env.running.base_url());
        assert!(!verifies(&other, meta.jwks().clone(), &token, alg));
    }

    // The raw documents: JSON, cacheable briefly, every field the brief names.
    let r = env
        .http
        .get(env.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.headers()["cache-control"], "public, max-age=300");
    let doc: serde_json::Value = r.json().await.unwrap();
    let base = env.running.base_url();
    for (field, path) in [
        ("authorization_endpoint", "/oauth/authorize"),
        ("token_endpoint", "/oauth/token"),
        ("userinfo_endpoint", "/oauth/userinfo"),
        ("jwks_uri", "/oauth/jwks"),
        ("end_session_endpoint", "/oauth/logout"),
    ] {
        assert_eq!(doc[field], format!("{base}{path}"), "{field}");
    }
    assert_eq!(doc["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(
        doc["subject_types_supported"],
        serde_json::json!(["public", "pairwise"])
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic", "client_secret_post", "none"])
    );
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        doc["grant_types_supported"],
        serde_json::json!(["authorization_code"])
    );
    assert_eq!(doc["backchannel_logout_supported"], true);
    assert_eq!(doc["backchannel_logout_session_supported"], true);
    assert!(
        doc["scopes_supported"]
            .as_array()
            .unwrap()
            .contains(&"openid".into())
    );
    assert!(
        doc["claims_supported"]
            .as_array()
            .unwrap()
            .contains(&"sub".into())
    );

    let r = env.http.get(env.url("/oauth/jwks")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.headers()["cache-control"], "public, max-age=300");
    let text = r.text().await.unwrap();
    // Public halves only.
    let jwks: serde_json::Value = serde_json::from_str(&text).unwrap();
    for key in jwks["keys"].as_array().unwrap() {
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(key.get(private).is_none(), "{private} in {key}");
        }
        assert_eq!(key["use"], "sig");
    }
}

#[tokio::test]
async fn discovery_and_jwks_satisfy_an_independent_relying_party() {
    run(discovery_and_jwks_satisfy_an_independent_relying_party_body).await;
}

#[tokio::test]
async fn a_public_url_is_the_issuer() {
    let config = Config {
        public_url: Some("http://localhost:9/".into()),
        ..Config::for_tests()
    };
    for backend in backends() {
        // `Env::url` would use the public URL, which nothing serves: ask the bound address.
        let env = crate::harness::start(backend, config.clone()).await;
        let addr = env.running.addr();
        let r = env
            .http
            .get(format!("http://{addr}/.well-known/openid-configuration"))
            .send()
            .await
            .unwrap();
        let doc: serde_json::Value = r.json().await.unwrap();
        // The configured public URL, trailing slash removed, not the address it listens on.
        assert_eq!(doc["issuer"], "http://localhost:9", "{backend}");
        assert_eq!(doc["jwks_uri"], "http://localhost:9/oauth/jwks");
    }
}

async fn rotated_keys_verify_while_published_and_not_after_body(env: Env) {
    let old: Vec<String> = SigningAlg::ALL.iter().map(|&a| id_token(&env, a)).collect();
    let old_kids: Vec<String> = SigningAlg::ALL
        .iter()
        .map(|&a| env.portal().signer().unwrap().kid(a).unwrap().to_owned())
        .collect();

    let new = env.portal().rotate_signing_keys().await.unwrap();
    assert_eq!(new.len(), 2);
    for (alg, old_kid) in SigningAlg::ALL.iter().zip(&old_kids) {
        // The serving portal signs with the new key at once.
        let kid = env.portal().signer().unwrap().kid(*alg).unwrap().to_owned();
        assert_ne!(&kid, old_kid);
        assert!(new.iter().any(|k| k.kid == kid && k.alg == alg.as_str()));
    }

    // Both generations are published; old and new tokens verify.
    let meta = discover(&env).await;
    assert_eq!(meta.jwks().keys().len(), 4, "{}", env.backend);
    for (alg, token) in SigningAlg::ALL.iter().zip(&old) {
        assert!(verifies(
            env.running.base_url(),
            meta.jwks().clone(),
            token,
            *alg
        ));
        let fresh = id_token(&env, *alg);
        assert!(verifies(
            env.running.base_url(),
            meta.jwks().clone(),
            &fresh,
            *alg
        ));
    }

    // Still published just before the end of the window...
    env.clock
        .advance(RETIRED_KEY_PUBLISHED - Duration::from_secs(1));
    assert_eq!(env.portal().jwks().await.unwrap().keys.len(), 4);
    // ...and gone after it: an old token no longer finds its key.
    env.clock.advance(Duration::from_secs(2));
    let jwks = env.portal().jwks().await.unwrap();
    assert_eq!(jwks.keys.len(), 2);
    for kid in &old_kids {
        assert!(jwks.find(kid).is_none());
    }
    let meta = discover(&env).await;
    for (alg, token) in SigningAlg::ALL.iter().zip(&old) {
        assert!(!verifies(
            env.running.base_url(),
            meta.jwks().clone(),
            token,
            *alg
        ));
    }

    // The audit log names the new keys (kids only).
    let rotated = env
        .portal()
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .rfind(|e| e.action == "keys.rotate")
        .unwrap();
    let detail = rotated.detail.unwrap();
    assert!(new.iter().all(|k| detail.contains(&k.kid)), "{detail}");
    let created = env.portal().audit_log().await.unwrap();
    assert!(created.iter().any(|e| e.action == "keys.create"));

    // Housekeeping deletes what left the JWKS; the current keys stay.
    let pruned = env.portal().prune_finished().await.unwrap();
    assert_eq!(pruned.signing_keys, 2, "{}", env.backend);
    let listed = env.portal().list_signing_keys().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|k| k.retired.is_none()));
}

#[tokio::test]
async fn rotated_keys_verify_while_published_and_not_after() {
    run(rotated_keys_verify_while_published_and_not_after_body).await;
}

async fn keys_rotate_twice_body(env: Env) {
    let first = env.portal().rotate_signing_keys().await.unwrap();
    env.clock.advance(Duration::from_secs(60));
    let second = env.portal().rotate_signing_keys().await.unwrap();
    assert!(first.iter().all(|k| second.iter().all(|s| s.kid != k.kid)));
    // Three generations published: the first start's, the first rotation's, the current one.
    let jwks = env.portal().jwks().await.unwrap();
    assert_eq!(jwks.keys.len(), 6, "{}", env.backend);
    let listed = env.portal().list_signing_keys().await.unwrap();
    assert_eq!(listed.iter().filter(|k| k.retired.is_none()).count(), 2);
    // Every token still verifies against the JWKS served over HTTP.
    let meta = discover(&env).await;
    for alg in SigningAlg::ALL {
        let token = id_token(&env, alg);
        assert!(verifies(
            env.running.base_url(),
            meta.jwks().clone(),
            &token,
            alg
        ));
    }
    // A restart opens the current keys (the key file is read again).
    let env = env.restart(Config::for_tests()).await;
    let kid = env
        .portal()
        .signer()
        .unwrap()
        .kid(SigningAlg::Rs256)
        .unwrap()
        .to_owned();
    assert!(second.iter().any(|k| k.kid == kid));
}

#[tokio::test]
async fn keys_rotate_twice() {
    run(keys_rotate_twice_body).await;
}

async fn odd_requests_to_the_documents_do_not_break_them_body(env: Env) {
    for path in ["/.well-known/openid-configuration", "/oauth/jwks"] {
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"] {
            let r = env
                .http
                .request(
                    reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                    env.url(path),
                )
                .body("x".repeat(100))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 405, "{method} {path}");
        }
        let r = env.http.head(env.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "HEAD {path}");
        // Headers and a query that mean nothing here change nothing.
        let r = env
            .http
            .get(env.url(&format!("{path}?kid=../../etc/passwd&x=%00%ff")))
            .header("accept", "text/html")
            .header("accept-encoding", "gzip, br, zstd")
            .header("if-none-match", "\"*\"")
            .header("origin", "https://evil.example")
            .header("cookie", "badgein_session=forged")
            .header("authorization", "Bearer forged")
            .header("x-forwarded-for", "1.2.3.4")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], "application/json");
        assert!(r.headers().get("set-cookie").is_none());
        let _: serde_json::Value = r.json().await.unwrap();
        // A path below it is not it.
        let r = env
            .http
            .get(env.url(&format!("{path}/x")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
}

#[tokio::test]
async fn odd_requests_to_the_documents_do_not_break_them() {
    run(odd_requests_to_the_documents_do_not_break_them_body).await;
}
