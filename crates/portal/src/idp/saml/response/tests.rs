//! The signed response, checked by libxmlsec1's `xmlsec1 --verify` (apt `xmlsec1`, installed by
//! scripts/setup): it parses and canonicalizes with its own code, so a canonicalization or
//! signing mistake of ours cannot pass because the verifier shares it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use super::*;

const IDP: &str = "https://portal.example.org/saml/metadata";
const SP: &str = "https://sp.example.com/saml";
const ACS: &str = "https://sp.example.com/saml/acs?tenant=a&x=1";
const NOW: Millis = 1_796_000_000_000;

fn new_key() -> RsaKey {
    let key = rsa::PrivateKey::new(&mut getrandom_rng::SysRng, 2048).unwrap();
    let kid = format!("test-{}", new_id().unwrap());
    RsaKey::new(kid, NOW - 86_400_000, key).unwrap()
}

/// One key and certificate for the whole module (RSA key generation takes a while).
fn key() -> &'static (RsaKey, IdpCertificate) {
    static KEY: OnceLock<(RsaKey, IdpCertificate)> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = new_key();
        let cert = IdpCertificate::for_key(&key, "portal.example.org").unwrap();
        (key, cert)
    })
}

const ROLES: &[&str] = &["teacher", "staff"];

fn grant(in_response_to: Option<&'static str>) -> Grant<'static> {
    Grant {
        idp_entity_id: IDP,
        sp_entity_id: SP,
        acs: ACS,
        in_response_to,
        person: Person {
            user_id: "u-42",
            given_name: "Ada",
            family_name: "Lovelace",
            display_name: "Ada Lovelace",
            roles: ROLES,
            school: Some("Northfield Primary"),
            email: None,
            grade: Some("3"),
        },
        name_id: NameId::Persistent,
        authn_instant: NOW - 60_000,
        session_index: "_sess1",
        now: NOW,
    }
}

fn signed(grant: &Grant<'_>) -> SignedResponse {
    let (key, cert) = key();
    build(grant, key, cert).unwrap()
}

/// A fresh scratch directory.
fn scratch() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "badgein-saml-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether `xmlsec1` verifies the assertion's signature of `xml` with `cert`.
fn xmlsec1_verifies(xml: &str, cert: &IdpCertificate) -> bool {
    let dir = scratch();
    std::fs::write(dir.join("response.xml"), xml).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    let out = Command::new("xmlsec1")
        .arg("--verify")
        .arg("--pubkey-cert-pem")
        .arg(dir.join("cert.pem"))
        .args([
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        ])
        .arg(dir.join("response.xml"))
        .output()
        .expect("xmlsec1 runs (apt package xmlsec1: run scripts/setup)");
    std::fs::remove_dir_all(&dir).unwrap();
    out.status.success()
}

#[test]
fn xmlsec1_verifies_the_assertion() {
    for grant in [grant(Some("_req-1")), grant(None)] {
        let response = signed(&grant);
        assert!(
            xmlsec1_verifies(&response.xml, &key().1),
            "{}",
            response.xml
        );
    }
}

#[test]
fn hostile_values_stay_text_and_still_verify() {
    let mut g = grant(Some("_r\"<&>"));
    let given = "Ad<a>&amp; \"q\" 'x' ]]> \r\n\t\u{1}\u{7f}é😀";
    g.person.given_name = given;
    g.person.family_name = "</saml:AttributeValue><saml:AttributeValue>admin";
    g.person.school = Some("<!DOCTYPE x [<!ENTITY e \"boom\">]>&e;");
    let roles = ["a\"b", "c\td\ne"];
    g.person.roles = &roles;
    let response = signed(&g);
    assert!(
        xmlsec1_verifies(&response.xml, &key().1),
        "{}",
        response.xml
    );

    let doc = roxmltree::Document::parse(&response.xml).unwrap();
    let values = |name: &str| -> Vec<String> {
        doc.descendants()
            .filter(|n| {
                n.has_tag_name((ns::ASSERTION, "Attribute")) && n.attribute("Name") == Some(name)
            })
            .flat_map(|n| n.children().filter(|c| c.is_element()))
            .map(|v| v.text().unwrap_or_default().to_owned())
            .collect()
    };
    // The one character XML cannot carry (U+0001) is dropped; the rest comes back as it went.
    assert_eq!(
        values(attr::GIVEN_NAME),
        ["Ad<a>&amp; \"q\" 'x' ]]> \r\n\t\u{7f}é😀"]
    );
    assert_eq!(
        values(attr::FAMILY_NAME),
        ["</saml:AttributeValue><saml:AttributeValue>admin"]
    );
    assert_eq!(values(attr::ROLES), ["a\"b", "c\td\ne"]);
    assert_eq!(
        values(attr::SCHOOL),
        ["<!DOCTYPE x [<!ENTITY e \"boom\">]>&e;"]
    );
}

#[test]
fn a_changed_attribute_or_name_id_does_not_verify() {
    let response = signed(&grant(Some("_req-1")));
    let cert = &key().1;
    let name_id = persistent_id(SP, "u-42");
    let other_id = persistent_id(SP, "u-43");
    for (from, to) in [
        (">Ada<", ">Eve<"),
        (">teacher<", ">admin<"),
        (name_id.as_str(), other_id.as_str()),
        (SP, "https://evil.example.com/saml"),
        (
            "Version=\"2.0\"><saml:Issuer",
            "Version=\"2.0\" ><saml:Issuer",
        ),
    ] {
        assert!(response.xml.contains(from), "{from}");
        let forged = response.xml.replacen(from, to, 2);
        // The harmless whitespace change in a start tag keeps the canonical form: it verifies.
        let harmless = to.ends_with(" ><saml:Issuer");
        assert_eq!(xmlsec1_verifies(&forged, cert), harmless, "{from} -> {to}");
    }
}

#[test]
fn another_keys_certificate_does_not_verify() {
    let response = signed(&grant(None));
    let other = new_key();
    let other_cert = IdpCertificate::for_key(&other, "portal.example.org").unwrap();
    assert!(!xmlsec1_verifies(&response.xml, &other_cert));
}

#[test]
fn the_response_says_who_for_whom_and_until_when() {
    let response = signed(&grant(Some("_req-1")));
    let doc = roxmltree::Document::parse(&response.xml).unwrap();
    let root = doc.root_element();
    assert!(root.has_tag_name((ns::PROTOCOL, "Response")));
    assert_eq!(root.attribute("Destination"), Some(ACS));
    assert_eq!(root.attribute("InResponseTo"), Some("_req-1"));
    assert_eq!(root.attribute("ID"), Some(response.response_id.as_str()));
    let find = |name: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name((ns::ASSERTION, name)))
            .unwrap()
    };
    assert_eq!(
        find("Assertion").attribute("ID"),
        Some(response.assertion_id.as_str())
    );
    assert_ne!(response.assertion_id, response.response_id);
    assert_eq!(find("Issuer").text(), Some(IDP));
    assert_eq!(find("Audience").text(), Some(SP));
    let name_id = find("NameID");
    assert_eq!(name_id.attribute("Format"), Some(ns::PERSISTENT));
    assert_eq!(name_id.text(), Some(persistent_id(SP, "u-42").as_str()));
    assert!(
        !response.xml.contains("u-42"),
        "the user id is not released"
    );
    let data = find("SubjectConfirmationData");
    assert_eq!(data.attribute("Recipient"), Some(ACS));
    assert_eq!(data.attribute("InResponseTo"), Some("_req-1"));
    assert_eq!(
        data.attribute("NotOnOrAfter"),
        Some(rfc3339(NOW + 300_000).as_str())
    );
    let conditions = find("Conditions");
    assert_eq!(
        conditions.attribute("NotBefore"),
        Some(rfc3339(NOW).as_str())
    );
    assert_eq!(
        conditions.attribute("NotOnOrAfter"),
        Some(rfc3339(NOW + 300_000).as_str())
    );
    let authn = find("AuthnStatement");
    assert_eq!(
        authn.attribute("AuthnInstant"),
        Some(rfc3339(NOW - 60_000).as_str())
    );
    assert_eq!(authn.attribute("SessionIndex"), Some("_sess1"));
    assert!(!response.xml.contains("xsi:type"));
    // base64 of the XML, for the POST binding.
    assert_eq!(
        STANDARD.decode(response.base64()).unwrap(),
        response.xml.as_bytes()
    );

    // IdP-initiated: no InResponseTo anywhere.
    let unsolicited = signed(&grant(None));
    assert!(!unsolicited.xml.contains("InResponseTo"));
}

