//! The SAML identity provider against the real portal on loopback: the metadata an app loads,
//! and a response signed with the portal's own key verified by libxmlsec1's `xmlsec1` (apt
//! `xmlsec1`, installed by scripts/setup) against the certificate the metadata publishes; and
//! single sign-on: a signed-in user's browser gets a form that posts a response xmlsec1
//! verifies to the registered ACS, and every hostile request gets an error page, unsigned.

use std::io::Write as _;
use std::process::Command;

use badgein_portal::AppRequest;
use badgein_portal::idp::saml::metadata::CONTENT_TYPE;
use badgein_portal::idp::saml::response::{self, Grant, NameId, Person};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::harness::{Env, TempDir, login, run, seed};

const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const EMAIL_FORMAT: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// The metadata as an app reads it: its entity id, SSO locations and certificate (base64 DER).
struct Metadata {
    entity_id: String,
    sso: Vec<(String, String)>,
    cert: String,
    name_id_formats: Vec<String>,
}

async fn metadata(env: &Env) -> Metadata {
    let r = env
        .http
        .get(env.url("/saml/metadata"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], CONTENT_TYPE);
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let text = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let root = doc.root_element();
    assert!(root.has_tag_name((MD, "EntityDescriptor")));
    let idp = root
        .children()
        .find(|n| n.has_tag_name((MD, "IDPSSODescriptor")))
        .unwrap();
    assert_eq!(
        idp.attribute("protocolSupportEnumeration"),
        Some("urn:oasis:names:tc:SAML:2.0:protocol")
    );
    let key = idp
        .children()
        .find(|n| n.has_tag_name((MD, "KeyDescriptor")))
        .unwrap();
    assert_eq!(key.attribute("use"), Some("signing"));
    let cert = key
        .descendants()
        .find(|n| n.has_tag_name((DS, "X509Certificate")))
        .unwrap();
    Metadata {
        entity_id: root.attribute("entityID").unwrap().to_owned(),
        sso: idp
            .children()
            .filter(|n| n.has_tag_name((MD, "SingleSignOnService")))
            .map(|n| {
                (
                    n.attribute("Binding").unwrap().to_owned(),
                    n.attribute("Location").unwrap().to_owned(),
                )
            })
            .collect(),
        cert: cert.text().unwrap().to_owned(),
        name_id_formats: idp
            .children()
            .filter(|n| n.has_tag_name((MD, "NameIDFormat")))
            .map(|n| n.text().unwrap().to_owned())
            .collect(),
    }
}

/// A response signed with the portal's current key (the builder the SSO endpoint uses).
fn sign(env: &Env, entity_id: &str) -> String {
    let signer = env.portal().signer().unwrap();
    let key = signer.rsa_key().unwrap();
    let host = env
        .running
        .base_url()
        .trim_start_matches("http://")
        .to_owned();
    let cert = badgein_portal::idp::saml::cert::IdpCertificate::for_key(key, &host).unwrap();
    let grant = Grant {
        idp_entity_id: entity_id,
        sp_entity_id: "https://sp.example.com/saml",
        acs: "https://sp.example.com/saml/acs",
        in_response_to: Some("_req"),
        person: Person {
            user_id: "u1",
            given_name: "Ada",
            family_name: "Lovelace",
            display_name: "Ada Lovelace",
            roles: &["teacher"],
            school: None,
            email: None,
            grade: None,
        },
        name_id: NameId::Persistent,
        authn_instant: badgein_portal::Clock::now_ms(&env.clock),
        session_index: "_s",
        now: badgein_portal::Clock::now_ms(&env.clock),
    };
    response::build(&grant, key, &cert).unwrap().xml
}

/// Whether `xmlsec1` verifies the assertion in `xml` with the base64 DER certificate `cert`.
fn xmlsec1_verifies(xml: &str, cert: &str) -> bool {
    let dir = TempDir::new();
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in cert.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    std::fs::write(dir.0.join("cert.pem"), pem).unwrap();
    std::fs::write(dir.0.join("response.xml"), xml).unwrap();
    Command::new("xmlsec1")
        .arg("--verify")
        .arg("--pubkey-cert-pem")
        .arg(dir.0.join("cert.pem"))
        .args([
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        ])
        .arg(dir.0.join("response.xml"))
        .output()
        .expect("xmlsec1 runs (apt package xmlsec1: run scripts/setup)")
        .status
        .success()
}

