//! The route groups request latency is measured by: a fixed few, told from the path alone, so
//! a label never holds an id from a path and costs no lookup in the router.

use badgein_proto::paths;

use crate::idp::discovery::paths as oidc;

/// Where a request went, as the latency histograms label it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteGroup {
    /// The kiosks' badge and typed sign-ins.
    ApiSignIn,
    /// The rest of the kiosk API (enrollment, settings, session end).
    Api,
    /// The OpenID Connect authorization endpoint.
    OauthAuthorize,
    /// The OpenID Connect token endpoint.
    OauthToken,
    /// Discovery, the JWKS, userinfo and RP-initiated logout.
    Oidc,
    /// Metadata, single sign-on and IdP-initiated launches.
    Saml,
    /// `/healthz` and `/readyz`: a load balancer's probes, kept apart from the pages.
    Health,
    /// The stylesheet, avatars and app icons.
    Assets,
    /// Every other page (login, dashboard, claim, teacher pages) and every unknown path.
    Pages,
}

impl RouteGroup {
    pub const ALL: [Self; 9] = [
        Self::ApiSignIn,
        Self::Api,
        Self::OauthAuthorize,
        Self::OauthToken,
        Self::Oidc,
        Self::Saml,
        Self::Health,
        Self::Assets,
        Self::Pages,
    ];

    /// The group of a request's path.
    pub fn of(path: &str) -> Self {
        if path == paths::SIGN_IN_BADGE || path == paths::SIGN_IN_PASSWORD {
            Self::ApiSignIn
        } else if path.starts_with("/api/") {
            Self::Api
        } else if path == oidc::AUTHORIZE {
            Self::OauthAuthorize
        } else if path == oidc::TOKEN {
            Self::OauthToken
        } else if path.starts_with("/oauth/") || path == oidc::DISCOVERY {
            Self::Oidc
        } else if path.starts_with("/saml/") {
            Self::Saml
        } else if path == "/healthz" || path == "/readyz" {
            Self::Health
        } else if path == "/portal.css"
            || path.starts_with("/avatars/")
            || (path.starts_with("/apps/") && path.ends_with("/icon"))
        {
            Self::Assets
        } else {
            Self::Pages
        }
    }

    /// The label's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiSignIn => "api_sign_in",
            Self::Api => "api",
            Self::OauthAuthorize => "oauth_authorize",
            Self::OauthToken => "oauth_token",
            Self::Oidc => "oidc",
            Self::Saml => "saml",
            Self::Health => "health",
            Self::Assets => "assets",
            Self::Pages => "pages",
        }
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// The class of an answer's status (`2xx` ... `5xx`), the histograms' other label: what an
/// alert on server errors or refusals needs, without a series per status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    Success,
    Redirect,
    ClientError,
    ServerError,
}

impl StatusClass {
    pub const ALL: [Self; 4] = [
        Self::Success,
        Self::Redirect,
        Self::ClientError,
        Self::ServerError,
    ];

    /// 1xx (never answered here) counts with 2xx; anything past 5xx with 5xx.
    pub fn of(status: u16) -> Self {
        match status {
            ..300 => Self::Success,
            300..400 => Self::Redirect,
            400..500 => Self::ClientError,
            _ => Self::ServerError,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "2xx",
            Self::Redirect => "3xx",
            Self::ClientError => "4xx",
            Self::ServerError => "5xx",
        }
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fall_in_their_groups() {
        for (path, group) in [
            ("/api/v1/sign-ins/badge", RouteGroup::ApiSignIn),
            ("/api/v1/sign-ins/password", RouteGroup::ApiSignIn),
            ("/api/v1/sign-ins/other", RouteGroup::Api),
            ("/api/v1/sessions/abc/end", RouteGroup::Api),
            ("/api/v1/kiosks/enroll", RouteGroup::Api),
            ("/oauth/authorize", RouteGroup::OauthAuthorize),
            ("/oauth/token", RouteGroup::OauthToken),
            ("/oauth/jwks", RouteGroup::Oidc),
            ("/oauth/userinfo", RouteGroup::Oidc),
            ("/.well-known/openid-configuration", RouteGroup::Oidc),
            ("/saml/sso", RouteGroup::Saml),
            ("/saml/launch/x", RouteGroup::Saml),
            ("/healthz", RouteGroup::Health),
            ("/readyz", RouteGroup::Health),
            ("/portal.css", RouteGroup::Assets),
            ("/avatars/s.svg", RouteGroup::Assets),
            ("/apps/a1/icon", RouteGroup::Assets),
            ("/apps/a1", RouteGroup::Pages),
            ("/login", RouteGroup::Pages),
            ("/", RouteGroup::Pages),
            ("/teach/classes/c1", RouteGroup::Pages),
            ("/metrics", RouteGroup::Pages),
            ("", RouteGroup::Pages),
        ] {
            assert_eq!(RouteGroup::of(path), group, "{path}");
        }
    }

    #[test]
    fn indexes_follow_the_lists() {
        for (i, g) in RouteGroup::ALL.iter().enumerate() {
            assert_eq!(g.index(), i);
        }
        for (i, c) in StatusClass::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
    }

    #[test]
    fn statuses_fall_in_their_classes() {
        assert_eq!(StatusClass::of(200), StatusClass::Success);
        assert_eq!(StatusClass::of(101), StatusClass::Success);
        assert_eq!(StatusClass::of(303), StatusClass::Redirect);
        assert_eq!(StatusClass::of(429), StatusClass::ClientError);
        assert_eq!(StatusClass::of(503), StatusClass::ServerError);
        assert_eq!(StatusClass::of(999), StatusClass::ServerError);
    }
}
