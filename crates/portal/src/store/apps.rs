//! Registered apps: the `apps` row, the schools and roles it is shown to, its OpenID Connect
//! redirect URIs. A client secret is stored only as its SHA-256 digest. Every change is one
//! transaction with its audit entry: an app is never half written, nor changed unrecorded.

use serde::Serialize;

use super::audit::Entry;
use super::{Pool, on_pool, on_reader};
use crate::error::Result;
use crate::idp::SigningAlg;
use crate::ids::{AppId, SchoolId};
use crate::roles::Role;

/// An app as listed: everything but its secret's digest and its picture's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AppRow {
    #[serde(rename = "app_id")]
    pub id: AppId,
    pub name: String,
    pub url: String,
    pub client_id: Option<String>,
    pub backchannel_logout_uri: Option<String>,
    pub pairwise: bool,
    /// A public OpenID Connect client: no secret, PKCE required.
    pub public_client: bool,
    /// The ID tokens' algorithm; `None` for what is no OpenID Connect client.
    pub id_token_alg: Option<SigningAlg>,
    /// The scopes it may be granted besides `openid`, space-separated; `None` for what is no
    /// OpenID Connect client.
    #[serde(rename = "scopes")]
    pub oidc_scopes: Option<String>,
    pub saml_entity_id: Option<String>,
    pub saml_acs: Option<String>,
    pub icon_type: Option<String>,
    #[sqlx(skip)]
    pub schools: Vec<SchoolId>,
    #[sqlx(skip)]
    #[serde(serialize_with = "role_names")]
    pub roles: Vec<Role>,
    #[sqlx(skip)]
    pub redirect_uris: Vec<String>,
}

fn role_names<S: serde::Serializer>(roles: &[Role], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(roles.iter().map(|r| r.as_str()))
}

/// A dashboard tile.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Tile {
    pub id: AppId,
    pub name: String,
    pub url: String,
    pub icon_type: Option<String>,
    /// A SAML app: its tile signs the user in (IdP-initiated) rather than linking to `url`.
    pub saml: bool,
}

impl Tile {
    /// Where the tile goes: a SAML app through the portal's IdP-initiated sign-in, any other
    /// app to its URL (an OpenID Connect app starts its own sign-in there).
    pub fn link(&self) -> String {
        if self.saml {
            format!("/saml/launch/{}", self.id)
        } else {
            self.url.clone()
        }
    }
}

/// What a new app's rows hold, checked already.
#[derive(Debug)]
pub struct NewApp<'a> {
    pub id: &'a AppId,
    pub name: &'a str,
    pub url: &'a str,
    /// Now: the app lists after every app before it, even at the same millisecond.
    pub listed_at: i64,
    pub client_id: Option<&'a str>,
    /// Empty for a public client (migration 0008 says why).
    pub secret_hash: Option<&'a [u8]>,
    pub backchannel_logout_uri: Option<&'a str>,
    pub pairwise: bool,
    pub public_client: bool,
    pub id_token_alg: SigningAlg,
    /// Space-separated (an OpenID Connect client's).
    pub oidc_scopes: Option<&'a str>,
    /// A pairwise app's salt (its `sub` values' secret).
    pub pairwise_salt: Option<&'a [u8]>,
    pub saml_entity_id: Option<&'a str>,
    pub saml_acs: Option<&'a str>,
    pub icon: Option<(&'a [u8], &'a str)>,
    pub schools: &'a [SchoolId],
    pub roles: &'a [Role],
    pub redirect_uris: &'a [String],
}

const COLUMNS: &str = "id, name, url, client_id, backchannel_logout_uri, pairwise, \
                       public_client, \
                       CASE WHEN client_id IS NULL THEN NULL ELSE id_token_alg END AS id_token_alg, \
                       oidc_scopes, saml_entity_id, saml_acs, icon_type";

/// An app shown to a school: no school listed (every school) or this one among them.
const AT_SCHOOL: &str = "(NOT EXISTS (SELECT 1 FROM app_schools s WHERE s.app_id = a.id) \
     OR EXISTS (SELECT 1 FROM app_schools s WHERE s.app_id = a.id AND s.school_id = $1))";

