//! Registered apps: what the command line and the administrators' page call. An app is a
//! dashboard tile for some schools and roles; with redirect URIs it is also an OpenID Connect
//! client, given a client id and a secret shown once (stored as its SHA-256 digest: it is a
//! 256-bit random token, so a fast hash suffices, as for device credentials), or no secret at
//! all for a public client (a single-page or native app, which could not keep one: it proves
//! itself with PKCE instead); with a SAML entity id and ACS URL it is also a SAML service
//! provider.

use std::fmt;

use serde::Serialize;

use crate::error::{PortalError, Result};
use crate::idp::SigningAlg;
use crate::ids::{AppId, SchoolId};
use crate::portal::Portal;
use crate::store::apps::{self, AppRow, NewApp, SecretSet, Tile};
use crate::store::audit::Entry;
use crate::store::directory::{self, User};
use crate::tokens;

pub mod icon;
pub mod registration;

pub use registration::{
    AppError, AppRequest, Registration, parse_id_token_alg, parse_roles, parse_scopes,
};

/// What registering (or a new secret) gives back: printed once, never stored as such.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Registered {
    pub app_id: AppId,
    /// Only for an OpenID Connect client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Only for a confidential OpenID Connect client, and only this once (a public client has
    /// none: the field is left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

/// How a client authenticated at the token endpoint (RFC 6749 2.3, OIDC Core 9).
#[derive(Clone, Copy)]
pub enum ClientAuth<'a> {
    /// `client_secret_basic` or `client_secret_post`.
    Secret { client_id: &'a str, secret: &'a str },
    /// `none`: only the client id, which only a public client may send alone.
    None { client_id: &'a str },
}

/// The secret stays out of logs and panics.
impl fmt::Debug for ClientAuth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Secret { client_id, .. } => f
                .debug_struct("Secret")
                .field("client_id", client_id)
                .finish_non_exhaustive(),
            Self::None { client_id } => f
                .debug_struct("None")
                .field("client_id", client_id)
                .finish(),
        }
    }
}

/// A client the token endpoint authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedClient {
    pub app_id: AppId,
    /// Public: every code it redeems needs its PKCE verifier.
    pub public_client: bool,
    pub id_token_alg: SigningAlg,
}

/// The secret stays out of logs and panics.
impl fmt::Debug for Registered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registered")
            .field("app_id", &self.app_id)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A client secret: 256 random bits as hex.
fn new_secret() -> Result<(String, Vec<u8>)> {
    let secret = tokens::random_hex(32)?;
    let hash = tokens::digest(secret.as_bytes());
    Ok((secret, hash))
}

impl Portal {
    /// Registers an app after checking every rule and that its schools exist; nothing is
    /// written when one fails. Audited as `app.add`.
    pub async fn add_app(&self, request: &AppRequest) -> Result<Registered> {
        let app = request.check()?;
        for school in &app.schools {
            if directory::school(self.db(), school).await?.is_none() {
                return Err(PortalError::NotFound(format!("school {school}")));
            }
        }
        let now = self.now();
        let id = AppId::new(format!("a-{}", tokens::random_hex(8)?));
        let (client_id, secret) = match &app.oidc {
            Some(o) if o.public_client => (Some(format!("c-{}", tokens::random_hex(16)?)), None),
            Some(_) => (
                Some(format!("c-{}", tokens::random_hex(16)?)),
                Some(new_secret()?),
            ),
            None => (None, None),
        };
        // A public client's stored digest is empty (migration 0008): no secret matches it.
        let secret_hash: Option<&[u8]> = match (&app.oidc, &secret) {
            (Some(_), Some((_, hash))) => Some(hash),
            (Some(_), None) => Some(&[]),
            (None, _) => None,
        };
        // 128 random bits, only for a pairwise client.
        let salt = match &app.oidc {
            Some(o) if o.pairwise => {
                let mut salt = vec![0u8; 16];
                getrandom::fill(&mut salt).map_err(PortalError::Random)?;
                Some(salt)
            }
            _ => None,
        };
        let mut entry = Entry::new(now, "app.add", "ok");
        entry.detail = Some(describe(&id, &app));
        let oidc = app.oidc.as_ref();
        let saml = app.saml.as_ref();
        let scopes = oidc.map(|o| o.scopes.join(" "));
        apps::insert(
            self.db(),
            &NewApp {
                id: &id,
                name: &app.name,
                url: &app.url,
                listed_at: now,
                client_id: client_id.as_deref(),
                secret_hash,
                backchannel_logout_uri: oidc.and_then(|o| o.backchannel_logout.as_deref()),
                pairwise: oidc.is_some_and(|o| o.pairwise),
                public_client: oidc.is_some_and(|o| o.public_client),
                id_token_alg: oidc.map_or(SigningAlg::Rs256, |o| o.id_token_alg),
                oidc_scopes: scopes.as_deref(),
                pairwise_salt: salt.as_deref(),
                saml_entity_id: saml.map(|s| s.entity_id.as_str()),
                saml_acs: saml.map(|s| s.acs.as_str()),
                icon: app
                    .icon
                    .as_ref()
                    .map(|i| (i.bytes.as_slice(), i.kind.media_type())),
                schools: &app.schools,
                roles: &app.roles,
                redirect_uris: oidc.map_or(&[], |o| o.redirect_uris.as_slice()),
            },
            &entry,
        )
        .await
        .map_err(|e| match e {
            // Entity ids are unique; client and app ids are random.
            PortalError::Conflict(_) => {
                PortalError::Conflict("another app is registered with this SAML entity id".into())
            }
            e => e,
        })?;
        Ok(Registered {
            app_id: id,
            client_id,
            client_secret: secret.map(|(secret, _)| secret),
        })
    }

