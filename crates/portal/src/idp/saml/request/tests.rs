use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::*;

/// An AuthnRequest shaped like the ones Google Workspace and Clever send.
const GOOD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
    xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"
    ID="_a1b2c3d4e5f6" Version="2.0" IssueInstant="2026-12-05T08:59:58Z"
    Destination="https://portal.school.example/saml/sso"
    AssertionConsumerServiceURL="https://www.google.com/a/school.example/acs"
    ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    IsPassive="false">
  <saml:Issuer>google.com/a/school.example</saml:Issuer>
  <samlp:NameIDPolicy AllowCreate="true"
      Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"/>
</samlp:AuthnRequest>"#;

fn deflate(xml: &[u8]) -> Vec<u8> {
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(xml).unwrap();
    encoder.finish().unwrap()
}

fn redirect(xml: &[u8]) -> String {
    STANDARD.encode(deflate(xml))
}

#[test]
fn a_redirect_request_reads_every_field() {
    let request = from_redirect(&redirect(GOOD.as_bytes())).unwrap();
    assert_eq!(
        request,
        AuthnRequest {
            id: "_a1b2c3d4e5f6".into(),
            issuer: "google.com/a/school.example".into(),
            issue_instant: "2026-12-05T08:59:58Z".into(),
            destination: Some("https://portal.school.example/saml/sso".into()),
            acs_url: Some("https://www.google.com/a/school.example/acs".into()),
            acs_index: None,
            protocol_binding: Some("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST".into()),
            name_id_format: Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".into()),
            force_authn: false,
            is_passive: false,
        }
    );
}

#[test]
fn a_post_request_may_be_wrapped_in_lines() {
    let encoded = STANDARD.encode(GOOD);
    let wrapped: String = encoded
        .as_bytes()
        .chunks(76)
        .map(|line| format!("{}\r\n", std::str::from_utf8(line).unwrap()))
        .collect();
    assert_eq!(from_post(&wrapped).unwrap().id, "_a1b2c3d4e5f6");
}

#[test]
fn a_minimal_request_has_defaults() {
    let xml = r#"<AuthnRequest xmlns="urn:oasis:names:tc:SAML:2.0:protocol" ID="id-1" Version="2.0" IssueInstant="2026-12-05T09:00:00Z" ForceAuthn="1" AssertionConsumerServiceIndex="3"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion"> https://clever.com/oauth/saml/metadata.xml </Issuer></AuthnRequest>"#;
    let request = parse(xml).unwrap();
    assert_eq!(request.issuer, "https://clever.com/oauth/saml/metadata.xml");
    assert_eq!(
        (request.acs_url, request.acs_index, request.force_authn),
        (None, Some(3), true)
    );
}

#[test]
fn dtds_and_entities_are_refused_before_anything_is_expanded_or_fetched() {
    let external = r#"<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0" IssueInstant="t"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">&x;</saml:Issuer></samlp:AuthnRequest>"#;
    let laughs = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"lol\">{}]><l>&j;</l>",
        (b'b'..=b'j')
            .map(|c| {
                let prev = (c - 1) as char;
                format!(
                    "<!ENTITY {} \"{}\">",
                    c as char,
                    format!("&{prev};").repeat(10)
                )
            })
            .collect::<String>()
    );
    let empty_dtd_with_entity = "<!DOCTYPE r><r>&secret;</r>";
    for xml in [external, laughs.as_str()] {
        assert_eq!(parse(xml), Err(RequestError::Dtd));
        assert_eq!(
            from_redirect(&redirect(xml.as_bytes())),
            Err(RequestError::Dtd)
        );
        assert_eq!(from_post(&STANDARD.encode(xml)), Err(RequestError::Dtd));
    }
    assert!(matches!(
        parse(empty_dtd_with_entity),
        Err(RequestError::Dtd | RequestError::Xml { .. })
    ));
}

