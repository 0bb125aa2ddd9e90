//! What the app needs to know: the portal (its issuer), its client registration, its own URL.

use openidconnect::{ClientId, ClientSecret, IssuerUrl, RedirectUrl};
use url::Url;

/// The app's configuration. `Debug` never shows the client secret (openidconnect redacts it).
#[derive(Debug, Clone)]
pub struct Config {
    /// The portal's issuer, exactly as its discovery document states it.
    pub issuer: IssuerUrl,
    /// The client id `badgein-portal app add` printed.
    pub client_id: ClientId,
    /// The client secret printed with it.
    pub client_secret: ClientSecret,
    /// The app's own base URL as browsers reach it (the tile's URL); the redirect URI is
    /// `<public_url>/callback`.
    pub public_url: Url,
}

impl Config {
    /// `<public_url>/callback` (a trailing slash is not doubled): the redirect URI to
    /// register, character for character.
    pub fn redirect_url(&self) -> RedirectUrl {
        let mut url = self.public_url.clone();
        // Only a URL that cannot be a base (`mailto:`) has no path to extend; `serve` takes
        // only http and https public URLs.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push("callback");
        }
        RedirectUrl::from_url(url)
    }

    /// Whether the public URL is one `serve` can work with: http or https.
    pub(crate) fn public_url_is_web(&self) -> bool {
        matches!(self.public_url.scheme(), "http" | "https") && self.public_url.has_host()
    }

    /// Cookies get `Secure` when browsers reach the app over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(public: &str) -> Config {
        Config {
            issuer: IssuerUrl::new("http://127.0.0.1:8750".into()).unwrap(),
            client_id: ClientId::new("c-1".into()),
            client_secret: ClientSecret::new("s3cret".into()),
            public_url: Url::parse(public).unwrap(),
        }
    }

    #[test]
    fn the_redirect_uri_is_the_public_url_and_callback() {
        for (public, redirect) in [
            ("http://127.0.0.1:8751", "http://127.0.0.1:8751/callback"),
            ("http://127.0.0.1:8751/", "http://127.0.0.1:8751/callback"),
            (
                "https://story.example/time/",
                "https://story.example/time/callback",
            ),
        ] {
            assert_eq!(config(public).redirect_url().as_str(), redirect);
        }
        assert!(!config("http://127.0.0.1:8751/").secure_cookies());
        assert!(config("https://story.example/").secure_cookies());
        assert!(!config("mailto:x@example.org").public_url_is_web());
    }

    #[test]
    fn debug_hides_the_secret() {
        assert!(!format!("{:?}", config("http://127.0.0.1:1/")).contains("s3cret"));
    }
}
