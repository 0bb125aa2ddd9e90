//! The rules an app's registration keeps, whoever asks (the command line, the administrators'
//! page): pure, so each rule is tested here on its own. Text is checked, never rewritten:
//! OpenID Connect compares redirect URIs as exact strings, so what is stored is what was typed.

use url::{Host, Url};

use super::icon::{self, Icon, IconError};
use crate::idp::SigningAlg;
use crate::ids::SchoolId;
use crate::roles::Role;

/// Longest app name, in characters (a tile's label).
pub const MAX_NAME_CHARS: usize = 80;
/// Longest URL, redirect URI or entity id, in bytes.
pub const MAX_URL_LEN: usize = 2000;
/// Most redirect URIs one client may register.
pub const MAX_REDIRECTS: usize = 20;
/// Most schools one app may name (more is a district-wide app: name none).
pub const MAX_SCHOOLS: usize = 500;

/// What an administrator asked for, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppRequest {
    pub name: String,
    /// The tile's link.
    pub url: String,
    /// The schools whose dashboards show it; none: every school.
    pub schools: Vec<SchoolId>,
    /// The roles it is shown to; none: every role.
    pub roles: Vec<Role>,
    /// OpenID Connect redirect URIs; at least one makes the app an OpenID Connect client.
    pub oidc_redirects: Vec<String>,
    pub backchannel_logout: Option<String>,
    /// Each app sees its own `sub` for a user (OpenID Connect pairwise subject).
    pub pairwise: bool,
    /// A public client (a single-page or native app): no secret, PKCE S256 required.
    pub public_client: bool,
    /// The ID tokens' algorithm; none: RS256.
    pub id_token_alg: Option<SigningAlg>,
    /// The scopes beyond `openid` the app may be granted ([`OIDC_SCOPES`]); none: `profile`.
    pub scopes: Vec<String>,
    pub saml_entity_id: Option<String>,
    pub saml_acs: Option<String>,
    /// The picture file's bytes; its kind is told from them.
    pub icon: Option<Vec<u8>>,
}

/// A request that keeps every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub name: String,
    pub url: String,
    /// Sorted, without repeats.
    pub schools: Vec<SchoolId>,
    /// Without repeats.
    pub roles: Vec<Role>,
    pub oidc: Option<Oidc>,
    pub saml: Option<Saml>,
    pub icon: Option<Icon>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oidc {
    /// As typed, without repeats, in the order given.
    pub redirect_uris: Vec<String>,
    pub backchannel_logout: Option<String>,
    pub pairwise: bool,
    /// Authenticates with `none` at the token endpoint (it has no secret) and must use PKCE.
    pub public_client: bool,
    pub id_token_alg: SigningAlg,
    /// What it may be granted besides `openid`, in [`OIDC_SCOPES`]'s order.
    pub scopes: Vec<&'static str>,
}

/// The scopes an app may be allowed (docs/identity-provider.md says what each releases).
pub const OIDC_SCOPES: [&str; 3] = ["profile", "email", "school"];
/// What an app registered without `--scopes` may be granted: the names to greet the child
/// by, nothing more (the least data about a child; `email` and `school` are asked for).
pub const DEFAULT_SCOPES: [&str; 1] = ["profile"];

/// `profile,email` -> the scopes (exact names; blanks around a name ignored).
pub fn parse_scopes(text: &str) -> Result<Vec<String>, AppError> {
    let scopes: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    allowed_scopes(&scopes)?;
    Ok(scopes)
}

