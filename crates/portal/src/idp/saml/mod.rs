//! BadgeIn as a SAML 2.0 identity provider (Web Browser SSO profile).
//!
//! * `request`: reads an app's `AuthnRequest` (hardened: no DTD, size caps);
//! * `key`: the current RSA signing key as XML signatures use it;
//! * `cert`: the self-signed certificate of that key that apps pin;
//! * `xml`: a writer that emits exclusive-canonical XML;
//! * `response`: the signed `Response`/`Assertion`.

pub mod cert;
pub mod key;
pub mod request;
pub mod response;
pub mod xml;
