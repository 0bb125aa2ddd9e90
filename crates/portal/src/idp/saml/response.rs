//! The signed SAML 2.0 `Response` the identity provider sends to an app's assertion consumer
//! service (Web Browser SSO profile, HTTP-POST binding): one `Assertion`, signed with an
//! enveloped XML signature (RSA-SHA256, exclusive C14N, SHA-256 digest, the certificate in
//! `KeyInfo`). The `Response` itself is not signed: every SP we target accepts a signed
//! assertion, and the assertion is what carries the user.
//!
//! Pure: the caller gives the time, the key, the certificate, the app and the user; nothing
//! here reads a clock, a database or a request. The document is written canonical by
//! [`super::xml`], so the digest is over its own bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::sha2::{Digest as _, Sha256};

use super::cert::IdpCertificate;
use super::xml::Writer;
use crate::clock::{Millis, rfc3339};
use crate::idp::KeyError;
use crate::idp::rsa_key::RsaKey;

/// How long an assertion may be used: its `Conditions` and its bearer confirmation end this
/// long after it is issued. An app consumes it at once (the browser posts it on arrival).
pub const ASSERTION_LIFETIME_MS: Millis = 5 * 60 * 1000;

pub mod ns {
    pub const PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
    pub const ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
    pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
    pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
    pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
    pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
    pub const PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
    pub const EMAIL_ADDRESS: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
    pub const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
    pub const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
    pub const RESPONDER: &str = "urn:oasis:names:tc:SAML:2.0:status:Responder";
    pub const NO_PASSIVE: &str = "urn:oasis:names:tc:SAML:2.0:status:NoPassive";
    pub const BASIC: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic";
    pub const UNSPECIFIED_CONTEXT: &str = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified";
}

/// The attribute names, the same as the OpenID Connect claims that carry the same facts
/// (docs/identity-provider.md lists them).
pub mod attr {
    pub const GIVEN_NAME: &str = "given_name";
    pub const FAMILY_NAME: &str = "family_name";
    pub const NAME: &str = "name";
    pub const ROLES: &str = "roles";
    pub const SCHOOL: &str = "school";
    pub const EMAIL: &str = "email";
    pub const GRADE: &str = "grade";
}

/// Who signed in, as the assertion releases them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person<'a> {
    /// The portal's user id: never released, only hashed into the NameID.
    pub user_id: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub display_name: &'a str,
    pub roles: &'a [&'a str],
    pub school: Option<&'a str>,
    /// The roster's address, when it has one: the `email` attribute.
    pub email: Option<&'a str>,
    /// The roster's grade (`PK`, `K`, `1` .. `12`), when it has one: the `grade` attribute.
    pub grade: Option<&'a str>,
}

/// The `NameID` the app gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameId<'a> {
    /// [`persistent_id`]: opaque, per app.
    Persistent,
    /// The user's address (`emailAddress` format), for apps that match people by it.
    Email(&'a str),
}

/// Everything one response is made of.
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    /// Our entity id (the public URL + `/saml/metadata`): both `Issuer`s.
    pub idp_entity_id: &'a str,
    /// The app's entity id: the `Audience` and the NameID's `SPNameQualifier`.
    pub sp_entity_id: &'a str,
    /// The app's registered assertion consumer service: `Destination` and `Recipient`.
    pub acs: &'a str,
    /// The `AuthnRequest` ID when the app asked (SP-initiated); `None` when IdP-initiated.
    pub in_response_to: Option<&'a str>,
    pub person: Person<'a>,
    pub name_id: NameId<'a>,
    /// When the user signed in to the portal.
    pub authn_instant: Millis,
    /// The portal session, opaque to the app (for its logout requests).
    pub session_index: &'a str,
    pub now: Millis,
}

/// A signed response, ready for the HTTP-POST binding.
#[derive(Debug, Clone)]
pub struct SignedResponse {
    pub xml: String,
    pub response_id: String,
    pub assertion_id: String,
}

impl SignedResponse {
    /// The `SAMLResponse` form value: base64 of the XML.
    pub fn base64(&self) -> String {
        STANDARD.encode(self.xml.as_bytes())
    }
}

/// The persistent NameID of a user at an app: SHA-256 over the app's entity id and the user id,
/// hex. Stable for the pair, different at every app (apps cannot join their records on it) and
/// not the user id.
pub fn persistent_id(sp_entity_id: &str, user_id: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"badgein saml nameid\0");
    hash.update(sp_entity_id.as_bytes());
    hash.update(b"\0");
    hash.update(user_id.as_bytes());
    hex(&hash.finalize())
}

