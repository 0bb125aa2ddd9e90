//! The identity provider's SAML metadata (`md:EntityDescriptor` with an `IDPSSODescriptor`),
//! served at [`paths::METADATA`], whose URL is also our entity id. Apps (and their admins)
//! take from it the entity id, the SSO URL and the signing certificate.

use super::cert::IdpCertificate;
use super::response::ns;
use super::xml::Writer;

/// Where the SAML endpoints are, below the portal's public URL.
pub mod paths {
    pub const METADATA: &str = "/saml/metadata";
    pub const SSO: &str = "/saml/sso";
}

/// Its media type (RFC 7580 is for JRD; SAML metadata's registered type is this one).
pub const CONTENT_TYPE: &str = "application/samlmetadata+xml";

const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

/// Our entity id: the metadata URL.
pub fn entity_id(base_url: &str) -> String {
    format!("{}{}", base_url.trim_end_matches('/'), paths::METADATA)
}

/// The SSO endpoint's URL.
pub fn sso_url(base_url: &str) -> String {
    format!("{}{}", base_url.trim_end_matches('/'), paths::SSO)
}

/// The metadata document for the portal at `base_url`, signing with `cert`.
pub fn document(base_url: &str, cert: &IdpCertificate) -> String {
    let entity = entity_id(base_url);
    let sso = sso_url(base_url);
    let mut w = Writer::new();
    w.open(
        "md:EntityDescriptor",
        &[("md", MD), ("ds", ns::DSIG)],
        &[("entityID", &entity)],
    );
    w.open(
        "md:IDPSSODescriptor",
        &[],
        &[
            ("WantAuthnRequestsSigned", "false"),
            ("protocolSupportEnumeration", ns::PROTOCOL),
        ],
    );
    w.open("md:KeyDescriptor", &[], &[("use", "signing")]);
    w.open("ds:KeyInfo", &[], &[]);
    w.open("ds:X509Data", &[], &[]);
    w.leaf("ds:X509Certificate", &[], &cert.base64());
    w.close("ds:X509Data");
    w.close("ds:KeyInfo");
    w.close("md:KeyDescriptor");
    // Persistent by default; the address when an app asks for it (docs/identity-provider.md).
    for format in [ns::PERSISTENT, ns::EMAIL_ADDRESS] {
        w.leaf("md:NameIDFormat", &[], format);
    }
    for binding in [REDIRECT, POST] {
        w.leaf(
            "md:SingleSignOnService",
            &[("Binding", binding), ("Location", &sso)],
            "",
        );
    }
    w.close("md:IDPSSODescriptor");
    w.close("md:EntityDescriptor");
    w.finish()
}
