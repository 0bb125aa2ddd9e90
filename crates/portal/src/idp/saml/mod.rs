//! BadgeIn as a SAML 2.0 identity provider (Web Browser SSO profile).
//!
//! * `request`: reads an app's `AuthnRequest` (hardened: no DTD, size caps);
//! * `cert`: the self-signed certificate of the RSA signing key (`idp::rsa_key`) that apps pin;
//! * `xml`: a writer that emits exclusive-canonical XML;
//! * `response`: the signed `Response`/`Assertion`;
//! * `metadata`: the `EntityDescriptor` apps load (entity id, SSO URL, certificate);
//! * `sso`: the SSO endpoint's rules (registered ACS only, our destination, HTTP-POST).

pub mod cert;
pub mod metadata;
pub mod request;
pub mod response;
pub mod sso;
pub mod xml;
