//! BadgeIn as the school's identity provider: the protocols apps use to trust its sign-in.

pub mod saml;
