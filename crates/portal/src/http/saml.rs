//! The SAML identity provider's endpoints: the metadata (`/saml/metadata`: the same for
//! everyone, no session, briefly cacheable; built by `idp::saml::metadata`) and single sign-on
//! (`/saml/sso`, HTTP-Redirect and HTTP-POST bindings in, HTTP-POST out).
//!
//! SSO: the request is read by `idp::saml::request`, its app found by entity id and checked by
//! `idp::saml::sso` (only the registered ACS; which NameID); anything wrong is an error page
//! in the user's language, audited, and nothing is signed. Without a session that answers the
//! request (any live one; one begun after it for `ForceAuthn`) the user is sent to sign in and
//! comes back to the request (`sign_in_first`), or, when the request is `IsPassive`, the app
//! is told `NoPassive` at its ACS. With one, an auto-submitting form posts the signed
//! response (`idp::saml::response`) and the RelayState to the ACS.

use std::net::IpAddr;

use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::Engine as _;
use maud::{PreEscaped, html};
use rsa::sha2::{Digest as _, Sha256};
use serde::Deserialize;
use url::form_urlencoded;

use super::extract::ClientIp;
use super::html::{message_page, page};
use super::i18n::{self, Strings};
use super::{AppState, next, session};
use crate::auth::sessions::LiveSession;
use crate::client_addr::limit_key;
use crate::idp::KeyError;
use crate::idp::saml::cert::IdpCertificate;
use crate::idp::saml::metadata::{self, CONTENT_TYPE, paths};
use crate::idp::saml::request::{self, AuthnRequest};
use crate::idp::saml::response::{self, Grant, NameId, Person};
use crate::idp::saml::sso::{self, SsoError};
use crate::store::audit::{self, Entry};

/// How long the metadata may be cached: briefly, so that a key rotation (a new certificate)
/// reaches apps that re-read it soon.
const METADATA_MAX_AGE_SECS: u64 = 300;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::METADATA, get(metadata))
        .route(paths::SSO, get(sso_redirect).post(sso_post))
        .route("/saml/launch/{app}", get(launch))
}

/// The certificate of the current RSA key, for the portal's public host.
pub(crate) fn certificate(state: &AppState) -> Result<IdpCertificate, KeyError> {
    let signer = state.portal.signer()?;
    state
        .saml_certificate
        .for_key(signer.rsa_key()?, &public_host(&state.base_url))
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
    /// The request as the HTTP-Redirect binding carries it (deflated, base64): what a GET to
    /// this endpoint needs to come back to it.
    redirect_encoded: String,
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
            // so a flood of bad requests writes nothing per request. The rule broken goes to
            // the log for the admin setting the app up (never the input).
            tracing::info!(error = %e, "SAML request refused");
            let entry = Entry::new(state.portal.now(), SSO_ACTION, REFUSED);
            state.portal.junk().count(&entry, &limit_key(ip));
            return message_page(StatusCode::BAD_REQUEST, s, refusal_text(s, &e));
        }
        Err(Refusal::Failed(e)) => return super::html::error_page(s, &e),
    };
    let session = match session::current(state, headers).await {
        Ok(session) => session,
        Err(e) => return super::html::error_page(s, &e),
    };
    // A temporary password must be changed before any app is signed in to: the sign-in this
    // asks for leads there first. A request that forces a new sign-in is answered only by a
    // session begun for it.
    let now = state.portal.now();
    // By HTTP-POST from the app's site the browser leaves the cookie behind (`SameSite=Lax`):
    // whether anyone is signed in is known only after the 303 to the same request by GET.
    let unseen = session.is_none() && matches!(binding, Binding::Post);
    let answering = session.filter(|session| {
        !session.must_change_password
            && sso::session_answers(&checked.request, session.started_at, now)
    });
    let Some(session) = answering else {
        // Asked not to show the user anything: told so, at its ACS, instead of the login page.
        if checked.request.is_passive && !unseen {
            return no_passive(state, s, &checked);
        }
        return sign_in_first(s, &checked, binding);
    };
    let s = i18n::for_locale(&session.user.locale);
    // The app must be one this user is shown (their school and role).
    match state.run(state.portal.tiles_for(&session.user)).await {
        Ok(tiles) if tiles.iter().any(|t| t.id == checked.app_id) => {}
        Ok(_) => return refuse(state, s, &session, &SsoError::NotShown).await,
        Err(e) => return super::html::error_page(s, &e),
    }
    let name_id = match sso::name_id(
        checked.request.name_id_format.as_deref(),
        &checked.request.issuer,
        session.user.email.as_deref(),
    ) {
        Ok(name_id) => name_id,
        Err(e) => return refuse(state, s, &session, &e).await,
    };
    let to = To {
        sp_entity_id: &checked.request.issuer,
        acs: &checked.acs,
        in_response_to: Some(&checked.request.id),
    };
    let signed = match sign(state, &to, &session, name_id) {
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
        s,
        &checked.acs,
        &signed.base64(),
        checked.relay_state.as_deref(),
    )
}

