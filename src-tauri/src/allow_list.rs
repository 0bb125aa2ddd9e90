//! Where the portal webview may go: the portal's own origin and the district's allow-listed app
//! origins, compared as whole origins (scheme, host and port), never as string prefixes.

use tauri::Url;
use url::Origin;

/// The origins the portal webview may navigate to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowList {
    origins: Vec<Origin>,
}

impl AllowList {
    /// The portal's origin plus `apps` (each an origin such as `https://app.example.org`).
    /// Entries that are not absolute http(s) URLs are left out rather than loosening the list.
    pub fn new<'a>(portal: &Url, apps: impl IntoIterator<Item = &'a str>) -> Self {
        let mut origins = vec![];
        for url in std::iter::once(Some(portal.clone()))
            .chain(apps.into_iter().map(|app| Url::parse(app).ok()))
            .flatten()
        {
            if matches!(url.scheme(), "https" | "http") {
                let origin = url.origin();
                if !origins.contains(&origin) {
                    origins.push(origin);
                }
            }
        }
        Self { origins }
    }

    /// Whether the portal webview may load `url`.
    pub fn permits(&self, url: &Url) -> bool {
        let origin = url.origin();
        // An opaque origin (data:, blob:, javascript:, file:, about:) never equals a tuple one.
        origin.is_tuple() && self.origins.contains(&origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> AllowList {
        let portal = Url::parse("https://portal.school.example/launch?ticket=x").unwrap();
        AllowList::new(
            &portal,
            [
                "https://apps.example.org/",
                "not a url",
                "ftp://files.example.org",
            ],
        )
    }

    fn permits(url: &str) -> bool {
        list().permits(&Url::parse(url).unwrap())
    }

    #[test]
    fn portal_and_listed_apps_are_allowed() {
        assert!(permits("https://portal.school.example/"));
        assert!(permits("https://portal.school.example/dashboard?x=1#top"));
        assert!(permits("https://apps.example.org/reading"));
    }

    #[test]
    fn other_origins_are_refused() {
        assert!(!permits("https://evil.example/"));
        // Same host, other scheme or port: another origin.
        assert!(!permits("http://portal.school.example/"));
        assert!(!permits("https://portal.school.example:8443/"));
        // A look-alike host that merely starts with the portal's name.
        assert!(!permits("https://portal.school.example.evil.example/"));
        assert!(!permits("https://files.example.org/"));
    }

    #[test]
    fn opaque_schemes_are_refused() {
        assert!(!permits("javascript:alert(1)"));
        assert!(!permits("data:text/html,<p>hi</p>"));
        assert!(!permits("file:///etc/passwd"));
        assert!(!permits("about:blank"));
    }

    #[test]
    fn loopback_portal_with_port_is_its_own_origin() {
        let portal = Url::parse("http://127.0.0.1:41234/launch").unwrap();
        let list = AllowList::new(&portal, []);
        assert!(list.permits(&Url::parse("http://127.0.0.1:41234/").unwrap()));
        assert!(!list.permits(&Url::parse("http://127.0.0.1:41235/").unwrap()));
    }
}