/// The scopes of `names`, each known, in [`OIDC_SCOPES`]'s order; none: [`DEFAULT_SCOPES`].
fn allowed_scopes(names: &[String]) -> Result<Vec<&'static str>, AppError> {
    if let Some(unknown) = names.iter().find(|n| !OIDC_SCOPES.contains(&n.as_str())) {
        return Err(AppError::UnknownScope(shorten(unknown)));
    }
    if names.is_empty() {
        return Ok(DEFAULT_SCOPES.to_vec());
    }
    Ok(OIDC_SCOPES
        .into_iter()
        .filter(|s| names.iter().any(|n| n == s))
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saml {
    pub entity_id: String,
    pub acs: String,
}

/// Why a registration was refused. The messages name the field and the rule; a refused value
/// is quoted only shortened (it is an administrator's own input, but may be long).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    #[error(
        "the app's name must be 1 to {MAX_NAME_CHARS} characters, none of them control characters"
    )]
    Name,
    #[error("{field} {value:?} {why}")]
    Url {
        field: &'static str,
        value: String,
        why: &'static str,
    },
    #[error("at most {MAX_REDIRECTS} redirect URIs")]
    TooManyRedirects,
    #[error("at most {MAX_SCHOOLS} schools (name none for every school)")]
    TooManySchools,
    #[error(
        "the back-channel logout URI, pairwise subjects, a public client, the ID token's \
         algorithm and scopes are for OpenID Connect clients: give a redirect URI too"
    )]
    NotOidc,
    #[error("the ID token's algorithm must be RS256 or ES256, not {0:?}")]
    IdTokenAlg(String),
    #[error("unknown scope {0:?}: the scopes are profile, email, school (openid is implied)")]
    UnknownScope(String),
    #[error("the SAML entity id and ACS URL go together: give both or neither")]
    SamlHalf,
    #[error(
        "the SAML entity id must be 1 to {MAX_URL_LEN} bytes, none of them spaces or control \
         characters"
    )]
    EntityId,
    #[error("unknown role {0:?}: the roles are {roles}", roles = role_names())]
    UnknownRole(String),
    #[error(transparent)]
    Icon(#[from] IconError),
}

fn role_names() -> String {
    Role::ALL.map(Role::as_str).join(", ")
}

/// `RS256` or `ES256`, exactly (what discovery lists); anything else (`HS256`, `none`) is
/// refused, never mapped to a default.
pub fn parse_id_token_alg(text: &str) -> Result<SigningAlg, AppError> {
    SigningAlg::parse(text).ok_or_else(|| AppError::IdTokenAlg(shorten(text)))
}

/// `student,teacher` -> the roles (exact names, as stored; blanks around a name ignored).
pub fn parse_roles(text: &str) -> Result<Vec<Role>, AppError> {
    let mut roles = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let role = Role::from_stored(name).map_err(|_| AppError::UnknownRole(shorten(name)))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    Ok(roles)
}

impl AppRequest {
    /// Checks every rule; the first broken one is the error.
    pub fn check(&self) -> Result<Registration, AppError> {
        let name = self.name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_NAME_CHARS
            || name.chars().any(char::is_control)
        {
            return Err(AppError::Name);
        }
        check_url("the app's URL", &self.url)?;
        if self.schools.len() > MAX_SCHOOLS {
            return Err(AppError::TooManySchools);
        }
        let mut schools = self.schools.clone();
        schools.sort();
        schools.dedup();
        let mut roles = Vec::new();
        for role in &self.roles {
            if !roles.contains(role) {
                roles.push(*role);
            }
        }
        Ok(Registration {
            name: name.to_owned(),
            url: self.url.clone(),
            schools,
            roles,
            oidc: self.oidc()?,
            saml: self.saml()?,
            icon: self.icon.as_deref().map(icon::sniff).transpose()?,
        })
    }

    fn oidc(&self) -> Result<Option<Oidc>, AppError> {
        if self.oidc_redirects.is_empty() {
            return if self.backchannel_logout.is_some()
                || self.pairwise
                || self.public_client
                || self.id_token_alg.is_some()
                || !self.scopes.is_empty()
            {
                Err(AppError::NotOidc)
            } else {
                Ok(None)
            };
        }
        if self.oidc_redirects.len() > MAX_REDIRECTS {
            return Err(AppError::TooManyRedirects);
        }
        let mut redirect_uris: Vec<String> = Vec::new();
        for uri in &self.oidc_redirects {
            check_redirect("a redirect URI", uri)?;
            if !redirect_uris.contains(uri) {
                redirect_uris.push(uri.clone());
            }
        }
        if let Some(uri) = &self.backchannel_logout {
            check_redirect("the back-channel logout URI", uri)?;
        }
        Ok(Some(Oidc {
            redirect_uris,
            backchannel_logout: self.backchannel_logout.clone(),
            pairwise: self.pairwise,
            public_client: self.public_client,
            id_token_alg: self.id_token_alg.unwrap_or(SigningAlg::Rs256),
            scopes: allowed_scopes(&self.scopes)?,
        }))
    }