#[test]
fn name_ids_are_per_app_and_stable() {
    assert_eq!(persistent_id(SP, "u-1"), persistent_id(SP, "u-1"));
    assert_ne!(
        persistent_id(SP, "u-1"),
        persistent_id("https://other", "u-1")
    );
    assert_ne!(persistent_id(SP, "u-1"), persistent_id(SP, "u-2"));
    // No ambiguity from where one field ends.
    assert_ne!(persistent_id("a", "bc"), persistent_id("ab", "c"));
    assert_eq!(persistent_id(SP, "u-1").len(), 64);
}

#[test]
fn the_certificate_cache_makes_each_key_and_hosts_own_certificate() {
    use crate::idp::saml::cert::CertificateCache;
    let (key, cert) = key();
    let cache = CertificateCache::default();
    for _ in 0..2 {
        assert_eq!(&cache.for_key(key, "portal.example.org").unwrap(), cert);
    }
    assert_ne!(&cache.for_key(key, "other.example.org").unwrap(), cert);
    // A rotation: the new key's certificate, then the old key's again.
    let other = new_key();
    assert_eq!(
        cache.for_key(&other, "portal.example.org").unwrap(),
        IdpCertificate::for_key(&other, "portal.example.org").unwrap()
    );
    assert_eq!(&cache.for_key(key, "portal.example.org").unwrap(), cert);
}

