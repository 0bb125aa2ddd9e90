//! The portal's public signing keys (its JWKS), in the two forms the app checks tokens with:
//! openidconnect's (ID tokens) and jsonwebtoken's (logout tokens). Fetched at start and again
//! when a token names a key the app has not seen (the portal rotated its keys), at most once a
//! [`REFETCH_AFTER`], so made-up key ids cannot make the app hammer the portal.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use openidconnect::core::CoreJsonWebKeySet;
use openidconnect::reqwest;
use tokio::sync::Mutex;
use url::Url;

/// The shortest time between two fetches of the JWKS.
pub const REFETCH_AFTER: Duration = Duration::from_secs(10);

/// A JWKS larger than this is refused (the portal's holds a few keys, about 2 KiB).
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// Why the JWKS could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("the JWKS could not be fetched")]
    Fetch(#[source] reqwest::Error),
    #[error("the JWKS answered HTTP {0}")]
    Status(reqwest::StatusCode),
    #[error("the JWKS is larger than {MAX_JWKS_BYTES} bytes")]
    TooLarge,
    #[error("the JWKS is not a JSON Web Key Set")]
    Parse(#[source] serde_json::Error),
}

/// One JWKS, parsed both ways.
#[derive(Debug)]
pub struct Keys {
    pub oidc: CoreJsonWebKeySet,
    pub jwt: JwkSet,
}

#[derive(Debug)]
struct Fetched {
    keys: Arc<Keys>,
    /// When an unknown key last made the app fetch the JWKS again (the first time may be
    /// right after the start).
    refetched: Option<Instant>,
}

/// The keys and where they come from.
#[derive(Debug)]
pub struct ProviderKeys {
    http: reqwest::Client,
    uri: Url,
    fetched: Mutex<Fetched>,
}

impl ProviderKeys {
    /// Fetches the JWKS at `uri` once.
    pub async fn fetch(http: reqwest::Client, uri: Url) -> Result<Self, KeysError> {
        let keys = Arc::new(fetch(&http, &uri).await?);
        Ok(Self {
            http,
            uri,
            fetched: Mutex::new(Fetched {
                keys,
                refetched: None,
            }),
        })
    }

    pub async fn current(&self) -> Arc<Keys> {
        Arc::clone(&self.fetched.lock().await.keys)
    }

    /// After a token named a key not in [`Self::current`]: the JWKS fetched again, or `None`
    /// when it was fetched too recently or could not be (the token is then refused).
    pub async fn refetch(&self) -> Option<Arc<Keys>> {
        // Held across the fetch: tokens arriving meanwhile wait for its result.
        let mut fetched = self.fetched.lock().await;
        if fetched
            .refetched
            .is_some_and(|at| at.elapsed() < REFETCH_AFTER)
        {
            return None;
        }
        fetched.refetched = Some(Instant::now());
        match fetch(&self.http, &self.uri).await {
            Ok(keys) => {
                fetched.keys = Arc::new(keys);
                tracing::info!("the provider's JWKS fetched again");
                Some(Arc::clone(&fetched.keys))
            }
            Err(error) => {
                tracing::warn!(error = %error, "the provider's JWKS could not be fetched again");
                None
            }
        }
    }
}

async fn fetch(http: &reqwest::Client, uri: &Url) -> Result<Keys, KeysError> {
    let r = http
        .get(uri.clone())
        .header("accept", "application/json")
        .send()
        .await
        .map_err(KeysError::Fetch)?;
    if !r.status().is_success() {
        return Err(KeysError::Status(r.status()));
    }
    if r.content_length()
        .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
    {
        return Err(KeysError::TooLarge);
    }
    let body = r.bytes().await.map_err(KeysError::Fetch)?;
    if body.len() > MAX_JWKS_BYTES {
        return Err(KeysError::TooLarge);
    }
    Ok(Keys {
        oidc: serde_json::from_slice(&body).map_err(KeysError::Parse)?,
        jwt: serde_json::from_slice(&body).map_err(KeysError::Parse)?,
    })
}