/// Writes the app, its schools, roles and redirect URIs and `entry`, in one transaction.
pub async fn insert(db: &Pool, app: &NewApp<'_>, entry: &Entry) -> Result<()> {
    const APP: &str = "INSERT INTO apps (id, name, url, listed_at, client_id, secret_hash, \
        backchannel_logout_uri, pairwise, saml_entity_id, saml_acs, icon, icon_type, \
        pairwise_salt, public_client, id_token_alg, oidc_scopes) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
    const SCHOOL: &str = "INSERT INTO app_schools (app_id, school_id) VALUES ($1, $2)";
    const ROLE: &str = "INSERT INTO app_roles (app_id, role) VALUES ($1, $2)";
    const REDIRECT: &str = "INSERT INTO app_redirect_uris (app_id, uri) VALUES ($1, $2)";
    const LAST: &str = "SELECT MAX(listed_at) FROM apps";
    on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let last: Option<i64> = sqlx::query_scalar(LAST).fetch_one(&mut *tx).await?;
        let listed_at = last.map_or(app.listed_at, |last| app.listed_at.max(last + 1));
        sqlx::query(APP)
            .bind(app.id)
            .bind(app.name)
            .bind(app.url)
            .bind(listed_at)
            .bind(app.client_id)
            .bind(app.secret_hash)
            .bind(app.backchannel_logout_uri)
            .bind(app.pairwise)
            .bind(app.saml_entity_id)
            .bind(app.saml_acs)
            .bind(app.icon.map(|(bytes, _)| bytes))
            .bind(app.icon.map(|(_, kind)| kind))
            .bind(app.pairwise_salt)
            .bind(app.public_client)
            .bind(app.id_token_alg)
            .bind(app.oidc_scopes)
            .execute(&mut *tx)
            .await?;
        for school in app.schools {
            sqlx::query(SCHOOL)
                .bind(app.id)
                .bind(school)
                .execute(&mut *tx)
                .await?;
        }
        for role in app.roles {
            sqlx::query(ROLE)
                .bind(app.id)
                .bind(*role)
                .execute(&mut *tx)
                .await?;
        }
        for uri in app.redirect_uris {
            sqlx::query(REDIRECT)
                .bind(app.id)
                .bind(uri)
                .execute(&mut *tx)
                .await?;
        }
        entry.insert().execute(&mut *tx).await?;
        tx.commit().await
    })?;
    Ok(())
}

/// Every app, in registration order, with its schools, roles and redirect URIs.
pub async fn all(db: &Pool) -> Result<Vec<AppRow>> {
    let sql = format!("SELECT {COLUMNS} FROM apps ORDER BY listed_at, id");
    const SCHOOLS: &str = "SELECT app_id, school_id FROM app_schools ORDER BY school_id";
    const ROLES: &str = "SELECT app_id, role FROM app_roles";
    const REDIRECTS: &str = "SELECT app_id, uri FROM app_redirect_uris ORDER BY uri";
    let mut apps: Vec<AppRow> = on_reader!(db, |p| sqlx::query_as(&sql).fetch_all(p).await)?;
    let schools: Vec<(AppId, SchoolId)> =
        on_reader!(db, |p| sqlx::query_as(SCHOOLS).fetch_all(p).await)?;
    let roles: Vec<(AppId, Role)> = on_reader!(db, |p| sqlx::query_as(ROLES).fetch_all(p).await)?;
    let redirects: Vec<(AppId, String)> =
        on_reader!(db, |p| sqlx::query_as(REDIRECTS).fetch_all(p).await)?;
    for app in &mut apps {
        app.schools = pick(&schools, &app.id);
        app.roles = Role::ALL
            .into_iter()
            .filter(|r| roles.contains(&(app.id.clone(), *r)))
            .collect();
        app.redirect_uris = pick(&redirects, &app.id);
    }
    Ok(apps)
}