    /// Every registered app, in registration order; never a secret or its digest.
    pub async fn apps(&self) -> Result<Vec<AppRow>> {
        apps::all(self.db()).await
    }

    /// Removes an app; its tile and its origin leave the dashboards and kiosks. Audited as
    /// `app.remove`.
    pub async fn remove_app(&self, id: impl Into<AppId>) -> Result<()> {
        let id = id.into();
        let mut entry = Entry::new(self.now(), "app.remove", "ok");
        entry.detail = Some(format!("app {id}"));
        if apps::remove(self.db(), &id, &entry).await? {
            Ok(())
        } else {
            Err(PortalError::NotFound(format!("app {id}")))
        }
    }

    /// Gives an OpenID Connect client a new secret, shown this once; the old one stops
    /// working at once. Audited as `app.secret`.
    pub async fn rotate_app_secret(&self, id: impl Into<AppId>) -> Result<Registered> {
        let id = id.into();
        let (secret, hash) = new_secret()?;
        let mut entry = Entry::new(self.now(), "app.secret", "ok");
        entry.detail = Some(format!("app {id}"));
        match apps::set_secret(self.db(), &id, &hash, &entry).await? {
            SecretSet::NoApp => Err(PortalError::NotFound(format!("app {id}"))),
            SecretSet::NotOidc => Err(PortalError::BadRequest(format!(
                "app {id} is no OpenID Connect client (it has no redirect URI), so it has no secret"
            ))),
            SecretSet::Public => Err(PortalError::BadRequest(format!(
                "app {id} is a public client (a single-page or native app): it has no secret and \
                 proves itself with PKCE; register it again without --public to give it one"
            ))),
            SecretSet::Set(client_id) => Ok(Registered {
                app_id: id,
                client_id: Some(client_id),
                client_secret: Some(secret),
            }),
        }
    }

    /// The client `auth` names, if it proves itself that way: a confidential client by its
    /// secret (compared in constant time), a public client by its client id alone. `None` for
    /// an unknown client, a wrong secret, a public client sending a secret and a confidential
    /// client sending none alike.
    pub async fn authenticate_client(
        &self,
        auth: ClientAuth<'_>,
    ) -> Result<Option<AuthenticatedClient>> {
        let client_id = match auth {
            ClientAuth::Secret { client_id, .. } | ClientAuth::None { client_id } => client_id,
        };
        let Some(client) = apps::client(self.db(), client_id).await? else {
            return Ok(None);
        };
        let proven = match auth {
            ClientAuth::Secret { secret, .. } => {
                !client.public_client
                    && tokens::same(&tokens::digest(secret.as_bytes()), &client.secret_hash)
            }
            ClientAuth::None { .. } => client.public_client,
        };
        Ok(proven.then_some(AuthenticatedClient {
            app_id: client.id,
            public_client: client.public_client,
            id_token_alg: client.id_token_alg,
        }))
    }

    /// The app and registered ACS of the SAML service provider `entity_id`, if registered.
    pub async fn saml_sp(&self, entity_id: &str) -> Result<Option<(AppId, String)>> {
        apps::saml_sp(self.db(), entity_id).await
    }

    /// A SAML app's entity id and ACS, by its id.
    pub async fn saml_app(&self, id: &AppId) -> Result<Option<(String, String)>> {
        apps::saml_sp_by_id(self.db(), id).await
    }

    /// The tiles on `user`'s dashboard: the apps of their school and role.
    pub async fn tiles_for(&self, user: &User) -> Result<Vec<Tile>> {
        apps::tiles(self.db(), &user.school_id, user.role).await
    }

    /// The origins a kiosk of `school_id` may open: those of the apps shown at the school
    /// (to any role that signs in at a kiosk: the kiosk does not know who comes next; not an
    /// app for guardians alone), sorted, without repeats.
    pub async fn app_origins(&self, school_id: &SchoolId) -> Result<Vec<String>> {
        let mut origins: Vec<String> = apps::urls_at_school(self.db(), school_id)
            .await?
            .iter()
            .filter_map(|url| registration::origin(url))
            .collect();
        origins.sort();
        origins.dedup();
        Ok(origins)
    }

    /// An app's picture and media type.
    pub async fn app_icon(&self, id: &AppId) -> Result<Option<(Vec<u8>, String)>> {
        apps::icon(self.db(), id).await
    }
}

/// The audit detail of a new app: what it is, never a secret.
fn describe(id: &AppId, app: &Registration) -> String {
    let kind = match (&app.oidc, &app.saml) {
        (Some(o), Some(_)) if o.public_client => "public oidc+saml",
        (Some(o), None) if o.public_client => "public oidc",
        (Some(_), Some(_)) => "oidc+saml",
        (Some(_), None) => "oidc",
        (None, Some(_)) => "saml",
        (None, None) => "link",
    };
    let schools = if app.schools.is_empty() {
        "every school".to_owned()
    } else {
        app.schools
            .iter()
            .map(SchoolId::as_str)
            .collect::<Vec<_>>()
            .join(",")
    };
    format!("app {id} ({kind}) for {schools}")
}
