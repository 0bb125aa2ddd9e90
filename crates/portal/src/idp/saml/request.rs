//! A SAML 2.0 `AuthnRequest` as a service provider sends it (SAML Bindings 3.4 HTTP-Redirect:
//! raw DEFLATE, then base64, in the `SAMLRequest` query parameter; 3.5 HTTP-POST: base64 in a
//! form field), decoded and read with every limit an attacker would probe:
//! - the encoded text and the inflated XML are size-limited, and inflating stops at the limit,
//!   so a deflate bomb costs at most [`MAX_XML_BYTES`] of work and memory;
//! - no DTD (so no entities, internal or external: nothing is ever fetched or expanded) and a
//!   node limit, through `roxmltree`, which resolves nothing by itself;
//! - every field kept is checked and bounded; errors never repeat the input.
//!
//! Pure: no I/O and no knowledge of apps. Whether the issuer is a registered app and the ACS URL
//! one of its own is the caller's check; a request's signature is not relied on, because the
//! answer only ever goes to a registered ACS.

use std::io::Read as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use thiserror::Error;

/// The largest `SAMLRequest` value taken, encoded. Real requests are 1-4 KB.
pub const MAX_ENCODED_BYTES: usize = 32 * 1024;
/// The largest request XML taken, after inflating.
pub const MAX_XML_BYTES: usize = 64 * 1024;
/// The most XML nodes a request may have (a real one has a few dozen).
const MAX_NODES: u32 = 1_000;
/// The longest `RelayState` taken. SAML Bindings says 80 bytes, but Google and others send
/// longer opaque values, so up to 1 KiB is echoed back; more is refused.
pub const MAX_RELAY_STATE_BYTES: usize = 1024;
/// Bounds on the fields kept.
const MAX_ID_LEN: usize = 256;
const MAX_URI_LEN: usize = 2048;

const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";

/// What an `AuthnRequest` asks, as far as the identity provider needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthnRequest {
    /// The request's `ID`, answered as `InResponseTo`.
    pub id: String,
    /// The service provider's entity id (`saml:Issuer`).
    pub issuer: String,
    pub issue_instant: String,
    pub destination: Option<String>,
    /// Where the SP wants the answer; must be one of the app's registered ACS URLs.
    pub acs_url: Option<String>,
    pub acs_index: Option<u16>,
    pub protocol_binding: Option<String>,
    /// `NameIDPolicy/@Format`, when given.
    pub name_id_format: Option<String>,
    pub force_authn: bool,
    pub is_passive: bool,
}