/// `GET /saml/launch/{app}`: IdP-initiated sign-in, what a SAML app's dashboard tile links to.
/// No request: the signed user is shown the app (school and role), and a response answering
/// nothing (`InResponseTo` absent) is posted to the app's registered ACS. A link from
/// elsewhere can only sign the user in to an app of their own dashboard, as the tile would.
async fn launch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(app): Path<String>,
) -> Response {
    let s = session::language(&headers);
    let not_found = || message_page(StatusCode::NOT_FOUND, s, s.not_found);
    if app.len() > 128 {
        return not_found();
    }
    let app = crate::ids::AppId::new(app);
    let session = match session::current(&state, &headers).await {
        Ok(Some(session)) if !session.must_change_password => session,
        // A tile is only on a signed-in dashboard: a stale one signs in again, then goes on
        // (and a temporary password is changed first).
        Ok(_) => {
            let login = next::login_url(&format!("/saml/launch/{app}"));
            return Redirect::to(login.as_deref().unwrap_or("/login")).into_response();
        }
        Err(e) => return super::html::error_page(s, &e),
    };
    let s = i18n::for_locale(&session.user.locale);
    let (sp_entity_id, acs) = match state.run(state.portal.saml_app(&app)).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(e) => return super::html::error_page(s, &e),
    };
    match state.run(state.portal.tiles_for(&session.user)).await {
        Ok(tiles) if tiles.iter().any(|t| t.id == app) => {}
        Ok(_) => return refuse(&state, s, &session, &SsoError::NotShown).await,
        Err(e) => return super::html::error_page(s, &e),
    }
    let name_id = match sso::name_id(None, &sp_entity_id, session.user.email.as_deref()) {
        Ok(name_id) => name_id,
        Err(e) => return refuse(&state, s, &session, &e).await,
    };
    let to = To {
        sp_entity_id: &sp_entity_id,
        acs: &acs,
        in_response_to: None,
    };
    let signed = match sign(&state, &to, &session, name_id) {
        Ok(signed) => signed,
        Err(error) => {
            tracing::error!(%error, "SAML response not signed");
            return message_page(StatusCode::SERVICE_UNAVAILABLE, s, s.unavailable);
        }
    };
    audit_sso(
        &state,
        "ok",
        &session,
        &format!("app {app} from the dashboard"),
    )
    .await;
    post_form(s, &acs, &signed.base64(), None)
}

/// A good request refused for who the signed-in user is (the app is not theirs, or the roster
/// lacks what it needs): audited, 403, an error page in their language, nothing signed.
async fn refuse(state: &AppState, s: &Strings, session: &LiveSession, e: &SsoError) -> Response {
    audit_sso(state, REFUSED, session, &e.to_string()).await;
    message_page(StatusCode::FORBIDDEN, s, refusal_text(s, e))
}

/// The sentence of the page that refuses `e`: what the user can do about it. The admin's
/// detail (which rule) is in the log and the audit entry.
fn refusal_text(s: &Strings, e: &SsoError) -> &'static str {
    match e {
        SsoError::NoRequest | SsoError::Request(_) => s.sso.unreadable,
        SsoError::UnknownApp
        | SsoError::AcsMismatch
        | SsoError::WrongDestination
        | SsoError::UnsupportedBinding => s.bad_app_link,
        SsoError::NotShown => s.sso.not_shown,
        SsoError::NoEmail => s.sso.no_email,
    }
}