async fn metadata_publishes_the_certificate_that_verifies_responses_body(env: Env) {
    let meta = metadata(&env).await;
    assert_eq!(meta.entity_id, env.url("/saml/metadata"));
    let sso = env.url("/saml/sso");
    assert_eq!(
        meta.sso,
        [
            (
                "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect".to_owned(),
                sso.clone()
            ),
            (
                "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST".to_owned(),
                sso
            ),
        ]
    );
    assert_eq!(
        meta.name_id_formats,
        [
            "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            EMAIL_FORMAT
        ]
    );
    let signed = sign(&env, &meta.entity_id);
    assert!(xmlsec1_verifies(&signed, &meta.cert));
    // The same bytes on every read: the certificate is derived, not made anew.
    assert_eq!(metadata(&env).await.cert, meta.cert);

    // After a rotation the metadata publishes the new key's certificate: old responses no
    // longer verify with it, new ones do.
    env.portal().rotate_signing_keys().await.unwrap();
    let rotated = metadata(&env).await;
    assert_ne!(rotated.cert, meta.cert);
    assert!(!xmlsec1_verifies(&signed, &rotated.cert));
    assert!(xmlsec1_verifies(
        &sign(&env, &rotated.entity_id),
        &rotated.cert
    ));
}

#[tokio::test]
async fn metadata_publishes_the_certificate_that_verifies_responses() {
    run(metadata_publishes_the_certificate_that_verifies_responses_body).await;
}

const SP: &str = "https://sp.example.com/saml";
const ACS: &str = "https://sp.example.com/saml/acs";
const PASSWORD: &str = "correct horse battery staple";

/// An AuthnRequest from `issuer` (with `extra` attributes), as XML.
fn authn_request(issuer: &str, extra: &str) -> String {
    authn_request_with(issuer, extra, "")
}

/// An AuthnRequest with `children` after its `Issuer` (a `NameIDPolicy`).
fn authn_request_with(issuer: &str, extra: &str, children: &str) -> String {
    format!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_req42\" Version=\"2.0\" \
         IssueInstant=\"2026-12-05T04:00:00Z\" {extra}><saml:Issuer>{issuer}</saml:Issuer>\
         {children}</samlp:AuthnRequest>"
    )
}

/// The HTTP-Redirect encoding: raw DEFLATE, then base64.
fn deflated(xml: &[u8]) -> String {
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(xml).unwrap();
    STANDARD.encode(encoder.finish().unwrap())
}