#[test]
fn a_deflate_bomb_stops_at_the_limit() {
    // 16 MB of one byte deflates to about 16 KB, within the encoded limit; inflating stops
    // after 64 KiB + 1 bytes instead of allocating the 16 MB.
    let bomb = STANDARD.encode(deflate(&vec![b' '; 16 * 1024 * 1024]));
    assert!(bomb.len() <= MAX_ENCODED_BYTES, "{}", bomb.len());
    assert_eq!(
        from_redirect(&bomb),
        Err(RequestError::TooLarge {
            limit: MAX_XML_BYTES
        })
    );
    // Just under the limit inflates and is then read as XML.
    let padded = format!("{GOOD}{}", " ".repeat(MAX_XML_BYTES - GOOD.len()));
    assert_eq!(
        from_redirect(&redirect(padded.as_bytes())).map(|r| r.id),
        Ok("_a1b2c3d4e5f6".to_owned())
    );
}

#[test]
fn oversized_input_is_refused_before_decoding() {
    let huge = "A".repeat(MAX_ENCODED_BYTES + 4);
    let too_large = Err(RequestError::TooLarge {
        limit: MAX_ENCODED_BYTES,
    });
    assert_eq!(from_redirect(&huge), too_large);
    assert_eq!(from_post(&huge), too_large);
    let big_xml = format!("<a>{}</a>", " ".repeat(MAX_XML_BYTES));
    assert_eq!(
        parse(&big_xml),
        Err(RequestError::TooLarge {
            limit: MAX_XML_BYTES
        })
    );
}

#[test]
fn too_many_nodes_are_refused() {
    let xml = format!(
        r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">{}</samlp:AuthnRequest>"#,
        "<x/>".repeat(2_000)
    );
    assert_eq!(parse(&xml), Err(RequestError::TooManyNodes));
}

#[test]
fn broken_encodings_say_which() {
    assert_eq!(from_redirect("not base64!"), Err(RequestError::NotBase64));
    assert_eq!(
        from_redirect(&STANDARD.encode(b"plain, not deflated \xff\xfe")),
        Err(RequestError::NotDeflate)
    );
    assert_eq!(
        from_post(&STANDARD.encode(b"<a>\xff</a>")),
        Err(RequestError::NotUtf8)
    );
    assert!(matches!(
        from_post(&STANDARD.encode("<a><b></a>")),
        Err(RequestError::Xml { .. })
    ));
}

#[test]
fn other_messages_and_broken_fields_are_refused() {
    let with = |from: &str, to: &str| GOOD.replacen(from, to, 1);
    let cases = [
        (
            with("samlp:AuthnRequest xmlns", "samlp:Response xmlns")
                .replace("</samlp:AuthnRequest>", "</samlp:Response>"),
            RequestError::NotAnAuthnRequest,
        ),
        (
            with(
                "xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"",
                "xmlns:samlp=\"urn:example:not-saml\"",
            ),
            RequestError::NotAnAuthnRequest,
        ),
        (
            with("Version=\"2.0\"", "Version=\"1.1\""),
            RequestError::WrongVersion,
        ),
        (
            with("ID=\"_a1b2c3d4e5f6\" ", ""),
            RequestError::Missing("ID"),
        ),
        (
            with("ID=\"_a1b2c3d4e5f6\"", "ID=\"1abc\""),
            RequestError::Invalid("ID"),
        ),
        (
            with("ID=\"_a1b2c3d4e5f6\"", "ID=\"_a&lt;b\""),
            RequestError::Invalid("ID"),
        ),
        (
            with(
                "ID=\"_a1b2c3d4e5f6\"",
                &format!("ID=\"_{}\"", "a".repeat(300)),
            ),
            RequestError::Invalid("ID"),
        ),
        (
            with("IssueInstant=\"2026-12-05T08:59:58Z\"", ""),
            RequestError::Missing("IssueInstant"),
        ),
        (
            with("<saml:Issuer>google.com/a/school.example</saml:Issuer>", ""),
            RequestError::Missing("Issuer"),
        ),
        (
            with(
                "<saml:Issuer>google.com/a/school.example</saml:Issuer>",
                "<saml:Issuer>  </saml:Issuer>",
            ),
            RequestError::Missing("Issuer"),
        ),
        (
            with("<saml:Issuer>", "<samlp:Issuer>").replace("</saml:Issuer>", "</samlp:Issuer>"),
            RequestError::Missing("Issuer"),
        ),
        (
            with(
                "https://www.google.com/a/school.example/acs",
                &format!("https://acs.example/{}", "a".repeat(3000)),
            ),
            RequestError::Invalid("AssertionConsumerServiceURL"),
        ),
        (
            with(
                "https://www.google.com/a/school.example/acs",
                "https://acs.example/&#10;x",
            ),
            RequestError::Invalid("AssertionConsumerServiceURL"),
        ),
        (
            with("IsPassive=\"false\"", "IsPassive=\"maybe\""),
            RequestError::Invalid("IsPassive"),
        ),
        (
            with(
                "IsPassive=\"false\"",
                "AssertionConsumerServiceIndex=\"-1\"",
            ),
            RequestError::Invalid("AssertionConsumerServiceIndex"),
        ),
    ];
    for (xml, expected) in cases {
        assert_eq!(parse(&xml), Err(expected.clone()), "{expected}");
    }
}

