//! The SAML identity provider's endpoints: the metadata (`/saml/metadata`: the same for
//! everyone, no session, briefly cacheable; built by `idp::saml::metadata`) and single sign-on
//! (`/saml/sso`, HTTP-Redirect and HTTP-POST bindings in, HTTP-POST out).
//!
//! SSO: the request is read by `idp::saml::request`, its app found by entity id and checked by
//! `idp::saml::sso` (only the registered ACS); anything wrong is an error page, audited, and
//! nothing is signed. Without a session the page asks the user to sign in and open the app
//! again (the portal has no return-after-login mechanism yet). With one, an auto-submitting
//! form posts the signed response (`idp::saml::response`) and the RelayState to the ACS.

use std::net::IpAddr;

use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use maud::{PreEscaped, html};
use rsa::sha2::{Digest as _, Sha256};
use serde::Deserialize;

use super::extract::ClientIp;
use super::html::{message_page, page};
use super::{AppState, i18n, session};
use crate::auth::sessions::LiveSession;
use crate::client_addr::limit_key;
use crate::idp::KeyError;
use crate::idp::saml::cert::IdpCertificate;
use crate::idp::saml::metadata::{self, CONTENT_TYPE, paths};
use crate::idp::saml::request::{self, AuthnRequest};
use crate::idp::saml::response::{self, Grant, Person};
use crate::idp::saml::sso::{self, SsoError};
use crate::store::audit::{self, Entry};

/// How long the metadata may be cached: briefly, so that a key rotation (a new certificate)
/// reaches apps that re-read it soon.
const METADATA_MAX_AGE_SECS: u64 = 300;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::METADATA, get(metadata))
        .route(paths::SSO, get(sso_redirect).post(sso_post))
}

/// The certificate of the current RSA key, for the portal's public host.
pub(crate) fn certificate(state: &AppState) -> Result<IdpCertificate, KeyError> {
    let signer = state.portal.signer()?;
    state
        .saml_certificate
        .for_key(signer.saml_key()?, &public_host(&state.base_url))
}

/// The host (and port, if any) of the public URL: the certificate's CN.
fn public_host(base_url: &str) -> String {
    url::Url::parse(base_url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            })
        })
        .unwrap_or_else(|| base_url.to_owned())
}

async fn metadata(State(state): State<AppState>) -> Response {
    let cert = match certificate(&state) {
        Ok(cert) => cert,
        Err(error) => {
            tracing::error!(%error, "SAML metadata: no signing certificate");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the signing key is not available",
            )
                .into_response();
        }
    };
    let mut response = metadata::document(&state.base_url, &cert).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={METADATA_MAX_AGE_SECS}")) {
        headers.insert(header::CACHE_CONTROL, v);
    }
    response
}

/// The SSO endpoint's parameters, in the query (HTTP-Redirect) or the form (HTTP-POST).
#[derive(Debug, Deserialize)]
struct SsoParams {
    #[serde(rename = "SAMLRequest")]
    saml_request: Option<String>,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
}

#[derive(Debug, Clone, Copy)]
enum Binding {
    Redirect,
    Post,
}

async fn sso_redirect(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    query: Result<Query<SsoParams>, QueryRejection>,
) -> Response {
    let params = query.ok().map(|Query(p)| p);
    sso_answer(&state, ip, &headers, params, Binding::Redirect).await
}

async fn sso_post(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<SsoParams>, FormRejection>,
) -> Response {
    let params = form.ok().map(|Form(p)| p);
    sso_answer(&state, ip, &headers, params, Binding::Post).await
}

/// What a checked request leads to.
struct Checked {
    request: AuthnRequest,
    relay_state: Option<String>,
    app_id: crate::ids::AppId,
    acs: String,
}

async fn sso_answer(
    state: &AppState,
    ip: IpAddr,
    headers: &HeaderMap,
    params: Option<SsoParams>,
    binding: Binding,
) -> Response {
    let s = session::language(headers);
    let checked = match check(state, params, binding).await {
        Ok(checked) => checked,
        Err(Refusal::Sso(e)) => {
            // Nobody is identified yet: counted as junk (one audit row per address and minute),
            // so a flood of bad requests writes nothing per request.
            let entry = Entry::new(state.portal.now(), SSO_ACTION, REFUSED);
            state.portal.junk().count(&entry, &limit_key(ip));
            return message_page(StatusCode::BAD_REQUEST, s, &e.to_string());
        }
        Err(Refusal::Failed(e)) => return super::html::error_page(s, &e),
    };
    let session = match session::current(state, headers).await {
        Ok(Some(session)) => session,
        Ok(None) => {
            return message_page(
                StatusCode::UNAUTHORIZED,
                s,
                "Sign in to BadgeIn, then open the app again.",
            );
        }
        Err(e) => return super::html::error_page(s, &e),
    };
    let s = i18n::for_locale(&session.user.locale);
    // The app must be one this user is shown (their school and role).
    match state.run(state.portal.tiles_for(&session.user)).await {
        Ok(tiles) if tiles.iter().any(|t| t.id == checked.app_id) => {}
        Ok(_) => {
            let e = SsoError::NotShown;
            audit_sso(state, REFUSED, &session, &e.to_string()).await;
            return message_page(StatusCode::FORBIDDEN, s, &e.to_string());
        }
        Err(e) => return super::html::error_page(s, &e),
    }
    let signed = match sign(state, &checked, &session) {
        Ok(signed) => signed,
        Err(error) => {
            tracing::error!(%error, "SAML response not signed");
            return message_page(StatusCode::SERVICE_UNAVAILABLE, s, s.unavailable);
        }
    };
    audit_sso(
        state,
        "ok",
        &session,
        &format!("app {} request {}", checked.app_id, checked.request.id),
    )
    .await;
    post_form(
        &checked.acs,
        &signed.base64(),
        checked.relay_state.as_deref(),
    )
}