async fn sso_get(env: &Env, cookie: Option<&str>, query: &[(&str, &str)]) -> reqwest::Response {
    let mut request = env.http.get(env.url("/saml/sso")).query(query);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// The value of the hidden input `name` in an HTML page, unescaped as far as base64 and our
/// test values need.
fn hidden(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    let end = start + html[start..].find('"')?;
    Some(
        html[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

async fn saml_setup(env: &Env) -> String {
    seed(env.portal()).await;
    env.portal()
        .add_app(&AppRequest {
            name: "Service".into(),
            url: "https://sp.example.com/".into(),
            schools: vec!["s1".into()],
            saml_entity_id: Some(SP.into()),
            saml_acs: Some(ACS.into()),
            ..AppRequest::default()
        })
        .await
        .unwrap();
    env.portal().set_password("t1", PASSWORD).await.unwrap();
    env.portal().set_password("x1", PASSWORD).await.unwrap();
    env.portal().set_password("u1", PASSWORD).await.unwrap();
    login(env, "mrsk", PASSWORD).await
}

async fn sso_posts_a_verified_assertion_to_the_registered_acs_body(env: Env) {
    let cookie = saml_setup(&env).await;
    let meta = metadata(&env).await;
    let request = deflated(authn_request(SP, "").as_bytes());
    let r = sso_get(
        &env,
        Some(&cookie),
        &[
            ("SAMLRequest", &request),
            ("RelayState", "go <here>&\"now\""),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("form-action https://sp.example.com;"), "{csp}");
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("action=\"{ACS}\"")), "{html}");
    assert_eq!(
        hidden(&html, "RelayState").as_deref(),
        Some("go <here>&\"now\"")
    );
    let xml = String::from_utf8(
        STANDARD
            .decode(hidden(&html, "SAMLResponse").unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(xmlsec1_verifies(&xml, &meta.cert), "{xml}");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let text = |name: &str| {
        doc.descendants()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(str::to_owned)
    };
    assert_eq!(text("Audience").as_deref(), Some(SP));
    assert_eq!(text("Issuer"), Some(meta.entity_id.clone()));
    assert_eq!(doc.root_element().attribute("InResponseTo"), Some("_req42"));
    assert_eq!(doc.root_element().attribute("Destination"), Some(ACS));
    assert!(xml.contains(">Kim<") && xml.contains(">teacher<"), "{xml}");

    // The HTTP-POST binding in: the same answer.
    let posted = env
        .http
        .post(env.url("/saml/sso"))
        .header("cookie", &cookie)
        .form(&[("SAMLRequest", STANDARD.encode(authn_request(SP, "")))])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    let html = posted.text().await.unwrap();
    assert!(hidden(&html, "RelayState").is_none());
    let xml = STANDARD
        .decode(hidden(&html, "SAMLResponse").unwrap())
        .unwrap();
    assert!(xmlsec1_verifies(
        std::str::from_utf8(&xml).unwrap(),
        &meta.cert
    ));

    let audit = env.portal().audit_log().await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "saml.sso" && e.result == "ok")
            .count(),
        2
    );
}

#[tokio::test]
async fn sso_posts_a_verified_assertion_to_the_registered_acs() {
    run(sso_posts_a_verified_assertion_to_the_registered_acs_body).await;
}

/// Query parameters.
type Params = Vec<(&'static str, String)>;

async fn sso_refuses_hostile_requests_with_a_page_body(env: Env) {
    let cookie = saml_setup(&env).await;
    let ok = deflated(authn_request(SP, "").as_bytes());
    let bomb = {
        let zeros = vec![b' '; 20 * 1024 * 1024];
        deflated(&zeros)
    };
    let dtd = deflated(
        format!(
            "<!DOCTYPE x [<!ENTITY e \"{}\">]>{}",
            "a".repeat(100),
            authn_request(SP, "")
        )
        .as_bytes(),
    );
    let long_relay = "r".repeat(10 * 1024);
    let cases: Vec<(&str, Params)> = vec![
        ("no request", vec![]),
        (
            "unregistered issuer",
            vec![(
                "SAMLRequest",
                deflated(authn_request("https://evil.example/saml", "").as_bytes()),
            )],
        ),
        (
            "another ACS",
            vec![(
                "SAMLRequest",
                deflated(
                    authn_request(
                        SP,
                        "AssertionConsumerServiceURL=\"https://evil.example/acs\"",
                    )
                    .as_bytes(),
                ),
            )],
        ),
        (
            "another IdP",
            vec![(
                "SAMLRequest",
                deflated(authn_request(SP, "Destination=\"https://other.example/sso\"").as_bytes()),
            )],
        ),
        ("DTD", vec![("SAMLRequest", dtd)]),
        ("deflate bomb", vec![("SAMLRequest", bomb)]),
        ("not base64", vec![("SAMLRequest", "%%%not base64".into())]),
        (
            "10 KB RelayState",
            vec![("SAMLRequest", ok.clone()), ("RelayState", long_relay)],
        ),
    ];
    for (what, query) in &cases {
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = sso_get(&env, Some(&cookie), &query).await;
        assert_eq!(r.status(), 400, "{what}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{what}"
        );
        assert!(r.headers().get("location").is_none(), "{what}");
        let html = r.text().await.unwrap();
        assert!(html.contains("role=\"alert\""), "{what}: {html}");
        assert!(!html.contains("SAMLResponse"), "{what}: nothing signed");
        assert!(!html.contains("evil.example"), "{what}: input not echoed");
    }
    // 100 KB of RelayState (too long for a URL: by the HTTP-POST binding).
    let r = env
        .http
        .post(env.url("/saml/sso"))
        .header("cookie", &cookie)
        .form(&[
            ("SAMLRequest", STANDARD.encode(authn_request(SP, ""))),
            ("RelayState", "r".repeat(100 * 1024)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains("role=\"alert\"") && !html.contains("SAMLResponse"));

    // Counted as junk, not a row per request: one row for the address after the flush.
    let refused = |env: &Env| {
        let portal = env.portal().clone();
        async move {
            portal
                .audit_log()
                .await
                .unwrap()
                .iter()
                .filter(|e| e.action == "saml.sso" && e.result == "refused")
                .count()
        }
    };
    assert_eq!(refused(&env).await, 0);
    env.portal().flush_junk().await.unwrap();
    assert_eq!(refused(&env).await, 1);
    let audit = env.portal().audit_log().await.unwrap();
    assert!(
        !audit
            .iter()
            .any(|e| e.action == "saml.sso" && e.result == "ok")
    );

    // Without a session: to the login page, nothing signed.
    let r = sso_get(&env, None, &[("SAMLRequest", &ok)]).await;
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=%2Fsaml%2Fsso%3F")
    );
    assert!(!r.text().await.unwrap().contains("SAMLResponse"));

    // The refusals are in the language the browser asks for (nobody is signed in to say).
    let r = env
        .http
        .get(env.url("/saml/sso"))
        .header("accept-language", "es-MX,es;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains("lang=\"es\""), "{html}");
    assert!(
        html.contains("No se pudo leer la solicitud de inicio"),
        "{html}"
    );

    // A user of a school the app is not shown at.
    let oskar = login(&env, "oskar", PASSWORD).await;
    let r = sso_get(&env, Some(&oskar), &[("SAMLRequest", &ok)]).await;
    assert_eq!(r.status(), 403);
    let html = r.text().await.unwrap();
    assert!(!html.contains("SAMLResponse"));
    assert!(html.contains("This app is not available to you."), "{html}");
}

#[tokio::test]
async fn sso_refuses_hostile_requests_with_a_page() {
    run(sso_refuses_hostile_requests_with_a_page_body).await;
}

/// `next` of a `/login?next=...` location, decoded.
fn next_of(location: &str) -> String {
    let query = location.strip_prefix("/login?").expect("to the login page");
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .expect("a next")
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_owned()
}

/// The decoded `SAMLResponse` of an auto-posting form page, checked by xmlsec1.
async fn verified_response(r: reqwest::Response, cert: &str) -> (String, String) {
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let xml = String::from_utf8(
        STANDARD
            .decode(hidden(&html, "SAMLResponse").expect("a response"))
            .unwrap(),
    )
    .unwrap();
    assert!(xmlsec1_verifies(&xml, cert), "{xml}");
    (xml, html)
}

fn attribute_of<'a>(
    doc: &'a roxmltree::Document<'a>,
    element: &str,
    name: &str,
) -> Option<&'a str> {
    doc.descendants()
        .find(|n| n.tag_name().name() == element)
        .and_then(|n| n.attribute(name))
}

/// SP-initiated sign-in of a signed-out user: to the login page, back to the request after
/// the password, and the signed response posted to the ACS with the original RelayState; its
/// `AuthnInstant` is when the session began, not when the app asked. By the HTTP-POST binding
/// (another site's POST comes without the `SameSite=Lax` cookie): a 303 to the same request
/// by GET, which a signed-in user's browser sends with the cookie.
async fn signed_out_users_sign_in_and_come_back_to_the_app_body(env: Env) {
    saml_setup(&env).await;
    let meta = metadata(&env).await;
    let relay = "https://sp.example.com/deep/link?a=1&b=<2>";
    let request = deflated(authn_request(SP, "").as_bytes());
    let r = sso_get(
        &env,
        None,
        &[("SAMLRequest", &request), ("RelayState", relay)],
    )
    .await;
    assert_eq!(r.status(), 303);
    let next = next_of(&location(&r));
    assert!(next.starts_with("/saml/sso?SAMLRequest="), "{next}");
    let login_page = env
        .http
        .get(env.url(&location(&r)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login_page.contains("name=\"next\""), "{login_page}");

    let signed_in_at = badgein_portal::Clock::now_ms(&env.clock);
    let r = env
        .http
        .post(env.url("/login"))
        .form(&[("username", "leo"), ("password", "wrong"), ("next", &next)])
        .send()
        .await
        .unwrap();
    // A wrong password keeps `next` in the form for the next try.
    assert!(r.text().await.unwrap().contains("name=\"next\""));
    env.portal().set_password("u2", PASSWORD).await.unwrap();
    let cookie = crate::harness::login_back_to(&env, "leo", PASSWORD, &next).await;

    // The app is opened a while later: the assertion says when the user signed in.
    env.clock.advance(std::time::Duration::from_secs(90));
    let r = env
        .http
        .get(env.url(&next))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let (xml, html) = verified_response(r, &meta.cert).await;
    assert_eq!(hidden(&html, "RelayState").as_deref(), Some(relay));
    assert!(html.contains(&format!("action=\"{ACS}\"")));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.root_element().attribute("InResponseTo"), Some("_req42"));
    let rfc3339 = badgein_portal::clock::rfc3339;
    assert_eq!(
        attribute_of(&doc, "AuthnStatement", "AuthnInstant"),
        Some(rfc3339(signed_in_at).as_str())
    );
    assert_eq!(
        attribute_of(&doc, "Assertion", "IssueInstant"),
        Some(rfc3339(signed_in_at + 90_000).as_str())
    );
    assert!(xml.contains(">Leo<"), "{xml}");

    // HTTP-POST binding, no cookie (as from the app's site): a 303 to the same request by GET
    // at this endpoint, RelayState kept; nothing signed yet.
    let posted = env
        .http
        .post(env.url("/saml/sso"))
        .header("origin", "https://sp.example.com")
        .form(&[
            ("SAMLRequest", STANDARD.encode(authn_request(SP, ""))),
            ("RelayState", relay.to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303);
    let get = location(&posted);
    assert!(get.starts_with("/saml/sso?SAMLRequest="), "{get}");
    assert!(!posted.text().await.unwrap().contains("SAMLResponse"));
    // The browser follows it by GET with the Lax cookie: straight on to the app.
    let r = env
        .http
        .get(env.url(&get))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let (_, html) = verified_response(r, &meta.cert).await;
    assert_eq!(hidden(&html, "RelayState").as_deref(), Some(relay));
    // Signed out, the GET goes on to the login page, which comes back to it.
    let r = env.http.get(env.url(&get)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(next_of(&location(&r)), get);

    // The kiosk's badge session gets there too (its portal window holds the cookie).
    let kiosk = env.enroll("s1", "Room 12").await;
    let badge = env.portal().issue_badge("u1", None).await.unwrap().encode();
    let sign_in: badgein_proto::SignIn = env
        .badge_sign_in(&kiosk.device_credential, &badge)
        .await
        .json()
        .await
        .unwrap();
    let maya = crate::harness::open(&env, &sign_in.launch_url)
        .await
        .unwrap();
    let r = env
        .http
        .get(env.url(&next))
        .header("cookie", &maya)
        .send()
        .await
        .unwrap();
    let (xml, _) = verified_response(r, &meta.cert).await;
    assert!(xml.contains(">Maya<"), "{xml}");

    // A request too long to come back to: a page asking to sign in, no redirect.
    let mut seed = 7u64;
    let noise: String = (0..12_000)
        .map(|_| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            char::from(b'a' + ((seed >> 33) % 26) as u8)
        })
        .collect();
    let long = deflated(authn_request(SP, &format!("ProviderName=\"{noise}\"")).as_bytes());
    let r = sso_get(&env, None, &[("SAMLRequest", &long)]).await;
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("location").is_none());
    let html = r.text().await.unwrap();
    assert!(html.contains("then open the app again"), "{html}");
}

#[tokio::test]
async fn signed_out_users_sign_in_and_come_back_to_the_app() {
    run(signed_out_users_sign_in_and_come_back_to_the_app_body).await;
}

/// The login page follows a `next` only back to this portal's `/saml/sso?` (or
/// `/oauth/authorize?`): never another host, another path, or a huge one. (Eight tries: the
/// address's password sign-ins are rate-limited; `http::next`'s unit test has the rest.)
/// The `Responder`/`NoPassive` answer of a passive request nobody signed in answers: posted to
/// the registered ACS with the RelayState, in answer to the request, with no assertion.
async fn assert_no_passive(r: reqwest::Response, relay: &str) {
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("action=\"{ACS}\"")), "{html}");
    assert_eq!(hidden(&html, "RelayState").as_deref(), Some(relay));
    let xml = String::from_utf8(
        STANDARD
            .decode(hidden(&html, "SAMLResponse").expect("a response"))
            .unwrap(),
    )
    .unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert!(
        root.has_tag_name((response::ns::PROTOCOL, "Response")),
        "{xml}"
    );
    assert_eq!(root.attribute("InResponseTo"), Some("_req42"));
    assert_eq!(root.attribute("Destination"), Some(ACS));
    let codes: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name((response::ns::PROTOCOL, "StatusCode")))
        .filter_map(|n| n.attribute("Value"))
        .collect();
    assert_eq!(codes, [response::ns::RESPONDER, response::ns::NO_PASSIVE]);
    assert!(!xml.contains("Assertion"), "{xml}");
}