fn pick<T: Clone>(rows: &[(AppId, T)], id: &AppId) -> Vec<T> {
    rows.iter()
        .filter(|(app, _)| app == id)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The tiles a user of `school_id` with `role` sees, in registration order. An app that
/// names no roles is shown to every role but parents and guardians: the school's apps are for
/// its students and staff, and a parent sees only the apps registered for them by name.
pub async fn tiles(db: &Pool, school_id: &SchoolId, role: Role) -> Result<Vec<Tile>> {
    let sql = format!(
        "SELECT a.id, a.name, a.url, a.icon_type, a.saml_acs IS NOT NULL AS saml \
         FROM apps a WHERE {AT_SCHOOL} \
         AND ((NOT EXISTS (SELECT 1 FROM app_roles r WHERE r.app_id = a.id) AND $2 <> $3) \
         OR EXISTS (SELECT 1 FROM app_roles r WHERE r.app_id = a.id AND r.role = $2)) \
         ORDER BY a.listed_at, a.id"
    );
    Ok(on_reader!(db, |p| sqlx::query_as(&sql)
        .bind(school_id)
        .bind(role)
        .bind(Role::Guardian)
        .fetch_all(p)
        .await)?)
}

/// Every address a sign-in to an app shown at `school_id` (to any role that signs in at a
/// kiosk) goes through: its
/// link, its OpenID Connect redirect URIs and its SAML ACS (what its kiosks may open: an app
/// whose callback is on another host than its link must still be reachable).
pub async fn urls_at_school(db: &Pool, school_id: &SchoolId) -> Result<Vec<String>> {
    // An app for guardians alone is never a kiosk's destination: a guardian signs in at
    // home, never at a kiosk (`auth::sign_in`).
    const AT_KIOSK: &str = "(NOT EXISTS (SELECT 1 FROM app_roles r WHERE r.app_id = a.id) \
         OR EXISTS (SELECT 1 FROM app_roles r WHERE r.app_id = a.id AND r.role <> $2))";
    let sql = format!(
        "SELECT a.url FROM apps a WHERE {AT_SCHOOL} AND {AT_KIOSK} \
         UNION SELECT a.saml_acs FROM apps a WHERE a.saml_acs IS NOT NULL AND {AT_SCHOOL} \
         AND {AT_KIOSK} \
         UNION SELECT r.uri FROM app_redirect_uris r JOIN apps a ON a.id = r.app_id \
         WHERE {AT_SCHOOL} AND {AT_KIOSK}"
    );
    Ok(on_reader!(db, |p| sqlx::query_scalar(&sql)
        .bind(school_id)
        .bind(Role::Guardian)
        .fetch_all(p)
        .await)?)
}

/// An app's picture and its media type, if it has one.
pub async fn icon(db: &Pool, id: &AppId) -> Result<Option<(Vec<u8>, String)>> {
    const SQL: &str = "SELECT icon, icon_type FROM apps \
                       WHERE id = $1 AND icon IS NOT NULL AND icon_type IS NOT NULL";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(id)
        .fetch_optional(p)
        .await)?)
}

/// Deletes the app and its rows, with `entry`. `false`: no such app (nothing written).
pub async fn remove(db: &Pool, id: &AppId, entry: &Entry) -> Result<bool> {
    const CHILDREN: [&str; 5] = [
        "DELETE FROM oauth_access_tokens WHERE app_id = $1",
        "DELETE FROM oauth_codes WHERE app_id = $1",
        "DELETE FROM app_schools WHERE app_id = $1",
        "DELETE FROM app_roles WHERE app_id = $1",
        "DELETE FROM app_redirect_uris WHERE app_id = $1",
    ];
    const APP: &str = "DELETE FROM apps WHERE id = $1";
    let removed = on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        for sql in CHILDREN {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        let removed = sqlx::query(APP)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if removed {
            entry.insert().execute(&mut *tx).await?;
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok::<_, sqlx::Error>(removed)
    })?;
    Ok(removed)
}

/// What [`set_secret`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSet {
    /// The secret was replaced; the client id.
    Set(String),
    NoApp,
    /// The app is no OpenID Connect client.
    NotOidc,
    /// The app is a public client, which has no secret.
    Public,
}

/// Replaces a confidential OpenID Connect client's secret digest, with `entry`; nothing is
/// written unless the answer is [`SecretSet::Set`].
pub async fn set_secret(
    db: &Pool,
    id: &AppId,
    secret_hash: &[u8],
    entry: &Entry,
) -> Result<SecretSet> {
    const FIND: &str = "SELECT client_id, public_client FROM apps WHERE id = $1";
    const SET: &str = "UPDATE apps SET secret_hash = $2 \
                       WHERE id = $1 AND client_id IS NOT NULL AND NOT public_client";
    let found = on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let client: Option<(Option<String>, bool)> = sqlx::query_as(FIND)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let found = match client {
            None => SecretSet::NoApp,
            Some((None, _)) => SecretSet::NotOidc,
            Some((Some(_), true)) => SecretSet::Public,
            Some((Some(client_id), false)) => SecretSet::Set(client_id),
        };
        if matches!(found, SecretSet::Set(_)) {
            sqlx::query(SET)
                .bind(id)
                .bind(secret_hash)
                .execute(&mut *tx)
                .await?;
            entry.insert().execute(&mut *tx).await?;
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok::<_, sqlx::Error>(found)
    })?;
    Ok(found)
}