/// A passive request nobody signed in answers: the `NoPassive` status posted to the app's ACS
/// with its RelayState; nothing is released or signed, so nothing is audited.
fn no_passive(state: &AppState, s: &Strings, checked: &Checked) -> Response {
    let answer = response::no_passive(
        &metadata::entity_id(&state.base_url),
        &checked.acs,
        &checked.request.id,
        state.portal.now(),
    );
    match answer {
        Ok(saml_response) => post_form(
            s,
            &checked.acs,
            &saml_response,
            checked.relay_state.as_deref(),
        ),
        Err(error) => {
            tracing::error!(%error, "SAML NoPassive answer not made");
            message_page(StatusCode::SERVICE_UNAVAILABLE, s, s.unavailable)
        }
    }
}

/// A checked request without a live session.
///
/// By HTTP-POST: a 303 to the same request by HTTP-Redirect at this endpoint. The session
/// cookie is `SameSite=Lax`, so a browser leaves it off a POST from the app's site but sends
/// it with the top-level GET a 303 turns it into: a signed-in user goes straight on to the
/// app, and a signed-out one comes back here by GET and is sent to sign in. Simpler than a
/// self-submitting page (no script, no CSP), and `next` only ever holds a GET.
///
/// By HTTP-Redirect: to the login page, which comes back to this request after the sign-in
/// (`next`); a request too long for `next` gets a page asking to sign in and open the app
/// again.
fn sign_in_first(s: &Strings, checked: &Checked, binding: Binding) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("SAMLRequest", &checked.redirect_encoded);
    if let Some(relay) = &checked.relay_state {
        query.append_pair("RelayState", relay);
    }
    let here = format!("{}?{}", paths::SSO, query.finish());
    let location = match binding {
        Binding::Post => next::safe_next(&here).map(str::to_owned),
        Binding::Redirect => next::login_url(&here),
    };
    match location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        Some(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        None => message_page(StatusCode::UNAUTHORIZED, s, s.sso.sign_in_first),
    }
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
    let (request, redirect_encoded) = match binding {
        Binding::Redirect => (request::from_redirect(&encoded), Ok(encoded)),
        Binding::Post => (
            request::from_post(&encoded),
            request::post_to_redirect(&encoded),
        ),
    };
    let request = request.map_err(SsoError::from)?;
    let redirect_encoded = redirect_encoded.map_err(SsoError::from)?;
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
        redirect_encoded,
    })
}

/// Where a response goes and what it answers.
struct To<'a> {
    sp_entity_id: &'a str,
    acs: &'a str,
    /// The request's ID; `None` for an IdP-initiated sign-in (the dashboard's tile).
    in_response_to: Option<&'a str>,
}

fn sign(
    state: &AppState,
    to: &To<'_>,
    session: &LiveSession,
    name_id: NameId<'_>,
) -> Result<response::SignedResponse, KeyError> {
    let signer = state.portal.signer()?;
    let key = signer.rsa_key()?;
    let cert = state
        .saml_certificate
        .for_key(key, &public_host(&state.base_url))?;
    let user = &session.user;
    let display_name = user.display_name();
    let roles = [user.role.as_str()];
    let grant = Grant {
        idp_entity_id: &metadata::entity_id(&state.base_url),
        sp_entity_id: to.sp_entity_id,
        acs: to.acs,
        in_response_to: to.in_response_to,
        person: Person {
            user_id: user.id.as_str(),
            given_name: &user.given_name,
            family_name: &user.family_name,
            display_name: &display_name,
            roles: &roles,
            school: Some(user.school_id.as_str()),
            email: user.email.as_deref(),
            grade: user.grade.as_deref(),
        },
        name_id,
        // When the session began (as OpenID Connect's `auth_time`), not now.
        authn_instant: session.started_at,
        session_index: &session_index(&session.id),
        now: state.portal.now(),
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
fn post_form(s: &Strings, acs: &str, saml_response: &str, relay_state: Option<&str>) -> Response {
    let body = html! {
        main {
            form method="post" action=(acs) {
                input type="hidden" name="SAMLResponse" value=(saml_response);
                @if let Some(relay) = relay_state {
                    input type="hidden" name="RelayState" value=(relay);
                }
                noscript { p { (s.sso.scripts_off) } }
                button type="submit" { (s.sso.continue_to_app) }
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