/// Why a request was refused. The messages name the rule broken, never the input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RequestError {
    #[error("the SAML request is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the SAML request is not base64")]
    NotBase64,
    #[error("the SAML request is not DEFLATE-compressed")]
    NotDeflate,
    #[error("the SAML request is not UTF-8")]
    NotUtf8,
    #[error("the SAML request has a DTD, which is not allowed")]
    Dtd,
    #[error("the SAML request has more than {MAX_NODES} XML nodes")]
    TooManyNodes,
    #[error("the SAML request is not well-formed XML (line {line}, column {column})")]
    Xml { line: u32, column: u32 },
    #[error("the SAML message is not an AuthnRequest")]
    NotAnAuthnRequest,
    #[error("the AuthnRequest is not SAML version 2.0")]
    WrongVersion,
    #[error("the AuthnRequest has no {0}")]
    Missing(&'static str),
    #[error("the AuthnRequest's {0} is not valid")]
    Invalid(&'static str),
    #[error("the RelayState is longer than {MAX_RELAY_STATE_BYTES} bytes")]
    RelayStateTooLong,
}

/// Decodes the HTTP-Redirect binding's `SAMLRequest` (already URL-decoded): base64, then raw
/// DEFLATE, inflated no further than [`MAX_XML_BYTES`].
pub fn from_redirect(encoded: &str) -> Result<AuthnRequest, RequestError> {
    let compressed = base64_bytes(encoded)?;
    let mut xml = Vec::new();
    flate2::read::DeflateDecoder::new(compressed.as_slice())
        .take(MAX_XML_BYTES as u64 + 1)
        .read_to_end(&mut xml)
        .map_err(|_| RequestError::NotDeflate)?;
    parse_bytes(&xml)
}

/// Decodes the HTTP-POST binding's `SAMLRequest`: base64 of the XML itself (line breaks, as
/// some SPs wrap it, are allowed).
pub fn from_post(encoded: &str) -> Result<AuthnRequest, RequestError> {
    parse_bytes(&base64_bytes(encoded)?)
}

/// The HTTP-Redirect encoding (raw DEFLATE, then base64) of an HTTP-POST binding's
/// `SAMLRequest`: the same message, for a GET to the SSO endpoint (a browser sends the
/// portal's `SameSite=Lax` cookie with a top-level GET, not with another site's POST). Only
/// an unsigned request can be carried so, which is all this identity provider reads: a
/// request's signature is not relied on (the module's comment says why).
pub fn post_to_redirect(encoded: &str) -> Result<String, RequestError> {
    use std::io::Write as _;
    let xml = base64_bytes(encoded)?;
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to memory cannot fail; the error is mapped only to keep this total.
    deflate
        .write_all(&xml)
        .map_err(|_| RequestError::NotDeflate)?;
    let compressed = deflate.finish().map_err(|_| RequestError::NotDeflate)?;
    Ok(STANDARD.encode(compressed))
}

/// Checks a `RelayState`: opaque to us, echoed back to the SP (escaped, in a form) as it came.
pub fn relay_state(value: &str) -> Result<&str, RequestError> {
    if value.len() > MAX_RELAY_STATE_BYTES {
        return Err(RequestError::RelayStateTooLong);
    }
    Ok(value)
}

fn base64_bytes(encoded: &str) -> Result<Vec<u8>, RequestError> {
    if encoded.len() > MAX_ENCODED_BYTES {
        return Err(RequestError::TooLarge {
            limit: MAX_ENCODED_BYTES,
        });
    }
    let compact: Vec<u8> = encoded
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    STANDARD
        .decode(compact)
        .map_err(|_| RequestError::NotBase64)
}

fn parse_bytes(xml: &[u8]) -> Result<AuthnRequest, RequestError> {
    if xml.len() > MAX_XML_BYTES {
        return Err(RequestError::TooLarge {
            limit: MAX_XML_BYTES,
        });
    }
    parse(std::str::from_utf8(xml).map_err(|_| RequestError::NotUtf8)?)
}

/// Reads an `AuthnRequest` from its XML.
pub fn parse(xml: &str) -> Result<AuthnRequest, RequestError> {
    if xml.len() > MAX_XML_BYTES {
        return Err(RequestError::TooLarge {
            limit: MAX_XML_BYTES,
        });
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        entity_resolver: None,
    };
    let doc = roxmltree::Document::parse_with_options(xml, options).map_err(xml_error)?;
    let root = doc.root_element();
    if root.tag_name().name() != "AuthnRequest" || root.tag_name().namespace() != Some(PROTOCOL_NS)
    {
        return Err(RequestError::NotAnAuthnRequest);
    }
    if root.attribute("Version") != Some("2.0") {
        return Err(RequestError::WrongVersion);
    }
    let id = root.attribute("ID").ok_or(RequestError::Missing("ID"))?;
    if !is_xml_id(id) {
        return Err(RequestError::Invalid("ID"));
    }
    let issue_instant = root
        .attribute("IssueInstant")
        .ok_or(RequestError::Missing("IssueInstant"))?;
    if issue_instant.is_empty() || issue_instant.len() > 64 {
        return Err(RequestError::Invalid("IssueInstant"));
    }
    let issuer = child(root, ASSERTION_NS, "Issuer")
        .and_then(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(RequestError::Missing("Issuer"))?;
    let name_id_format = child(root, PROTOCOL_NS, "NameIDPolicy")
        .and_then(|n| n.attribute("Format"))
        .map(|f| uri(f, "NameIDPolicy Format"))
        .transpose()?;
    Ok(AuthnRequest {
        id: id.to_owned(),
        issuer: uri(issuer, "Issuer")?,
        issue_instant: issue_instant.to_owned(),
        destination: optional_uri(root, "Destination")?,
        acs_url: optional_uri(root, "AssertionConsumerServiceURL")?,
        acs_index: root
            .attribute("AssertionConsumerServiceIndex")
            .map(|i| {
                i.parse()
                    .map_err(|_| RequestError::Invalid("AssertionConsumerServiceIndex"))
            })
            .transpose()?,
        protocol_binding: optional_uri(root, "ProtocolBinding")?,
        name_id_format,
        force_authn: boolean(root, "ForceAuthn")?,
        is_passive: boolean(root, "IsPassive")?,
    })
}

/// roxmltree's own messages can quote the input (an entity's name): only its kind and place
/// are passed on.
fn xml_error(error: roxmltree::Error) -> RequestError {
    match error {
        roxmltree::Error::DtdDetected => RequestError::Dtd,
        roxmltree::Error::NodesLimitReached => RequestError::TooManyNodes,
        other => {
            let pos = other.pos();
            RequestError::Xml {
                line: pos.row,
                column: pos.col,
            }
        }
    }
}

fn child<'a, 'i>(
    parent: roxmltree::Node<'a, 'i>,
    namespace: &str,
    name: &str,
) -> Option<roxmltree::Node<'a, 'i>> {
    parent.children().find(|n| {
        n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(namespace)
    })
}

/// An `xs:ID` (an NCName), restricted to the characters SPs use, and bounded.
fn is_xml_id(id: &str) -> bool {
    let mut chars = id.chars();
    id.len() <= MAX_ID_LEN
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A URI-valued field: bounded, no control characters (it is compared and echoed, never
/// fetched).
fn uri(value: &str, field: &'static str) -> Result<String, RequestError> {
    if value.is_empty() || value.len() > MAX_URI_LEN || value.chars().any(char::is_control) {
        return Err(RequestError::Invalid(field));
    }
    Ok(value.to_owned())
}

fn optional_uri(
    node: roxmltree::Node<'_, '_>,
    attribute: &'static str,
) -> Result<Option<String>, RequestError> {
    node.attribute(attribute)
        .map(|v| uri(v, attribute))
        .transpose()
}

/// An `xs:boolean` attribute, `false` when absent.
fn boolean(node: roxmltree::Node<'_, '_>, attribute: &'static str) -> Result<bool, RequestError> {
    match node.attribute(attribute) {
        None | Some("false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(_) => Err(RequestError::Invalid(attribute)),
    }
}

#[cfg(test)]
mod tests;