/// `IsPassive`: the app asks that the user see nothing. Signed out, it hears `NoPassive` at its
/// ACS instead of the user getting the login page (by HTTP-POST only after the 303 to GET that
/// shows whether a cookie comes); signed in, it is answered as any request. `ForceAuthn`: only
/// a session begun for the request answers, so a signed-in user signs in again and the
/// assertion's `AuthnInstant` is the new sign-in; with `IsPassive` too, `NoPassive`.
async fn passive_and_forced_requests_body(env: Env) {
    let old_session = saml_setup(&env).await;
    let meta = metadata(&env).await;
    let relay = "state-7";
    let rfc3339 = badgein_portal::clock::rfc3339;
    // A request made now by the app's clock, with `attrs`.
    let made_now = |attrs: &str| {
        authn_request(SP, attrs).replace(
            "2026-12-05T04:00:00Z",
            &rfc3339(badgein_portal::Clock::now_ms(&env.clock)),
        )
    };
    env.clock.advance(std::time::Duration::from_secs(300));

    let passive = made_now("IsPassive=\"true\"");
    let query = [
        ("SAMLRequest", deflated(passive.as_bytes())),
        ("RelayState", relay.to_owned()),
    ];
    let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_no_passive(sso_get(&env, None, &query).await, relay).await;
    let (xml, _) =
        verified_response(sso_get(&env, Some(&old_session), &query).await, &meta.cert).await;
    assert!(xml.contains("AuthnStatement"), "{xml}");
    let posted = env
        .http
        .post(env.url("/saml/sso"))
        .form(&[
            ("SAMLRequest", STANDARD.encode(&passive)),
            ("RelayState", relay.to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303);
    let get = location(&posted);
    assert!(get.starts_with("/saml/sso?SAMLRequest="), "{get}");
    let r = env.http.get(env.url(&get)).send().await.unwrap();
    assert_no_passive(r, relay).await;

    // Forced: the session from before the request does not answer it.
    let forced = deflated(made_now("ForceAuthn=\"true\"").as_bytes());
    let forced_query = [("SAMLRequest", forced.as_str()), ("RelayState", relay)];
    let r = sso_get(&env, Some(&old_session), &forced_query).await;
    assert_eq!(r.status(), 303);
    let next = next_of(&location(&r));
    let signed_in_at = badgein_portal::Clock::now_ms(&env.clock);
    let new_session = crate::harness::login_back_to(&env, "mrsk", PASSWORD, &next).await;
    env.clock.advance(std::time::Duration::from_secs(5));
    let r = env
        .http
        .get(env.url(&next))
        .header("cookie", &new_session)
        .send()
        .await
        .unwrap();
    let (xml, html) = verified_response(r, &meta.cert).await;
    assert_eq!(hidden(&html, "RelayState").as_deref(), Some(relay));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(
        attribute_of(&doc, "AuthnStatement", "AuthnInstant"),
        Some(rfc3339(signed_in_at).as_str())
    );
    // The old session still does not answer it; with IsPassive too, the app is told so.
    let r = sso_get(&env, Some(&old_session), &forced_query).await;
    assert_eq!(r.status(), 303);
    let both = deflated(made_now("ForceAuthn=\"true\" IsPassive=\"true\"").as_bytes());
    let r = sso_get(
        &env,
        Some(&old_session),
        &[("SAMLRequest", both.as_str()), ("RelayState", relay)],
    )
    .await;
    assert_no_passive(r, relay).await;
}

#[tokio::test]
async fn passive_and_forced_requests() {
    run(passive_and_forced_requests_body).await;
}

async fn login_next_never_leaves_for_elsewhere_body(env: Env) {
    saml_setup(&env).await;
    let huge = format!("/saml/sso?SAMLRequest={}", "a".repeat(9000));
    for next in [
        "https://evil.example/saml/sso?SAMLRequest=x",
        "//evil.example/saml/sso?SAMLRequest=x",
        "/\\evil.example/saml/sso?x",
        "/saml/sso?x=\\y",
        "/%2f%2fevil.example/saml/sso?x",
        "/%5csaml/sso?x",
        "/%6Cogin?next=/saml/sso",
        huge.as_str(),
    ] {
        let page = env
            .http
            .get(env.url("/login"))
            .query(&[("next", next)])
            .send()
            .await
            .unwrap();
        assert!(
            !page.text().await.unwrap().contains("name=\"next\""),
            "{next:?}"
        );
        let r = env
            .http
            .post(env.url("/login"))
            .form(&[("username", "mrsk"), ("password", PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next:?}");
        assert_eq!(location(&r), "/", "{next:?}");
    }
}

#[tokio::test]
async fn login_next_never_leaves_for_elsewhere() {
    run(login_next_never_leaves_for_elsewhere_body).await;
}

/// The emailAddress NameID when the request asks for it and the roster has the address (Kim);
/// asked without one (Maya): an error page in her language, audited, nothing signed. The
/// `email` attribute whenever there is an address.
async fn the_email_name_id_when_asked_and_known_body(env: Env) {
    let kim = saml_setup(&env).await;
    let meta = metadata(&env).await;
    let policy = format!("<samlp:NameIDPolicy AllowCreate=\"true\" Format=\"{EMAIL_FORMAT}\"/>");
    let asking = deflated(authn_request_with(SP, "", &policy).as_bytes());
    let r = sso_get(&env, Some(&kim), &[("SAMLRequest", &asking)]).await;
    let (xml, _) = verified_response(r, &meta.cert).await;
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let name_id = doc
        .descendants()
        .find(|n| n.tag_name().name() == "NameID")
        .unwrap();
    assert_eq!(name_id.attribute("Format"), Some(EMAIL_FORMAT));
    assert_eq!(name_id.text(), Some("kim.kowalski@maple.example"));
    let email = doc
        .descendants()
        .find(|n| n.attribute("Name") == Some("email"))
        .and_then(|n| n.first_element_child())
        .and_then(|n| n.text());
    assert_eq!(email, Some("kim.kowalski@maple.example"));

    // Not asked: the persistent NameID, the address as an attribute.
    let plain = deflated(authn_request(SP, "").as_bytes());
    let r = sso_get(&env, Some(&kim), &[("SAMLRequest", &plain)]).await;
    let (xml, _) = verified_response(r, &meta.cert).await;
    assert!(xml.contains("nameid-format:persistent"), "{xml}");
    assert!(xml.contains(">kim.kowalski@maple.example<"), "{xml}");

    // Maya (Spanish) has no address: asked for one, a page, nothing signed, audited.
    let maya = login(&env, "maya", PASSWORD).await;
    let r = sso_get(&env, Some(&maya), &[("SAMLRequest", &asking)]).await;
    assert_eq!(r.status(), 403);
    let html = r.text().await.unwrap();
    assert!(!html.contains("SAMLResponse"), "{html}");
    assert!(html.contains("lang=\"es\""), "{html}");
    assert!(html.contains("correo electrónico"), "{html}");
    let audit = env.portal().audit_log().await.unwrap();
    assert!(audit.iter().any(|e| e.action == "saml.sso"
        && e.result == "refused"
        && e.user_id.as_ref().map(|u| u.as_str()) == Some("u1")));
    // Not asked, no address: the persistent NameID and no `email` attribute.
    let r = sso_get(&env, Some(&maya), &[("SAMLRequest", &plain)]).await;
    let (xml, html) = verified_response(r, &meta.cert).await;
    assert!(!xml.contains("Name=\"email\""), "{xml}");
    // The form page is in her language too.
    assert!(html.contains("Continuar"), "{html}");
}

#[tokio::test]
async fn the_email_name_id_when_asked_and_known() {
    run(the_email_name_id_when_asked_and_known_body).await;
}

/// IdP-initiated: the dashboard's tile of a SAML app signs the user in to it, with a response
/// that answers no request; every way to misuse the link is refused and signs nothing.
async fn the_dashboard_tile_signs_in_to_a_saml_app_body(env: Env) {
    let cookie = saml_setup(&env).await;
    let meta = metadata(&env).await;
    let apps = env.portal().apps().await.unwrap();
    let service = apps.iter().find(|a| a.name == "Service").unwrap();
    let launch = format!("/saml/launch/{}", service.id);
    let dashboard = crate::harness::get(&env, &cookie, "/")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        dashboard.contains(&format!("href=\"{launch}\"")),
        "{dashboard}"
    );
    let r = crate::harness::get(&env, &cookie, &launch).await;
    let (xml, html) = verified_response(r, &meta.cert).await;
    assert!(html.contains(&format!("action=\"{ACS}\"")), "{html}");
    assert!(hidden(&html, "RelayState").is_none());
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.root_element().attribute("Destination"), Some(ACS));
    assert!(
        !xml.contains("InResponseTo"),
        "an unsolicited response answers no request: {xml}"
    );
    assert_eq!(
        attribute_of(&doc, "SubjectConfirmationData", "Recipient"),
        Some(ACS)
    );
    let audit = env.portal().audit_log().await.unwrap();
    assert!(audit.iter().any(|e| e.action == "saml.sso"
        && e.result == "ok"
        && e.detail.as_deref() == Some(&format!("app {} from the dashboard", service.id))));

    // Misuse: an unknown app, an app that is no SAML app, a huge id: not found; an app of
    // another school: refused; no session: to the login page. Nothing signed.
    let oidc = env
        .portal()
        .add_app(&AppRequest {
            name: "Reader".into(),
            url: "https://reader.example/".into(),
            oidc_redirects: vec!["https://reader.example/cb".into()],
            ..AppRequest::default()
        })
        .await
        .unwrap();
    let elsewhere = env
        .portal()
        .add_app(&AppRequest {
            name: "Elsewhere".into(),
            url: "https://else.example/".into(),
            schools: vec!["s2".into()],
            saml_entity_id: Some("https://else.example/saml".into()),
            saml_acs: Some("https://else.example/acs".into()),
            ..AppRequest::default()
        })
        .await
        .unwrap();
    let huge = "a".repeat(5000);
    for (path, status) in [
        ("/saml/launch/app-nope".to_owned(), 404),
        (format!("/saml/launch/{}", oidc.app_id), 404),
        (format!("/saml/launch/{huge}"), 404),
        (format!("/saml/launch/{}", elsewhere.app_id), 403),
    ] {
        let r = crate::harness::get(&env, &cookie, &path).await;
        assert_eq!(r.status(), status, "{path:.60} {}", env.backend);
        assert!(!r.text().await.unwrap().contains("SAMLResponse"));
    }
    let r = env.http.get(env.url(&launch)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        location(&r),
        format!("/login?next=%2Fsaml%2Flaunch%2F{}", service.id)
    );
    let signed = env
        .portal()
        .audit_log()
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "saml.sso" && e.result == "ok")
        .count();
    assert_eq!(signed, 1);
}

#[tokio::test]
async fn the_dashboard_tile_signs_in_to_a_saml_app() {
    run(the_dashboard_tile_signs_in_to_a_saml_app_body).await;
}
