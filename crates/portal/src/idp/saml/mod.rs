//! BadgeIn as a SAML 2.0 identity provider (Web Browser SSO profile).

pub mod request;