#[test]
fn the_certificate_is_deterministic_and_names_the_host() {
    let (key, cert) = key();
    assert_eq!(
        &IdpCertificate::for_key(key, "portal.example.org").unwrap(),
        cert
    );
    assert_ne!(
        &IdpCertificate::for_key(key, "other.example.org").unwrap(),
        cert
    );
    // openssl reads it (another X.509 implementation than rcgen's writer).
    let dir = scratch();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    let out = Command::new("openssl")
        .args([
            "x509",
            "-noout",
            "-subject",
            "-startdate",
            "-enddate",
            "-in",
        ])
        .arg(dir.join("cert.pem"))
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("CN = portal.example.org"), "{text}");
    // Made a day before NOW (2026-11-30); ten years on.
    assert!(text.contains("notBefore=Nov 29"), "{text}");
    assert!(text.contains("2036 GMT"), "{text}");
}

#[test]
fn debug_shows_no_key_material() {
    let (key, cert) = key();
    let shown = format!("{key:?} {cert:?}");
    assert!(shown.contains(key.kid()));
    assert!(shown.len() < 200, "{shown}");
}

#[test]
fn an_email_name_id_and_attribute_are_signed_too() {
    let mut g = grant(Some("_req-1"));
    g.person.email = Some("ada@northfield.example");
    g.name_id = NameId::Email("ada@northfield.example");
    let response = signed(&g);
    assert!(xmlsec1_verifies(&response.xml, &key().1));
    let doc = roxmltree::Document::parse(&response.xml).unwrap();
    let name_id = doc
        .descendants()
        .find(|n| n.has_tag_name((ns::ASSERTION, "NameID")))
        .unwrap();
    assert_eq!(name_id.attribute("Format"), Some(ns::EMAIL_ADDRESS));
    assert_eq!(name_id.text(), Some("ada@northfield.example"));
    assert_eq!(name_id.attribute("SPNameQualifier"), None);
    let email = doc
        .descendants()
        .find(|n| n.attribute("Name") == Some(attr::EMAIL))
        .unwrap();
    assert_eq!(
        email.first_element_child().and_then(|v| v.text()),
        Some("ada@northfield.example")
    );
    // Another address put in after signing does not verify.
    let forged = response
        .xml
        .replace(">ada@northfield.example<", ">eve@northfield.example<");
    assert!(!xmlsec1_verifies(&forged, &key().1));

    // Without an address: no `email` attribute.
    assert!(!signed(&grant(None)).xml.contains("Name=\"email\""));
}