/// The app and registered assertion consumer service of a SAML service provider, by its entity
/// id.
pub async fn saml_sp(db: &Pool, entity_id: &str) -> Result<Option<(AppId, String)>> {
    const SQL: &str = "SELECT id, saml_acs FROM apps \
                       WHERE saml_entity_id = $1 AND saml_acs IS NOT NULL";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(entity_id)
        .fetch_optional(p)
        .await)?)
}

/// A SAML app's entity id and ACS, by its id (its dashboard tile's IdP-initiated sign-in).
pub async fn saml_sp_by_id(db: &Pool, id: &AppId) -> Result<Option<(String, String)>> {
    const SQL: &str = "SELECT saml_entity_id, saml_acs FROM apps \
                       WHERE id = $1 AND saml_entity_id IS NOT NULL AND saml_acs IS NOT NULL";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(id)
        .fetch_optional(p)
        .await)?)
}

/// An OpenID Connect client as the authorization endpoint needs it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OidcClient {
    pub id: AppId,
    pub pairwise: bool,
    /// A public client: its requests must carry a PKCE S256 challenge.
    pub public_client: bool,
    /// `None` for a pairwise app registered before salts existed (refused).
    pub pairwise_salt: Option<Vec<u8>>,
    /// What it may be granted besides `openid`, space-separated.
    pub oidc_scopes: Option<String>,
    #[sqlx(skip)]
    pub redirect_uris: Vec<String>,
}

impl OidcClient {
    /// Whether the app may be granted `scope` (`openid` always).
    pub fn may_have(&self, scope: &str) -> bool {
        scope == "openid"
            || self
                .oidc_scopes
                .as_deref()
                .is_some_and(|allowed| allowed.split(' ').any(|s| s == scope))
    }
}

/// One of an OpenID Connect client's redirect URIs, with the client.
#[derive(sqlx::FromRow)]
struct ClientRedirect {
    #[sqlx(flatten)]
    client: OidcClient,
    uri: Option<String>,
}

/// The OpenID Connect client with this client id, with its redirect URIs (one read: the
/// authorization endpoint's first, benches/sso).
pub async fn oidc_client(db: &Pool, client_id: &str) -> Result<Option<OidcClient>> {
    const SQL: &str = "SELECT a.id, a.pairwise, a.public_client, a.pairwise_salt, \
         a.oidc_scopes, r.uri FROM apps a LEFT JOIN app_redirect_uris r ON r.app_id = a.id \
         WHERE a.client_id = $1";
    let rows: Vec<ClientRedirect> = on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(client_id)
        .fetch_all(p)
        .await)?;
    let mut rows = rows.into_iter();
    let Some(first) = rows.next() else {
        return Ok(None);
    };
    let mut client = first.client;
    client.redirect_uris = std::iter::once(first.uri)
        .chain(rows.map(|r| r.uri))
        .flatten()
        .collect();
    Ok(Some(client))
}

/// An app's URL as registered (its tile's link).
pub async fn url_of(db: &Pool, id: &AppId) -> Result<Option<String>> {
    const SQL: &str = "SELECT url FROM apps WHERE id = $1";
    Ok(on_reader!(db, |p| sqlx::query_scalar(SQL)
        .bind(id)
        .fetch_optional(p)
        .await)?)
}

/// An OpenID Connect client as the token endpoint authenticates it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenClient {
    pub id: AppId,
    /// Empty for a public client.
    pub secret_hash: Vec<u8>,
    pub public_client: bool,
    pub id_token_alg: SigningAlg,
}

/// The OpenID Connect client with this client id, as the token endpoint needs it.
pub async fn client(db: &Pool, client_id: &str) -> Result<Option<TokenClient>> {
    const SQL: &str = "SELECT id, secret_hash, public_client, id_token_alg FROM apps \
                       WHERE client_id = $1 AND secret_hash IS NOT NULL";
    Ok(on_reader!(db, |p| sqlx::query_as(SQL)
        .bind(client_id)
        .fetch_optional(p)
        .await)?)
}