enum Refusal {
    Sso(SsoError),
    Failed(crate::error::PortalError),
}

impl From<SsoError> for Refusal {
    fn from(e: SsoError) -> Self {
        Self::Sso(e)
    }
}

async fn check(
    state: &AppState,
    params: Option<SsoParams>,
    binding: Binding,
) -> Result<Checked, Refusal> {
    let params = params.ok_or(SsoError::NoRequest)?;
    let relay_state = match params.relay_state.as_deref() {
        Some(r) => Some(request::relay_state(r).map_err(SsoError::from)?.to_owned()),
        None => None,
    };
    let encoded = params.saml_request.ok_or(SsoError::NoRequest)?;
    let request = match binding {
        Binding::Redirect => request::from_redirect(&encoded),
        Binding::Post => request::from_post(&encoded),
    }
    .map_err(SsoError::from)?;
    let (app_id, acs) = state
        .run(state.portal.saml_sp(&request.issuer))
        .await
        .map_err(Refusal::Failed)?
        .ok_or(SsoError::UnknownApp)?;
    sso::check(&request, &acs, &metadata::sso_url(&state.base_url))?;
    Ok(Checked {
        request,
        relay_state,
        app_id,
        acs,
    })
}

fn sign(
    state: &AppState,
    checked: &Checked,
    session: &LiveSession,
) -> Result<response::SignedResponse, KeyError> {
    let signer = state.portal.signer()?;
    let key = signer.saml_key()?;
    let cert = state
        .saml_certificate
        .for_key(key, &public_host(&state.base_url))?;
    let user = &session.user;
    let now = state.portal.now();
    let display_name = user.display_name();
    let roles = [user.role.as_str()];
    let grant = Grant {
        idp_entity_id: &metadata::entity_id(&state.base_url),
        sp_entity_id: &checked.request.issuer,
        acs: &checked.acs,
        in_response_to: Some(&checked.request.id),
        person: Person {
            user_id: user.id.as_str(),
            given_name: &user.given_name,
            family_name: &user.family_name,
            display_name: &display_name,
            roles: &roles,
            school: Some(user.school_id.as_str()),
        },
        // The portal keeps no start time for a web session: the assertion says now.
        authn_instant: now,
        session_index: &session_index(&session.id),
        now,
    };
    response::build(&grant, key, &cert)
}

/// The `SessionIndex`: derived from the session id, never the id itself.
fn session_index(session_id: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"badgein saml session\0")
        .chain_update(session_id.as_bytes())
        .finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("_{hex}")
}

/// The audit action of every SSO answer, and its result when refused.
const SSO_ACTION: &str = "saml.sso";
const REFUSED: &str = "refused";

/// Records an answer to a signed-in user.
async fn audit_sso(state: &AppState, result: &str, session: &LiveSession, detail: &str) {
    let mut entry = Entry::new(state.portal.now(), SSO_ACTION, result);
    entry.user_id = Some(session.user.id.clone());
    entry.detail = Some(detail.to_owned());
    if let Err(error) = state.run(audit::record(state.portal.db(), &entry)).await {
        tracing::warn!(%error, "SAML sign-in not audited");
    }
}

/// Submits the form as soon as the page loads; allowed by its hash in the page's CSP.
const AUTO_SUBMIT: &str = "document.forms[0].submit();";

/// The HTTP-POST binding: a form that posts `SAMLResponse` and `RelayState` to the ACS, sent
/// at once by [`AUTO_SUBMIT`] (a button for browsers without scripts). Its CSP allows that one
/// script and a form action at the ACS's origin only.
fn post_form(acs: &str, saml_response: &str, relay_state: Option<&str>) -> Response {
    let s = i18n::for_locale("en");
    let body = html! {
        main {
            form method="post" action=(acs) {
                input type="hidden" name="SAMLResponse" value=(saml_response);
                @if let Some(relay) = relay_state {
                    input type="hidden" name="RelayState" value=(relay);
                }
                noscript { p { "Scripts are off: press the button to continue." } }
                button type="submit" { "Continue" }
            }
            script { (PreEscaped(AUTO_SUBMIT)) }
        }
    };
    let mut response = page(StatusCode::OK, s, "BadgeIn", body);
    let script = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(AUTO_SUBMIT));
    let origin = url::Url::parse(acs)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| "'none'".to_owned());
    let csp = format!(
        "default-src 'none'; script-src 'sha256-{script}'; style-src 'self'; \
         form-action {origin}; frame-ancestors 'none'; base-uri 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, v);
    }
    response
}