    fn saml(&self) -> Result<Option<Saml>, AppError> {
        match (&self.saml_entity_id, &self.saml_acs) {
            (None, None) => Ok(None),
            (Some(entity_id), Some(acs)) => {
                if entity_id.is_empty()
                    || entity_id.len() > MAX_URL_LEN
                    || entity_id
                        .chars()
                        .any(|c| c.is_control() || c.is_whitespace())
                {
                    return Err(AppError::EntityId);
                }
                check_redirect("the SAML ACS URL", acs)?;
                Ok(Some(Saml {
                    entity_id: entity_id.clone(),
                    acs: acs.clone(),
                }))
            }
            _ => Err(AppError::SamlHalf),
        }
    }
}

/// An absolute `https://` URL with a host (`http://` only to a loopback host, as for the
/// portal's own `--public-url`), without a user name or password, exactly as typed.
pub fn check_url(field: &'static str, text: &str) -> Result<Url, AppError> {
    let refuse = |why| AppError::Url {
        field,
        value: shorten(text),
        why,
    };
    if text.len() > MAX_URL_LEN {
        return Err(refuse("is too long"));
    }
    // The parser would quietly drop these; what is stored must be what is compared.
    if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(refuse("has spaces or control characters"));
    }
    // The WHATWG parser reads `https:///x` as `https://x/` and `\` as `/`: a string that
    // only parses to a URL after repair is refused, so the text and the URL agree.
    let authority = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    if authority.is_none_or(|rest| rest.is_empty() || rest.starts_with('/')) || text.contains('\\')
    {
        return Err(refuse("must start with https:// and a host"));
    }
    let url = Url::parse(text).map_err(|_| refuse("is not an absolute URL"))?;
    let loopback = match url.host() {
        None => return Err(refuse("has no host")),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(refuse("must be https:// (http:// only for loopback)")),
        _ => return Err(refuse("must be an https:// URL")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("must not carry a user name or password"));
    }
    Ok(url)
}

/// A URL the portal sends a browser or a token to: [`check_url`] and no fragment (OAuth 2.0,
/// RFC 6749 section 3.1.2).
fn check_redirect(field: &'static str, text: &str) -> Result<(), AppError> {
    let url = check_url(field, text)?;
    if url.fragment().is_some() || text.contains('#') {
        return Err(AppError::Url {
            field,
            value: shorten(text),
            why: "must not have a fragment (#...)",
        });
    }
    Ok(())
}