/// Builds and signs the response.
pub fn build(
    grant: &Grant<'_>,
    key: &RsaKey,
    cert: &IdpCertificate,
) -> Result<SignedResponse, KeyError> {
    let response_id = new_id()?;
    let assertion_id = new_id()?;
    let now = rfc3339(grant.now);
    let until = rfc3339(grant.now + ASSERTION_LIFETIME_MS);

    // The assertion in two parts: up to its Issuer, where the signature goes (schema order),
    // and the rest.
    let mut head = Writer::new();
    head.open(
        "saml:Assertion",
        &[("saml", ns::ASSERTION)],
        &[
            ("ID", &assertion_id),
            ("IssueInstant", &now),
            ("Version", "2.0"),
        ],
    );
    head.leaf("saml:Issuer", &[], grant.idp_entity_id);
    let head = head.finish();

    let mut tail = Writer::new();
    tail.open("saml:Subject", &[], &[]);
    match grant.name_id {
        NameId::Persistent => tail.leaf(
            "saml:NameID",
            &[
                ("Format", ns::PERSISTENT),
                ("NameQualifier", grant.idp_entity_id),
                ("SPNameQualifier", grant.sp_entity_id),
            ],
            &persistent_id(grant.sp_entity_id, grant.person.user_id),
        ),
        NameId::Email(address) => {
            tail.leaf("saml:NameID", &[("Format", ns::EMAIL_ADDRESS)], address);
        }
    }
    tail.open("saml:SubjectConfirmation", &[], &[("Method", ns::BEARER)]);
    let mut data = vec![("NotOnOrAfter", until.as_str()), ("Recipient", grant.acs)];
    if let Some(id) = grant.in_response_to {
        data.push(("InResponseTo", id));
    }
    tail.leaf("saml:SubjectConfirmationData", &data, "");
    tail.close("saml:SubjectConfirmation");
    tail.close("saml:Subject");

    tail.open(
        "saml:Conditions",
        &[],
        &[("NotBefore", &now), ("NotOnOrAfter", &until)],
    );
    tail.open("saml:AudienceRestriction", &[], &[]);
    tail.leaf("saml:Audience", &[], grant.sp_entity_id);
    tail.close("saml:AudienceRestriction");
    tail.close("saml:Conditions");

    tail.open(
        "saml:AuthnStatement",
        &[],
        &[
            ("AuthnInstant", &rfc3339(grant.authn_instant)),
            ("SessionIndex", grant.session_index),
        ],
    );
    tail.open("saml:AuthnContext", &[], &[]);
    tail.leaf("saml:AuthnContextClassRef", &[], ns::UNSPECIFIED_CONTEXT);
    tail.close("saml:AuthnContext");
    tail.close("saml:AuthnStatement");

    let person = &grant.person;
    tail.open("saml:AttributeStatement", &[], &[]);
    attribute(&mut tail, attr::GIVEN_NAME, &[person.given_name]);
    attribute(&mut tail, attr::FAMILY_NAME, &[person.family_name]);
    attribute(&mut tail, attr::NAME, &[person.display_name]);
    attribute(&mut tail, attr::ROLES, person.roles);
    if let Some(school) = person.school {
        attribute(&mut tail, attr::SCHOOL, &[school]);
    }
    if let Some(email) = person.email {
        attribute(&mut tail, attr::EMAIL, &[email]);
    }
    if let Some(grade) = person.grade {
        attribute(&mut tail, attr::GRADE, &[grade]);
    }
    tail.close("saml:AttributeStatement");
    tail.close("saml:Assertion");
    let tail = tail.finish();

    // The enveloped-signature transform takes the Signature out again, so the digest is over
    // the assertion without it: head + tail, already canonical.
    let digest = STANDARD.encode(
        Sha256::new()
            .chain_update(&head)
            .chain_update(&tail)
            .finalize(),
    );
    let signed_info = signed_info(&assertion_id, &digest);
    let signature_value = STANDARD.encode(key.sign(signed_info.as_bytes())?);

    let mut w = Writer::new();
    w.open(
        "samlp:Response",
        &[("samlp", ns::PROTOCOL), ("saml", ns::ASSERTION)],
        &with_in_response_to(
            vec![
                ("Destination", grant.acs),
                ("ID", &response_id),
                ("IssueInstant", &now),
                ("Version", "2.0"),
            ],
            grant.in_response_to,
        ),
    );
    w.leaf("saml:Issuer", &[], grant.idp_entity_id);
    w.open("samlp:Status", &[], &[]);
    w.leaf("samlp:StatusCode", &[("Value", ns::SUCCESS)], "");
    w.close("samlp:Status");
    w.raw(&head);
    w.open("ds:Signature", &[("ds", ns::DSIG)], &[]);
    // Canonical as it stands: it carries its own xmlns:ds (redundant here, and exactly what
    // exclusive C14N of the SignedInfo subtree emits).
    w.raw(&signed_info);
    w.leaf("ds:SignatureValue", &[], &signature_value);
    w.open("ds:KeyInfo", &[], &[]);
    w.open("ds:X509Data", &[], &[]);
    w.leaf("ds:X509Certificate", &[], &cert.base64());
    w.close("ds:X509Data");
    w.close("ds:KeyInfo");
    w.close("ds:Signature");
    w.raw(&tail);
    w.close("samlp:Response");

    Ok(SignedResponse {
        xml: w.finish(),
        response_id,
        assertion_id,
    })
}