#[test]
fn errors_never_repeat_the_input() {
    let secret = "SECRET-MARKER";
    let inputs = [
        format!("<!DOCTYPE a [<!ENTITY {secret} \"x\">]><a/>"),
        format!("<a>&{secret};</a>"),
        format!("<{secret}/>"),
        GOOD.replace("_a1b2c3d4e5f6", &format!("1{secret}")),
    ];
    for xml in inputs {
        let message = parse(&xml).unwrap_err().to_string();
        assert!(!message.contains(secret), "{message}");
    }
}

#[test]
fn relay_state_is_bounded() {
    let fine = "r".repeat(MAX_RELAY_STATE_BYTES);
    assert_eq!(relay_state(&fine), Ok(fine.as_str()));
    assert_eq!(
        relay_state(&"r".repeat(100 * 1024)),
        Err(RequestError::RelayStateTooLong)
    );
}

#[test]
fn random_and_mutated_input_never_panics() {
    // A fixed xorshift: the same inputs every run, so a failure is reproducible.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let good = GOOD.as_bytes();
    for round in 0..3_000 {
        let bytes: Vec<u8> = if round % 2 == 0 {
            (0..(next() % 512)).map(|_| next() as u8).collect()
        } else {
            let mut mutated = good.to_vec();
            for _ in 0..(1 + next() % 8) {
                let at = (next() as usize) % mutated.len();
                mutated[at] = next() as u8;
            }
            mutated
        };
        let _ = parse_bytes(&bytes);
        let _ = from_post(&STANDARD.encode(&bytes));
        let _ = from_redirect(&STANDARD.encode(deflate(&bytes)));
        let _ = from_redirect(&STANDARD.encode(&bytes));
    }
}

#[test]
fn a_post_request_becomes_the_same_redirect_request() {
    let posted = STANDARD.encode(GOOD);
    let redirect = post_to_redirect(&posted).unwrap();
    assert_eq!(from_redirect(&redirect), from_post(&posted));
    assert!(from_redirect(&redirect).is_ok());
    // Deflated: smaller than the XML it carries.
    assert!(redirect.len() < posted.len());
    assert_eq!(post_to_redirect("%%%"), Err(RequestError::NotBase64));
    assert_eq!(
        post_to_redirect(&"A".repeat(MAX_ENCODED_BYTES + 4)),
        Err(RequestError::TooLarge {
            limit: MAX_ENCODED_BYTES
        })
    );
}