/// `https://clever.com/in/x` -> `https://clever.com`: what the kiosk's portal window may
/// navigate to. `None` for what is no http(s) URL (an old tile's link may be anything).
pub fn origin(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

/// At most 60 characters of `text`, for an error message.
fn shorten(text: &str) -> String {
    const KEEP: usize = 60;
    if text.chars().count() <= KEEP {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(KEEP).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(name: &str, url: &str) -> AppRequest {
        AppRequest {
            name: name.into(),
            url: url.into(),
            ..AppRequest::default()
        }
    }

    fn oidc(redirect: &str) -> AppRequest {
        AppRequest {
            oidc_redirects: vec![redirect.into()],
            ..link("Reading", "https://reading.example/")
        }
    }

    #[test]
    fn a_plain_link_is_kept_as_typed() {
        let r = link("  Clever ", "https://clever.com/in/maple?x=1")
            .check()
            .unwrap();
        assert_eq!(r.name, "Clever");
        assert_eq!(r.url, "https://clever.com/in/maple?x=1");
        assert!(r.oidc.is_none() && r.saml.is_none() && r.icon.is_none());
    }

    #[test]
    fn names_are_bounded_and_printable() {
        for bad in [
            "",
            "   ",
            "a\u{0}b",
            "line\nbreak",
            &"x".repeat(MAX_NAME_CHARS + 1),
        ] {
            assert_eq!(
                link(bad, "https://a.example/").check(),
                Err(AppError::Name),
                "{bad:?}"
            );
        }
        assert!(
            link(&"é".repeat(MAX_NAME_CHARS), "https://a.example/")
                .check()
                .is_ok()
        );
    }

    #[test]
    fn urls_are_https_or_loopback_http() {
        for ok in [
            "https://a.example",
            "https://a.example:8443/x?y#z",
            "http://127.0.0.1:8080/",
            "http://localhost/",
            "http://[::1]:3000/cb",
        ] {
            assert!(check_url("url", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a.example",
            "/relative",
            "http://a.example/",
            "http://10.0.0.5/",
            "http://localhost.example.org/",
            "http://127.0.0.1.example.org/",
            "javascript:alert(1)",
            "data:text/html,<script>",
            "ftp://a.example/",
            "https://",
            "https:///path",
            "https:/a.example/",
            "HTTPS://a.example/",
            "https:\\\\a.example\\x",
            "https://a.example\\@evil.example/",
            "https://user:pw@a.example/",
            "https://user@a.example/",
            " https://a.example/",
            "https://a.example/\n",
            "https://a.example/ x",
            &format!("https://a.example/{}", "x".repeat(MAX_URL_LEN)),
        ] {
            assert!(check_url("url", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn redirect_uris_are_exact_and_have_no_fragment() {
        let r = oidc("https://reading.example/cb?a=1").check().unwrap();
        let o = r.oidc.unwrap();
        assert_eq!(o.redirect_uris, ["https://reading.example/cb?a=1"]);
        assert!(!o.pairwise && !o.public_client);
        assert_eq!(o.id_token_alg, SigningAlg::Rs256);
        // Not normalised: the parser would add a trailing slash here.
        let r = oidc("https://reading.example").check().unwrap();
        assert_eq!(r.oidc.unwrap().redirect_uris, ["https://reading.example"]);
        for bad in [
            "https://reading.example/cb#x",
            "https://reading.example/cb#",
            "http://reading.example/cb",
            "reading.example/cb",
            "",
        ] {
            assert!(
                matches!(oidc(bad).check(), Err(AppError::Url { .. })),
                "{bad:?}"
            );
        }
        let mut many = oidc("https://r.example/0");
        many.oidc_redirects = (0..=MAX_REDIRECTS)
            .map(|i| format!("https://r.example/{i}"))
            .collect();
        assert_eq!(many.check(), Err(AppError::TooManyRedirects));
        let mut twice = oidc("https://r.example/cb");
        twice.oidc_redirects.push("https://r.example/cb".into());
        assert_eq!(twice.check().unwrap().oidc.unwrap().redirect_uris.len(), 1);
    }

    #[test]
    fn scopes_are_known_ordered_and_default_to_profile() {
        assert_eq!(
            oidc("https://a.example/cb")
                .check()
                .unwrap()
                .oidc
                .unwrap()
                .scopes,
            ["profile"]
        );
        let mut r = oidc("https://a.example/cb");
        r.scopes = parse_scopes(" school, profile ,school").unwrap();
        assert_eq!(
            r.check().unwrap().oidc.unwrap().scopes,
            ["profile", "school"]
        );
        for bad in [
            "openid",
            "Profile",
            "offline_access",
            "profile email x",
            "profile;email",
        ] {
            assert!(
                matches!(parse_scopes(bad), Err(AppError::UnknownScope(_))),
                "{bad}"
            );
        }
        let mut r = link("A", "https://a.example/");
        r.scopes = vec!["email".into()];
        assert_eq!(r.check(), Err(AppError::NotOidc));
    }

    #[test]
    fn oidc_options_need_a_redirect_uri() {
        let mut r = link("A", "https://a.example/");
        r.pairwise = true;
        assert_eq!(r.check(), Err(AppError::NotOidc));
        let mut r = link("A", "https://a.example/");
        r.backchannel_logout = Some("https://a.example/logout".into());
        assert_eq!(r.check(), Err(AppError::NotOidc));
        let mut r = link("A", "https://a.example/");
        r.public_client = true;
        assert_eq!(r.check(), Err(AppError::NotOidc));
        let mut r = link("A", "https://a.example/");
        r.id_token_alg = Some(SigningAlg::Es256);
        assert_eq!(r.check(), Err(AppError::NotOidc));
        let mut r = oidc("https://a.example/cb");
        r.public_client = true;
        r.id_token_alg = Some(SigningAlg::Es256);
        let o = r.check().unwrap().oidc.unwrap();
        assert!(o.public_client);
        assert_eq!(o.id_token_alg, SigningAlg::Es256);
        let mut r = oidc("https://a.example/cb");
        r.backchannel_logout = Some("https://a.example/logout#f".into());
        assert!(r.check().is_err());
        r.backchannel_logout = Some("https://a.example/logout".into());
        r.pairwise = true;
        let o = r.check().unwrap().oidc.unwrap();
        assert!(o.pairwise);
        assert_eq!(
            o.backchannel_logout.as_deref(),
            Some("https://a.example/logout")
        );
    }

    #[test]
    fn id_token_algs_are_named_exactly() {
        assert_eq!(parse_id_token_alg("RS256"), Ok(SigningAlg::Rs256));
        assert_eq!(parse_id_token_alg("ES256"), Ok(SigningAlg::Es256));
        for bad in ["HS256", "none", "es256", "RS384", "", " ES256", "\u{0}"] {
            let e = parse_id_token_alg(bad).unwrap_err();
            assert_eq!(e, AppError::IdTokenAlg(bad.into()), "{bad:?}");
            assert!(e.to_string().contains("RS256 or ES256"), "{e}");
        }
        let long = parse_id_token_alg(&"x".repeat(500)).unwrap_err();
        assert!(long.to_string().len() < 200, "{long}");
    }

    #[test]
    fn saml_needs_both_halves() {
        let saml = |entity: Option<&str>, acs: Option<&str>| AppRequest {
            saml_entity_id: entity.map(str::to_owned),
            saml_acs: acs.map(str::to_owned),
            ..link("Sp", "https://sp.example/")
        };
        assert_eq!(saml(Some("urn:sp"), None).check(), Err(AppError::SamlHalf));
        assert_eq!(
            saml(None, Some("https://sp.example/acs")).check(),
            Err(AppError::SamlHalf)
        );
        for bad in ["", "has space", "x\u{7}", &"e".repeat(MAX_URL_LEN + 1)] {
            assert_eq!(
                saml(Some(bad), Some("https://sp.example/acs")).check(),
                Err(AppError::EntityId),
                "{bad:?}"
            );
        }
        assert!(
            saml(Some("urn:sp"), Some("http://sp.example/acs"))
                .check()
                .is_err()
        );
        let ok = saml(Some("urn:sp"), Some("https://sp.example/acs"))
            .check()
            .unwrap();
        assert_eq!(
            ok.saml,
            Some(Saml {
                entity_id: "urn:sp".into(),
                acs: "https://sp.example/acs".into()
            })
        );
    }

    #[test]
    fn roles_are_named_exactly() {
        assert_eq!(
            parse_roles("student, teacher,student").unwrap(),
            [Role::Student, Role::Teacher]
        );
        assert_eq!(parse_roles("").unwrap(), []);
        let e = parse_roles("student,Teacher").unwrap_err();
        assert_eq!(e, AppError::UnknownRole("Teacher".into()));
        assert!(
            e.to_string()
                .ends_with("the roles are student, teacher, administrator, other, guardian"),
            "{e}"
        );
    }

    #[test]
    fn schools_are_bounded_and_sorted() {
        let mut r = link("A", "https://a.example/");
        r.schools = vec!["s2".into(), "s1".into(), "s2".into()];
        assert_eq!(
            r.check().unwrap().schools,
            [SchoolId::from("s1"), "s2".into()]
        );
        r.schools = (0..=MAX_SCHOOLS)
            .map(|i| SchoolId::new(format!("s{i}")))
            .collect();
        assert_eq!(r.check(), Err(AppError::TooManySchools));
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin("https://clever.com/in/district?x=1").as_deref(),
            Some("https://clever.com")
        );
        assert_eq!(
            origin("https://Clever.COM:443/").as_deref(),
            Some("https://clever.com")
        );
        assert_eq!(
            origin("http://127.0.0.1:8080/x").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin("javascript:alert(1)"), None);
        assert_eq!(origin("ftp://x"), None);
        assert_eq!(origin("not a url"), None);
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let e = check_url("url", &format!("http://{}", "a".repeat(500))).unwrap_err();
        assert!(e.to_string().len() < 200, "{e}");
    }
}