/// The answer to a request the identity provider cannot grant without the user, which asked
/// it not to interact with them (`IsPassive`, and nobody signed in who answers it): a
/// `Response` with the status `Responder` / `NoPassive` (SAML Core 3.2.2.2) and no assertion,
/// in answer to request `in_response_to`, for the app's registered ACS; base64, as the form's
/// `SAMLResponse`.
///
/// Not signed: it releases nothing and grants nothing, and an app treats it as a failed
/// sign-in whoever sent it, which anyone can cause by not signing in.
pub fn no_passive(
    idp_entity_id: &str,
    acs: &str,
    in_response_to: &str,
    now: Millis,
) -> Result<String, KeyError> {
    let response_id = new_id()?;
    let now = rfc3339(now);
    let mut w = Writer::new();
    w.open(
        "samlp:Response",
        &[("samlp", ns::PROTOCOL), ("saml", ns::ASSERTION)],
        &[
            ("Destination", acs),
            ("ID", &response_id),
            ("InResponseTo", in_response_to),
            ("IssueInstant", &now),
            ("Version", "2.0"),
        ],
    );
    w.leaf("saml:Issuer", &[], idp_entity_id);
    w.open("samlp:Status", &[], &[]);
    w.open("samlp:StatusCode", &[], &[("Value", ns::RESPONDER)]);
    w.leaf("samlp:StatusCode", &[("Value", ns::NO_PASSIVE)], "");
    w.close("samlp:StatusCode");
    w.close("samlp:Status");
    w.close("samlp:Response");
    Ok(STANDARD.encode(w.finish()))
}

fn with_in_response_to<'a>(
    mut attrs: Vec<(&'a str, &'a str)>,
    in_response_to: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    if let Some(id) = in_response_to {
        attrs.push(("InResponseTo", id));
    }
    attrs
}

/// An attribute with one value per entry, as plain text (no `xsi:type`: exclusive C14N would
/// not carry the `xs` prefix that only an attribute value uses).
fn attribute(w: &mut Writer, name: &str, values: &[&str]) {
    w.open(
        "saml:Attribute",
        &[],
        &[("Name", name), ("NameFormat", ns::BASIC)],
    );
    for value in values {
        w.leaf("saml:AttributeValue", &[], value);
    }
    w.close("saml:Attribute");
}

/// The canonical `ds:SignedInfo` over the assertion `id` with `digest` (base64).
fn signed_info(id: &str, digest: &str) -> String {
    let reference = format!("#{id}");
    let mut w = Writer::new();
    w.open("ds:SignedInfo", &[("ds", ns::DSIG)], &[]);
    w.leaf(
        "ds:CanonicalizationMethod",
        &[("Algorithm", ns::EXC_C14N)],
        "",
    );
    w.leaf("ds:SignatureMethod", &[("Algorithm", ns::RSA_SHA256)], "");
    w.open("ds:Reference", &[], &[("URI", &reference)]);
    w.open("ds:Transforms", &[], &[]);
    w.leaf("ds:Transform", &[("Algorithm", ns::ENVELOPED)], "");
    w.leaf("ds:Transform", &[("Algorithm", ns::EXC_C14N)], "");
    w.close("ds:Transforms");
    w.leaf("ds:DigestMethod", &[("Algorithm", ns::SHA256)], "");
    w.leaf("ds:DigestValue", &[], digest);
    w.close("ds:Reference");
    w.close("ds:SignedInfo");
    w.finish()
}

/// A fresh ID: `_` and 32 hex digits (an NCName: it may not start with a digit).
fn new_id() -> Result<String, KeyError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(KeyError::Random)?;
    Ok(format!("_{}", hex(&bytes)))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests;
